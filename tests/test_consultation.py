"""Who must be informed or consulted (the decision record's summary, cell by cell), the decisions register query, and
the procured properties with no record of councillors informed."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from dashboard import metrics, queries, tables
from dashboard.consultation import (
    RULES,
    SIGNIFICANCES,
    Requirement,
    headline,
    uninformed_warning,
    who_to_involve,
    with_requirements,
)
from dashboard.roles import SYSTEM
from tests.conftest import REPO_ROOT, SEED_TODAY, write_csv

DECISION_RECORD = REPO_ROOT.parent / "shared" / "seed" / "officer-decision-record-B147-24.md"
ROUTINE, LOCAL, GENERAL = "Technical/Professional/Routine", "Local", "General or County-wide"
LEAD, LEADS, LOCAL_CLLR = "Lead Executive Member", "Lead Executive Member(s)", "Local Councillor"
CHAIRMAN, LEADER = "relevant Committee Chairman", "Leader of the Council"
GROUP_LEADERS = "Leaders of all Political Groups"

# The record's "Summary of Requirements to Inform/Consult Councillors": (significance, controversial, executive
# function) -> (action, who, who only where appropriate, sentence). Written out by hand from the record.
EXPECTED = [
    (ROUTINE, False, True, "none", (), (), "No need to inform or consult councillors"),
    (ROUTINE, False, False, "none", (), (), "No need to inform or consult councillors"),
    (
        ROUTINE,
        True,
        True,
        "consult",
        (LEAD,),
        (LOCAL_CLLR,),
        "Consult the relevant Lead Executive Member and, where appropriate, the Local Councillor",
    ),
    (
        ROUTINE,
        True,
        False,
        "consult",
        (CHAIRMAN,),
        (LOCAL_CLLR,),
        "Consult the relevant Committee Chairman and, where appropriate, the Local Councillor",
    ),
    (LOCAL, False, True, "inform", (LEAD, LOCAL_CLLR), (), "Inform the Lead Executive Member and the Local Councillor"),
    (LOCAL, False, False, "inform", (LOCAL_CLLR,), (), "Inform the Local Councillor"),
    (
        LOCAL,
        True,
        True,
        "consult",
        (LEAD, LOCAL_CLLR),
        (),
        "Consult the Lead Executive Member and the Local Councillor",
    ),
    (LOCAL, True, False, "consult", (LOCAL_CLLR,), (), "Consult the Local Councillor"),
    (GENERAL, False, True, "consult", (LEADS,), (), "Consult the relevant Lead Executive Member(s)"),
    (GENERAL, False, False, "consult", (CHAIRMAN,), (), "Consult the relevant Committee Chairman"),
    (
        GENERAL,
        True,
        True,
        "consult",
        (LEADS, LEADER),
        (),
        "Consult the relevant Lead Executive Member(s) and the Leader of the Council",
    ),
    (
        GENERAL,
        True,
        False,
        "consult",
        (CHAIRMAN, GROUP_LEADERS),
        (),
        "Consult the relevant Committee Chairman/Leaders of all Political Groups",
    ),
]


@pytest.mark.parametrize(
    ("significance", "controversial", "executive", "action", "who", "where_appropriate", "sentence"), EXPECTED
)
def test_each_cell_of_the_records_summary(
    significance, controversial, executive, action, who, where_appropriate, sentence
):
    assert who_to_involve(significance, controversial, executive) == Requirement(
        action, who, sentence, where_appropriate
    )


def test_the_table_has_exactly_the_twelve_cells():
    cells = {(s, c, e) for s in SIGNIFICANCES for c in (False, True) for e in (False, True)}
    assert set(RULES) == cells and len(EXPECTED) == 12
    assert {(s, c, e) for s, c, e, *_ in EXPECTED} == cells


def _record_summary() -> dict[tuple[str, bool, bool], str]:
    """The summary table as the record writes it: (significance, controversial, executive) -> its words."""
    record = DECISION_RECORD.read_text(encoding="utf-8")
    text = record.split("## Summary of Requirements to Inform/Consult Councillors")[1]
    cells = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[1] not in ("Yes", "No"):
            continue
        significance = parts[0].replace("/ ", "/")
        words = re.sub(r"</?b>", "", parts[2])
        executive, _, non_executive = words.partition("Non-Executive Functions:")
        for is_executive, cell in ((True, executive.removeprefix("Executive Functions:")), (False, non_executive)):
            cells[(significance, parts[1] == "Yes", is_executive)] = (cell or executive).strip()
    return cells


def _words(text: str) -> list[str]:
    """Wording compared without articles, spacing or case; the column is headed "to be Consulted", so a cell
    without a verb means consult."""
    text = text.lower().replace(" (s)", "(s)").replace("/", " / ")
    words = [word for word in re.findall(r"[\w(),/]+", text) if word not in ("the", "of")]
    return words if words[0] in ("consult", "inform", "no") else ["consult", *words]


def test_the_sentences_keep_the_records_words():
    record = _record_summary()
    assert len(record) == 12
    for cell, requirement in RULES.items():
        assert _words(requirement.sentence) == _words(record[cell]), cell


def test_the_action_matches_the_records_verb():
    for cell, wording in _record_summary().items():
        expected = "none" if wording.startswith("No need") else "inform" if wording.startswith("Inform") else "consult"
        assert RULES[cell].action == expected, cell


@pytest.mark.parametrize(
    ("significance", "controversial", "missing"),
    [
        (None, False, "record its significance"),
        (LOCAL, None, "record whether it is controversial"),
        (None, None, "record its significance and whether it is controversial"),
        (float("nan"), pd.NA, "record its significance and whether it is controversial"),
    ],
)
def test_unknown_significance_or_controversial_cannot_be_read(significance, controversial, missing):
    requirement = who_to_involve(significance, controversial, executive=True)
    assert requirement.action == "unknown" and not requirement.known and requirement.who == ()
    assert requirement.sentence == f"Not enough recorded to say: {missing}"


def test_a_significance_outside_the_record_is_refused():
    with pytest.raises(ValueError, match="not one of"):
        who_to_involve("Regional", False, True)


def test_requirements_for_a_frame_of_decisions():
    frame = pd.DataFrame(
        {
            "significance": [GENERAL, LOCAL, None],
            "controversial": [False, True, False],
            "decision_type": ["Executive", "Non-executive", "Executive"],
        }
    )
    found = with_requirements(frame)
    assert found["consultation_action"].tolist() == ["consult", "consult", "unknown"]
    assert found["consultation"].tolist()[:2] == [
        "Consult the relevant Lead Executive Member(s)",
        "Consult the Local Councillor",
    ]


def test_headline():
    assert headline(1, 18, 2) == "1 decision; 2 procured properties with no record of councillors informed"
    assert headline(3, 18, 1) == "3 decisions; 1 procured property with no record of councillors informed"
    assert headline(1, 18, 0) == "1 decision; councillors informed of every procured property"
    assert headline(0, 0, 0) == "0 decisions; no property procured yet"


def test_the_warning_names_the_properties_and_no_more_than_ten():
    assert uninformed_warning(["RS-P2-04", "RS-P2-08"]).startswith(
        "**2 procured properties with no record of councillors informed:** RS-P2-04, RS-P2-08. "
    )
    many = uninformed_warning([f"P{n:03d}" for n in range(1, 26)])
    assert "P001, P002, P003, P004, P005, P006, P007, P008, P009, P010 and 15 more." in many and "P011" not in many


# ---------------------------------------------------------------- the decisions register (queries.decisions)

PHASE_2_PROPERTIES = "; ".join(f"RS-P2-{number:02d}" for number in range(1, 11))


def test_b147_24_is_listed_with_phase_2_and_its_ten_properties(shared_engine):
    frame = queries.decisions(shared_engine, SYSTEM)
    assert frame["reference"].tolist() == ["B147/24"]
    row = frame.iloc[0]
    assert row["decision_type"] == "Executive" and bool(row["key_decision"]) is True
    assert row["decided_on"] == pd.Timestamp("2025-08-14")
    assert (row["executive_member"], row["portfolio"]) == ("Anthony Rowlands", "Children's Social Care")
    assert (row["significance"], bool(row["controversial"])) == (GENERAL, False)
    assert "B147/24" in row["provenance"]
    assert (row["phases"], row["properties"], row["property_references"]) == ("Phase 2", 10, PHASE_2_PROPERTIES)


INFERRED_NOTE = " (inferred: its significance and whether it is controversial are not stated in its source)"


def test_the_register_table_shows_the_requirement(shared_engine):
    register = tables.decisions_table(queries.decisions(shared_engine, SYSTEM))
    row = register.iloc[0]
    # An executive function, general or county-wide, not controversial: the record says consult the Lead Member. The
    # record states neither the significance nor whether it is controversial: the seed infers them, and says so.
    assert row["Councillors to inform or consult"] == "Consult the relevant Lead Executive Member(s)" + INFERRED_NOTE
    assert (row["Significance"], row["Controversial"]) == ("General or County-wide (inferred)", "No (inferred)")
    assert (row["Key decision"], row["Type"], row["Date"]) == ("Yes", "Executive", date(2025, 8, 14))


def test_a_requirement_read_from_inferred_values_says_so_and_only_then():
    stated = "decision record X1/25"
    frame = pd.DataFrame(
        {
            "significance": [GENERAL, LOCAL, LOCAL, None],
            "controversial": [False, True, False, None],
            "decision_type": ["Executive", "Executive", "Non-executive", "Executive"],
            "provenance": [
                f"{stated}: reference, title; inferred: significance, controversial",
                stated,
                f"{stated}; inferred from the minutes: significance",
                "inferred: significance, controversial",
            ],
        }
    )
    found = with_requirements(frame)
    assert found["consultation"].tolist() == [
        "Consult the relevant Lead Executive Member(s)" + INFERRED_NOTE,
        "Consult the Lead Executive Member and the Local Councillor",
        "Inform the Local Councillor (inferred: its significance is not stated in its source)",
        # Nothing recorded: nothing was read, so nothing is marked.
        "Not enough recorded to say: record its significance and whether it is controversial",
    ]
    assert found["inferred"].tolist() == [("significance", "controversial"), (), ("significance",), ()]
    # The old free text the first seed wrote reads the same way.
    old = with_requirements(
        frame.assign(
            provenance="decision record B147/24 (significance and controversial inferred from its consultation section)"
        )
    )
    assert old["consultation"].iloc[0] == "Consult the relevant Lead Executive Member(s)" + INFERRED_NOTE


def test_decisions_fold_several_phases_and_none(engine, tmp_path):
    from dashboard.importing import import_path
    from dashboard.layout import DECISIONS, PHASES
    from dashboard.roles import Actor, Role

    folder = tmp_path / "import"
    folder.mkdir()
    write_csv(
        folder / "decisions.csv",
        [
            {
                "Reference": "A1/19",
                "Title": "Phases 1 and 3",
                "Type": "Executive",
                "Key decision": "no",
                "Date": "2019-03-01",
                "Significance": "Local",
            },
            {
                "Reference": "Z9/26",
                "Title": "Nothing yet",
                "Type": "Non-executive",
                "Key decision": "no",
                "Date": "2026-01-01",
            },
        ],
        headers=DECISIONS.headers,
    )
    write_csv(
        folder / "phases.csv",
        [
            {"Name": "Phase 1", "Starts": "2019-04-01", "Decision reference": "A1/19"},
            {"Name": "Phase 3", "Starts": "2025-09-01", "Decision reference": "A1/19"},
        ],
        headers=PHASES.headers,
    )
    report = import_path(engine, folder, Actor("analyst", "test", Role.EDITOR))
    assert report.ok, report.summary()

    frame = queries.decisions(engine, SYSTEM).set_index("reference")
    assert frame.index.tolist() == ["A1/19", "B147/24", "Z9/26"]  # by date
    assert frame.loc["A1/19", "phases"] == "Phase 1; Phase 3"
    assert frame.loc["A1/19", "properties"] == 8 + 3
    assert frame.loc["A1/19", "property_references"].split("; ") == [
        *(f"RS-P1-{n:02d}" for n in range(1, 9)),
        "RS-P3-01",
        "RS-P3-02",
        "RS-P3-03",
    ]
    assert (frame.loc["Z9/26", "phases"], frame.loc["Z9/26", "properties"]) == ("", 0)
    register = tables.decisions_table(frame.reset_index()).set_index("Reference")
    assert register.loc["A1/19", "Controversial"] == "Not recorded"
    assert register.loc["A1/19", "Councillors to inform or consult"].startswith("Not enough recorded to say")
    assert register.loc["Z9/26", "Significance"] == "Not recorded"


def test_no_decisions_in_an_empty_store(empty_engine):
    frame = queries.decisions(empty_engine, SYSTEM)
    assert frame.empty and {"reference", "phases", "properties", "property_references"} <= set(frame.columns)
    assert tables.decisions_table(frame).empty


# ---------------------------------------------------------------- councillors informed (metrics)


def _status(as_at: date, engine) -> pd.DataFrame:
    return queries.property_status(engine, SYSTEM, queries.Filters(as_at=as_at), SEED_TODAY)


def test_uninformed_as_at_today_are_rs_p2_04_and_rs_p2_08(shared_engine):
    uninformed = metrics.uninformed(_status(SEED_TODAY, shared_engine), SEED_TODAY)
    assert uninformed["reference"].tolist() == ["RS-P2-04", "RS-P2-08"]  # the seed's "Councillors informed" blanks
    assert uninformed["district"].tolist() == ["North Hertfordshire", "Dacorum"]
    assert uninformed["phase"].tolist() == ["Phase 2", "Phase 2"]
    assert uninformed["procured_on"].tolist() == [pd.Timestamp("2024-06-23"), pd.Timestamp("2025-07-05")]
    assert uninformed["days_since_procured"].tolist() == [
        (SEED_TODAY - date(2024, 6, 23)).days,
        (SEED_TODAY - date(2025, 7, 5)).days,
    ]


def test_not_listed_before_they_were_procured(shared_engine):
    before = date(2024, 6, 1)  # RS-P2-04 completed on 23 June 2024, RS-P2-08 on 5 July 2025
    assert metrics.uninformed(_status(before, shared_engine), before).empty


def test_an_informing_after_as_at_had_not_happened_then(shared_engine):
    as_at = date(2025, 1, 1)  # RS-P2-09 was procured on 22 December 2024, its councillors informed on 5 January 2025
    uninformed = metrics.uninformed(_status(as_at, shared_engine), as_at)
    assert uninformed["reference"].tolist() == ["RS-P2-04", "RS-P2-09"]


def test_councillors_informed_lists_every_procured_property(shared_engine):
    status = _status(SEED_TODAY, shared_engine)
    informed = metrics.councillors_informed(status, SEED_TODAY)
    assert len(informed) == status["secured_actual_on"].notna().sum() == 18
    assert informed["reference"].tolist()[:2] == ["RS-P2-04", "RS-P2-08"]  # no record first
    row = informed.set_index("reference").loc["RS-P2-01"]
    assert row["informed_on"] == pd.Timestamp("2023-06-27") and row["days_to_inform"] == 21
    table = tables.councillors_table(informed)
    assert table.loc[table["Councillors informed"] == "Not recorded", "Property"].tolist() == ["RS-P2-04", "RS-P2-08"]
    assert table["Date informed"].iloc[:2].isna().all()


def test_councillors_informed_on_a_small_frame():
    status = pd.DataFrame(
        {
            "reference": ["A", "B", "C", "D"],
            "district": ["Dacorum"] * 4,
            "phase": ["Phase 1"] * 4,
            "secured_actual_on": pd.to_datetime(["2025-01-01", "2025-06-01", None, "2025-03-01"]),
            "councillors_informed_on": pd.to_datetime(["2025-01-15", None, "2025-02-01", "2026-01-01"]),
        }
    )
    as_at = date(2025, 12, 1)
    informed = metrics.councillors_informed(status, as_at)
    # C is not procured; D's councillors were informed after as-at, so not by then.
    assert informed["reference"].tolist() == ["D", "B", "A"]
    assert informed["informed"].tolist() == [False, False, True]
    assert informed["days_to_inform"].tolist() == [pd.NA, pd.NA, 14]
    assert informed["days_since_procured"].tolist() == [275, 183, 334]
    assert metrics.uninformed(status, as_at)["reference"].tolist() == ["D", "B"]
