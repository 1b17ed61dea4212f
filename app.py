"""The residential strategy dashboard: page set-up, navigation and the global filters. Pages do the rest."""

import logging

import streamlit as st

from dashboard_ui.filters import sidebar_filters

st.set_page_config(
    page_title="Residential strategy dashboard",
    page_icon=":material/home_work:",
    layout="wide",
    initial_sidebar_state="auto",
)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
]

navigation = st.navigation(PAGES)
try:
    st.session_state["filters"] = sidebar_filters()
    navigation.run()
except Exception:  # a user gets a plain message; the details go to the log
    logging.getLogger("dashboard").exception("Page failed")
    st.error(
        "Something went wrong showing this page. The problem has been logged; "
        "try again, or change the filters. If it persists, tell the dashboard's administrator."
    )
