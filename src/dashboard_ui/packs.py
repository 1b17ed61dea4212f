"""Making a PDF pack on a page: a button, its progress while the pack is made, and the download of the pack made,
offered while the page's settings stay those it was made for."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.briefing.content import CLASSIFICATIONS

if TYPE_CHECKING:  # reportlab loads only when a pack is made
    from dashboard.briefing.pdf import ProgressCallback


def classification_choice(where: DeltaGenerator, key: str) -> str | None:
    """The security marking a pack carries on every page, if any."""
    return where.selectbox(
        "Security classification",
        [None, *CLASSIFICATIONS],
        format_func=lambda value: value or "None (no marking)",
        key=key,
        help="Marked at the top and bottom of every page.",
    )


def pack_maker(
    key: str,
    settings: Hashable,
    make: Callable[[ProgressCallback], bytes],
    file_name: str,
    what: str,
    on_made: Callable[[], None] | None = None,
) -> None:
    """A "Make the {what}" button that makes the pack with `make` (reporting its progress) and keeps it in the
    session (as `{key}_pack`: its settings and bytes), then offers it for download while `settings` stay the same.
    `on_made` runs once a pack is made (to record it)."""
    wanted, made_key = f"{key}_wanted", f"{key}_pack"
    # The click is kept in session state by a callback: callbacks run before the script, so a rerun cannot lose it.
    st.button(
        f"Make the {what}",
        key=f"make_{key}",
        type="primary",
        icon=":material/picture_as_pdf:",
        on_click=lambda: st.session_state.update({wanted: True}),
    )
    if st.session_state.pop(wanted, False):
        with st.status(f"Making the {what}…", expanded=True) as status:
            bar = st.progress(0.0, text="Starting")

            def progress(done: int, total: int, step: str) -> None:
                bar.progress(done / total, text=step)

            pdf = make(progress)
            status.update(label=f"The {what} is ready", state="complete", expanded=False)
        if on_made:
            on_made()
        st.session_state[made_key] = (settings, pdf)

    made = st.session_state.get(made_key)
    if made and made[0] == settings:
        st.download_button(
            f"Download the {what} (PDF)",
            data=made[1],
            file_name=file_name,
            mime="application/pdf",
            on_click="ignore",
            icon=":material/download:",
            key=f"download_{key}",
        )
    elif made:
        st.caption(f"The dates, classification or data have changed since the last {what} was made: make it again.")
