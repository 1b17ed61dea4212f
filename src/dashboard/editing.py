"""Changes made in the app's forms: add a property or edit one (its fields, beds and milestone dates), add a decision.

A form is checked exactly as an imported row is (importing.check_record) and written by the importer's writer, so a
form field and a spreadsheet cell get the same message, and the audit log the same rows. An edit carries the version
the property had when the form was opened: if anyone changed it since, the edit is refused, nothing is written, and
the message says what changed and who changed it.

The importer and its validation records (pydantic: about 0.2 s to load) are loaded by the first save, not when a form
opens: the data pages open without them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, selectinload

from dashboard import history, queries
from dashboard.audit import AuditQuery
from dashboard.db import session_scope
from dashboard.layout import DECISIONS, PROPERTIES, Layout
from dashboard.models import Council, District, Property, text_length
from dashboard.reference import council_named, default_council
from dashboard.roles import Actor, Permission
from dashboard.stages import STAGES

if TYPE_CHECKING:
    from dashboard.importing import Checked, KnownNames

ENTERED_IN_APP = "entered in the app"
# The most a status note holds, as the store says: the form stops typing there.
STATUS_NOTE_LENGTH = text_length(Property, "status_note")
OFSTED_URN_LENGTH = text_length(Property, "ofsted_urn")


class InvalidEdit(ValueError):
    """A form with values that cannot be saved: each problem names the form's field as the import template does."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems  # (field label, message)
        super().__init__("; ".join(f"{label}: {message}" for label, message in problems))


class StaleEdit(RuntimeError):
    """The property changed after the form was opened; nothing was saved."""


class RefusedWrite(RuntimeError):
    """The store refused a change that passed every check: named by its table and key, never by SQL or values."""


@dataclass(frozen=True)
class PropertyDraft:
    """A property as a form opens it: its values, and the version they were read at."""

    reference: str | None  # None for a new property
    version: int | None
    opened_at: int  # the audit log's newest row when the form was opened: later rows are someone else's changes
    values: dict[str, Any] = field(default_factory=dict)  # the properties layout's fields; planned/actual by stage


def open_property(engine: Engine, reference: str | None) -> PropertyDraft:
    """The form's starting point: an existing property's values, or a blank one."""
    opened_at = queries.store_version(engine)
    if reference is None:
        return PropertyDraft(None, None, opened_at, {"provenance": ENTERED_IN_APP, "planned": {}, "actual": {}})
    with session_scope(engine) as session:
        prop = session.scalar(
            select(Property).where(Property.reference == reference).options(selectinload(Property.milestones))
        )
        if prop is None:
            raise LookupError(f"There is no property {reference}.")
        # The layout's own fields (its stage dates, "planned.survey" and the like, are gathered below).
        names = [column.field for column in PROPERTIES.columns if "." not in column.field]
        values = {name: getattr(prop, name) for name in names if name not in {"phase", "district"}}
        values |= {
            "phase": prop.phase.name,
            "district": prop.district.name,
            "planned": {m.stage_key: m.planned_on for m in prop.milestones if m.planned_on},
            "actual": {m.stage_key: m.actual_on for m in prop.milestones if m.actual_on},
        }
        return PropertyDraft(prop.reference, prop.version, opened_at, values)


STAGE_DATE_COLUMNS = ("Stage", "Planned", "Actual")
DAY_FORMAT = "%d/%m/%Y"


def _shown(day: date | None) -> str:
    return "" if day is None else day.strftime(DAY_FORMAT)


def stage_dates_table(draft: PropertyDraft) -> pd.DataFrame:
    """The draft's stage dates as the form's table: a row per stage, in order, planned and actual, each as DD/MM/YYYY
    text. Text, not dates: a browser's own date editor follows the browser's language (mm/dd/yyyy in an American
    one), so "01/06/2025" would be typed as one day and saved as another."""
    values = draft.values
    return pd.DataFrame(
        {
            "Stage": [stage.label for stage in STAGES],
            "Planned": [_shown(values["planned"].get(stage.key)) for stage in STAGES],
            "Actual": [_shown(values["actual"].get(stage.key)) for stage in STAGES],
        }
    )


