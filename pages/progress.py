"""Progress: beds over time at each level against the target, actual and forecast."""

from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, headline, metrics, tables
from dashboard_ui import cached
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import chart_with_data, page_header, scope_of


class Progress(NamedTuple):
    totals: metrics.BedTotals
    outlook: headline.Outlook
    figure: go.Figure
    table: pd.DataFrame


@per_view
def progress(view: View) -> Progress:
    status, as_at = view.status(), view.filters.as_at
    totals = view.totals()
    cumulative = metrics.cumulative_beds(status, as_at)
    figure = charts.progress_chart(cumulative, cached.phases(view.version, view.filters.council), as_at, totals)
    outlook = headline.outlook(totals, metrics.target_forecast(status, totals, as_at), as_at)
    return Progress(totals, outlook, figure, tables.progress_table(cumulative))


view = current_view()
built = progress(view)

page_header("Progress to the target" if not built.totals.part else f"Progress: {scope_of(view)}", view)
if built.totals.part:
    st.info(headline.whole_programme_note(view.programme_totals()), icon=":material/filter_alt:")
st.markdown(
    "Solid lines are what happened; dashed lines the forecast: each property's planned dates pushed back by its "
    f"current delay. {built.outlook.markdown()}"
)
chart_with_data(built.figure, built.table, "Beds over time", view.filters)
