"""Timeline: the phases, and each property's stages planned against actual."""

from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, metrics, tables
from dashboard.wording import plural
from dashboard_ui import cached
from dashboard_ui.style import SCROLL_KEY
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import chart_with_data, page_header, paginate

PROPERTIES_PER_VIEW = 50


class Phases(NamedTuple):
    figure: go.Figure
    table: pd.DataFrame
    references: list[str]  # every property in the view, in register order
    late: int  # how many of them are behind plan


class Gantt(NamedTuple):
    figure: go.Figure
    table: pd.DataFrame


@per_view
def phases(view: View) -> Phases:
    """The phases chart and table, and every property's reference (in register order) with how many are late."""
    status, filters = view.status(), view.filters
    spans = metrics.phase_spans(cached.phases(view.version, filters.council), status, filters.as_at)
    if filters.phases:
        spans = spans[spans["phase"].isin(filters.phases)]
    references = status["reference"].tolist()
    late = len(metrics.slippage(status, filters.as_at))
    return Phases(charts.phase_chart(spans, filters.as_at), tables.phase_table(spans), references, late)


@per_view
def gantt(view: View, shown: tuple[str, ...], title: str) -> Gantt:
    """The Gantt chart and its table for the properties `shown`."""
    as_at = view.filters.as_at
    segments = metrics.gantt_segments(
        cached.milestones(view.actor, view.filters, shown, view.today, view.version), as_at
    )
    notes = tables.status_notes(view.status())  # what is next for each, for every reader (never the notes)
    figure = charts.gantt(segments, metrics.lateness(view.status(), as_at), as_at, title, notes)
    return Gantt(figure, tables.gantt_table(segments, notes))


view = current_view()
page_header("Timeline", view)
timeline = phases(view)
chart_with_data(timeline.figure, timeline.table, "Phases", view.filters)

shown = tuple(paginate(timeline.references, PROPERTIES_PER_VIEW, "properties"))
title = (
    f"{timeline.late} of {plural(len(timeline.references), 'property', 'properties')} are behind plan"
    if timeline.references
    else "No properties match the filters"
)
st.markdown(
    "Each property has two bars: its **plan** (thin, grey) and what **happened** (thick): blue where a stage took no "
    "longer than planned; orange and hatched where it took longer, labelled with the days it added. The thick bar of a "
    "property still under way runs to the as-at date (dotted line). A row ends with how late a property not yet open "
    "is, in **bold**, or, for an open home, *how its opening compared with plan*."
)
stages = gantt(view, shown, title)
with st.container(key=SCROLL_KEY):  # a row of years per property is unreadable squeezed to a phone: it scrolls
    chart_with_data(stages.figure, stages.table, "Property stages", view.filters, property_level=True)
