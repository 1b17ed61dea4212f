"""Widgets every page uses: the page header with as-at date and provenance banner, and charts with their data."""

from __future__ import annotations

import re
import weakref
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from dashboard import headline
from dashboard.exporting import table_csv
from dashboard.objectives import Latest
from dashboard.provenance import SYNTHETIC, Banner, banners
from dashboard.queries import Filters
from dashboard.roles import Actor, Permission
from dashboard_ui import cached
from dashboard_ui.identity import current_actor
from dashboard_ui.text import plain
from dashboard_ui.view import View, per_view

PLOTLY_CONFIG = {
    # No plotly toolbar on any chart: its "Download plot as a png" would hand anyone a picture of a property-level
    # chart (the Timeline's), and on a phone it covers the title. Each chart's data, and its CSV, are one click away;
    # dragging still zooms and a double-click resets.
    "displayModeBar": False,
    "responsive": True,
    # Geographic maps fetch a base map before drawing; serve our own (empty) one rather than plotly's CDN.
    "topojsonURL": "app/static/topojson/",
}


@per_view
def _banners(view: View) -> list[Banner]:
    """What the view's properties, and their phases' dates, are when not a council's records: synthetic data, or
    illustrative or inferred fields, named (dashboard.provenance)."""
    return banners(view.status(), cached.phases(view.version, view.filters.council))


def page_header(title: str, view: View) -> None:
    """Title, what the page shows and as at when, and a plain banner whenever synthetic data, or illustrative or
    inferred figures, are on screen."""
    st.title(title)
    filters = view.filters
    scope = f" Showing: {scope_of(view)}." if filters.narrowed else ""
    st.caption(
        f"{view.strategy.name}, {view.strategy.council}. Data as at **{filters.as_at:%d %B %Y}**.{scope}  \n"
        f"{last_updated(view.version)}"
    )
    _recorded_later_note(view)
    show_banners(_banners(view))


def show_banners(found: list[Banner]) -> None:
    """Each banner over figures that are not a council's records, as every page shows them."""
    for banner in found:
        st.warning(banner.markdown, icon=":material/science:" if banner.kind == SYNTHETIC else ":material/info:")


def last_updated(version: cached.DataVersion) -> str:
    """When the data last changed and through what, so a reader can judge how fresh the figures are."""
    change = cached.last_changed(version)
    return f"{plain(change.words())}." if change else "No change to the data is recorded yet."


def scope_of(view: View) -> str:
    """The filtered part of the programme in words (district names, not codes)."""
    return headline.scope(view.filters, cached.filter_options(view.version, view.filters.council).districts)


def _recorded_later_note(view: View) -> None:
    """A past view of properties first recorded after that day: say they are shown as first recorded."""
    if view.filters.as_at >= view.today:
        return
    later = recorded_later(view)
    if later:
        st.caption(
            f"The programme as on record at the end of {view.filters.as_at:%d %B %Y}. {later} of the properties "
            "shown were first recorded after that day (an import of a past programme): they are shown with the "
            "values they were first recorded with, and their stages by the dates they happened."
        )


@per_view
def recorded_later(view: View) -> int:
    return int(view.status()["recorded_later"].sum())


# Tables built once per view (per_view), by identity: the Arrow form Streamlit sends is made once too, not on every
# rerun. The weak reference drops an entry with its table, and makes sure a new table at a reused id is not mistaken
# for it.
_ARROW: dict[int, tuple[weakref.ref, pa.Table]] = {}


def on_screen(table: pd.DataFrame) -> pa.Table:
    """A table from a per_view build, ready for st.dataframe (converted as Streamlit would, once)."""
    key = id(table)
    known = _ARROW.get(key)
    if known is not None and known[0]() is table:
        return known[1]
    converted = pa.Table.from_pandas(table)
    _ARROW[key] = (weakref.ref(table, lambda _: _ARROW.pop(key, None)), converted)
    return converted


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# Streamlit's tables hand over their rows two ways of their own: the toolbar's "Download as CSV", and copying cells
# (a click, Ctrl+A, Ctrl+C takes a whole table to paste into a spreadsheet). It can turn both off only for the whole
# app and everyone (client.disableDataExport), not for a table or a session. So for someone who may not export
# property-level tables, both are withheld on every table (the style also hides any other element's "Download as …"),
# not only on the tables listed as property-level: a table added later cannot leak by being left off a list.
# Programme-level tables keep the app's own Download CSV below them (download_csv: role-checked, formula-guarded,
# dated); the toolbar's search, fullscreen and column picker stay. Both rest on Streamlit's markup (the toolbar
# button's label; the copy event starting in the table): tests/test_browser.py proves them as a viewer on every page.
_TABLE_GUARD_KEY = "table-guard"
_NO_TOOLBAR_DOWNLOAD = f"""<style>
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Download as"]) {{display: none !important}}
.st-key-{_TABLE_GUARD_KEY}, :has(> .st-key-{_TABLE_GUARD_KEY}) {{display: none}}
</style>"""
# A capturing listener on the window runs before the table's own copy handler, and stops it.
_NO_TABLE_COPY = """<script>
if (!window.tableCopyWithheld) {
  window.tableCopyWithheld = true;
  window.addEventListener("copy", (event) => {
    if (event.target instanceof Element && event.target.closest('[data-testid="stDataFrame"]')) {
      event.stopImmediatePropagation();
      event.preventDefault();
    }
  }, true);
}
</script>"""


