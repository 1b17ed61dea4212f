"""The frame around every page: page set-up, sign-in, navigation (the pages a role allows), the programme filters,
and a plain message instead of a traceback. app.py runs it; so does a page that Streamlit started without it (see
dashboard_ui.first_request)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import streamlit as st

from dashboard.config import PROJECT_ROOT, contact
from dashboard.logs import log_event
from dashboard.roles import MINIMUM_ROLE, Actor, Permission
from dashboard_ui import cached
from dashboard_ui.filters import CHOSEN_COUNCIL_KEY, FILTERS_KEY, council_choice, sidebar_filters
from dashboard_ui.identity import ACTOR_KEY, identity_panel, sign_in, sign_in_configured
from dashboard_ui.style import apply_style
from dashboard_ui.text import plain
from dashboard_ui.widgets import last_updated, withhold_table_downloads


class PageEntry(NamedTuple):
    """A page of the navigation. Its address is its file's name, so a link opened first thing after a restart (when
    Streamlit still reads pages/ as a folder of pages) finds it."""

    file: str
    title: str
    icon: str
    needs: Permission  # what a user must be allowed to do to see it


# The programme, then the data pages; the first is the home page.
PROGRAMME = (
    PageEntry("pages/overview.py", "Overview", ":material/dashboard:", Permission.READ),
    PageEntry("pages/progress.py", "Progress", ":material/trending_up:", Permission.READ),
    PageEntry("pages/districts.py", "Districts", ":material/map:", Permission.READ),
    PageEntry("pages/timeline.py", "Timeline", ":material/view_timeline:", Permission.READ),
    PageEntry("pages/properties.py", "Properties", ":material/home_work:", Permission.READ),
    PageEntry("pages/decisions.py", "Decisions", ":material/gavel:", Permission.READ),
    PageEntry("pages/objectives.py", "Objectives", ":material/flag:", Permission.READ),
    PageEntry("pages/forecast.py", "Forecast", ":material/query_stats:", Permission.READ),
    PageEntry("pages/briefing.py", "Briefing", ":material/picture_as_pdf:", Permission.READ),
)
DATA = (
    PageEntry("pages/edit-property.py", "Edit a property", ":material/edit:", Permission.EDIT),
    PageEntry("pages/add-decision.py", "Add a decision", ":material/post_add:", Permission.EDIT),
    PageEntry("pages/import.py", "Import", ":material/upload_file:", Permission.EDIT),
    PageEntry("pages/export.py", "Export", ":material/download:", Permission.EXPORT_PROPERTIES),
    PageEntry("pages/audit.py", "Audit trail", ":material/history:", Permission.SEE_DETAIL),
    PageEntry("pages/access.py", "Access", ":material/admin_panel_settings:", Permission.GRANT),
)
# Where the store holds several councils: their programmes side by side.
REGION = PageEntry("pages/region.py", "Region", ":material/hub:", Permission.READ)
# Every role's, after the pages of its work.
HELP = PageEntry("pages/help.py", "Help", ":material/help:", Permission.READ)
PAGES_KEY = "navigation-pages"
# The browser tab's icon, served by the app itself: a Material icon as page icon is fetched from Google's font
# servers, which council networks often block.
FAVICON = PROJECT_ROOT / "static" / "favicon.png"


def _session_pages() -> dict[PageEntry, st.Page]:
    """Every page, made once per session rather than on every run (each st.Page resolves and checks its file). Not
    shared between sessions: st.navigation marks the page it returns as the one this run may call."""
    if PAGES_KEY not in st.session_state:
        st.session_state[PAGES_KEY] = {
            entry: st.Page(
                entry.file,
                title=entry.title,
                icon=entry.icon,
                url_path=Path(entry.file).stem,
                default=entry is PROGRAMME[0],
            )
            for entry in (REGION, *PROGRAMME, *DATA, HELP)
        }
    return st.session_state[PAGES_KEY]


def pages_for(actor: Actor) -> list[st.Page]:
    """The pages the actor's role allows, programme first, Help last; then, hidden from the sidebar, a stand-in at
    the address of each page it does not allow, which says so (a link shared by an editor, opened by a viewer). One
    flat list: Streamlit marks up section headings in the sidebar as items of no list, which screen readers (and
    axe-core) count as a serious fault."""
    several = len(cached.councils(cached.version())) > 1
    allowed = [page for entry, page in _session_pages().items() if _offered(entry, actor, several)]
    return allowed + [_stand_in(entry, actor) for entry in PROGRAMME + DATA if not _offered(entry, actor, several)]


def _offered(entry: PageEntry, actor: Actor, several: bool) -> bool:
    """Whether the sidebar offers the page: one a role allows in some council (each page then reads only the
    councils the actor holds a role in); the Region page, where there are several councils, to those who may read
    every council's figures."""
    if entry is REGION:
        return several and actor.reads_region
    return entry is HELP or actor.can_somewhere(entry.needs)


