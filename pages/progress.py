"""Progress: beds over time at each level against the target, actual and forecast."""

import streamlit as st

from dashboard import charts, metrics, tables
from dashboard_ui import store
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import chart_with_data, page_header


@per_view
def progress(view: View) -> tuple:  # unpacked at once below
    status, as_at, target = view.status(), view.filters.as_at, view.strategy.bed_target
    totals = metrics.bed_totals(status, target)
    cumulative = metrics.cumulative_beds(status, as_at)
    figure = charts.progress_chart(cumulative, target, store.phases(view.version), as_at, totals)
    return metrics.target_forecast(status, target, as_at), figure, tables.progress_table(cumulative)


view = current_view()
forecast, figure, table = progress(view)

page_header("Progress to the target", view)
if forecast.reached_on and forecast.reached_on > view.filters.as_at:
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
chart_with_data(figure, table, "Beds over time", view.filters)
