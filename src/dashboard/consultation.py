"""Who must be informed or consulted about a decision: the officer decision record's "Summary of Requirements to
Inform/Consult Councillors" (B147/24), held as one table of its twelve cells and read by one pure function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from dashboard import provenance
from dashboard.wording import plural

Action = Literal["none", "inform", "consult", "unknown"]

# The record's three levels of significance of a proposed action (a decision's Significance).
SIGNIFICANCES = ("Technical/Professional/Routine", "Local", "General or County-wide")
ROUTINE, LOCAL, GENERAL = SIGNIFICANCES
EXECUTIVE = "Executive"  # Decision.decision_type of an executive function

LEAD_MEMBER = "Lead Executive Member"
LEAD_MEMBERS = "Lead Executive Member(s)"
LOCAL_COUNCILLOR = "Local Councillor"
LEADER = "Leader of the Council"
CHAIRMAN = "relevant Committee Chairman"
GROUP_LEADERS = "Leaders of all Political Groups"


@dataclass(frozen=True)
class Requirement:
    """What the record requires: the action, who must be involved, who only "where appropriate", in a sentence."""

    action: Action
    who: tuple[str, ...]
    sentence: str
    where_appropriate: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.action != "unknown"


NO_NEED = Requirement("none", (), "No need to inform or consult councillors")

# (significance, controversial, executive function) -> requirement: the record's table, cell by cell. The sentences
# keep the record's words, with articles added; its "Chairman/Leaders all Political Groups" keeps its slash, since
# the record does not say whether both or either must be consulted.
RULES: dict[tuple[str, bool, bool], Requirement] = {
    (ROUTINE, False, True): NO_NEED,
    (ROUTINE, False, False): NO_NEED,
    (ROUTINE, True, True): Requirement(
        "consult",
        (LEAD_MEMBER,),
        "Consult the relevant Lead Executive Member and, where appropriate, the Local Councillor",
        where_appropriate=(LOCAL_COUNCILLOR,),
    ),
    (ROUTINE, True, False): Requirement(
        "consult",
        (CHAIRMAN,),
        "Consult the relevant Committee Chairman and, where appropriate, the Local Councillor",
        where_appropriate=(LOCAL_COUNCILLOR,),
    ),
    (LOCAL, False, True): Requirement(
        "inform", (LEAD_MEMBER, LOCAL_COUNCILLOR), "Inform the Lead Executive Member and the Local Councillor"
    ),
    (LOCAL, False, False): Requirement("inform", (LOCAL_COUNCILLOR,), "Inform the Local Councillor"),
    (LOCAL, True, True): Requirement(
        "consult", (LEAD_MEMBER, LOCAL_COUNCILLOR), "Consult the Lead Executive Member and the Local Councillor"
    ),
    (LOCAL, True, False): Requirement("consult", (LOCAL_COUNCILLOR,), "Consult the Local Councillor"),
    (GENERAL, False, True): Requirement("consult", (LEAD_MEMBERS,), "Consult the relevant Lead Executive Member(s)"),
    (GENERAL, False, False): Requirement("consult", (CHAIRMAN,), "Consult the relevant Committee Chairman"),
    (GENERAL, True, True): Requirement(
        "consult", (LEAD_MEMBERS, LEADER), "Consult the relevant Lead Executive Member(s) and the Leader of the Council"
    ),
    (GENERAL, True, False): Requirement(
        "consult", (CHAIRMAN, GROUP_LEADERS), "Consult the relevant Committee Chairman/Leaders of all Political Groups"
    ),
}


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


# What a decision must have recorded before the table can be read, in words.
NEEDED = {"significance": "its significance", "controversial": "whether it is controversial"}


def who_to_involve(significance: str | None, controversial: bool | None, executive: bool) -> Requirement:
    """The record's requirement for an action of this significance, controversial or not, for an executive or a
    non-executive function. Without a recorded significance and controversial, there is nothing to look up."""
    recorded = {"significance": significance, "controversial": controversial}
    missing = [NEEDED[name] for name, value in recorded.items() if _missing(value)]
    if missing:
        return Requirement("unknown", (), f"Not enough recorded to say: record {' and '.join(missing)}")
    if significance not in SIGNIFICANCES:
        raise ValueError(f"'{significance}' is not one of: {', '.join(SIGNIFICANCES)}")
    return RULES[(significance, bool(controversial), bool(executive))]


# The decision's fields the rule is read from, as its provenance names them, and in words.
DRIVERS = {**NEEDED, "decision_type": "its type"}
INFERRED = "inferred"  # the mark beside a value the rule was read from but its source does not state


def inferred_drivers(provenance_text: str | None) -> tuple[str, ...]:
    """Which of the fields the rule is read from are inferred, not stated, by the decision's source."""
    sources = provenance.parse(provenance_text)
    return tuple(field for field in DRIVERS if sources.of(field) == provenance.INFERRED)


