"""The sidebar's global filters. They live in the shell (dashboard_ui.shell), so every page honours them; each is
bound to the URL, so a view can be shared as a link."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard.glossary import WORKING, help_link
from dashboard.queries import FilterOptions, Filters
from dashboard.reference import normalise_name
from dashboard.roles import Actor
from dashboard.tables import provision_label
from dashboard_ui import cached
from dashboard_ui.first_request import run_through_app

FILTERS_KEY = "filters"
COUNCIL_KEY = "council"  # the sidebar's choice, bound to the link
CHOSEN_COUNCIL_KEY = "council-chosen"  # what the shell read from it for this run
# The filters that name one council's phases, districts and models: a choice of another council clears them.
_WITHIN_A_COUNCIL = ("phase", "district", "model")
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


# What a link named that the filters do not know, said in the run after the link was rewritten.
_LINK_NOTICE_KEY = "link-notice"
WHAT = {"district": "district", "model": "provision model"}


@dataclass(frozen=True)
class LinkReading:
    """What a link names for the filters, as the page names it (filter key -> option labels), and what it names
    that is no option."""

    shown: dict[str, list[str]] = field(default_factory=dict)
    unknown: dict[str, list[str]] = field(default_factory=dict)

    def notice(self) -> str | None:
        said = [f"the {WHAT[key]} “{'”, “'.join(values)}”" for key, values in self.unknown.items() if values]
        if not said:
            return None
        return f"This link names {' and '.join(said)}, which the dashboard does not know: the filters leave it out."


def read_link(written: list[str], resolve: Callable[[str], str | None]) -> tuple[list[str], list[str]] | None:
    """What a link names for one filter, as (option labels, values naming no option); None when it names each
    option as the page does (?district=North+Hertfordshire, ?model=In-house), or nothing: the widget reads that
    itself. An older link, or one written by hand, may name them otherwise (?district=North+Herts,
    ?district=E07000099, ?model=in-house), which the widget would drop. `resolve` gives a value's label, if any."""
    written = [value for value in written if value.strip()]
    resolved = [resolve(value) for value in written]
    if resolved == written:
        return None
    shown = list(dict.fromkeys(label for label in resolved if label is not None))
    return shown, [value for value, label in zip(written, resolved, strict=True) if label is None]


def model_resolver(models: Collection[str]) -> Callable[[str], str | None]:
    """A provision model as the store keeps it ("in-house") or as the page shows it ("In-house"), in any case."""
    by_key = {normalise_name(written): model for model in models for written in (model, provision_label(model))}
    return lambda written: by_key.get(normalise_name(written))


def _read_links(options: FilterOptions) -> LinkReading | None:
    """The districts and provision models the page's link names, districts through the lookup importers read them
    with; None when the widgets can read the link themselves."""
    district_code, model = options.district_lookup.resolve_code, model_resolver(options.provision_models)
    readers: dict[str, Callable[[str], str | None]] = {
        "district": lambda written: options.districts.get(district_code(written) or ""),
        "model": lambda written: provision_label(found) if (found := model(written)) else None,
    }
    reading = LinkReading()
    for key, resolve in readers.items():
        read = read_link(st.query_params.get_all(key), resolve)
        if read is not None:
            reading.shown[key], reading.unknown[key] = read
    return reading if reading.shown or reading.unknown else None


def _rewrite_link(options: FilterOptions) -> None:
    """A link that names the filters' options otherwise than the page does is rewritten as the page names them, and
    the page run again: the widgets then read it as they read any link, and the address a person copies from now on
    is the page's own. Done before the widgets are made: once one is, its parameter is its own to write."""
    reading = _read_links(options)
    if reading is None:
        return
    try:
        for key, shown in reading.shown.items():
            if shown:
                st.query_params[key] = shown
            elif key in st.query_params:
                del st.query_params[key]
    except StreamlitAPIException:  # already bound (a page reached back through history): the widget drops it
        return
    st.session_state[_LINK_NOTICE_KEY] = reading.notice()
    st.rerun()


def _forget_filters_within_the_council() -> None:
    for key in _WITHIN_A_COUNCIL:
        st.session_state.pop(key, None)
        if key in st.query_params:
            del st.query_params[key]


def council_choice(actor: Actor) -> str | None:
    """The council whose programme the pages show: chosen in the sidebar among those the actor holds a role in,
    where there are several (bound to the link, as the filters are); else the only one. None: the store's only
    council, for an actor whose role holds in every council; or no council at all, for one who holds a role in none
    (a regional viewer, who reads the Region page alone)."""
    held = cached.councils(cached.version())
    if len(held) <= 1 and actor.store_wide:
        return None
    councils = {code: name for code, name in held.items() if code in actor.readable(held)}
    if len(councils) <= 1:
        only = next(iter(councils), None)
        if only is not None and len(held) > 1:
            st.sidebar.caption(f"Council: **{councils[only]}**")
        return only
    written = st.query_params.get(COUNCIL_KEY)
    if written in councils:  # a link may name the council by its ONS code; the page's own links use its name
        st.query_params[COUNCIL_KEY] = councils[written]
        st.rerun()  # the widget reads the link as the run starts (as _rewrite_link's do)
    with st.sidebar:
        chosen = st.selectbox(
            "Council",
            list(councils),
            format_func=lambda code: councils.get(code, code),
            key=COUNCIL_KEY,
            bind=BIND,
            on_change=_forget_filters_within_the_council,
            help="The council whose programme every page shows.",
        )
    return chosen if chosen in councils else None


def current_council() -> str | None:
    """The council the shell chose for this run (None: the store's only, or first, council)."""
    if CHOSEN_COUNCIL_KEY not in st.session_state:
        run_through_app()
    return st.session_state[CHOSEN_COUNCIL_KEY]


def sidebar_filters(council: str | None = None) -> Filters:
    options = cached.filter_options(cached.version(), council)
    notice = st.session_state.pop(_LINK_NOTICE_KEY, None)
    if notice:  # on the page, where a phone shows it, not in the closed sidebar
        st.info(notice, icon=":material/link_off:")
    _rewrite_link(options)
    with st.sidebar:
        st.header("Filters")
        with st.container(key=_AS_AT_GUARD_KEY):  # hidden by its own style: no room taken
            st.html(_LINKS_WAIT_FOR_DATES, unsafe_allow_javascript=True)
        as_at = as_at_input(
            "as_at",
            "Show the programme as it was recorded at the end of this day: its plans as they stood then, and what "
            f"had happened by then.\n\n{help_link(WORKING)}",
            BIND,
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
        as_at=as_at,
        phases=tuple(phases),
        districts=tuple(districts),
        provision_models=tuple(models),
        council=council,
    )


def as_at_input(key: str, help: str, bind: Literal["query-params"] | None = None) -> date:
    """The day a view is as at: today or earlier, typed as DD/MM/YYYY."""
    chosen = st.date_input(
        "As at",
        value=date.today(),
        max_value=date.today(),
        min_value=date(2015, 1, 1),
        key=key,
        bind=bind,
        format="DD/MM/YYYY",
        help=help,
    )
    return chosen if isinstance(chosen, date) else date.today()


def current_filters() -> Filters:
    """The filters the shell read for this run."""
    if FILTERS_KEY not in st.session_state:
        run_through_app()
    return st.session_state[FILTERS_KEY]
