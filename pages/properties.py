"""Properties: the register, and each property's milestones; its costs, notes and history for analysts."""

import pandas as pd
import streamlit as st

from dashboard import tables
from dashboard.roles import Permission
from dashboard_ui import cached
from dashboard_ui.identity import can
from dashboard_ui.text import plain
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import audit_dataframe, download_csv, on_screen, page_header


@per_view
def register_table(view: View) -> pd.DataFrame:
    return tables.with_date_sources(tables.register_table(view.status(), view.filters.as_at), view.status())


@per_view
def matching(view: View, search: str) -> tuple[pd.DataFrame, list[str]]:
    """The register's rows that match a search, and the references among them (the picker's choices). A district
    searched for as people write it ("North Herts") finds it under the name the register shows."""
    options = cached.filter_options(view.version, view.filters.council)
    rows = tables.matching(register_table(view), options.district_named(search) or search)
    return rows, rows["Property"].tolist()


view = current_view()
filters, version = view.filters, view.version
# The search and the property shown are kept in the page's address, so a link reproduces them.
search = st.session_state.get("search", st.query_params.get("search", ""))
register, references = matching(view, search)
total = len(register_table(view))
page_header(f"{len(register)} of {total} properties" if len(register) < total else f"{total} properties", view)
st.text_input(
    "Search the register", placeholder="Reference, district, stage, specialism…", key="search", bind="query-params"
)


def _show_selected_row() -> None:
    """A row picked in the table becomes the property shown below (the picker stays in step, for keyboard users)."""
    rows = st.session_state["register"].selection.rows
    if rows:
        st.session_state["property"] = register.iloc[rows[0]]["Property"]


# Where a property is and how late first, after its reference (pinned): on a phone the rest is a sideways scroll away.
KEY_COLUMNS = ["Property", "Stage reached", "Days late"]
date_column = st.column_config.DateColumn(format="DD/MM/YYYY")
BLANK = "—"  # a number or date not there (text is blank): a dash, not "None"
dates_source = st.column_config.TextColumn(
    help="Where the dates come from (the row's provenance): illustrative or synthetic dates are not a council's "
    "records; inferred ones are not stated by their source."
)
st.dataframe(
    on_screen(register),
    hide_index=True,
    on_select=_show_selected_row,
    selection_mode="single-row",
    key="register",
    height=min(36 * (len(register) + 1) + 3, 560),
    placeholder=BLANK,
    column_order=KEY_COLUMNS + [name for name in register.columns if name not in KEY_COLUMNS],
    column_config={
        "Property": st.column_config.Column(pinned=True),
        "Days late": st.column_config.NumberColumn(
            format="%d", help="Days the current stage is past its planned date."
        ),
        "Waiting on": st.column_config.TextColumn(width="medium"),  # "Registration visit" in full
        "Planned beds": st.column_config.NumberColumn(format="%d"),
        "Registered beds": st.column_config.NumberColumn(format="%d"),
        "Procured": date_column,
        "Registered": date_column,
        "Opened": date_column,
        "Forecast opening": date_column,
        tables.DATES_SOURCE: dates_source,
    },
)
download_csv(register, "Property register", filters, property_level=True)

reference = st.selectbox(
    "Property to show",
    references,
    index=None,
    key="property",
    bind="query-params",
    placeholder="Pick a row in the table, or choose here",
)
if reference:
    st.header(f"{reference}: milestones")
    milestone_table = tables.milestone_table(cached.milestones(view.actor, filters, (reference,), view.today, version))
    milestone_table = tables.with_stage_date_sources(milestone_table, view.status(), reference)
    st.dataframe(
        milestone_table,
        hide_index=True,
        column_config={"Planned": date_column, "Actual": date_column, tables.DATES_SOURCE: dates_source},
        height="content",
        placeholder=BLANK,
    )
    download_csv(milestone_table, f"Milestones {reference}", filters, property_level=True)
    if can(Permission.EDIT):
        st.page_link(
            "pages/edit-property.py",
            label=f"Edit {reference}",
            icon=":material/edit:",
            query_params={"property": reference},
        )
    if can(Permission.SEE_DETAIL):
        details = cached.property_details(view.actor, reference, version)
        st.header(f"{reference}: costs and notes")
        pounds = st.column_config.NumberColumn(format="localized")
        st.dataframe(
            tables.costs_table(details),
            hide_index=True,
            placeholder=BLANK,
            column_config={name: pounds for name in ("Budget (£)", "Cost to date (£)", "Remaining (£)")},
        )
        st.text(details["notes"] or "No notes.")
        st.caption(f"Source: {plain(details['provenance'])}")
        st.header(f"{reference}: history")
        history = tables.audit_table(cached.property_history(view.actor, reference, version))
        audit_dataframe(history)
        download_csv(history, f"History {reference}", filters, property_level=True)