def _typed(value: Any) -> Any:
    """A cell of the stage-dates table as typed: blank is None; anything else goes to the record's own date parser
    (reading.parse_date), so a date that is not one is refused naming its stage, never dropped."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.strip() or None if isinstance(value, str) else value


def form_values(fields: dict[str, Any], stage_dates: pd.DataFrame) -> dict[str, Any]:
    """The form's fields and its (edited) stage-dates table as the values save_property takes."""
    return {
        **fields,
        "planned": {stage.key: _typed(stage_dates["Planned"].iloc[i]) for i, stage in enumerate(STAGES)},
        "actual": {stage.key: _typed(stage_dates["Actual"].iloc[i]) for i, stage in enumerate(STAGES)},
    }


def _invalid(layout: Layout, checked: Checked) -> InvalidEdit:
    return InvalidEdit([(layout.header_for(name), message) for name, message in checked.in_order(layout)])


def _new_key_problems(layout: Layout, values: dict[str, Any], known: KnownNames, taken: str) -> list[tuple[str, str]]:
    """A new row's key already held: as written (`taken` says so), or in other capitals."""
    from dashboard.importing import key_problems

    key = values.get(layout.key)
    if key is not None and key in known.keys_of(layout):
        return [(layout.key, f"'{key}' {taken}")]
    return key_problems(layout, values, known)


def _urn_problems(values: dict[str, Any], known: KnownNames) -> list[tuple[str, str]]:
    """The form's Ofsted URN when another property holds it: one URN is one home."""
    from dashboard.importing import GivenUrn, urn_clashes

    reference = values.get("reference")
    if reference is None or "ofsted_urn" not in values:  # no reference, or a URN at fault itself: said already
        return []
    return [("ofsted_urn", said) for _, said in urn_clashes(known.urns, [GivenUrn(reference, values["ofsted_urn"])])]


@contextmanager
def _writing(engine: Engine, actor: Actor) -> Iterator[Session]:
    """One save's session; a write the store refuses becomes a RefusedWrite, in words."""
    from dashboard.importing import StoreRefused

    try:
        with session_scope(engine, actor) as session:
            yield session
    except StoreRefused as refused:
        raise RefusedWrite(f"{refused}. Tell the dashboard's administrator if it happens again.") from None
    except (StatementError, OverflowError):  # on commit: the store busy beyond its wait, or refusing the whole
        raise RefusedWrite(
            "the store could not save the change: try again, and tell the dashboard's "
            "administrator if it happens again."
        ) from None


def _change_lines(engine: Engine, reference: str, after_id: int, who: bool) -> list[str]:
    """The property's (and its milestones') audit rows after `after_id`, oldest first, one line each."""
    rows = queries.audit_rows(engine, AuditQuery(reference=reference, after_id=after_id))
    lines = []
    for row in rows.sort_values("id").itertuples():
        change = history.describe(row.entity, row.entity_ref, row.action, row.before, row.after)
        line = f"{history.subject(row.entity, row.entity_ref)}: {change}"
        lines.append(f"{row.user}, {row.at:%d/%m/%Y %H:%M} UTC: {line}" if who else line)
    return lines


def _stale(engine: Engine, draft: PropertyDraft) -> StaleEdit:
    changes = _change_lines(engine, draft.reference or "", draft.opened_at, who=True)
    listed = "\n".join(f"- {line}" for line in changes) or "- (it was removed)"
    return StaleEdit(
        f"{draft.reference} was changed by someone else after you opened it, so your edit was not saved and "
        f"nothing was overwritten. Their changes:\n{listed}\n\nYour entries are still in the form: reload the "
        "property to see the latest values, then make your change again."
    )


