"""The seeded store: the facts of decision record B147/24, everything else marked illustrative, loaded only once."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.models import AuditEntry, Decision, District, Milestone, Phase, Property, Strategy
from dashboard.store import ensure_store
from tests.conftest import dump

DECISION_SIGNED = date(2025, 8, 14)
PHASE_2_DISTRICTS = {
    "East Hertfordshire": 2,
    "North Hertfordshire": 4,
    "Dacorum": 2,
    "Hertsmere": 1,
    "Welwyn Hatfield": 1,
}
HERTFORDSHIRE_DISTRICTS = {
    "E07000095": "Broxbourne",
    "E07000096": "Dacorum",
    "E07000242": "East Hertfordshire",
    "E07000098": "Hertsmere",
    "E07000099": "North Hertfordshire",
    "E07000240": "St Albans",
    "E07000243": "Stevenage",
    "E07000102": "Three Rivers",
    "E07000103": "Watford",
    "E07000241": "Welwyn Hatfield",
}


def phase_2_properties(session: Session) -> list[Property]:
    return list(session.scalars(select(Property).join(Phase).where(Phase.name == "Phase 2")))


def completion_actual(prop: Property) -> date | None:
    return next((m.actual_on for m in prop.milestones if m.stage_key == "completion"), None)


def test_decision_b147_24_is_seeded_as_recorded(shared_engine):
    with Session(shared_engine) as session:
        decision = session.scalar(select(Decision).where(Decision.reference == "B147/24"))
    assert decision is not None
    assert decision.decision_type == "Executive"
    assert decision.key_decision is True
    assert decision.decided_on == DECISION_SIGNED
    assert decision.executive_member == "Anthony Rowlands"
    assert decision.portfolio == "Children's Social Care"


def test_strategy_targets_70_beds_on_the_decision_records_authority(shared_engine):
    with Session(shared_engine) as session:
        strategy = session.scalar(select(Strategy))
    assert strategy.bed_target == 70
    assert "B147/24" in strategy.provenance


def test_phase_2_has_the_ten_properties_of_the_decision_record(shared_engine):
    with Session(shared_engine) as session:
        properties = phase_2_properties(session)
        by_district = Counter(prop.district.name for prop in properties)
        phase = session.scalar(select(Phase).where(Phase.name == "Phase 2"))
        phase_decision = phase.decision.reference

    assert len(properties) == 10
    assert by_district == PHASE_2_DISTRICTS
    assert phase_decision == "B147/24"


def test_every_phase_2_property_was_procured_by_the_decision_date(shared_engine):
    with Session(shared_engine) as session:
        completions = {prop.reference: completion_actual(prop) for prop in phase_2_properties(session)}
    assert len(completions) == 10
    not_procured = {ref: when for ref, when in completions.items() if when is None or when > DECISION_SIGNED}
    assert not_procured == {}


def test_every_seeded_row_says_where_it_came_from(shared_engine):
    with Session(shared_engine) as session:
        rows = [*session.scalars(select(Decision)), *session.scalars(select(Phase)), *session.scalars(select(Property))]
    assert len(rows) == 1 + 3 + 21
    unsourced = [
        (type(row).__name__, row.provenance)
        for row in rows
        if not ("decision record" in row.provenance or "illustrative" in row.provenance)
    ]
    assert unsourced == []


def test_only_decision_record_facts_claim_the_decision_record(shared_engine):
    """Rows outside Phase 2 are not facts of B147/24: they must say they are illustrative."""
    with Session(shared_engine) as session:
        others = session.scalars(select(Property).join(Phase).where(Phase.name != "Phase 2")).all()
        assert others
        assert all(prop.provenance == "illustrative" for prop in others)


def test_the_ten_districts_exist_with_their_ons_codes(shared_engine):
    with Session(shared_engine) as session:
        districts = {district.ons_code: district.name for district in session.scalars(select(District))}
    assert districts == HERTFORDSHIRE_DISTRICTS


def test_seed_is_written_to_the_audit_log_as_the_seed(shared_engine):
    with Session(shared_engine) as session:
        entries = session.scalars(select(AuditEntry)).all()
        milestones = session.scalars(select(Milestone)).all()
    assert {(entry.source, entry.action) for entry in entries} == {("seed", "create")}
    assert sum(entry.entity == "milestone" for entry in entries) == len(milestones)


def test_ensure_store_on_an_existing_store_changes_nothing(engine):
    before = dump(engine)

    status = ensure_store(engine)

    assert (status.created, status.seeded) == (False, False)
    assert dump(engine) == before


def test_ensure_store_without_seed_leaves_the_programme_empty(empty_engine):
    with Session(empty_engine) as session:
        assert session.scalars(select(Property)).all() == []
        assert session.scalar(select(Strategy)).bed_target == 70
