"""Overview: where the programme stands against its bed target."""

from datetime import date

import streamlit as st

from dashboard.metrics import bed_totals
from dashboard_ui import store
from dashboard_ui.filters import current_filters

filters = current_filters()
version = store.version()
strategy = store.strategy(version)
status = store.property_status(filters, date.today(), version)
totals = bed_totals(status, strategy.bed_target)

st.title(f"{totals.open} of {strategy.bed_target} beds open")
st.caption(f"{strategy.name}, {strategy.council}. Data as at {filters.as_at:%d %B %Y}.")
columns = st.columns(5)
for column, (label, value) in zip(
    columns,
    [
        ("Open", totals.open),
        ("Registered", totals.registered),
        ("Secured", totals.secured),
        ("In the pipeline", totals.pipeline),
        ("Still to find", totals.still_to_find),
    ],
):
    column.metric(label, f"{value} beds", border=True)
