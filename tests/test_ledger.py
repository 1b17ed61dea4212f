"""One bed ledger and a true "as at": the seed's headline reconciles, every figure adds up over generated programmes
(hypothesis), a past view is the programme as it was recorded then, and an existing store's record is rebuilt from
its audit log."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from dashboard import editing, headline, metrics, queries
from dashboard.db import _alembic_config, upgrade_to_head
from dashboard.queries import Filters
from dashboard.roles import SYSTEM, Actor, Role
from dashboard.stages import STAGE_POSITION, STAGES
from tests.conftest import SEED_TODAY, examples
from tests.test_editing import edited

ALICE = Actor("alice@herts.gov.uk", "app", Role.EDITOR)
TARGET = 70


def _status(engine, as_at: date = SEED_TODAY, today: date = SEED_TODAY, **narrow) -> pd.DataFrame:
    return queries.property_status(engine, SYSTEM, Filters(as_at=as_at, **narrow), today)


# ---------------------------------------------------------------- the seed


def test_the_seed_headline_reconciles(engine):
    status = _status(engine)
    totals = metrics.bed_totals(status, TARGET)
    # RS-P2-03 was planned for 4 beds and registered for 3: it counts 3 at every level once registered.
    assert (totals.secured, totals.pipeline, totals.still_to_find) == (57, 9, 4)
    assert totals.secured + totals.pipeline + totals.still_to_find == TARGET
    said = headline.outlook(totals, metrics.target_forecast(status, totals, SEED_TODAY), SEED_TODAY)
    assert said.headline == "4 beds short of 70." and "would give 66 beds" in said.detail
    by_district = metrics.by_district(status, queries.districts(engine), TARGET)
    assert by_district["secured"].sum() == 57
    assert by_district.set_index("name").loc["North Hertfordshire", "secured"] == 3 + 3 + 2 + 4


def test_registered_places_count_only_from_the_registration_date(engine):
    # RS-P2-03 was registered on 01/01/2026 for 3 places: as at 01/01/2025 it still counts its 4 planned beds.
    before = metrics.ledger(_status(engine, as_at=date(2025, 1, 1))).set_index("reference")
    assert before.loc["RS-P2-03", "beds"] == 4
    after = metrics.ledger(_status(engine, as_at=date(2026, 1, 1))).set_index("reference")
    assert after.loc["RS-P2-03", "beds"] == 3


# ---------------------------------------------------------------- as recorded


def _backdate_records(engine, to: datetime) -> None:
    """As if the seed had been on record since `to`."""
    with engine.begin() as connection:
        connection.execute(text("UPDATE property_record SET recorded_at = :at"), {"at": to})
        connection.execute(text("UPDATE milestone_record SET recorded_at = :at"), {"at": to})


def test_a_past_view_is_not_changed_by_todays_edit(engine):
    _backdate_records(engine, datetime(2023, 6, 1))
    past = date(2024, 1, 1)
    before = _status(engine, as_at=past)
    draft = editing.open_property(engine, "RS-P1-01")
    replanned = {"planned_beds": 5, "planned.opened": date(2027, 1, 1)}
    editing.save_property(engine, ALICE, draft, edited(draft, **replanned), SEED_TODAY)

    now = _status(engine).set_index("reference")
    assert now.loc["RS-P1-01", "planned_beds"] == 5
    assert now.loc["RS-P1-01", "open_planned_on"] == pd.Timestamp("2027-01-01")
    then = _status(engine, as_at=past)
    pd.testing.assert_frame_equal(then.drop(columns="version"), before.drop(columns="version"))
    assert metrics.bed_totals(then, TARGET) == metrics.bed_totals(before, TARGET)
    # The stages' planned dates are read as they were recorded then too.
    then_stages = queries.milestones(engine, SYSTEM, Filters(as_at=past), ("RS-P1-01",), today=SEED_TODAY)
    assert then_stages.set_index("stage").loc["opened", "planned_on"] == pd.Timestamp("2020-11-07")


def test_a_past_view_reads_the_record_made_by_the_end_of_that_day(engine):
    _backdate_records(engine, datetime(2023, 6, 1))
    draft = editing.open_property(engine, "RS-P1-02")
    editing.save_property(engine, ALICE, draft, edited(draft, planned_beds=4), SEED_TODAY)
    with engine.begin() as connection:  # as if the edit was made at 10:00 on 1 March 2025
        connection.execute(
            text("UPDATE property_record SET recorded_at = :at WHERE recorded_at > :old"),
            {"at": datetime(2025, 3, 1, 10), "old": datetime(2023, 6, 1)},
        )
    beds_on = {
        day: _status(engine, as_at=day).set_index("reference").loc["RS-P1-02", "planned_beds"]
        for day in (date(2025, 2, 28), date(2025, 3, 1))
    }
    assert beds_on == {date(2025, 2, 28): 3, date(2025, 3, 1): 4}


def test_a_property_first_recorded_later_is_shown_as_first_recorded_and_flagged(engine):
    # The seed was loaded after 2022: its properties are shown as first recorded, and say so.
    then = _status(engine, as_at=date(2022, 1, 1))
    assert len(then) and then["recorded_later"].all()
    assert not _status(engine)["recorded_later"].any()
    _backdate_records(engine, datetime(2019, 1, 1))
    assert not _status(engine, as_at=date(2022, 1, 1))["recorded_later"].any()


def test_a_property_on_record_but_not_started_counts_in_the_pipeline_then(engine):
    _backdate_records(engine, datetime(2019, 1, 1))
    # RS-P3-02 was identified on 12/10/2026: on record since 2019, it is in the programme before then, not started.
    row = _status(engine, as_at=date(2026, 1, 1)).set_index("reference").loc["RS-P3-02"]
    assert row["reached_position"] == 0
    with engine.begin() as connection:
        connection.execute(text("UPDATE property_record SET recorded_at = :at"), {"at": datetime(2026, 6, 1)})
    assert "RS-P3-02" not in _status(engine, as_at=date(2026, 1, 1))["reference"].tolist()


def test_the_migration_rebuilds_the_record_from_the_audit_log(engine):
    draft = editing.open_property(engine, "RS-P1-01")
    editing.save_property(engine, ALICE, draft, edited(draft, planned_beds=5, specialism="Therapeutic"), SEED_TODAY)
    with engine.begin() as connection:  # as if the seed was loaded in 2020 and the edit made in June 2025
        for at, which in ((datetime(2020, 1, 1), "!="), (datetime(2025, 6, 1), "=")):
            sql = f'UPDATE audit_log SET at = :at WHERE "user" {which} :alice'
            connection.execute(text(sql), {"at": at, "alice": ALICE.user})
    command.downgrade(_alembic_config(engine), "0012")  # before councils were data (0013), as a migration undoes it
    with engine.begin() as connection:  # the store as it stood before migration 0007
        connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
        connection.execute(text("DROP TABLE property_record"))
        connection.execute(text("DROP TABLE milestone_record"))
        connection.execute(text("DROP TABLE briefing_pack"))
        connection.execute(text("ALTER TABLE property DROP COLUMN status_note"))  # 0009's
        for undone in (  # 0010's
            "DROP TABLE objective_measure",
            "DROP TABLE ofsted_home",
            "DROP INDEX ix_property_ofsted_urn",
            "ALTER TABLE property DROP COLUMN ofsted_urn",
            "ALTER TABLE objective_setting DROP COLUMN source",
            "DROP TABLE postcode_district",
            "CREATE TABLE postcode_district (outward_code VARCHAR(4) NOT NULL, local_authority VARCHAR(100) NOT NULL, "
            "CONSTRAINT pk_postcode_district PRIMARY KEY (outward_code))",
            # 0011's
            "DROP TABLE forecast_point",
            "DROP TABLE forecast_run",
            "DROP TABLE forecast_scenario",
            "DROP TABLE forecast_backtest",
            "DROP TABLE forecast_basis",
            "DROP TABLE sign_in",  # 0012's
        ):
            connection.execute(text(undone))
    upgrade_to_head(engine)
    rows = {
        day: _status(engine, as_at=day).set_index("reference").loc["RS-P1-01"]
        for day in (date(2025, 1, 1), date(2025, 7, 1))
    }
    january = rows[date(2025, 1, 1)]
    assert (january["planned_beds"], january["specialism"]) == (4, "Long-term, ages 8 to 17")
    assert (rows[date(2025, 7, 1)]["planned_beds"], rows[date(2025, 7, 1)]["specialism"]) == (5, "Therapeutic")
    assert not rows[date(2025, 1, 1)]["recorded_later"]


# ---------------------------------------------------------------- generated programmes


LEVEL_STAGE_KEYS = {"secured": "completion", "registered": "ofsted_registration", "open": "opened"}
AS_AT = date(2026, 6, 30)


@st.composite
def programmes(draw) -> pd.DataFrame:
    """Status rows as property_status returns them: each property some way along its stages, dated in order."""
    rows = []
    for number in range(draw(st.integers(0, 25))):
        reached = draw(st.integers(0, len(STAGES)))
        start = date(2019, 1, 1) + timedelta(days=draw(st.integers(0, 2000)))
        gaps = draw(st.lists(st.integers(1, 120), min_size=len(STAGES), max_size=len(STAGES)))
        slip = draw(st.lists(st.integers(0, 90), min_size=len(STAGES), max_size=len(STAGES)))
        planned, actual = {}, {}
        day = plan_day = start
        for position, (stage, gap, late) in enumerate(zip(STAGES, gaps, slip, strict=True), start=1):
            plan_day += timedelta(days=gap)
            day += timedelta(days=gap + late)
            planned[stage.key] = plan_day
            if position <= reached:
                actual[stage.key] = min(day, AS_AT)
        next_stage = STAGES[reached] if reached < len(STAGES) else None
        planned_beds = draw(st.integers(1, 12))
        row = {
            "reference": f"P{number:03d}",
            "phase": draw(st.sampled_from(["Phase 1", "Phase 2"])),
            "district": "D",
            "district_code": draw(st.sampled_from(["E07000095", "E07000096", "E07000099"])),
            "planned_beds": planned_beds,
            "registered_beds": draw(st.one_of(st.none(), st.integers(1, 12))),
            "reached_position": reached,
            "next_stage": next_stage.key if next_stage else None,
            "next_planned_on": planned[next_stage.key] if next_stage else None,
            "started_on": actual.get("identified"),
            "provenance": "test",
            "councillors_informed_on": None,
        }
        for level, key in LEVEL_STAGE_KEYS.items():
            row[f"{level}_planned_on"] = planned[key]
            reached_level = [actual[s.key] for s in STAGES[STAGE_POSITION[key] - 1 :] if s.key in actual]
            row[f"{level}_actual_on"] = min(reached_level) if reached_level else None
        rows.append(row)
    columns = [
        "reference",
        "phase",
        "district",
        "district_code",
        "planned_beds",
        "registered_beds",
        "reached_position",
        "next_stage",
        "next_planned_on",
        "started_on",
        "provenance",
        "councillors_informed_on",
        *(f"{lv}_{k}_on" for lv in LEVEL_STAGE_KEYS for k in ("planned", "actual")),
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["registered_beds"] = frame["registered_beds"].astype("Int64")
    frame["reached_position"] = frame["reached_position"].astype(int)
    for column in frame.columns:
        if column.endswith("_on"):
            frame[column] = pd.to_datetime(frame[column])
    return frame


DISTRICTS = pd.DataFrame(
    {
        "ons_code": ["E07000095", "E07000096", "E07000099"],
        "name": ["A", "B", "C"],
        "short_name": [None] * 3,
        "tile_x": [0.0] * 3,
        "tile_row": [0] * 3,
    }
)


@pytest.mark.slow  # a minute of CPU (150 programmes): .ci/run runs it, `python -m pytest -m slow` on request
@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(status=programmes(), target=st.integers(1, 120))
def test_every_figure_reconciles_over_generated_programmes(status, target):
    totals = metrics.bed_totals(status, target)
    assert 0 <= totals.open <= totals.registered <= totals.secured
    if totals.in_programme < target:
        assert totals.secured + totals.pipeline + totals.still_to_find == target
    else:
        assert totals.still_to_find == 0
    forecast = metrics.target_forecast(status, totals, AS_AT)
    assert forecast.shortfall == totals.still_to_find and forecast.in_programme == totals.in_programme
    said = headline.outlook(totals, forecast, AS_AT)
    if totals.still_to_find and totals.open < target:
        assert said.headline == f"{totals.still_to_find} beds short of {target}."
    # The districts, the stages and the progress lines add up to the same ledger.
    districts = metrics.by_district(status, DISTRICTS, target)
    for level in ("pipeline", "secured", "registered", "open"):
        assert districts[level].sum() == getattr(totals, level)
    assert metrics.properties_by_stage(status)["beds"].sum() == totals.in_programme
    series = metrics.cumulative_beds(status, AS_AT)
    for level in metrics.PROGRESS_LEVELS:
        actual = series[(series["level"] == level) & (series["basis"] == "actual")]
        assert actual["beds"].iloc[-1] == getattr(totals, level)
    # One definition of late: the late list is the properties the ledger calls late, and no open home is late.
    late = metrics.lateness(status, AS_AT)
    assert set(metrics.slippage(status, AS_AT)["reference"]) == set(late.loc[late["days_late"] > 0, "reference"])
    assert (late.loc[status["open_actual_on"].notna(), "days_late"] == 0).all()


@settings(max_examples=examples(60), deadline=None, derandomize=True, database=None)
@given(status=programmes(), target=st.integers(1, 120), keep=st.sets(st.sampled_from(["E07000095", "E07000096"])))
def test_a_part_is_measured_against_its_own_beds(status, target, keep):
    part = status[status["district_code"].isin(keep)]
    totals = metrics.bed_totals(part, target, part=True)
    assert totals.goal == totals.in_programme and totals.still_to_find == 0
    said = headline.outlook(totals, metrics.target_forecast(part, totals, AS_AT), AS_AT)
    assert "short" not in said.headline
    assert headline.title(totals, "Somewhere") == f"Somewhere: {totals.open} of {totals.goal} planned beds open"
