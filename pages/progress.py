"""Progress: beds over time at each level against the target, actual and forecast."""

import streamlit as st

from dashboard import charts, metrics, tables
from dashboard_ui import store
from dashboard_ui.view import current_view
from dashboard_ui.widgets import chart_with_data, page_header

filters, version, strategy, status = current_view()
totals = metrics.bed_totals(status, strategy.bed_target)
forecast = metrics.target_forecast(status, strategy.bed_target, filters.as_at)

page_header("Progress to the target", strategy, filters, status)
if forecast.reached_on and forecast.reached_on > filters.as_at:
    outlook = f"On the current forecast the target is reached in **{forecast.reached_on:%B %Y}**."
elif forecast.reached_on:
    outlook = "The target has been reached."
else:
    outlook = (f"On the current forecast the programme ends **{forecast.shortfall} beds short** of the target: "
               f"{forecast.beds_with_dates} beds once every property open.")  # fmt: skip
st.markdown(
    f"Solid lines are what happened; dashed lines the forecast: each property's planned dates pushed back by its "
    f"current delay. {outlook}"
)
cumulative = metrics.cumulative_beds(status, filters.as_at)
chart_with_data(
    charts.progress_chart(cumulative, strategy.bed_target, store.phases(version), filters.as_at, totals),
    tables.progress_table(cumulative),
    "Beds over time",
    filters,
)
