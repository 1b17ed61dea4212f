"""The sidebar's global filters. They live in the shell (dashboard_ui.shell), so every page honours them; each is
bound to the URL, so a view can be shared as a link."""

from __future__ import annotations

from datetime import date
from typing import Final

import streamlit as st

from dashboard.queries import Filters
from dashboard.tables import provision_label
from dashboard_ui import store

FILTERS_KEY = "filters"
# Bound to the URL: a view is shared by sharing the link, and survives a page switch.
BIND: Final = "query-params"  # Final: its literal type is what st widgets accept


# Streamlit's date input keeps a typed date until its calendar closes, and a click on a page link closes it only
# after the link has asked for its page: the date then arrives as a change to the page being left, and the click is
# lost. So a link clicked while a date input is open waits until the date has been taken (its rerun over), then is
# clicked again. tests/test_browser.py types an as-at date and clicks another page.
_AS_AT_GUARD_KEY = "as-at-guard"
_LINKS_WAIT_FOR_DATES = f"""<style>.st-key-{_AS_AT_GUARD_KEY} {{display: none}}</style>
<script>
if (!window.linksWaitForDates) {{
  window.linksWaitForDates = true;
  const dateOpen = () => document.activeElement?.closest('[data-testid="stDateInput"]')
    || document.querySelector('[data-testid="stDateInputCalendar"]');
  const running = () =>
    document.querySelector('[data-testid="stApp"]')?.getAttribute("data-test-script-state") === "running";
  let leavingDate = false, replaying = false;
  window.addEventListener("pointerdown", () => {{ leavingDate = Boolean(dateOpen()); }}, true);
  window.addEventListener("click", (event) => {{
    const link = event.target instanceof Element && event.target.closest("a[href]");
    if (!link || replaying || !leavingDate) return;
    leavingDate = false;
    event.preventDefault();
    event.stopImmediatePropagation();
    const started = Date.now();
    const follow = () => {{
      const waited = Date.now() - started;
      if (waited < 200 || (running() && waited < 10000)) return setTimeout(follow, 50);
      replaying = true;
      link.click();
      replaying = false;
    }};
    follow();
  }}, true);
}}
</script>"""


def sidebar_filters() -> Filters:
    options = store.filter_options(store.version())
    with st.sidebar:
        st.header("Filters")
        with st.container(key=_AS_AT_GUARD_KEY):  # hidden by its own style: no room taken
            st.html(_LINKS_WAIT_FOR_DATES, unsafe_allow_javascript=True)
        as_at = st.date_input(
            "As at",
            value=date.today(),
            max_value=date.today(),
            min_value=date(2015, 1, 1),
            key="as_at",
            bind=BIND,
            format="DD/MM/YYYY",
            help="Show the programme as it was recorded at the end of this day: its plans as they stood then, and "
            "what had happened by then.",
        )
        phases = st.multiselect("Phase", options.phases, key="phase", bind=BIND, placeholder="All phases")
        districts = st.multiselect(
            "District",
            list(options.districts),
            format_func=lambda code: options.districts.get(code, code),
            key="district",
            bind=BIND,
            placeholder="All districts",
        )
        models = st.multiselect(
            "Provision model",
            options.provision_models,
            format_func=provision_label,
            key="model",
            bind=BIND,
            placeholder="In-house and commissioned",
        )
    return Filters(
        as_at=as_at if isinstance(as_at, date) else date.today(),
        phases=tuple(phases),
        districts=tuple(districts),
        provision_models=tuple(models),
    )


def current_filters() -> Filters:
    """The filters the shell read for this run."""
    if FILTERS_KEY not in st.session_state:
        run_through_app()
    return st.session_state[FILTERS_KEY]


def run_through_app() -> None:
    """A page ran without the shell around it. Streamlit does that when a process's first request is a deep link
    (/districts?...), and Streamlit's AppTest on every run: with a pages/ folder present it starts in its legacy
    folder mode until some run calls st.navigation. Run the shell here instead, in this same run (so a click that
    started it is not lost), which routes to the requested page with its frame, filters and error handling; then
    stop this bare run of the page. Later sessions of the process start in navigation mode."""
    from streamlit.runtime.pages_manager import PagesManager

    from dashboard_ui import shell  # here, not at the top: the shell imports this module

    PagesManager.uses_pages_directory = False
    shell.run()
    st.stop()