def _council_of(session: Session, reference: str | None, council: str | None) -> Council:
    """The council a form writes into: an existing property's own; for a new row, the council chosen (its ONS code),
    else the store's first."""
    if reference is not None:
        owner = session.scalar(
            select(Council)
            .join(District, District.council_id == Council.id)
            .join(Property, Property.district_id == District.id)
            .where(Property.reference == reference)
        )
        if owner is not None:
            return owner
    return council_named(session, council) if council else default_council(session)


def save_property(
    engine: Engine,
    actor: Actor,
    draft: PropertyDraft,
    values: dict[str, Any],
    today: date,
    council: str | None = None,
) -> str:
    """Add the property (a draft with no reference) to `council` (an ONS code; None: the store's first) or update it
    from `values`. Returns what was done, in words.

    Raises AccessDenied (not an editor), InvalidEdit (every field at fault), StaleEdit (changed since opened) or
    RefusedWrite (the store refused it)."""
    from dashboard.importing import ChangedMeanwhile, ImportReport, KnownNames, Writer, check_record, reference_problems
    from dashboard.validation import PropertyRecord

    if not actor.can_somewhere(Permission.EDIT):
        actor.require(Permission.EDIT)  # refused at once; else asked below of the council the property is in
    checked = check_record(PropertyRecord, values, today)
    if draft.reference is not None and checked.values.get("reference") not in (None, draft.reference):
        checked.add([("reference", "a property's reference cannot be changed here")])
    report = ImportReport()
    try:
        with _writing(engine, actor) as session:
            owner = _council_of(session, draft.reference, council)
            actor.require(Permission.EDIT, owner.ons_code)
            known = KnownNames.from_session(session, owner)
            if draft.reference is None:
                taken = "already exists: choose it to edit it"
                checked.add(_new_key_problems(PROPERTIES, checked.values, known, taken))
            checked.add(reference_problems(PropertyRecord, checked.values, known))
            checked.add(_urn_problems(checked.values, known))
            if checked.record is None:
                raise _invalid(PROPERTIES, checked)
            record: PropertyRecord = checked.record  # type: ignore[assignment]
            existing = session.scalar(
                select(Property)
                .where(Property.reference == record.reference)
                .options(selectinload(Property.milestones))
            )
            if draft.reference is not None and (existing is None or existing.version != draft.version):
                raise _stale(engine, draft)
            Writer(session, ENTERED_IN_APP, report, owner).property(record, existing)
    except ChangedMeanwhile:  # changed between our check and our write: the version check in the UPDATE caught it
        raise _stale(engine, draft) from None
    counts = report.counts.get(PROPERTIES.name)
    if counts is None or counts.unchanged:
        return f"No changes to save: {record.reference} already had these values."
    if counts.created:
        return f"Added property {record.reference}."
    return f"Saved {record.reference}. " + "; ".join(
        _change_lines(engine, record.reference, draft.opened_at, who=False)
    )


def add_decision(engine: Engine, actor: Actor, values: dict[str, Any], today: date, council: str | None = None) -> str:
    """Add a decision to the register of `council` (an ONS code; None: the store's first). Raises AccessDenied,
    InvalidEdit (every field at fault, including a reference already used) or RefusedWrite."""
    from dashboard.importing import ImportReport, KnownNames, Writer, check_record
    from dashboard.validation import DecisionRecord

    checked = check_record(DecisionRecord, values, today)
    with _writing(engine, actor) as session:
        owner = _council_of(session, None, council)
        actor.require(Permission.EDIT, owner.ons_code)
        known = KnownNames.from_session(session, owner)
        checked.add(_new_key_problems(DECISIONS, checked.values, known, "is already in the register"))
        if checked.record is None:
            raise _invalid(DECISIONS, checked)
        record: DecisionRecord = checked.record  # type: ignore[assignment]
        Writer(session, ENTERED_IN_APP, ImportReport(), owner).decision(record)
    return f"Added decision {record.reference}."
