"""The region: the councils' programmes side by side and their beds together against the region's target.
Programme-level figures only; each council's properties are on its own pages."""

from datetime import date

import streamlit as st

from dashboard import charts, region, tables
from dashboard.queries import Filters
from dashboard_ui import cached
from dashboard_ui.filters import as_at_input
from dashboard_ui.identity import current_actor
from dashboard_ui.widgets import chart, chart_with_data, download_csv, show_banners

actor = current_actor()  # the shell first: a page Streamlit starts bare runs through it (first_request)
version = cached.version()
info = cached.region_info(version)
st.title(info.name if info else "The region")
filters = Filters(
    as_at=as_at_input("region-as-at", "Each council's programme as it was recorded at the end of this day.")
)
figures = cached.region_figures(actor, filters.as_at, date.today(), version)
side_by_side = figures.side_by_side
totals = region.region_totals(side_by_side, info.bed_target if info else None)
against = "the region's joint target" if info and info.bed_target is not None else "the councils' targets added up"
where = "(choose the council in the sidebar)" if actor.role_in_any else "for its own staff"
st.caption(
    f"{len(side_by_side)} councils, as at {filters.as_at:%d %B %Y}. Programme-level figures only: each council's "
    f"properties are on its own pages {where}. The region's beds are counted against {against}."
)
show_banners(figures.banners)
chart(charts.target_bar(totals), "The region's beds")
table = tables.region_table(side_by_side)
chart_with_data(charts.region_bars(side_by_side), table, "Beds against each target", filters)
st.header("Councils side by side")
st.dataframe(
    table,
    hide_index=True,
    column_config={"Target open by (forecast)": st.column_config.DateColumn(format="DD/MM/YYYY")},
)
download_csv(table, "Councils side by side", filters)
