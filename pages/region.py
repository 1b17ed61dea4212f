"""The region: the councils' programmes side by side, their beds together against the region's target, and a map of
their districts' beds secured. Programme-level figures only; each council's properties are on its own pages."""

from datetime import date
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, region, tables
from dashboard.briefing import packs
from dashboard.queries import Filters
from dashboard.roles import Actor
from dashboard_ui import cached
from dashboard_ui.filters import as_at_input
from dashboard_ui.identity import current_actor
from dashboard_ui.packs import classification_choice, pack_maker
from dashboard_ui.view import per_view
from dashboard_ui.widgets import chart, chart_with_data, download_csv, show_banners

actor = current_actor()  # the shell first: a page Streamlit starts bare runs through it (first_request)
version = cached.version()
info = cached.region_info(version)
st.title(info.name if info else "The region")
filters = Filters(
    as_at=as_at_input("region-as-at", "Each council's programme as it was recorded at the end of this day.")
)


class Built(NamedTuple):
    figures: region.RegionFigures
    target_bar: go.Figure
    region_bars: go.Figure
    table: pd.DataFrame
    district_map: go.Figure | None  # None while no council's boundaries are installed
    district_table: pd.DataFrame
    boundaries_caption: str | None  # the councils left off the map, and how to put them on


@per_view
def built(
    actor: Actor, as_at: date, today: date, version: cached.DataVersion, target: int | None, boundaries_stamp: float
) -> Built:
    """The page's figures, charts and tables, built once per view and boundaries installed (a rerun of the page
    builds nothing)."""
    figures = cached.region_figures(actor, as_at, today, version)
    totals = region.region_totals(figures.side_by_side, target)
    mapped = region.district_map(figures.districts, cached.boundaries())
    return Built(
        figures,
        charts.target_bar(totals),
        charts.region_bars(figures.side_by_side),
        tables.region_table(figures.side_by_side),
        charts.region_choropleth(mapped.districts, mapped.boundaries) if mapped.boundaries else None,
        tables.region_district_table(figures.districts),
        region.boundaries_caption(mapped.without, len(figures.side_by_side)),
    )


page = built(actor, filters.as_at, date.today(), version, info.bed_target if info else None, cached.boundaries_stamp())
figures, table = page.figures, page.table
side_by_side = figures.side_by_side
against = "the region's joint target" if info and info.bed_target is not None else "the councils' targets added up"
where = "(choose the council in the sidebar)" if actor.role_in_any else "for its own staff"
st.caption(
    f"{len(side_by_side)} councils, as at {filters.as_at:%d %B %Y}. Programme-level figures only: each council's "
    f"properties are on its own pages {where}. The region's beds are counted against {against}."
)
show_banners(figures.banners)
chart(page.target_bar, "The region's beds")
chart_with_data(page.region_bars, table, "Beds against each target", filters)
st.header("Councils side by side")
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "Target open by (forecast)": st.column_config.DateColumn(format="DD/MM/YYYY"),
        "Forecast need at": st.column_config.DateColumn(format="MMM YYYY"),
    },
)
download_csv(table, "Councils side by side", filters)
if note := region.need_note(side_by_side):
    st.caption(note)

st.header("Districts across the region")
if page.district_map is not None:
    chart_with_data(page.district_map, page.district_table, "Districts across the region", filters)
if page.boundaries_caption:
    st.caption(page.boundaries_caption)

st.header("Briefing pack for the region")
st.caption(
    "An A4 PDF of these figures for the councils' members and the co-operative's board: the region's beds, what "
    "moved since the date chosen, the councils side by side, the charts and the district map. Programme-level figures "
    "only."
)
since_column, marking_column = st.columns(2)
# Read uncached: recording a pack leaves the data version (the cache key) as it was, and this must follow it.
since = since_column.date_input(
    "What moved since",
    value=packs.default_since(cached.engine(), filters.as_at, region=True),
    max_value=filters.as_at,
    min_value=date(2015, 1, 1),
    format="DD/MM/YYYY",
    key="region_since",
    help="The pack compares each council's beds as recorded at the end of this day with the as-at date's. It starts "
    "as the day before the region's last pack was made (here or from the command line), or four weeks before the "
    "as-at date if none was.",
)
classification = classification_choice(marking_column, "region_classification")
pack_maker(
    "region_briefing",
    (filters.as_at, since, classification, version),
    lambda on_progress: cached.region_briefing_pdf(actor, filters.as_at, since, classification, version, on_progress),
    file_name=f"region-briefing_as-at-{filters.as_at:%Y-%m-%d}.pdf",
    what="region's briefing pack",
    on_made=lambda: packs.record_pack(cached.engine(), actor, filters.as_at, since, classification, region=True),
)
if recent := packs.packs_made(cached.engine(), region=True):  # uncached, as the default above: a few rows
    st.markdown("#### The region's packs made recently")
    st.dataframe(packs.packs_table(recent), hide_index=True)
