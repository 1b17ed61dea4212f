"""Objectives: whether the strategy is doing what it is for, in the decision record's words. The Department for
Education's measures at 31 March first, from the council's SSDA903 return; the same measures month by month second;
the council's own homes, their occupancy and an estimate of the cost avoided; Ofsted's children's homes market."""

import streamlit as st

from dashboard import charts, measures, objectives, tables
from dashboard.measures import Measure
from dashboard.objectives import SETTINGS
from dashboard.roles import Permission
from dashboard_ui import cached
from dashboard_ui.data_forms import done, show_done
from dashboard_ui.identity import can, current_actor
from dashboard_ui.text import plain
from dashboard_ui.view import current_view
from dashboard_ui.widgets import chart_with_data, download_csv, objective_metric

YEAR_END_ROW_PX = 66  # Streamlit's grid wraps text only in rows taller than 64 px

view = current_view()
filters, version, strategy = view.filters, view.version, view.strategy
chosen = cached.objective_settings(version, filters.council)
cited = cached.objective_sources(version, filters.council)
frame = cached.objective_measures(version, filters.council)
council = strategy.council

st.title("Objectives")
st.caption(
    f"{strategy.name}, {council}. Beds are the means; these are the ends. Measured as the Department for Education "
    "measures them, at 31 March, from the council's SSDA903 return (counts only: no child-level data is kept), then "
    "month by month as a trend; the children's homes market from Ofsted's data. The sidebar's filters do not apply "
    "here."
)
show_done()


def measure_section(measure: Measure, target_key: str | None = None, lower_is_better: bool = False) -> None:
    """A measure's figure at 31 March (DfE's) with its target, then its monthly trend with the data behind it."""
    target = None if target_key is None else chosen[target_key]
    objective_metric(
        measure.label, objectives.headline(frame, measure.name), target, measure.share, lower_is_better=lower_is_better
    )
    trend = objectives.trend(frame, measure.name)
    if trend["value"].notna().any():
        line = None if target is None else (target / 100 if measure.share else target)
        chart_with_data(
            charts.objective_chart(trend, f"{measure.label}: month by month", line, measure.share),
            tables.trend_table(
                trend, measure.label, "Children counted", "Out of" if measure.share else None, measure.share
            ),
            measure.label,
            filters,
        )


if frame.empty:
    st.info(
        "No measures yet. Import the council's SSDA903 episodes and header files (the Import page, or "
        "`python -m dashboard import-903 EPISODES.csv HEADER.csv`), several years together for long-term "
        "stability; import the postcode-district lookup first to see placements inside and outside the county.",
        icon=":material/info:",
    )
