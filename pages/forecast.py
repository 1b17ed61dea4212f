"""Forecast: the children's-home places the council's own homes need, forecast three years ahead from the SSDA903
return with its uncertainty, beside the programme's beds and the target; how far to trust it; scenarios; where."""

from datetime import date
from typing import NamedTuple
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import demand, district_need, glossary, metrics, need, objectives, tables
from dashboard import forecast_charts as charts
from dashboard.roles import Permission
from dashboard.wording import dmy
from dashboard_ui import cached
from dashboard_ui.data_forms import done, show_done
from dashboard_ui.identity import can, current_actor
from dashboard_ui.text import plain
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import chart_with_data, download_csv, scope_of

HOMES, LOOKED_AFTER = "childrens_home", "looked_after"
TABLE_ROW_PX = 35  # Streamlit's grid row
WRAPPING_ROW_PX = 66  # Streamlit's grid wraps text only in rows taller than 64 px


def scenario_points(view: View, scenario: str) -> pd.DataFrame:
    """One scenario's forecast, every measure (demand.EXPORT_COLUMNS less the scenario)."""
    points = cached.forecasts(view.version, view.filters.council)
    return points[points["scenario"] == scenario].drop(columns="scenario").reset_index(drop=True)


def measure(points: pd.DataFrame, name: str) -> pd.DataFrame:
    return points[points["measure"] == name].reset_index(drop=True)


@per_view
def compared(view: View, scenario: str) -> tuple[pd.DataFrame, need.Crossing]:
    """The scenario's beds needed beside the programme's beds (as the sidebar's filters narrow them) and the target."""
    needed = measure(scenario_points(view, scenario), demand.BEDS_NEEDED)
    frame = need.comparison(needed, view.status(), view.filters.as_at, view.strategy.bed_target)
    return frame, need.crossing(frame)


class Built(NamedTuple):
    beds: go.Figure
    beds_table: pd.DataFrame
    homes: go.Figure
    homes_table: pd.DataFrame
    by_age: pd.DataFrame
    looked_after: go.Figure
    looked_after_table: pd.DataFrame