def withhold_table_downloads(actor: Actor, council: str | None) -> None:
    """Withhold the tables' own download and copy from an actor who may not export the council's property-level
    tables; once a run, from the shell, before the page draws anything."""
    if actor.can(Permission.EXPORT_PROPERTIES, council):
        return
    st.html(_NO_TOOLBAR_DOWNLOAD)  # style only: Streamlit puts it out of the page's flow
    with st.container(key=_TABLE_GUARD_KEY):  # hidden, and its wrapper, by the style above: no room taken
        st.html(_NO_TABLE_COPY, unsafe_allow_javascript=True)


def download_csv(
    table: pd.DataFrame, name: str, filters: Filters, label: str = "Download CSV", property_level: bool = False
) -> None:
    """The table as CSV, built only when clicked; the file name carries the as-at date. A table with a row per
    property is offered only to those whose role may export one."""
    actor = current_actor()
    if property_level and not actor.can(Permission.EXPORT_PROPERTIES, filters.council):
        return
    st.download_button(
        label,
        data=lambda: table_csv(table, actor, property_level, filters.council),
        file_name=f"{_slug(name)}_as-at-{filters.as_at:%Y-%m-%d}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=f"download-{_slug(name)}",
    )


def chart_alt(fig: go.Figure, data_name: str) -> str:
    """A chart's text alternative for screen readers: its title (which states its message) and where its data is."""
    title = " ".join(re.sub(r"<[^>]+>", " ", fig.layout.title.text or "").split())
    return f"{title or data_name}. Chart; its data is in the table “Data: {data_name}”."


def chart(fig: go.Figure, name: str, data_name: str | None = None) -> None:
    """A chart with its text alternative; `data_name` names the table of its data when that is another chart's."""
    alt = chart_alt(fig, data_name or name)
    st.plotly_chart(fig, config=PLOTLY_CONFIG, key=f"chart-{_slug(name)}", alt=alt)


def chart_with_data(
    fig: go.Figure, table: pd.DataFrame, name: str, filters: Filters, property_level: bool = False
) -> None:
    """A chart, its data one click away as a table, and the table as CSV. The table is made only while its expander
    is open: at scale a chart's data runs to thousands of rows, which every rerun would otherwise serialise, and every
    page load send, unseen."""
    chart(fig, name)
    with st.expander(f"Data: {name}", key=data_key(name), on_change="rerun") as data:
        if data.open:
            st.dataframe(on_screen(table), hide_index=True, placeholder="—")  # not "None" for a missing value
    download_csv(table, name, filters, property_level=property_level)


def data_key(name: str) -> str:
    """The key of the expander holding the table of a chart's data: True in session state while it is open."""
    return f"data-{_slug(name)}"


def paginate_rows(total: int, per_page: int, noun: str) -> int:
    """The offset of the page of rows picked (0 when all fit), with a page picker when they do not."""
    if total <= per_page:
        return 0
    pages = (total - 1) // per_page + 1
    page = st.number_input(f"{total:,} {noun}, {per_page} at a time: page", 1, pages, 1, key=f"page-{_slug(noun)}")
    return (page - 1) * per_page


def paginate(items: list, per_page: int, noun: str) -> list:
    """A page of `items` (all of them when they fit), with a page picker when they do not."""
    offset = paginate_rows(len(items), per_page, noun)
    return items[offset : offset + per_page]


def audit_dataframe(table: pd.DataFrame) -> None:
    """Audit rows in words (dashboard.tables.audit_table), with the change given the room it needs."""
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "When (UTC)": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
            "Change": st.column_config.TextColumn(width="large"),
        },
    )


def objective_metric(
    label: str, latest: Latest | None, target: float | None, as_percent: bool, lower_is_better: bool = False
) -> None:
    """A measure's figure at the latest 31 March (DfE's), else at the latest month end, saying which; how far it is
    from its target (a target in % for a share); what it counts over what."""
    if latest is None:
        st.metric(label, "No data")
        return
    text = f"{latest.value:.0%}" if as_percent else f"{latest.value:,.0f}"
    delta = None
    if target is not None:
        gap = latest.value - (target / 100 if as_percent else target)
        delta = f"{gap * 100:+.0f} points against the target" if as_percent else f"{gap:+,.0f} against the target"
    when = (
        f"At 31 March {latest.month_end:%Y}: the figure DfE publishes."
        if latest.year_end
        else f"At {latest.month_end:%d %B %Y}, the latest month end: no 31 March is in the files yet."
    )
    counted = "" if latest.denominator is None else f" {latest.numerator:,.0f} of {latest.denominator:,.0f}."
    st.metric(
        f"{label}, {latest.month_end:%d %b %Y}",
        text,
        delta=delta,
        delta_color="inverse" if lower_is_better else "normal",
        help=when + counted,
    )


def days_between(column, key: str, days_back: int, help: str) -> tuple[date | None, date | None]:
    """A "Between" pair of days in `column`, ending today (UTC), `days_back` days long at first; (None, None) while
    the reader has picked only its first day."""
    today = datetime.now(UTC).date()
    period = column.date_input(
        "Between",
        value=(today - timedelta(days=days_back), today),
        max_value=today,
        format="DD/MM/YYYY",
        key=key,
        help=help,
    )
    if isinstance(period, tuple) and period:
        return period[0], period[-1]
    return None, None
