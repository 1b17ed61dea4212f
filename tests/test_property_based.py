"""Property-based tests (hypothesis): whatever a file or a form holds (arbitrary bytes, any text, any encoding, huge
cells, formulas, markup), the result is a clear refusal that names where, or a correct write: never an exception,
never part of a file written. Examples are generated afresh each run from a fixed seed per test (derandomize), so CI
is repeatable and a failure replays."""

from __future__ import annotations

import csv
import io
import math
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import editing
from dashboard.exporting import defused, table_csv
from dashboard.layout import FORMULA_STARTS, unformula
from dashboard.objectives import SETTINGS as OBJECTIVE_SETTINGS
from dashboard.roles import Actor, Role
from dashboard.uploads import KINDS, run_upload
from tests.conftest import dump, examples
from tests.test_hostile_input import HEADERS

EDITOR = Actor("ed@herts.gov.uk", "test", Role.EDITOR)
TODAY = date(2026, 11, 25)
SETTINGS = settings(
    max_examples=examples(60),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Cells a spreadsheet or a browser would act on, beside any text at all.
SPECIAL = st.sampled_from(
    [
        "=cmd|' /C calc'!A0",
        "+1",
        "-2",
        "@SUM(A1)",
        "'=A1",
        "<script>alert(1)</script>",
        "<b>bold</b>",
        "**bold**",
        "$x$",
        "\x00",
        "\u202e",
        "",
        " ",
        "a" * 100_000,
    ]
)
CELL = st.one_of(SPECIAL, st.text(max_size=40), st.integers().map(str), st.dates().map(date.isoformat))
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])


def _csv(header: str, rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return out.getvalue()


def _assert_report_or_whole_write(engine, kind, name: str, data: bytes) -> None:
    before = dump(engine)
    report = run_upload(kind, engine, name, data, EDITOR, dry_run=False, today=TODAY)
    if report.ok:
        assert report.written
    else:
        assert not report.written and report.problems
        assert dump(engine) == before, "a refused file wrote something"
        for problem in report.problems:
            assert problem.message and problem.source


@pytest.mark.parametrize("kind", KINDS, ids=[kind.label for kind in KINDS])
@SETTINGS
@given(data=st.binary(max_size=3000))
def test_any_bytes_through_any_importer(shared_engine, kind, data):
    _assert_report_or_whole_write(shared_engine, kind, "file.csv", data)


@pytest.mark.parametrize("kind", KINDS, ids=[kind.label for kind in KINDS])
@SETTINGS
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=8), min_size=1, max_size=4), encoding=ENCODINGS)
def test_any_cells_under_the_right_header_through_any_importer(shared_engine, kind, rows, encoding):
    text = _csv(HEADERS[kind.label], rows)
    data = text.encode(encoding, errors="replace")
    _assert_report_or_whole_write(shared_engine, kind, "file.csv", data)


@SETTINGS
@given(text=st.builds(str.__add__, st.sampled_from(["", "'", "''", "=", "'=", "''+", "@", "-", "\t"]), st.text()))
def test_a_formula_is_defused_on_the_way_out_and_restored_on_the_way_in(text):
    out = defused(text)
    assert not out.startswith(FORMULA_STARTS), "a spreadsheet would run this cell"
    assert unformula(out) == text


@SETTINGS
@given(notes=st.one_of(SPECIAL, st.text(max_size=300)))
def test_any_text_in_a_csv_export_comes_back_as_written_and_never_as_a_formula(notes):
    import pandas as pd

    from dashboard.roles import SYSTEM

    exported = table_csv(pd.DataFrame({"Notes": [notes]}), SYSTEM, property_level=False)
    [[header], [cell]] = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert header == "Notes" and not cell.startswith(FORMULA_STARTS)
    assert unformula(cell) == notes


FORM_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "notes": st.one_of(SPECIAL, st.text(max_size=200), st.none()),
        "specialism": st.one_of(SPECIAL, st.text(max_size=60), st.none()),
        "planned_beds": st.one_of(st.integers(-5, 20), st.integers(), st.text(max_size=6), st.none()),
        "registered_beds": st.one_of(st.integers(-5, 20), st.text(max_size=6), st.none()),
        "district": st.one_of(st.sampled_from(["Watford", "North Herts", "Dacorum"]), SPECIAL, st.text(max_size=20)),
        "provision_model": st.one_of(st.sampled_from(["in-house", "commissioned"]), st.text(max_size=12)),
        "purchase_budget": st.one_of(st.integers(-10, 10**12), st.floats(allow_nan=True), st.text(max_size=8)),
        "planned": st.dictionaries(
            st.sampled_from(["completion", "opened", "survey"]),
            st.one_of(st.dates(), st.none(), st.text(max_size=10)),
            max_size=3,
        ),
        "actual": st.dictionaries(
            st.sampled_from(["identified", "offer_accepted", "completion"]),
            st.one_of(st.dates(), st.none(), st.text(max_size=10)),
            max_size=3,
        ),
    },
)


