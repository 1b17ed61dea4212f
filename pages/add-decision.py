"""Add a decision to the register: checked as an imported decisions row is."""

from datetime import date

import streamlit as st

from dashboard import editing
from dashboard.consultation import SIGNIFICANCES
from dashboard.roles import AccessDenied
from dashboard_ui import cached
from dashboard_ui.data_forms import done, edits_here_or_stop, show_done, show_refusal
from dashboard_ui.filters import current_council
from dashboard_ui.identity import current_actor

NOT_RECORDED = "Not recorded"

actor = current_actor()
edits_here_or_stop(actor, current_council(), "Add a decision")
st.title("Add a decision")
st.caption(
    "A decision behind the programme, as its decision record gives it. It joins the register on the Decisions "
    "page, with who must be informed or consulted."
)
show_done()

with st.form("decision", clear_on_submit=False):
    left, right = st.columns([1, 3])
    reference = left.text_input("Reference", placeholder="e.g. B147/24")
    title = right.text_input("Title", placeholder="Subject of the decision")
    left, middle, right = st.columns(3)
    decision_type = left.selectbox("Type", ["Executive", "Non-executive"], index=None, placeholder="Choose")
    key_decision = middle.radio("Key decision", ["Yes", "No"], index=None, horizontal=True)
    decided_on = right.date_input("Date signed", value=None, min_value=date(2000, 1, 1), format="DD/MM/YYYY")
    left, right = st.columns(2)
    member = left.text_input("Executive member", placeholder="Executive Member or Committee Chairman")
    portfolio = right.text_input("Portfolio")
    left, right = st.columns(2)
    significance = left.selectbox("Significance", [NOT_RECORDED, *SIGNIFICANCES])
    controversial = right.radio("Controversial", [NOT_RECORDED, "Yes", "No"], horizontal=True)
    provenance = st.text_input("Source", value=editing.ENTERED_IN_APP, help="e.g. the published decision record.")
    submitted = st.form_submit_button("Add decision", type="primary", icon=":material/post_add:")

if submitted:
    form = {
        "reference": reference,
        "title": title,
        "decision_type": decision_type,
        "key_decision": key_decision,
        "decided_on": decided_on,
        "executive_member": member,
        "portfolio": portfolio,
        "significance": None if significance == NOT_RECORDED else significance,
        "controversial": None if controversial == NOT_RECORDED else controversial,
        "provenance": provenance,
    }
    try:
        message = editing.add_decision(cached.engine(), actor, form, date.today(), current_council())
    except (editing.InvalidEdit, editing.RefusedWrite, AccessDenied) as refusal:
        show_refusal(refusal)
    else:
        done(message)
