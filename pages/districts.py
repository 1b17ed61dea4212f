"""Districts: where the beds are, district by district."""

from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, district_need, metrics, tables
from dashboard_ui import cached
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import chart, chart_with_data, page_header


class Districts(NamedTuple):
    map: go.Figure
    bars: go.Figure
    table: pd.DataFrame
    with_boundaries: bool  # the map draws installed boundaries, not the tile map
    need: district_need.DistrictNeed | None  # the forecast's need beside the beds, when a forecast is held


def measures(view: View) -> dict[str, str]:
    """The map's measures: the forecast's need among them once an import has made a forecast."""
    held = cached.forecast_basis(view.version, view.filters.council) is not None
    return {**metrics.DISTRICT_MEASURES, **(district_need.NEED_MEASURES if held else {})}


@per_view
def districts(view: View, label: str, boundaries_stamp: float) -> Districts:
    """The map (the council's real boundaries when installed, else the tile map), the bars and the table, coloured
    by `label`."""
    measure = measures(view)[label]
    frame = metrics.by_district(
        view.status(), cached.districts(view.version, view.filters.council), view.strategy.bed_target
    )
    held = cached.forecast_basis(view.version, view.filters.council)
    need = (
        None
        if held is None
        else district_need.with_need(
            frame,
            held.basis,
            cached.forecasts(view.version, view.filters.council),
            cached.forecast_runs(view.version, view.filters.council),
        )
    )
    if need is not None:
        frame = need.frame
    boundaries = cached.council_boundaries(frame["ons_code"])  # this council's alone: another's would be wrong
    if boundaries:
        figure = charts.district_choropleth(frame, boundaries, measure, label)
    else:
        figure = charts.district_tile_map(frame, measure, label)
    return Districts(
        figure, charts.district_bars(frame, measure, label), tables.district_table(frame), bool(boundaries), need
    )


view = current_view()
page_header("Beds by district", view)

label = st.segmented_control(
    "Colour the map by",
    list(measures(view)),
    default="Beds open",
    key="measure",
    bind="query-params",
    required=True,
)
built = districts(view, label, cached.boundaries_stamp())

map_column, bar_column = st.columns([3, 2], gap="large")
with map_column:
    chart_with_data(built.map, built.table, "Districts", view.filters)
    if built.need is not None and label in district_need.NEED_MEASURES:
        st.caption(built.need.caption())
    if not built.with_boundaries:
        st.caption(
            "Each hexagon is a district, placed roughly where it lies. Real boundaries can be installed with "
            "`python -m dashboard boundaries --from FILE`."
        )
with bar_column:
    chart(built.bars, "District bars", data_name="Districts")