@SETTINGS
@given(changes=FORM_FIELDS)
def test_any_values_in_the_edit_form_are_saved_whole_or_refused_by_field(shared_engine, changes):
    draft = editing.open_property(shared_engine, "RS-P2-05")
    before = dump(shared_engine)
    try:
        message = editing.save_property(shared_engine, EDITOR, draft, {**draft.values, **changes}, TODAY)
    except editing.InvalidEdit as refused:
        assert refused.problems and all(label and text for label, text in refused.problems)
        assert dump(shared_engine) == before, "a refused edit wrote something"
        return
    assert "RS-P2-05" in message
    saved = editing.open_property(shared_engine, "RS-P2-05").values
    for field in ("notes", "specialism"):  # text goes in as written (trimmed), markup and formulas included
        if field in changes:
            expected = (changes[field] or "").strip() or None
            assert saved[field] == expected, (field, changes[field], saved[field])


DECISION_FIELDS = st.fixed_dictionaries(
    {"reference": st.one_of(st.from_regex(r"B[0-9]{1,4}/2[0-9]", fullmatch=True), SPECIAL, st.text(max_size=30))},
    optional={
        "title": st.one_of(SPECIAL, st.text(max_size=200), st.none()),
        "decision_type": st.one_of(st.sampled_from(["Executive", "Officer", "Council"]), SPECIAL, st.text(max_size=12)),
        "key_decision": st.one_of(st.sampled_from(["yes", "no", "Yes", "N"]), st.booleans(), st.text(max_size=6)),
        "decided_on": st.one_of(st.dates().map(lambda d: d.strftime("%d/%m/%Y")), st.dates(), st.text(max_size=12)),
    },
)


@SETTINGS
@given(values=DECISION_FIELDS)
def test_any_values_in_the_decision_form_are_added_whole_or_refused_by_field(shared_engine, values):
    from sqlalchemy import select

    from dashboard.db import session_scope
    from dashboard.models import Decision

    before = dump(shared_engine)
    try:
        message = editing.add_decision(shared_engine, EDITOR, values, TODAY)
    except editing.InvalidEdit as refused:
        assert refused.problems and all(label and text for label, text in refused.problems)
        assert dump(shared_engine) == before, "a refused decision wrote something"
        return
    reference = message.removeprefix("Added decision ").removesuffix(".")
    with session_scope(shared_engine) as session:
        added = session.scalar(select(Decision).where(Decision.reference == reference))
    assert added is not None
    if "title" in values:  # text goes in as typed (trimmed): markup and formulas included
        assert added.title == ((values["title"] or "").strip() or None)


@SETTINGS
@given(text=st.one_of(SPECIAL, st.text(), st.text(alphabet="\\*_$[]`#<>!|~()abc \n")))
def test_store_text_in_markdown_has_every_markup_character_escaped(text):
    """What plain() gives markdown reads back as the text itself, and no markup character in it is left bare."""
    import re

    from dashboard_ui.text import plain

    shown = plain(text)
    assert re.sub(r"\\(.)", r"\1", shown, flags=re.DOTALL) == text
    assert not re.search(r"(?<!\\)(?:\\\\)*[*_$\[\]`#<>!|~]", shown), shown


SETTING_VALUES = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**12))


@SETTINGS
@given(values=st.dictionaries(st.sampled_from([setting.key for setting in OBJECTIVE_SETTINGS]), SETTING_VALUES))
def test_any_objective_settings_are_saved_whole_or_refused_by_field(shared_engine, values):
    from dashboard import objectives

    before = dump(shared_engine)
    try:
        objectives.save_settings(shared_engine, EDITOR, values)
    except objectives.InvalidSetting as refused:
        assert refused.problems and all(label and text for label, text in refused.problems)
        assert dump(shared_engine) == before, "refused settings wrote something"
        return
    saved = objectives.settings(shared_engine)
    for key, value in values.items():
        assert saved[key] == (None if value is None else float(value)), (key, value, saved[key])
    assert all(value is None or math.isfinite(value) for value in saved.values())


@SETTINGS
@given(account=st.one_of(st.emails(), SPECIAL, st.text(max_size=80)), role=st.sampled_from(list(Role)))
def test_any_account_in_the_access_form_is_granted_as_typed_or_refused(shared_engine, account, role):
    from dashboard import access
    from dashboard.roles import AccessDenied

    admin = Actor("admin@herts.gov.uk", "app", Role.ADMIN)
    before = dump(shared_engine)
    try:
        access.grant_role(shared_engine, admin, account, role)
    except (ValueError, AccessDenied) as refused:
        assert str(refused)
        assert dump(shared_engine) == before, "a refused grant wrote something"
        return
    assert access.account_grants(shared_engine, account) == [(None, role.label)]
