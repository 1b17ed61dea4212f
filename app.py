"""The residential strategy dashboard: page set-up, sign-in, navigation (the pages your role allows) and the global
filters. Pages do the rest."""

import logging

import streamlit as st

from dashboard.roles import Actor, Permission
from dashboard_ui.filters import FILTERS_KEY, sidebar_filters
from dashboard_ui.identity import ACTOR_KEY, identity_panel, sign_in

st.set_page_config(
    page_title="Residential strategy dashboard",
    page_icon=":material/home_work:",
    layout="wide",
    initial_sidebar_state="auto",
)

# (page, what a user must be allowed to do to see it): the programme, then the data pages. Each url_path is its file's name, so a link to a
# page opened first thing after a restart (when Streamlit still reads pages/ as a folder of pages) finds it.
PAGES: dict[str, list[tuple[st.Page, Permission]]] = {
    "Programme": [
        (st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
         Permission.READ),
        (st.Page("pages/progress.py", title="Progress", icon=":material/trending_up:", url_path="progress"),
         Permission.READ),
        (st.Page("pages/districts.py", title="Districts", icon=":material/map:", url_path="districts"), Permission.READ),
        (st.Page("pages/timeline.py", title="Timeline", icon=":material/view_timeline:", url_path="timeline"),
         Permission.READ),
        (st.Page("pages/properties.py", title="Properties", icon=":material/home_work:", url_path="properties"),
         Permission.READ),
        (st.Page("pages/decisions.py", title="Decisions", icon=":material/gavel:", url_path="decisions"),
         Permission.READ),
        (st.Page("pages/objectives.py", title="Objectives", icon=":material/flag:", url_path="objectives"),
         Permission.READ),
        (st.Page("pages/briefing.py", title="Briefing", icon=":material/picture_as_pdf:", url_path="briefing"),
         Permission.READ),
    ],
    "Data": [
        (st.Page("pages/edit-property.py", title="Edit a property", icon=":material/edit:", url_path="edit-property"),
         Permission.EDIT),
        (st.Page("pages/add-decision.py", title="Add a decision", icon=":material/post_add:", url_path="add-decision"),
         Permission.EDIT),
        (st.Page("pages/import.py", title="Import", icon=":material/upload_file:", url_path="import"),
         Permission.EDIT),
        (st.Page("pages/export.py", title="Export", icon=":material/download:", url_path="export"),
         Permission.EXPORT_PROPERTIES),
        (st.Page("pages/audit.py", title="Audit trail", icon=":material/history:", url_path="audit"),
         Permission.SEE_DETAIL),
        (st.Page("pages/access.py", title="Access", icon=":material/admin_panel_settings:", url_path="access"),
         Permission.GRANT),
    ],
}  # fmt: skip


def pages_for(actor: Actor) -> list[st.Page]:
    """The pages the actor's role allows, programme first. One flat list: Streamlit marks up section headings in
    the sidebar as items of no list, which screen readers (and axe-core) count as a serious fault."""
    return [page for pages in PAGES.values() for page, needs in pages if actor.can(needs)]


actor = sign_in()
if actor is None:
    st.stop()
navigation = st.navigation(pages_for(actor), expanded=True)
try:
    st.session_state[ACTOR_KEY] = actor
    identity_panel(actor)
    # The programme filters narrow the programme pages; the data pages work on single rows and have their own.
    if navigation in [page for page, _ in PAGES["Programme"]]:
        st.session_state[FILTERS_KEY] = sidebar_filters()
    navigation.run()
except Exception:  # a user gets a plain message; the details go to the log
    logging.getLogger("dashboard").exception("Page failed")
    st.error(
        "Something went wrong showing this page. The problem has been logged; "
        "try again, or change the filters. If it persists, tell the dashboard's administrator."
    )
finally:
    # The filters and actor belong to this run: a page that runs without app.py around it finds none (see
    # current_filters).
    st.session_state.pop(FILTERS_KEY, None)
    st.session_state.pop(ACTOR_KEY, None)
