"""Districts: where the beds are, district by district."""

import streamlit as st

from dashboard import charts, metrics, tables
from dashboard_ui import store
from dashboard_ui.view import current_view
from dashboard_ui.widgets import chart_with_data, page_header

filters, version, strategy, status = current_view()
page_header("Beds by district", strategy, filters, status)

label = st.segmented_control(
    "Colour the map by",
    list(metrics.DISTRICT_MEASURES),
    default="Beds open",
    key="measure",
    bind="query-params",
    required=True,
)
measure = metrics.DISTRICT_MEASURES[label]
frame = metrics.by_district(status, store.districts(version), strategy.bed_target)
table = tables.district_table(frame)

boundaries = store.boundaries()
map_column, bar_column = st.columns([3, 2], gap="large")
with map_column:
    if boundaries:
        figure = charts.district_choropleth(frame, boundaries, measure, label)
    else:
        figure = charts.district_tile_map(frame, measure, label)
    chart_with_data(figure, table, "Districts", filters)
    if not boundaries:
        st.caption("Each hexagon is a district, placed roughly where it lies. Real boundaries can be installed with "
                   "`python -m dashboard boundaries --from FILE`.")  # fmt: skip
with bar_column:
    st.plotly_chart(charts.district_bars(frame, measure, label), key="district-bars")