else:
    st.header("At 31 March: the Department for Education's measures")
    st.markdown("[How DfE defines each measure](help#dfe-measures), and where the definitions come from.")
    found = objectives.at_year_end(frame)
    if found is None:
        st.info(
            "No 31 March is in the files imported yet: DfE publishes its measures for the year ending 31 March. "
            "Import the return for a whole collection year (April to March). The figures below are at the latest "
            "month end.",
            icon=":material/info:",
        )
    else:
        st.caption(
            f"As DfE defines them for the year ending 31 March {found.day:%Y}"
            + (f", beside 31 March {found.previous:%Y}" if found.previous is not None else "")
            + ". Approximate measures say so; a measure not measured says why in its note."
        )
        year_end = tables.year_end_table(found)
        st.dataframe(
            year_end,
            hide_index=True,
            row_height=YEAR_END_ROW_PX,  # room for a long measure's name, or a note, to wrap to two lines
            height=YEAR_END_ROW_PX * len(year_end) + 48,  # every measure in view, no scrolling inside the table
            column_config={
                # Narrow enough to leave a phone room for the latest figure beside it; a long name wraps.
                "Measure": st.column_config.TextColumn(width=190),
                "Definition": st.column_config.LinkColumn(display_text="DfE definition"),
                "Note": st.column_config.TextColumn(width="large"),
            },
        )
        download_csv(year_end, f"DfE measures at 31 March {found.day:%Y}", filters)

    st.header("1. Better outcomes and placement stability")
    measure_section(measures.THREE_OR_MORE_PLACEMENTS, "three_or_more_target", lower_is_better=True)
    measure_section(measures.LONG_TERM_STABILITY)

    st.header("2. The right placement type and specialism")
    st.markdown(
        "The SSDA903 return does not record the specialism a child needed, so how well the homes' specialisms "
        "match children's needs cannot be measured from it. What it does show is the need the council's own homes "
        "could meet nearer home: children in children's homes outside the county, by age."
    )
    by_age = objectives.by_category(frame, measures.HOMES_OUTSIDE_BY_AGE.name)
    if by_age.empty:
        st.info(
            "Not measured: this needs the postcode-district lookup and the header file (dates of birth).",
            icon=":material/info:",
        )
    else:
        chart_with_data(
            charts.age_band_chart(by_age, f"{measures.HOMES_OUTSIDE_BY_AGE.label}: month by month"),
            tables.age_band_table(by_age),
            measures.HOMES_OUTSIDE_BY_AGE.label,
            filters,
        )

    st.header("3. Own provision and savings")
    measure_section(measures.OWN_PROVISION, "own_share_target")

    st.subheader("The council's own homes")
    all_own = bool(chosen["cost_counts_all_own_homes"])
    homes = cached.strategy_homes(view.actor, version, filters.council)
    ratings = cached.home_ratings(tuple(objectives.linked_urns(homes, frame)), version)
    counted = objectives.homes_counted(homes, ratings, frame, all_own)
    if counted.empty:
        st.info(
            "No property has an Ofsted URN yet. Record each home's URN (Edit a property, or the properties file's "
            "Ofsted URN column) to see its rating, places and occupancy here.",
            icon=":material/info:",
        )
    else:
        by_home = objectives.occupancy(counted, frame)
        months = objectives.month_ends(frame)
        month = months[-1] if months else None
        programme = objectives.programme_occupancy(by_home).dropna(subset=["value"])
        if not programme.empty:
            last = programme.iloc[-1]
            st.metric(
                f"Occupancy of the homes counted, {last['period_end']:%B %Y}",
                f"{last['value']:.0%}",
                help=f"Child-days {last['child_days']:,.0f} ÷ place-days {last['place_days']:,.0f}: all the homes' "
                "days children were placed over their places × days in the month, counted from each home's first "
                "month with children.",
            )
            chart_with_data(
                charts.objective_chart(
                    programme, "Occupancy of the homes counted: month by month", None, True, dfe=False
                ),
                tables.trend_table(
                    programme.rename(columns={"child_days": "numerator", "place_days": "denominator"}),
                    "Occupancy",
                    "Child-days",
                    "Place-days",
                    share=True,
                    dfe=False,
                ),
                "Occupancy",
                filters,
            )
        homes_table = tables.own_homes_table(objectives.own_homes_table(counted, by_home, month), month)
        st.dataframe(homes_table, hide_index=True, placeholder="—")
        download_csv(homes_table, "The council's own homes", filters, property_level=True)
        st.caption(
            "Places: the beds registered for the property, else Ofsted's places. Occupancy: child-days in the month "
            "÷ (places × days in the month). No address is shown: reference and district only."
        )

        st.subheader("Cost avoided: an estimate")
        found_estimate = objectives.estimate(by_home, chosen)
        if found_estimate is None:
            st.info("No home counted has places and children placed in the months imported.", icon=":material/info:")
        else:
            e = found_estimate
            independent, own = e.independent_weekly_cost, e.own_weekly_cost
            st.metric(
                f"Estimate, {e.first:%B %Y} to {e.last:%B %Y}",
                objectives.pounds(e.amount),
                help="An estimate from the weekly costs assumed below, not a figure from the council's accounts.",
            )
            st.markdown(
                f"**Estimate** = child-weeks in the homes × independent cost a week − place-weeks × own cost a week "
                f"per place  \n= {e.child_days:,.0f} child-days ÷ 7 = **{e.child_weeks:,.1f}** child-weeks × "
                f"**£{independent:,.0f}** − {e.place_days:,.0f} place-days ÷ 7 = **{e.place_weeks:,.1f}** "
                f"place-weeks × **£{own:,.0f}**  \n= **{objectives.pounds(e.amount)}** over {e.homes} "
                f"{'home' if e.homes == 1 else 'homes'}, {e.first:%B %Y} to {e.last:%B %Y}."
            )
            st.caption(
                "Place-weeks count every place from the home's first month with children: a bed empty is not a "
                "saving. "
                + (
                    "Every own home the return places children in is counted, those that predate the strategy too."
                    if all_own
                    else "Only the strategy's homes are counted (the properties with an Ofsted URN)."
                )
            )
            assumed = [
                f"- {setting.label}: **£{chosen[setting.key]:,.0f}**. "
                f"Source: {plain(cited[setting.key] or 'none recorded')}"
                for setting in SETTINGS
                if setting.key in objectives.COSTS
            ]
            st.markdown("**The costs assumed, and their sources**\n" + "\n".join(assumed))
            if independent == own:
                st.caption(objectives.SAME_COSTS_NOTE)
            monthly = objectives.monthly_estimate(by_home, chosen)
            chart_with_data(
                charts.cost_chart(monthly, "The estimate month by month"),
                tables.estimate_table(monthly),
                "Cost estimate",
                filters,
            )

    st.header(f"4. Placed within {council}")
    measure_section(measures.PLACED_INSIDE, "inside_target")
    measure_section(measures.OVER_20_MILES, lower_is_better=True)

