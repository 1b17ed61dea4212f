"""The one workaround for how Streamlit starts a page: a deep link as a process's first request (and every AppTest
run) runs the page without the shell around it. Every reader of the shell's state (filters, the signed-in actor)
calls `run_through_app` when that state is missing."""

from __future__ import annotations

import streamlit as st


def run_through_app() -> None:
    """A page ran without the shell around it. Streamlit does that when a process's first request is a deep link
    (/districts?...), and Streamlit's AppTest on every run: with a pages/ folder present it starts in its legacy
    folder mode until some run calls st.navigation. Run the shell here instead, in this same run (so a click that
    started it is not lost), which routes to the requested page with its frame, filters and error handling; then
    stop this bare run of the page. Later sessions of the process start in navigation mode."""
    from streamlit.runtime.pages_manager import PagesManager

    from dashboard_ui import shell  # here, not at the top: the shell imports the modules that call this

    PagesManager.uses_pages_directory = False
    shell.run()
    st.stop()
