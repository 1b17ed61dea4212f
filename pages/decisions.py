"""Decisions: the decisions behind the programme, who the decision record says must be informed or consulted about
each, and whether local councillors were informed as each property was procured."""

from typing import NamedTuple

import pandas as pd
import streamlit as st

from dashboard import consultation, metrics, tables
from dashboard_ui import cached
from dashboard_ui.view import View, current_view, per_view
from dashboard_ui.widgets import download_csv, on_screen, page_header


class Decisions(NamedTuple):
    register: pd.DataFrame
    councillors: pd.DataFrame
    uninformed: list[str]  # references of procured properties with no record of councillors informed


@per_view
def decisions(view: View) -> Decisions:
    """The decisions register, the councillors table, and the references of properties with no record."""
    status, as_at = view.status(), view.filters.as_at
    register = tables.decisions_table(cached.decisions(view.actor, view.version, view.filters.council))
    informed = metrics.councillors_informed(status, as_at)
    uninformed = metrics.uninformed(status, as_at)["reference"].tolist()
    councillors = tables.with_date_sources(
        tables.councillors_table(informed), status, ("actual.completion", "councillors informed")
    )  # the two dates it shows
    return Decisions(register, councillors, uninformed)


view = current_view()
filters = view.filters
built = decisions(view)

page_header(consultation.headline(len(built.register), len(built.councillors), len(built.uninformed)), view)

date_column = st.column_config.DateColumn(format="DD/MM/YYYY")

st.header("Decisions register")
st.caption(
    "Every decision in the store, whatever the filters. *Councillors to inform or consult* reads the decision "
    "record's Summary of Requirements to Inform/Consult Councillors for the decision's significance, whether "
    "it is controversial, and whether it is an executive function. A value marked *(inferred)* is not "
    "stated in the decision's source (its provenance) but inferred, and so is the requirement read from "
    "it."
)
if built.register.empty:
    st.info("No decision recorded yet: import a workbook or CSV with a decisions sheet.", icon=":material/info:")
else:
    st.dataframe(
        on_screen(built.register),
        hide_index=True,
        alt="Decisions register",
        row_height=76,  # titles and requirements are sentences: room for three lines of each
        column_config={
            "Reference": st.column_config.TextColumn(pinned=True),
            "Date": date_column,
            "Title": st.column_config.TextColumn(width="large"),
            "Councillors to inform or consult": st.column_config.TextColumn(width="medium"),
            "Properties": st.column_config.NumberColumn(
                format="%d", help="Properties in the phases the decision governs."
            ),
        },
    )
    download_csv(built.register, "Decisions register", filters)
with st.expander("The decision record's Summary of Requirements to Inform/Consult Councillors"):
    rules = tables.consultation_rules_table()
    st.dataframe(rules, hide_index=True, alt="Summary of requirements to inform or consult", height="content")
    download_csv(rules, "Requirements to inform or consult councillors", filters)

st.header("Councillors informed")
st.caption(
    "Every property procured by the as-at date, and when its local councillors were informed (the decision "
    "record: they are kept informed as each property is procured). Properties with no record come first."
)
if built.uninformed:
    st.warning(consultation.uninformed_warning(built.uninformed), icon=":material/campaign:")
if built.councillors.empty:
    st.info("No property had been procured by the as-at date.", icon=":material/info:")
else:
    st.dataframe(
        on_screen(built.councillors),
        hide_index=True,
        alt="Procured properties and when local councillors were informed",
        placeholder="—",  # no date where there is no record; the text column says "Not recorded"
        height="content" if len(built.councillors) <= 30 else 720,  # every row on screen, unless there are many
        column_config={
            "Date informed": date_column,
            "Procured": date_column,
            "Days after procurement": st.column_config.NumberColumn(format="%d"),
            "Days since procured": st.column_config.NumberColumn(format="%d"),
            tables.DATES_SOURCE: st.column_config.TextColumn(
                help="Where the procurement and informed dates come from (the property's provenance)."
            ),
        },
    )
    download_csv(built.councillors, "Councillors informed", filters, property_level=True)
