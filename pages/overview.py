"""Overview: where are we against the bed target?"""

import streamlit as st

from dashboard import charts, consultation, metrics, tables
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import chart_with_data, download_csv, on_screen, page_header


@per_view
def overview(view: View) -> tuple:  # unpacked at once below
    status, as_at, target = view.status(), view.filters.as_at, view.strategy.bed_target
    totals = metrics.bed_totals(status, target)
    by_stage = metrics.properties_by_stage(status)
    return (
        totals, metrics.target_forecast(status, target, as_at), charts.target_bar(totals),
        tables.bed_levels_table(totals), tables.late_table(status, as_at), metrics.uninformed(status, as_at),
        charts.stage_chart(by_stage), tables.stage_table(by_stage),
    )  # fmt: skip


view = current_view()
filters, strategy = view.filters, view.strategy
totals, forecast, target_figure, levels, late, uninformed, stage_figure, stages = overview(view)

page_header(f"{totals.open} of {strategy.bed_target} beds open", view)

tiles = st.columns(5)
for column, (label, beds, help_text) in zip(
    tiles,
    [
        ("Open", totals.open, "Homes open with a child placed: registered places."),
        ("Registered", totals.registered, "Places registered by Ofsted (open or not yet open)."),
        ("Secured", totals.secured, "Planned beds in properties bought (completion reached)."),
        ("In the pipeline", totals.pipeline, "Planned beds in properties found but not yet bought."),
        ("Still to find", totals.still_to_find, "Target less beds secured and in the pipeline."),
    ],
):
    column.metric(label, f"{beds} beds", f"{totals.share(beds):.0%} of {strategy.bed_target}",
                  delta_color="off", delta_arrow="off", border=True, help=help_text)  # fmt: skip

if forecast.reached_on and forecast.reached_on > filters.as_at:
    st.success(f"**{strategy.bed_target} beds open by {forecast.reached_on:%B %Y}** if the remaining stages take as "
               "long as planned from now on (each property's plan pushed back by its current delay).",
               icon=":material/event_available:")  # fmt: skip
elif forecast.reached_on:
    st.success(f"**Target reached**: {totals.open} beds open.", icon=":material/check_circle:")
else:
    st.error(f"**{forecast.shortfall} beds short of {strategy.bed_target}.** Every property in the programme open "
             f"would give {forecast.beds_with_dates} beds: more properties are needed.", icon=":material/warning:")  # fmt: skip

chart_with_data(target_figure, levels, "Beds against the target", filters)

if late.empty:
    st.header("No property is behind its plan")
else:
    st.header(f"{len(late)} properties behind plan, {int(late['Beds'].sum())} beds")
    st.caption("Each property's current stage against its planned date, most late first. The forecast opening "
               "pushes its planned opening back by the current delay.")  # fmt: skip
    st.dataframe(
        on_screen(late),
        hide_index=True,
        column_config={
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
