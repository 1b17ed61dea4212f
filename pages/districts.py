"""Districts: where the beds are, district by district."""

from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, metrics, tables
from dashboard_ui import cached
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import chart, chart_with_data, page_header


class Districts(NamedTuple):
    map: go.Figure
    bars: go.Figure
    table: pd.DataFrame
    with_boundaries: bool  # the map draws installed boundaries, not the tile map


@per_view
def districts(view: View, label: str, boundaries_stamp: float) -> Districts:
    """The map (real boundaries when installed, else the tile map), the bars and the table, coloured by `label`."""
    measure = metrics.DISTRICT_MEASURES[label]
    frame = metrics.by_district(view.status(), cached.districts(view.version), view.strategy.bed_target)
    boundaries = cached.boundaries()
    if boundaries:
        figure = charts.district_choropleth(frame, boundaries, measure, label)
    else:
        figure = charts.district_tile_map(frame, measure, label)
    return Districts(
        figure, charts.district_bars(frame, measure, label), tables.district_table(frame), bool(boundaries)
    )


view = current_view()
page_header("Beds by district", view)

label = st.segmented_control(
    "Colour the map by",
    list(metrics.DISTRICT_MEASURES),
    default="Beds open",
    key="measure",
    bind="query-params",
    required=True,
)
built = districts(view, label, cached.boundaries_stamp())

map_column, bar_column = st.columns([3, 2], gap="large")
with map_column:
    chart_with_data(built.map, built.table, "Districts", view.filters)
    if not built.with_boundaries:
        st.caption(
            "Each hexagon is a district, placed roughly where it lies. Real boundaries can be installed with "
            "`python -m dashboard boundaries --from FILE`."
        )
with bar_column:
    chart(built.bars, "District bars", data_name="Districts")