def inferred_note(fields: tuple[str, ...]) -> str:
    """' (inferred: its significance and whether it is controversial are not stated in its source)'."""
    if not fields:
        return ""
    words = [DRIVERS[field] for field in fields]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f" ({INFERRED}: {listed} {'is' if len(words) == 1 else 'are'} not stated in its source)"


def mark_inferred(decisions: pd.DataFrame) -> pd.DataFrame:
    """Decisions as shown (with_requirements, values in words) with each value the rule was read from marked where
    it is inferred: 'General or County-wide (inferred)', 'No (inferred)'."""
    marked = decisions.copy()
    for field in DRIVERS:
        marked[field] = [
            f"{value} ({INFERRED})" if field in inferred else value
            for value, inferred in zip(marked[field], marked["inferred"], strict=True)
        ]
    return marked


def with_requirements(decisions: pd.DataFrame) -> pd.DataFrame:
    """The decisions (dashboard.queries.decisions) with each one's requirement: its action and its sentence, the
    sentence saying so when a value it was read from is inferred (the `inferred` column names them)."""
    found = [
        who_to_involve(significance, controversial, decision_type == EXECUTIVE)
        for significance, controversial, decision_type in zip(
            decisions["significance"], decisions["controversial"], decisions["decision_type"], strict=True
        )
    ]
    texts = decisions["provenance"] if "provenance" in decisions else pd.Series(None, index=decisions.index)
    # A value not recorded is not inferred either: only recorded values carry the mark.
    inferred = [
        tuple(field for field in inferred_drivers(text) if not _missing(row[field]))
        for text, (_, row) in zip(texts, decisions.iterrows(), strict=True)
    ]
    return decisions.assign(
        consultation_action=[requirement.action for requirement in found],
        # A requirement that could not be read was read from nothing: its sentence says what to record instead.
        consultation=[
            requirement.sentence + (inferred_note(fields) if requirement.known else "")
            for requirement, fields in zip(found, inferred, strict=True)
        ],
        inferred=inferred,
    )


def headline(decisions: int, procured: int, uninformed: int) -> str:
    """The Decisions page's headline: how many decisions, and whether councillors were informed of every purchase."""
    if uninformed:
        properties = plural(uninformed, "procured property", "procured properties")
        tail = f"{properties} with no record of councillors informed"
    elif procured:
        tail = "councillors informed of every procured property"
    else:
        tail = "no property procured yet"
    return f"{plural(decisions, 'decision', 'decisions')}; {tail}"


def uninformed_warning(references: list[str], named: int = 10) -> str:
    """The warning shown wherever procured properties have no record of local councillors being informed; it names the
    first `named` of them (a large programme may have hundreds)."""
    count = plural(len(references), "procured property", "procured properties")
    listed = ", ".join(references[:named])
    if len(references) > named:
        listed += f" and {len(references) - named} more"
    return (
        f"**{count} with no record of councillors informed:** {listed}. The decision record says local councillors "
        "are kept informed as each property is procured: record the date they were informed (the tracker's "
        "'Councillors informed' column)."
    )