def history(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A stored objective measure's month-end counts (its numerator): period_end, children."""
    trend = objectives.trend(frame, name)
    return trend.rename(columns={"numerator": "children"})[["period_end", "children"]]


@per_view
def built(view: View, scenario: str) -> Built:
    frame, crossing = compared(view, scenario)
    points = scenario_points(view, scenario)
    measures = cached.objective_measures(view.version, view.filters.council)
    homes, homes_seen = measure(points, HOMES), history(measures, "in_childrens_homes")
    looked_after, looked_after_seen = measure(points, LOOKED_AFTER), history(measures, "looked_after")
    return Built(
        charts.beds_chart(frame, crossing),
        tables.beds_needed_table(frame),
        charts.children_chart("Children in children's homes", homes_seen, homes),
        tables.children_forecast_table(homes_seen, homes),
        tables.forecast_by_age_table(points, HOMES),
        charts.children_chart("Children looked after", looked_after_seen, looked_after),
        tables.children_forecast_table(looked_after_seen, looked_after),
    )


@per_view
def scenario_table(view: View) -> pd.DataFrame:
    """Every scenario's inputs, its beds needed at the end of the forecast and its crossing in words."""
    runs = cached.forecast_runs(view.version, view.filters.council)
    needed = cached.forecasts(view.version, view.filters.council)
    needed = needed[needed["measure"] == demand.BEDS_NEEDED]
    ends = needed.sort_values("period_end").groupby("scenario").tail(1)
    sentences = {name: compared(view, name)[1].sentence() for name in runs["scenario"]}
    return tables.scenarios_table(runs, ends, sentences)


@per_view
def district_table(view: View, scenario: str) -> pd.DataFrame:
    held = cached.forecast_basis(view.version, view.filters.council)
    assert held is not None  # the page shows districts only beside a forecast
    run = cached.forecast_runs(view.version, view.filters.council).set_index("scenario").loc[scenario]
    frame, crossing = compared(view, scenario)
    districts = cached.districts(view.version, view.filters.council)
    needs = need.need_by_district(
        held.basis, (run["reference_first"], run["reference_last"]), frame["expected"].iloc[-1], districts
    )
    beds = metrics.by_district(view.status(), districts, view.strategy.bed_target)
    return tables.district_need_table(needs, beds, f"{crossing.last:%B %Y}")


def no_forecast() -> None:
    st.caption(WHAT_IT_IS)
    st.info(
        "No forecast yet. Import the council's SSDA903 episodes and header files together, several years of them "
        "(the Import page, or `python -m dashboard import-903 EPISODES.csv HEADER.csv`, a pair for each year): the "
        "forecast is made on every such import, and its backtest needs more than a year of data. Import the "
        "postcode-district lookup first, with its Council district column, to see the need by the child's home "
        "district.",
        icon=":material/info:",
    )


WHAT_IT_IS = (
    "The children's-home places the council's own homes need, forecast three years ahead from the council's SSDA903 "
    "return, with its uncertainty, beside the programme's beds and the target."
)


def caption(held: demand.HeldBasis, run: pd.Series) -> None:
    left_out = held.basis.without_birth
    st.caption(
        f"{WHAT_IT_IS} From the data of {dmy(held.data[0])} to {dmy(held.data[1])}; rates learnt over "
        f"{dmy(run['reference_first'])} to {dmy(run['reference_last'])} (the reference window); made "
        f"{held.made_at:%d/%m/%Y at %H:%M} UTC on import. Showing the **{run['scenario']}** scenario. Counts only: "
        "no child-level data is kept."
        + (f" {left_out:,} children without a date of birth are left out." if left_out else "")
    )


def answer(view: View, crossing: need.Crossing) -> None:
    with st.container(border=True):  # the answer, boxed: a paragraph, not a heading out of the page's order
        st.markdown(f"**{crossing.sentence()}**  \n{crossing.against_target()}")
    scope = f": {scope_of(view)}" if view.filters.narrowed else ""
    st.caption(
        f"The programme's beds are those open, and those secured from their forecast opening dates, as at "
        f"{view.filters.as_at:%d %B %Y}; they follow the sidebar's filters{scope}. The need does not: it is the "
        "whole council's. Beds needed = forecast children in children's homes × the share the council aims to meet "
        "in its own homes ÷ the occupancy it aims for."
    )


def backtest(held: demand.HeldBasis) -> None:
    st.header("How far to trust it")
    st.markdown(f"[How the forecast is made, and its limits](help#{glossary.DEMAND_FORECAST}).")
    if held.backtest_reference is None or held.backtest.empty:
        st.info(
            "No backtest: it needs more than a year of data beyond a reference window. Import more years of the "
            "return to see how far the forecast can be trusted.",
            icon=":material/info:",
        )
        return
    first, last = held.backtest_reference
    if held.backtest_mape is None:
        told = "No child was in a children's home in the year tested, so there is no error to give."
    else:
        told = (
            f"A year ahead, the forecast of children in children's homes was off by **{held.backtest_mape:.1f}%** on "
            "average."
        )
    st.markdown(
        f"{told} The model was fitted on {dmy(first)} to {dmy(last)}, then forecast the year after, which the data "
        "also hold: its forecast beside what happened."
    )
    chart_with_data(
        charts.backtest_chart(held.backtest, held.backtest_mape),
        tables.backtest_table(held.backtest),
        "Backtest",
        view.filters,
    )


def optional_percent(value: float | None) -> float | None:
    return None if value is None else value / 100


def month_options(held: demand.HeldBasis) -> list[date]:
    return list(held.basis.period_ends)


def reference_window(first: date | None, last: date | None, held: demand.HeldBasis) -> tuple[date, date] | None:
    """The window from the months picked: from the first's first day to the last's end; a month not picked is the
    data's start or end; neither picked is the default (None)."""
    if first is None and last is None:
        return None
    return (held.data[0] if first is None else first.replace(day=1), held.data[1] if last is None else last)


def scenario_form(held: demand.HeldBasis) -> None:
    months = month_options(held)
    with st.form("save-scenario", clear_on_submit=False):
        st.markdown("**Save a scenario** (a name already saved is changed)")
        name = st.text_input("Name", max_chars=demand.NAME_CHARS, key="scenario-name")
        low, high = demand.ENTRY_CHANGE_RANGE
        entry_column, share_column, occupancy_column = st.columns(3)
        entry = entry_column.number_input(
            f"Entries into care, change (%): {low:+.0f} to {high:+.0f}",
            value=0.0,
            step=5.0,
            format="%.0f",
            key="scenario-entry",
            help="More or fewer children coming into care each month than over the reference window.",
        )
        share = share_column.number_input(
            "Own homes' share (%)",
            value=None,
            step=5.0,
            key="scenario-share",
            placeholder="The default",
            help="The share of children in children's homes the council aims to meet in its own homes. Blank: the "
            "strategy's aim (Objectives), else the share at the end of the data.",
        )
        occupancy = occupancy_column.number_input(
            "Occupancy (%)",
            value=None,
            step=5.0,
            key="scenario-occupancy",
            placeholder=f"{demand.DEFAULT_OCCUPANCY:.0%}",
            help=f"The occupancy the council aims for. Blank: {demand.DEFAULT_OCCUPANCY:.0%}.",
        )
        first_column, last_column = st.columns(2)
        first = first_column.selectbox(
            "Reference window: first month",
            months,
            index=None,
            format_func=lambda day: f"{day:%B %Y}",
            placeholder="The last two years",
            key="scenario-first",
        )
        last = last_column.selectbox(
            "Reference window: last month",
            months,
            index=None,
            format_func=lambda day: f"{day:%B %Y}",
            placeholder="The last two years",
            key="scenario-last",
            help="The rates are learnt from the months between. Blank: from the data's first month, or to its last.",
        )
        if st.form_submit_button("Save and forecast the scenario", type="primary", icon=":material/save:"):
            scenario = demand.Scenario(
                name, entry, optional_percent(share), optional_percent(occupancy), reference_window(first, last, held)
            )
            try:
                with st.spinner("Forecasting the scenario…"):
                    message = demand.save_scenario(cached.engine(), scenario, current_actor(), council)
            except demand.InvalidScenario as refusal:
                lines = "\n".join(f"- **{field}**: {plain(problem)}" for field, problem in refusal.problems)
                st.error(f"Nothing was saved. Please correct:\n{lines}", icon=":material/error:")
            else:
                done(message)


def delete_form() -> None:
    saved = [scenario.name for scenario in cached.forecast_scenarios(version, council)]
    if not saved:
        return
    with st.form("delete-scenario"):
        chosen = st.selectbox("Delete a scenario", saved, index=None, key="scenario-delete")
        if st.form_submit_button("Delete the scenario", icon=":material/delete:") and chosen is not None:
            done(demand.delete_scenario(cached.engine(), chosen, current_actor(), council))


def scenarios(held: demand.HeldBasis) -> None:
    st.header("Scenarios")
    st.markdown(
        "Each scenario is forecast from the same data with its own inputs, again on every import. Beds needed at "
        "the end of the forecast, and where each meets the programme's beds:"
    )
    table = scenario_table(view)
    st.dataframe(
        table,
        hide_index=True,
        row_height=WRAPPING_ROW_PX,  # room for the sentence to wrap to two lines
        column_config={
            "Scenario": st.column_config.TextColumn(width=150, pinned=True),
            "Against the programme's beds": st.column_config.TextColumn(width=420),
        },
    )
    download_csv(table, "Forecast scenarios", view.filters)
    st.caption("Likely from and to: the 5th and 95th percentiles of the simulated beds needed.")
    if can(Permission.EDIT):
        scenario_form(held)
        delete_form()


def districts(scenario: str) -> None:
    st.header("Need by the child's home district")
    on_map = next(label for label, key in district_need.NEED_MEASURES.items() if key == district_need.NEED)
    st.markdown(
        f"The {scenario} scenario's beds needed at the end of the forecast, shared out over the districts the "
        "children in children's homes came from over its reference window (their home postcode's district), beside "
        f"the programme's beds in each district. [The central scenario's need on the map](districts?measure="
        f"{quote(on_map)})."
    )
    table = district_table(view, scenario)
    st.dataframe(table, hide_index=True, placeholder="—", height=TABLE_ROW_PX * (len(table) + 1) + 3)  # all in view
    download_csv(table, "Forecast need by district", view.filters)
    if not table[tables.DISTRICT_SHARE].iloc[:-1].any():  # need.need_by_district puts "not known" last
        st.info(
            "No child's home district is known yet, so all the need is Not known or outside. Import the "
            "postcode-district lookup with its Council district column filled in, then the SSDA903 files again.",
            icon=":material/info:",
        )
    st.caption(
        "Districts come from the postcode-district lookup's Council district column; a child whose home postcode "
        "the lookup cannot place in one of the council's districts, or who lived outside the council, is Not known "
        "or outside. The programme's beds follow the sidebar's filters; the need does not."
    )


def the_forecast(held: demand.HeldBasis, runs: pd.DataFrame) -> None:
    names = runs["scenario"].tolist()
    top = st.container()  # the caption names the scenario picked below it
    scenario = st.selectbox(
        "Scenario", names, key="scenario", bind="query-params", help="Central: the defaults. Others: saved below."
    )
    run = runs[runs["scenario"] == scenario].iloc[0]
    with top:
        caption(held, run)
        if held.made_at.date() > view.filters.as_at:
            st.warning(
                f"This forecast was made on {dmy(held.made_at.date())}, after the view's date "
                f"({dmy(view.filters.as_at)}): earlier forecasts are not kept, so it is shown as made. The programme's "
                "beds are as recorded at the view's date.",
                icon=":material/history:",
            )
    show_done()
    answer(view, compared(view, scenario)[1])
    made = built(view, scenario)
    chart_with_data(made.beds, made.beds_table, "Beds needed", view.filters)

    st.header("Children in children's homes")
    chart_with_data(made.homes, made.homes_table, "Children in children's homes", view.filters)
    st.markdown(
        "**By age band**: children in children's homes forecast one, two and three years ahead; the expected number, "
        "and in brackets the likely range"
    )
    st.dataframe(made.by_age, hide_index=True)
    download_csv(made.by_age, "Children in children's homes by age band", view.filters)
    chart_with_data(made.looked_after, made.looked_after_table, "Children looked after", view.filters)
    st.caption(
        "As it was: the month-end counts stored with the objectives' measures. The forecast simulates the children "
        "month by month (moves between placements, leaving care, ageing, entries) "
        f"{demand.RUNS} times: the line is the "
        "average, the band the middle 90% of the runs."
    )

    backtest(held)
    scenarios(held)
    districts(scenario)

    st.header("Download")
    download_csv(
        cached.forecasts(version, council),
        "forecast",
        view.filters,
        label="Download the forecast (CSV, every scenario)",
    )


view = current_view()
version, council = view.version, view.filters.council
st.title("Forecast")
held_basis = cached.forecast_basis(version, council)
run_rows = cached.forecast_runs(version, council)
if held_basis is None or run_rows.empty:
    no_forecast()
else:
    the_forecast(held_basis, run_rows)
