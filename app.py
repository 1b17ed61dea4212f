"""The residential strategy dashboard: page set-up, navigation and the global filters. Pages do the rest."""

import logging

import streamlit as st

from dashboard_ui.filters import FILTERS_KEY, sidebar_filters

st.set_page_config(
    page_title="Residential strategy dashboard",
    page_icon=":material/home_work:",
    layout="wide",
    initial_sidebar_state="auto",
)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/progress.py", title="Progress", icon=":material/trending_up:", url_path="progress"),
    st.Page("pages/districts.py", title="Districts", icon=":material/map:", url_path="districts"),
    st.Page("pages/timeline.py", title="Timeline", icon=":material/view_timeline:", url_path="timeline"),
    st.Page("pages/properties.py", title="Properties", icon=":material/home_work:", url_path="properties"),
    st.Page("pages/decisions.py", title="Decisions", icon=":material/gavel:", url_path="decisions"),
    st.Page("pages/briefing.py", title="Briefing", icon=":material/picture_as_pdf:", url_path="briefing"),
]

navigation = st.navigation(PAGES)
try:
    st.session_state[FILTERS_KEY] = sidebar_filters()
    navigation.run()
except Exception:  # a user gets a plain message; the details go to the log
    logging.getLogger("dashboard").exception("Page failed")
    st.error(
        "Something went wrong showing this page. The problem has been logged; "
        "try again, or change the filters. If it persists, tell the dashboard's administrator."
    )
finally:
    # The filters belong to this run: a page that runs without app.py around it finds none (see current_filters).
    st.session_state.pop(FILTERS_KEY, None)
