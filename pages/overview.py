"""Overview: where are we against the bed target?"""

import streamlit as st

from dashboard import charts, consultation, headline, metrics, tables
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import chart_with_data, download_csv, on_screen, page_header, scope_of


@per_view
def overview(view: View) -> tuple:  # unpacked at once below
    status, as_at = view.status(), view.filters.as_at
    totals = view.totals()
    by_stage = metrics.properties_by_stage(status)
    return (
        totals,
        headline.outlook(totals, metrics.target_forecast(status, totals, as_at), as_at),
        charts.target_bar(totals),
        tables.bed_levels_table(totals),
        tables.late_table(status, as_at),
        metrics.uninformed(status, as_at),
        charts.stage_chart(by_stage),
        tables.stage_table(by_stage),
    )


view = current_view()
filters, strategy = view.filters, view.strategy
totals, outlook, target_figure, levels, late, uninformed, stage_figure, stages = overview(view)

page_header(headline.title(totals, scope_of(view)), view)
if totals.part:
    st.info(headline.whole_programme_note(view.programme_totals()), icon=":material/filter_alt:")

TILE_HELP = {
    "Open": "Homes open with a child placed. Beds are registered places once Ofsted has registered the home.",
    "Registered": "Beds in homes Ofsted has registered (open or not yet open): registered places.",
    "Secured": "Beds in properties bought (completion reached): planned beds until Ofsted registers places, "
    "registered places from then on.",
    "In the pipeline": "Planned beds in properties found but not yet bought.",
    "Still to find": "The target less beds secured and in the pipeline.",
}
tiles = [
    ("Open", totals.open),
    ("Registered", totals.registered),
    ("Secured", totals.secured),
    ("In the pipeline", totals.pipeline),
]
if not totals.part:
    tiles.append(("Still to find", totals.still_to_find))
against = f"of {totals.goal} planned" if totals.part else f"of {strategy.bed_target}"
for column, (label, beds) in zip(st.columns(len(tiles)), tiles, strict=False):
    column.metric(
        label,
        f"{beds} beds",
        f"{totals.share(beds):.0%} {against}",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=TILE_HELP[label],
    )

show, icon = {
    "good": (st.success, ":material/event_available:"),
    "bad": (st.error, ":material/warning:"),
    "neutral": (st.info, ":material/help:"),
}[outlook.tone]
show(outlook.markdown(), icon=icon)

chart_with_data(target_figure, levels, "Beds against the target", filters)

if late.empty:
    st.header("No property is behind its plan")
else:
    st.header(f"{len(late)} properties behind plan, {int(late['Beds'].sum())} beds")
    st.caption(
        "Each property's current stage against its planned date, most late first. The forecast opening "
        "pushes its planned opening back by the current delay."
    )
    st.dataframe(
        on_screen(late),
        hide_index=True,
        height="content",  # every late property, on screen and on paper (a grid prints only the rows in view)
        # What is late, and by how much, first: on a phone the columns after the first few are a sideways scroll away.
        column_order=(
            "Property",
            "Days late",
            "Waiting on",
            "Beds",
            "Planned for",
            "Forecast opening",
            "District",
            "Phase",
        ),
        column_config={
            "Property": st.column_config.Column(pinned=True),
            "Days late": st.column_config.ProgressColumn(
                "Days late", format="%d", min_value=0, max_value=int(late["Days late"].max())
            ),
            "Planned for": st.column_config.DateColumn(format="DD/MM/YYYY"),
            "Forecast opening": st.column_config.DateColumn(format="DD/MM/YYYY"),
        },
    )
    download_csv(late, "Properties behind plan", filters, property_level=True)

if not uninformed.empty:
    st.warning(consultation.uninformed_warning(uninformed["reference"].tolist()), icon=":material/campaign:")
    st.page_link("pages/decisions.py", label="Decisions and councillors informed", icon=":material/gavel:")

chart_with_data(stage_figure, stages, "Properties by stage", filters)
