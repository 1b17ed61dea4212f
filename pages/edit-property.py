"""Edit a property: its fields, beds and milestone dates, or add a new one. Checked as an import row is; an edit made
on a property someone else changed meanwhile is refused, with what they changed."""

from datetime import date

import streamlit as st

from dashboard import editing, tables
from dashboard.roles import AccessDenied
from dashboard_ui import cached
from dashboard_ui.data_forms import done, edits_here_or_stop, position, show_done, show_refusal
from dashboard_ui.filters import current_council
from dashboard_ui.identity import current_actor

NEW = "New property"
DRAFTS = "property-drafts"  # choice -> the draft its form was opened from
CHOICE = "edit-choice"
SAVED = "edit-saved"

actor = current_actor()
version = cached.version()
council = current_council()
edits_here_or_stop(actor, council, "Edit a property")
options = cached.filter_options(version, council)
choices = [NEW, *cached.property_references(actor, version, council)]

st.title("Edit a property")
st.caption(
    "Change a property's details, beds or stage dates, or add a new property. Saved changes show on every "
    "page at once and are kept in the audit trail with your name."
)
show_done()

if (saved := st.session_state.pop(SAVED, None)) in choices:
    st.session_state[CHOICE] = saved  # after a save, the picker shows what was saved (a new property included)
elif (wanted := st.query_params.get("property")) in choices and CHOICE not in st.session_state:
    st.session_state[CHOICE] = wanted  # opened from a link (the Properties page's "Edit")
choice = st.selectbox("Property", choices, key=CHOICE, help="Pick a property to edit, or add a new one.")
st.query_params["property"] = "" if choice == NEW else choice  # a link to this page opens this property

drafts: dict[str, editing.PropertyDraft] = st.session_state.setdefault(DRAFTS, {})
if choice not in drafts:
    drafts[choice] = editing.open_property(cached.engine(), None if choice == NEW else choice)
draft = drafts[choice]
values = draft.values
# Widgets are keyed by the draft, so reopening a property (after a save, or to reload) shows its current values.
key = f"{choice}-{draft.version}-{draft.opened_at}"
if choice != NEW and st.button(
    "Reload the latest values",
    icon=":material/refresh:",
    key=f"reload-{key}",
    help="Discard what is in the form and read the property again.",
):
    drafts.pop(choice)
    st.rerun()

districts = list(options.districts.values())
models = list(tables.PROVISION_LABELS)
stage_dates = editing.stage_dates_table(draft)

with st.form(f"property-{key}"):
    left, middle, right = st.columns(3)
    reference = left.text_input(
        "Reference",
        value=values.get("reference") or "",
        disabled=choice != NEW,
        help="A code, never an address: letters, digits and - / . _",
    )
    phase = middle.selectbox("Phase", options.phases, index=position(options.phases, values.get("phase")))
    district = right.selectbox("District", districts, index=position(districts, values.get("district")))
    left, middle, right = st.columns(3)
    model = left.selectbox(
        "Provision model",
        models,
        index=position(models, values.get("provision_model")),
        format_func=tables.provision_label,
    )
    planned_beds = middle.number_input("Planned beds", min_value=0, step=1, value=values.get("planned_beds"))
    registered_beds = right.number_input(
        "Registered beds",
        min_value=0,
        step=1,
        value=values.get("registered_beds"),
        help="Places Ofsted registered; blank until registration.",
    )
    left, right = st.columns([2, 1])
    specialism = left.text_input("Specialism", value=values.get("specialism") or "")
    ofsted_urn = right.text_input(
        "Ofsted URN",
        value=values.get("ofsted_urn") or "",
        max_chars=editing.OFSTED_URN_LENGTH,
        placeholder="SC123456",
        help="The home's Ofsted unique reference number, once registered: SC and 6 digits, or 6 or 7 digits. A URN "
        "is public, and does not locate the home. It links the home to Ofsted's ratings and places and to the "
        "SSDA903 return's placements.",
    )
    money = {"min_value": 0, "step": 1000}
    left, middle, right, last = st.columns(4)
    purchase_budget = left.number_input("Purchase budget (£)", value=values.get("purchase_budget"), **money)
    purchase_cost = middle.number_input("Purchase cost (£)", value=values.get("purchase_cost"), **money)
    works_budget = right.number_input("Refurbishment budget (£)", value=values.get("refurbishment_budget"), **money)
    works_cost = last.number_input("Refurbishment cost (£)", value=values.get("refurbishment_cost"), **money)
    informed = st.date_input(
        "Councillors informed",
        value=values.get("councillors_informed_on"),
        min_value=date(2000, 1, 1),
        max_value=date(2100, 12, 31),
        format="DD/MM/YYYY",
    )
    status_note = st.text_area(  # two lines, so the whole of a note shows on a phone too
        "Status note",
        value=values.get("status_note") or "",
        height=68,
        help=f"The next step or what blocks it, in a line of at most {editing.STATUS_NOTE_LENGTH} characters: "
        "everyone who reads the dashboard sees it, on the Overview, the Timeline and the briefing pack. No names, "
        "addresses, postcodes or anything about a child.",
    )
    notes = st.text_area(
        "Notes",
        value=values.get("notes") or "",
        help="For analysts only. No addresses, postcodes or anything about a child.",
    )
    provenance = st.text_input(
        "Source of these figures",
        value=values.get("provenance") or "",
        help="e.g. 'finance system, Nov 2026'; 'illustrative' for figures that are not real; "
        "or column by column: 'finance system: costs; illustrative: beds, dates'.",
    )
    st.markdown(
        "**Stage dates**, as DD/MM/YYYY (01/06/2025 is 1 June 2025). Leave a date blank until it is known; "
        "an actual date is the day it happened."
    )
    # Typed text, read as DD/MM/YYYY on saving: the grid's own date picker follows the browser's language.
    # Widths that keep both dates in view on a phone (390 px): the stage's name may be cut, the dates not.
    day = st.column_config.TextColumn(help="DD/MM/YYYY, e.g. 01/06/2025 for 1 June 2025", max_chars=10, width=88)
    stage_column = st.column_config.TextColumn(width=140)
    edited_dates = st.data_editor(
        stage_dates,
        hide_index=True,
        num_rows="fixed",
        disabled=["Stage"],
        column_config={"Stage": stage_column, "Planned": day, "Actual": day},
        key=f"dates-{key}",
        height="content",
    )
    submitted = st.form_submit_button(
        "Add property" if choice == NEW else "Save changes", type="primary", icon=":material/save:"
    )


if submitted:
    form = editing.form_values(
        {
            "reference": reference,
            "phase": phase,
            "district": district,
            "provision_model": model,
            "specialism": specialism,
            "planned_beds": planned_beds,
            "registered_beds": registered_beds,
            "purchase_budget": purchase_budget,
            "purchase_cost": purchase_cost,
            "refurbishment_budget": works_budget,
            "refurbishment_cost": works_cost,
            "councillors_informed_on": informed,
            "notes": notes,
            "status_note": status_note,
            "ofsted_urn": ofsted_urn,
            "provenance": provenance,
        },
        edited_dates,
    )
    try:
        message = editing.save_property(cached.engine(), actor, draft, form, date.today(), council)
    except (editing.InvalidEdit, editing.StaleEdit, editing.RefusedWrite, AccessDenied) as refusal:
        show_refusal(refusal)
    else:
        saved = choice if choice != NEW else reference.strip()
        drafts.pop(choice, None)
        drafts.pop(saved, None)
        st.session_state[SAVED] = saved
        done(message)