st.header(f"The children's homes market in {council}")
market = cached.council_market(council, version)
if market.empty:
    st.info(
        "No Ofsted data yet. Import Ofsted's \"Children's social care data in England: provider level\" CSV "
        "(the Import page, or `python -m dashboard import-ofsted FILE.csv`), one file per year.",
        icon=":material/info:",
    )
else:
    left, right = st.columns(2)
    with left:
        chart_with_data(
            charts.market_chart(market, council, "homes"),
            tables.market_table(market),
            "Children's homes by sector",
            filters,
        )
    with right:
        chart_with_data(
            charts.market_chart(market, council, "places"), tables.market_table(market), "Places by sector", filters
        )
    st.markdown(f"**{council}'s children's homes by their latest overall Ofsted rating**")
    ratings = cached.council_ratings(council, version).rename(columns={"rating": "Latest overall rating"})
    st.dataframe(ratings, hide_index=True)
    download_csv(ratings, "Homes by Ofsted rating", filters)
    ranking = cached.market_ranking(version)
    chart_with_data(
        charts.ranking_chart(ranking, council),
        tables.ranking_table(ranking),
        "Council-run share of places by authority",
        filters,
    )

st.header("Targets and weekly costs")
if can(Permission.EDIT):
    with st.form("objective-settings"):
        entered: dict[str, float | None] = {}
        sources: dict[str, str | None] = {}
        for setting in SETTINGS:
            current = chosen[setting.key]
            if setting.flag:
                entered[setting.key] = float(
                    st.checkbox(setting.label, value=bool(current), help=setting.help, key=f"setting-{setting.key}")
                )
                continue
            entered[setting.key] = st.number_input(
                f"{setting.label} ({setting.unit})",
                min_value=0.0,
                help=setting.help,
                key=f"setting-{setting.key}",
                value=None if current is None else float(current),
                max_value=None if setting.maximum is None else float(setting.maximum),
            )
            if setting.key in objectives.COSTS:
                sources[setting.key] = st.text_area(
                    f"{setting.label.replace(': cost a week', ' cost')}: source",
                    value=cited[setting.key] or "",
                    max_chars=objectives.SOURCE_CHARS,
                    key=f"source-{setting.key}",
                    height=68,
                    help="Where the figure comes from: a report and its year, or the council's budget line.",
                )
        if st.form_submit_button("Save targets and costs", type="primary", icon=":material/save:"):
            try:
                done(objectives.save_settings(cached.engine(), current_actor(), entered, sources, filters.council))
            except objectives.InvalidSetting as error:
                st.error("Nothing was saved. " + str(error), icon=":material/error:")
else:
    st.dataframe(tables.settings_table(SETTINGS, chosen, cited), hide_index=True)
