"""Overview: where are we against the bed target?"""

from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, consultation, glossary, headline, metrics, tables
from dashboard.wording import plural
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import chart_with_data, download_csv, on_screen, page_header, scope_of


class Overview(NamedTuple):
    totals: metrics.BedTotals
    outlook: headline.Outlook
    target_figure: go.Figure
    levels: pd.DataFrame
    late: pd.DataFrame  # tables.late_table
    late_beds: int
    uninformed: list[str]  # references of procured properties with no record of councillors informed
    stage_figure: go.Figure
    stages: pd.DataFrame


@per_view
def overview(view: View) -> Overview:
    status, as_at = view.status(), view.filters.as_at
    totals = view.totals()
    by_stage = metrics.properties_by_stage(status)
    late = metrics.slippage(status, as_at)
    return Overview(
        totals,
        headline.outlook(totals, metrics.target_forecast(status, totals, as_at), as_at),
        charts.target_bar(totals),
        tables.bed_levels_table(totals),
        tables.late_table(status, as_at),
        int(late["beds"].sum()),
        metrics.uninformed(status, as_at)["reference"].tolist(),
        charts.stage_chart(by_stage),
        tables.stage_table(by_stage),
    )


STATUS_NOTE_HELP = "The next step or what blocks it, as the property's editors last wrote it."
# A status note's column, and about how many characters of a note one of its lines holds.
NOTE_WIDTH_PX, NOTE_LINE_CHARS, NOTE_LINE_PX = 320, 48, 20


def note_row_height(notes: list[str]) -> int | None:
    """Rows tall enough for the longest note to wrap whole (at most 200 characters: five lines); the grid's own
    height (None) when every note fits on one line."""
    lines = -(-max(map(len, notes), default=0) // NOTE_LINE_CHARS)
    # Streamlit's grid wraps text only in rows taller than 4rem (64 px).
    return max(66, 18 + NOTE_LINE_PX * lines) if lines > 1 else None


view = current_view()
filters, strategy = view.filters, view.strategy
built = overview(view)

page_header(headline.title(built.totals, scope_of(view)), view)
if built.totals.part:
    st.info(headline.whole_programme_note(view.programme_totals()), icon=":material/filter_alt:")

tile_help = glossary.tile_help(strategy.bed_target)
tiles = [
    ("Open", built.totals.open),
    ("Registered", built.totals.registered),
    ("Secured", built.totals.secured),
    ("In the pipeline", built.totals.pipeline),
]
if not built.totals.part:
    tiles.append(("Still to find", built.totals.still_to_find))
against = f"of {built.totals.goal} planned" if built.totals.part else f"of {strategy.bed_target}"
for column, (label, beds) in zip(st.columns(len(tiles)), tiles, strict=False):
    column.metric(
        label,
        f"{beds} beds",
        f"{built.totals.share(beds):.0%} {against}",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=tile_help[label],
    )

show, icon = {
    "good": (st.success, ":material/event_available:"),
    "bad": (st.error, ":material/warning:"),
    "neutral": (st.info, ":material/help:"),
}[built.outlook.tone]
show(built.outlook.markdown(), icon=icon)

chart_with_data(built.target_figure, built.levels, "Beds against the target", filters)

if built.late.empty:
    st.header("No property is behind its plan")
else:
    st.header(f"{plural(len(built.late), 'property', 'properties')} behind plan, {plural(built.late_beds, 'bed')}")
    st.caption(
        "Each property's current stage against its planned date, most late first. The forecast opening "
        "pushes its planned opening back by the current delay."
    )
    st.dataframe(
        on_screen(built.late),
        hide_index=True,
        height="content",  # every late property, on screen and on paper (a grid prints only the rows in view)
        # What is late, and by how much, first: on a phone the columns after the first few are a sideways scroll away.
        # The status note, beside what each waits on, says what is next: wrapped whole in rows tall enough for it.
        column_order=(
            "Property",
            "Days late",
            "Waiting on",
            tables.STATUS_NOTE,
            "Beds",
            "Planned for",
            "Forecast opening",
            "District",
            "Phase",
        ),
        row_height=note_row_height(built.late[tables.STATUS_NOTE].tolist()),
        column_config={
            "Property": st.column_config.Column(pinned=True),
            tables.STATUS_NOTE: st.column_config.TextColumn(width=NOTE_WIDTH_PX, help=STATUS_NOTE_HELP),
            "Days late": st.column_config.ProgressColumn(
                "Days late", format="%d", min_value=0, max_value=int(built.late["Days late"].max())
            ),
            "Planned for": st.column_config.DateColumn(format="DD/MM/YYYY"),
            "Forecast opening": st.column_config.DateColumn(format="DD/MM/YYYY"),
        },
    )
    download_csv(built.late, "Properties behind plan", filters, property_level=True)

if built.uninformed:
    st.warning(consultation.uninformed_warning(built.uninformed), icon=":material/campaign:")
    st.page_link("pages/decisions.py", label="Decisions and councillors informed", icon=":material/gavel:")

chart_with_data(built.stage_figure, built.stages, "Properties by stage", filters)
