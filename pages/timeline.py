"""Timeline: the phases, and each property's stages planned against actual."""

import streamlit as st

from dashboard import charts, metrics, tables
from dashboard_ui import store
from dashboard_ui.view import current_view
from dashboard_ui.widgets import chart_with_data, page_header, paginate

PROPERTIES_PER_VIEW = 50

filters, version, strategy, status = current_view()
page_header("Timeline", strategy, filters, status)

spans = metrics.phase_spans(store.phases(version), status, filters.as_at)
if filters.phases:
    spans = spans[spans["phase"].isin(filters.phases)]
chart_with_data(charts.phase_chart(spans, filters.as_at), tables.phase_table(spans), "Phases", filters)

references = status["reference"].tolist()
shown = tuple(paginate(references, PROPERTIES_PER_VIEW, "properties"))
segments = metrics.gantt_segments(store.milestones(filters, shown, version), filters.as_at)
late_now = metrics.slippage(status, filters.as_at)
title = (
    f"{len(late_now)} of {len(references)} properties are behind plan"
    if references
    else "No properties match the filters"
)
st.markdown(
    "Each property has two bars: its **plan** (thin, grey) and what **happened** (thick): blue where a stage took no "
    "longer than planned; orange and hatched where it took longer, labelled with the days it added. The thick bar of a "
    "property still under way runs to the as-at date (dotted line); each row ends with how late the property is."
)
figure = charts.gantt(segments, metrics.lateness_by_property(segments), filters.as_at, title)
chart_with_data(figure, tables.gantt_table(segments), "Property stages", filters, property_level=True)
