"""Objectives: whether the strategy is doing what it is for, from the council's SSDA903 placement aggregates and
Ofsted's provider-level data, against the targets and weekly costs an editor sets."""

import streamlit as st

from dashboard import charts, objectives, tables
from dashboard.objectives import SETTINGS
from dashboard.roles import Permission
from dashboard_ui import cached
from dashboard_ui.data_forms import done, show_done
from dashboard_ui.identity import can, current_actor
from dashboard_ui.view import current_view
from dashboard_ui.widgets import chart_with_data, download_csv, objective_metric

view = current_view()
filters, version, strategy = view.filters, view.version, view.strategy
chosen = cached.objective_settings(version)
figures = cached.placement_figures(version)
council = strategy.council

st.title("Objectives")
st.caption(
    f"{strategy.name}, {council}. Beds are the means; these are the ends. Month by month from the council's "
    "SSDA903 placement return (counts only: no child-level data is kept), and the children's homes market "
    "from Ofsted's provider-level data. The sidebar's filters do not apply here."
)
show_done()


if figures.empty:
    st.info(
        "No placement figures yet. Import the council's SSDA903 episodes file (the Import page, or "
        "`python -m dashboard import-903 EPISODES.csv`); import the postcode-district lookup first to see "
        "placements inside and outside the county.",
        icon=":material/info:",
    )
else:
    measures = objectives.measures(figures, chosen)
    share_target = chosen["own_share_target"]
    inside_target = chosen["inside_target"]
    changes_target = chosen["changes_target"]

    st.header("More of the council's own provision")
    objective_metric(
        "Children in children's homes living in the council's own homes",
        objectives.latest(measures, "own_share"),
        share_target,
        as_percent=True,
    )
    chart_with_data(
        charts.objective_chart(
            measures,
            "own_share",
            "Share in the council's own homes",
            None if share_target is None else share_target / 100,
            as_percent=True,
        ),
        tables.objectives_table(measures, ["children_in_homes", "own_provision", "own_share"]),
        "Own provision share",
        filters,
    )

    st.header("More children placed inside the county")
    located = objectives.location_known(measures)
    if located == "no lookup":
        st.info(
            "This needs the postcode-district lookup (which local authority each postcode district such as SG1 "
            "lies in). Import it, then import the SSDA903 episodes again.",
            icon=":material/info:",
        )
    elif located == "none located":
        st.info(
            "None of the placements' postcode districts is in the postcode-district lookup, so none can be placed "
            "inside or outside the county. Import a fuller lookup, then the SSDA903 episodes again.",
            icon=":material/info:",
        )
    else:
        objective_metric(
            "Children in children's homes placed inside the county",
            objectives.latest(measures, "inside_share"),
            inside_target,
            as_percent=True,
        )
        chart_with_data(
            charts.objective_chart(
                measures,
                "inside_share",
                "Share placed inside the county",
                None if inside_target is None else inside_target / 100,
                as_percent=True,
            ),
            tables.objectives_table(measures, ["inside", "outside", "location_unknown", "inside_share"]),
            "Placed inside the county",
            filters,
        )

    st.header("Stable placements")
    st.caption(
        "Placement changes in a year, at the rate of the last twelve months (or of the months loaded), per child "
        "looked after at the month's end."
    )
    objective_metric(
        "Placement changes per child looked after in a year",
        objectives.latest(measures, "changes_per_child_12m"),
        changes_target,
        as_percent=False,
        lower_is_better=True,
    )
    chart_with_data(
        charts.objective_chart(
            measures,
            "changes_per_child_12m",
            "Moves per child a year (fewer is better)",
            changes_target,
            as_percent=False,
        ),
        tables.objectives_table(measures, ["placement_changes", "children_looked_after", "changes_per_child_12m"]),
        "Placement stability",
        filters,
    )

    st.header("Less spend on the independent sector")
    independent, own = chosen["independent_weekly_cost"], chosen["own_weekly_cost"]
    st.markdown(
        f"Cost avoided = children in the council's own homes × weeks × (independent cost **£{independent:,.0f}**"
        f" − own cost **£{own:,.0f}** a week) = **£{independent - own:,.0f}** a week for each child."
    )
    chart_with_data(
        charts.cost_chart(measures),
        tables.objectives_table(measures, ["own_provision", "cost_avoided", "cost_avoided_to_date"]),
        "Cost avoided",
        filters,
    )

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
        entered = {}
        for setting in SETTINGS:
            entered[setting.key] = st.number_input(
                f"{setting.label} ({setting.unit})",
                min_value=0.0,
                help=setting.help,
                key=f"setting-{setting.key}",
                value=None if chosen[setting.key] is None else float(chosen[setting.key]),
                max_value=None if setting.maximum is None else float(setting.maximum),
            )
        if st.form_submit_button("Save targets and costs", type="primary", icon=":material/save:"):
            try:
                done(objectives.save_settings(cached.engine(), current_actor(), entered))
            except objectives.InvalidSetting as error:
                st.error("Nothing was saved. " + str(error), icon=":material/error:")
else:
    st.dataframe(tables.settings_table(SETTINGS, chosen), hide_index=True)
