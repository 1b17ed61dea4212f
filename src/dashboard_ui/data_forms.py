"""What the data pages share: a refused change shown plainly (each field at fault named), and a message carried
across the rerun that follows a save."""

from __future__ import annotations

import streamlit as st

from dashboard.editing import InvalidEdit, StaleEdit
from dashboard.roles import AccessDenied, Actor, Permission
from dashboard_ui import cached
from dashboard_ui.text import plain

_DONE = "data-form-done"


def show_refusal(refusal: InvalidEdit | StaleEdit | AccessDenied) -> None:
    if isinstance(refusal, InvalidEdit):
        lines = "\n".join(f"- **{label}**: {plain(message)}" for label, message in refusal.problems)
        st.error(f"Nothing was saved. Please correct:\n{lines}", icon=":material/error:")
    elif isinstance(refusal, StaleEdit):
        st.error(plain(str(refusal)), icon=":material/sync_problem:")
    else:
        st.error(f"Nothing was saved: {plain(refusal)}", icon=":material/block:")


def edits_here_or_stop(actor: Actor, council: str | None, title: str) -> None:
    """Stop a data page, saying why, when the actor may not change the data of the council the sidebar shows (an
    editor in one council, looking at another): the domain would refuse the change anyway."""
    if actor.can(Permission.EDIT, council):
        return
    names = cached.councils(cached.version())
    st.title(title)
    st.info(
        f"You have {actor.roles_in_words(names)}, so you cannot change {names.get(council or '', 'this council')}'s "
        "data here: choose a council you edit in the sidebar.",
        icon=":material/lock:",
    )
    st.stop()


def position(options: list[str], value: object) -> int | None:
    """A selectbox's index for `value`, or None (nothing chosen) when it is not one of the options."""
    return options.index(value) if isinstance(value, str) and value in options else None


def done(message: str) -> None:
    """Say `message` after the rerun that shows the saved data."""
    st.session_state[_DONE] = message
    st.rerun()


def show_done() -> None:
    if message := st.session_state.pop(_DONE, None):
        st.success(plain(message), icon=":material/check_circle:")
