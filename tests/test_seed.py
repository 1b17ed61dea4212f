"""The seeded store: the facts of decision record B147/24, everything else marked illustrative, loaded only once."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import provenance
from dashboard.bootstrap import ensure_store
from dashboard.models import AuditEntry, Decision, District, Milestone, Phase, Property, Strategy
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


def test_a_phase_2_propertys_phase_and_district_are_facts_and_the_rest_illustrative(shared_engine):
    """The record gives Phase 2's properties by district, nothing else about them: not their beds, dates (it was signed
    on 14 August 2025; the seed has them procured from 2023), provision, specialism, costs or notes."""
    with Session(shared_engine) as session:
        texts = {prop.reference: prop.provenance for prop in phase_2_properties(session)}
    assert len(texts) == 10
    for reference, text in texts.items():
        kinds = provenance.parse(text).kinds(provenance.PROPERTY_FIELDS)
        facts = {field for field, kind in kinds.items() if kind == provenance.FACT}
        assert facts == {"phase", "district"}, reference
        assert {kinds[field] for field in kinds.keys() - facts} == {provenance.ILLUSTRATIVE}, reference
        for name in (
            "Planned beds",
            "Registered beds",
            "dates",
            "Completion actual",
            "Specialism",
            "Provision model",
            "Notes",
            "costs",
            "Councillors informed",
            "Reference",
        ):
            assert provenance.source_of(text, name) == provenance.ILLUSTRATIVE, (reference, name)


def test_other_properties_are_illustrative_in_every_field(shared_engine):
    with Session(shared_engine) as session:
        texts = session.scalars(select(Property.provenance).join(Phase).where(Phase.name != "Phase 2")).all()
    assert len(texts) == 11
    assert {provenance.label(text) for text in texts} == {"Illustrative"}


def test_the_decisions_significance_and_controversial_are_inferred_the_rest_facts(shared_engine):
    """The record never states the significance or whether it is controversial, though the consultation rule is read
    from them: they are inferred (from whom it says was consulted)."""
    with Session(shared_engine) as session:
        text = session.scalar(select(Decision.provenance).where(Decision.reference == "B147/24"))
    kinds = provenance.parse(text).kinds(provenance.DECISION_FIELDS)
    assert {field for field, kind in kinds.items() if kind == provenance.INFERRED} == {"significance", "controversial"}
    assert {field for field, kind in kinds.items() if kind == provenance.FACT} == {
        "reference",
        "title",
        "decision_type",
        "key_decision",
        "decided_on",
        "executive_member",
        "portfolio",
    }


def test_phase_2s_start_is_inferred_not_a_fact_of_the_record(shared_engine):
    """The record's only "April 2020" is unlabelled (most likely its form's version date)."""
    with Session(shared_engine) as session:
        texts = dict(session.execute(select(Phase.name, Phase.provenance)).all())
    phase_2 = provenance.parse(texts["Phase 2"])
    assert phase_2.of("Starts") == provenance.INFERRED
    assert phase_2.of("Planned end") == provenance.ILLUSTRATIVE
    assert (phase_2.of("Name"), phase_2.of("Decision reference")) == (provenance.FACT, provenance.FACT)
    for name in ("Phase 1", "Phase 3"):
        assert provenance.source_of(texts[name], "dates") == provenance.ILLUSTRATIVE


def test_every_seed_provenance_is_in_the_written_format_and_covers_every_field(shared_engine):
    with Session(shared_engine) as session:
        rows = [
            *((text, provenance.DECISION_FIELDS) for text in session.scalars(select(Decision.provenance))),
            *((text, provenance.PHASE_FIELDS) for text in session.scalars(select(Phase.provenance))),
            *((text, provenance.PROPERTY_FIELDS) for text in session.scalars(select(Property.provenance))),
        ]
    for text, fields in rows:
        assert provenance.problems(text) == [], text
        assert provenance.UNSTATED not in provenance.parse(text).kinds(fields).values(), text
        assert len(text) <= 200, text  # the column's width


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