def not_allowed_message(entry: PageEntry, actor: Actor) -> str:
    """Why the actor cannot open the page, and whom to ask: "Import needs the editor role; ask …"."""
    held = (
        f"the {actor.role.label} role" if actor.store_wide else actor.roles_in_words(cached.councils(cached.version()))
    )
    return f"{entry.title} needs the {MINIMUM_ROLE[entry.needs].label} role; ask {plain(contact())}. You have {held}."


def _stand_in(entry: PageEntry, actor: Actor) -> st.Page:
    """A page at `entry`'s address that only says the actor may not open it: without it, Streamlit would say "Page
    not found" and open the Overview."""

    def show() -> None:
        st.title(entry.title)
        st.warning(not_allowed_message(entry, actor), icon=":material/lock:")
        st.page_link(_session_pages()[PROGRAMME[0]], label="Go to the Overview", icon=":material/dashboard:")

    return st.Page(show, title=entry.title, icon=entry.icon, url_path=Path(entry.file).stem, visibility="hidden")


OPENED_KEY = "log-page-opened"


def _log_page_opened(actor: Actor, page: str) -> None:
    """A line in the log when someone opens a page, not on every rerun of it (a widget touched)."""
    if st.session_state.get(OPENED_KEY) != page:
        st.session_state[OPENED_KEY] = page
        log_event("page opened", actor.user, page)


def run() -> None:
    st.session_state.pop(cached.RUN_VERSION_KEY, None)  # a callback before the run may have asked: ask again
    st.set_page_config(
        page_title="Residential strategy dashboard",
        page_icon=str(FAVICON),
        layout="wide",
        initial_sidebar_state="auto",
    )
    configured = sign_in_configured()
    actor = sign_in(configured)
    if actor is None:
        st.stop()
    navigation = st.navigation(pages_for(actor), expanded=True)
    try:
        st.session_state[ACTOR_KEY] = actor
        council = st.session_state[CHOSEN_COUNCIL_KEY] = council_choice(actor)
        identity_panel(actor, configured)
        with st.sidebar:
            st.caption(last_updated(cached.version()))
        withhold_table_downloads(actor, council)
        apply_style()
        # The programme filters narrow the programme pages; the data pages work on single rows and have their own.
        if navigation in [_session_pages()[entry] for entry in PROGRAMME]:
            st.session_state[FILTERS_KEY] = sidebar_filters(council)
        _log_page_opened(actor, navigation.url_path or "overview")
        navigation.run()
    except Exception:  # a user gets a plain message; the details go to the log
        log_event("page failed", actor.user, navigation.url_path or "overview", failed=True)
        st.error(
            "Something went wrong showing this page. The problem has been logged; "
            "try again, or change the filters. If it persists, tell the dashboard's administrator."
        )
    finally:
        # The filters, actor and data version belong to this run: a page that runs without the shell around it finds
        # none (see current_filters).
        for key in (FILTERS_KEY, CHOSEN_COUNCIL_KEY, ACTOR_KEY, cached.RUN_VERSION_KEY):
            st.session_state.pop(key, None)
