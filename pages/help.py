"""Help: what the figures mean and where they come from, how lateness and forecasts are worked out, what "as at"
does, the accessibility statement, and whom to contact. Every role has it."""

import streamlit as st

from dashboard import glossary
from dashboard.config import contact
from dashboard_ui import cached
from dashboard_ui.filters import current_council
from dashboard_ui.identity import current_actor
from dashboard_ui.text import plain
from dashboard_ui.widgets import last_updated


def terms(items: list[glossary.Term]) -> None:
    st.markdown("\n".join(f"- **{term.name}**: {term.meaning}" for term in items))


current_actor()  # a page Streamlit started without the shell (a deep link) is run through it, with its sidebar
version = cached.version()
strategy = cached.strategy(version, current_council())

st.title("Help")
st.caption(f"{strategy.name}, {strategy.council}. {last_updated(version)}")

# Anchors are fixed, so a tooltip elsewhere can link to a section (glossary.help_link).
st.header("What the bed figures mean", anchor=glossary.FIGURES)
terms(glossary.bed_terms(strategy.bed_target))

st.header("The stages", anchor=glossary.STAGES_SECTION)
st.write(
    "Every property passes through these stages in order. Its beds move into a figure when it reaches the "
    "stage that figure names."
)
st.markdown(
    "| # | Stage | Its beds count as |\n| --- | --- | --- |\n"
    + "\n".join(f"| {position} | {plain(label)} | {level} |" for position, label, level in glossary.stage_rows())
)

st.header("Late, forecasts and “as at”", anchor=glossary.WORKING)
terms(glossary.working_terms())

st.header("The objectives' measures", anchor=glossary.DFE_MEASURES)
st.markdown(glossary.measures_citation())
terms(glossary.measure_terms())

st.header("The demand forecast", anchor=glossary.DEMAND_FORECAST)
terms(glossary.forecast_terms())

st.header("Where the figures come from", anchor=glossary.SOURCES)
terms(glossary.sources())

st.header("Accessibility statement", anchor=glossary.ACCESSIBILITY)
st.markdown(glossary.accessibility_statement())

st.header("Contact and feedback", anchor=glossary.CONTACT)
st.write(
    f"Questions about the figures, a role you need, or a problem to report (accessibility problems included): "
    f"{plain(contact())}."
)
