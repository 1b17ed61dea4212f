"""Audit rows in words, for people: "Planned beds: 3 → 4; Survey actual: blank → 01/11/2026"."""

from __future__ import annotations

from datetime import date
from typing import Any

from dashboard.layout import DECISIONS, PHASES, PROPERTIES, Layout
from dashboard.stages import STAGE_BY_KEY
from dashboard.wording import dmy

ENTITY_LAYOUTS: dict[str, Layout] = {"property": PROPERTIES, "decision": DECISIONS, "phase": PHASES}
# Audit keys with no layout column of their own (relationships and non-imported tables).
OTHER_LABELS = {
    "decision": "Decision reference",
    "bed_target": "Bed target",
    "council": "Council",
    "role": "Role",
    "account": "Account",
    "strategy": "Strategy",
}
# Keys already named by the row's subject ("Milestone RS-P2-04: Survey").
IN_SUBJECT = {
    "milestone": {"stage_key", "property"},
    "property": {"reference"},
    "decision": {"reference"},
    "phase": {"name"},
    "role_grant": {"account"},
    "strategy": {"name"},
}
ENTITY_NAMES = {
    "property": "Property",
    "milestone": "Milestone",
    "decision": "Decision",
    "phase": "Phase",
    "strategy": "Strategy",
    "role_grant": "Role of",
}


def field_label(entity: str, entity_ref: str, key: str) -> str:
    if entity == "milestone":
        stage = STAGE_BY_KEY.get(entity_ref.rsplit("/", 1)[-1])
        which = "planned" if key == "planned_on" else "actual" if key == "actual_on" else key
        return f"{stage.column} {which}" if stage else which
    layout = ENTITY_LAYOUTS.get(entity)
    if layout and layout.header_for(key) != key:
        return layout.header_for(key)
    return OTHER_LABELS.get(key, key.replace("_", " ").capitalize())


def value_text(value: Any) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        try:
            return dmy(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:,}"
    return str(value)


def subject(entity: str, entity_ref: str) -> str:
    """What a row is about: "Property RS-P2-04", "Milestone RS-P2-04: Survey"."""
    if entity == "milestone":
        reference, _, stage_key = entity_ref.rpartition("/")
        stage = STAGE_BY_KEY.get(stage_key)
        return f"Milestone {reference}: {stage.label if stage else stage_key}"
    return f"{ENTITY_NAMES.get(entity, entity.capitalize())} {entity_ref}"


def describe(entity: str, entity_ref: str, action: str, before: dict | None, after: dict | None) -> str:
    """One audit row's change in words; a new row lists what it was created with, a deleted one what it had."""
    before, after = before or {}, after or {}
    if action == "update":
        keys = list(dict.fromkeys([*after, *before]))
        return "; ".join(
            f"{field_label(entity, entity_ref, key)}: {value_text(before.get(key))} → {value_text(after.get(key))}"
            for key in keys
        )
    values = after if action == "create" else before
    shown = [
        f"{field_label(entity, entity_ref, key)} {value_text(value)}"
        for key, value in values.items()
        if value not in (None, "") and key not in IN_SUBJECT.get(entity, ())
    ]
    verb = "Added" if action == "create" else "Deleted"
    return f"{verb}: " + "; ".join(shown) if shown else verb
