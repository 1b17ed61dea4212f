"""Timeline: the phases, and each property's stages planned against actual."""

import streamlit as st

from dashboard import charts, metrics, tables
from dashboard_ui import store
from dashboard_ui.style import SCROLL_KEY
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import chart_with_data, page_header, paginate

PROPERTIES_PER_VIEW = 50


@per_view
def phases(view: View) -> tuple:  # unpacked at once below
    """The phases chart and table, and every property's reference (in register order) with how many are late."""
    status, filters = view.status(), view.filters
    spans = metrics.phase_spans(store.phases(view.version), status, filters.as_at)
    if filters.phases:
        spans = spans[spans["phase"].isin(filters.phases)]
    references = status["reference"].tolist()
    late = len(metrics.slippage(status, filters.as_at))
    return charts.phase_chart(spans, filters.as_at), tables.phase_table(spans), references, late


@per_view
def gantt(view: View, shown: tuple[str, ...], title: str) -> tuple:  # unpacked at once below
    """The Gantt chart and its table for the properties `shown`."""
    as_at = view.filters.as_at
    segments = metrics.gantt_segments(store.milestones(view.filters, shown, view.today, view.version), as_at)
    figure = charts.gantt(segments, metrics.lateness(view.status(), as_at), as_at, title)
    return figure, tables.gantt_table(segments)


view = current_view()
page_header("Timeline", view)
phase_figure, phase_table, references, late = phases(view)
chart_with_data(phase_figure, phase_table, "Phases", view.filters)

shown = tuple(paginate(references, PROPERTIES_PER_VIEW, "properties"))
title = f"{late} of {len(references)} properties are behind plan" if references else "No properties match the filters"
st.markdown(
    "Each property has two bars: its **plan** (thin, grey) and what **happened** (thick): blue where a stage took no "
    "longer than planned; orange and hatched where it took longer, labelled with the days it added. The thick bar of a "
    "property still under way runs to the as-at date (dotted line). A row ends with how late a property not yet open "
    "is, in **bold**, or, for an open home, *how its opening compared with plan*."
)
gantt_figure, gantt_table = gantt(view, shown, title)
with st.container(key=SCROLL_KEY):  # a row of years per property is unreadable squeezed to a phone: it scrolls
    chart_with_data(gantt_figure, gantt_table, "Property stages", view.filters, property_level=True)
