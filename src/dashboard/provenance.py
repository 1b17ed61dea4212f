"""Where each of a row's values comes from, field by field: the one written format of a row's provenance, read.

A provenance is one or more clauses separated by ";". A clause names a source, then, after a colon, the fields it
gives, as the tracker's column names or a group:

    decision record B147/24: phase, district; illustrative: provision model, specialism, beds, dates, costs, notes

A clause with no field list ("illustrative", "imported from tracker.xlsx") covers every field no clause names.
Groups: "dates" (every stage's planned and actual date, a phase's start and planned end, a decision's date),
"planned dates", "actual dates", a stage's name (its planned and actual date), "costs" (the two budgets and the two
costs), "beds" (planned and registered beds). "Councillors informed" is a date of its own, not in "dates".

What kind of source a clause is, its words say: "synthetic", "illustrative" and "inferred" say so; "imported" or
"entered" is a council's own records; any other named source (a document) gives facts. A field no clause covers is
"unstated". Older free text ("decision record B147/24 (phase and district); beds, dates and costs illustrative") is
read as well as it can be: fields named in it, or in its brackets, go with the kind its words say.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pandas as pd

from dashboard.layout import DECISIONS, PHASES, PROPERTIES, Layout
from dashboard.stages import STAGES

Kind = Literal["fact", "imported", "inferred", "illustrative", "synthetic", "unstated"]
FACT: Kind = "fact"
IMPORTED: Kind = "imported"
INFERRED: Kind = "inferred"
ILLUSTRATIVE: Kind = "illustrative"
SYNTHETIC: Kind = "synthetic"
UNSTATED: Kind = "unstated"

# Most cautious first: a field (or group) with two sources is shown as the less certain one.
CAUTION: tuple[Kind, ...] = (SYNTHETIC, ILLUSTRATIVE, INFERRED, UNSTATED, IMPORTED, FACT)
# The kinds a screen must point out: not a council's records, or not stated by the source.
FLAGGED: tuple[Kind, ...] = (SYNTHETIC, ILLUSTRATIVE, INFERRED)
KIND_WORDS: dict[Kind, str] = {
    FACT: "Fact",
    IMPORTED: "Imported",
    INFERRED: "Inferred",
    ILLUSTRATIVE: "Illustrative",
    SYNTHETIC: "Synthetic",
    UNSTATED: "Not stated",
}


def _phrase(text: str) -> str:
    """'Purchase budget (£)', 'planned_beds', 'planned.identified' -> plain lower-case words."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


# Fields no provenance speaks for: the provenance itself, the status note (an editor's own words on what is next,
# whose author and time the audit trail keeps) and the Ofsted URN (Ofsted's own number for the home, checked as one:
# blank for a home not yet registered, which no source need state).
UNSOURCED = frozenset({"provenance", "status_note", "ofsted_urn"})


def _fields(layout: Layout) -> tuple[str, ...]:
    return tuple(column.field for column in layout.columns if column.field not in UNSOURCED)


PROPERTY_FIELDS, PHASE_FIELDS, DECISION_FIELDS = _fields(PROPERTIES), _fields(PHASES), _fields(DECISIONS)
PLANNED_DATES = frozenset(f"planned.{stage.key}" for stage in STAGES)
ACTUAL_DATES = frozenset(f"actual.{stage.key}" for stage in STAGES)
STAGE_DATES = PLANNED_DATES | ACTUAL_DATES
PHASE_DATES = ("starts_on", "planned_end_on")
COSTS = frozenset({"purchase_budget", "purchase_cost", "refurbishment_budget", "refurbishment_cost"})
BEDS = frozenset({"planned_beds", "registered_beds"})
# Groups a provenance may name, and shown in place of all their members.
GROUPS: dict[str, frozenset[str]] = {
    "dates": STAGE_DATES | {*PHASE_DATES, "decided_on"},
    "stage dates": STAGE_DATES,
    "planned dates": PLANNED_DATES,
    "actual dates": ACTUAL_DATES,
    "costs": COSTS,
    "beds": BEDS,
    **{_phrase(stage.column): frozenset({f"planned.{stage.key}", f"actual.{stage.key}"}) for stage in STAGES},
}
# Words people write for a field that are neither its header nor its name.
ALIASES = {"start": "starts_on", "start date": "starts_on", "provision": "provision_model"}


def _vocabulary() -> dict[str, frozenset[str]]:
    """Every name a provenance may use (headers, field names, groups, aliases) -> the fields it means."""
    names: dict[str, set[str]] = {}
    for layout in (DECISIONS, PHASES, PROPERTIES):
        for column in layout.columns:
            if column.field not in UNSOURCED:
                for spelling in (column.header, column.field):
                    names.setdefault(_phrase(spelling), set()).add(column.field)
    for alias, field in ALIASES.items():
        names.setdefault(alias, set()).add(field)
    return {**{name: frozenset(fields) for name, fields in names.items()}, **GROUPS}


VOCABULARY = _vocabulary()
# Longest first, so "planned beds" is read before "beds" in free text.
_BY_LENGTH = sorted(VOCABULARY, key=len, reverse=True)
_NAMED = re.compile(r"\b(" + "|".join(re.escape(name) for name in _BY_LENGTH) + r")\b")
# A header as people read it, for a field shown on screen ("starts_on" -> "start").
DISPLAY = {
    **{column.field: _phrase(column.header) for layout in (PROPERTIES, PHASES, DECISIONS) for column in layout.columns},
    "starts_on": "start",
    "decided_on": "date",
    "decision_type": "type",
}


def fields_named(name: str) -> frozenset[str]:
    """The fields a column name, field name or group means ('Planned beds', 'planned_beds', 'beds', 'dates')."""
    fields = VOCABULARY.get(_phrase(name))
    if fields is None:
        raise ValueError(f"'{name}' is not a column or group a provenance can name")
    return fields


def kind_of_source(source: str) -> Kind:
    """The kind of source a clause names, from its words."""
    words = source.lower()
    if not words.strip():
        return UNSTATED
    for kind in (SYNTHETIC, ILLUSTRATIVE, INFERRED):
        if kind in words:
            return kind
    if "imported" in words or words.lstrip().startswith("entered"):
        return IMPORTED
    return FACT


@dataclass(frozen=True)
class Clause:
    source: str
    kind: Kind
    fields: frozenset[str]  # empty: every field no clause names


@dataclass(frozen=True)
class Sources:
    """A row's provenance, read: the kind of source of each of its fields."""

    text: str
    clauses: tuple[Clause, ...]

    def of(self, name: str) -> Kind:
        """The kind of source of a field, or of a group (the least certain of its members)."""
        return _most_cautious(self._of_field(field) for field in fields_named(name))

    def _of_field(self, field: str) -> Kind:
        named = [clause.kind for clause in self.clauses if field in clause.fields]
        default = [clause.kind for clause in self.clauses if not clause.fields]
        return _most_cautious(named or default or [UNSTATED])

    def kinds(self, fields: Iterable[str]) -> dict[str, Kind]:
        return {field: self._of_field(field) for field in fields}

    def has(self, kind: Kind, fields: Iterable[str] = PROPERTY_FIELDS) -> bool:
        """Whether any of `fields` (a property's, unless given) comes from a source of this kind."""
        return kind in self.kinds(fields).values()

    def fact_sources(self, fields: Iterable[str]) -> list[str]:
        """The named sources (documents, a council's files) that `fields` come from, in the order written."""
        wanted = set(fields)
        return [
            clause.source
            for clause in self.clauses
            if clause.kind in (FACT, IMPORTED) and (clause.fields & wanted or not clause.fields)
        ]


def _most_cautious(kinds: Iterable[Kind]) -> Kind:
    return min(kinds, key=CAUTION.index)


def _names_in(text: str) -> frozenset[str]:
    """Fields named anywhere in free text ('beds, dates and costs illustrative' -> the beds, dates and costs)."""
    found: set[str] = set()
    for match in _NAMED.finditer(_phrase(text)):
        found |= VOCABULARY[match.group(1)]
    return frozenset(found)


def _listed(text: str) -> list[str]:
    """A field list's names: separated by commas, "and" or "&"."""
    return [name.strip() for name in re.split(r",|&|\band\b", text) if name.strip()]


def _clause(part: str) -> list[Clause]:
    source, colon, listed = part.partition(":")
    if colon:
        names = _listed(listed)
        if not names:
            return [Clause(source.strip(), kind_of_source(source), frozenset())]
        if all(_phrase(name) in VOCABULARY for name in names):
            return [Clause(source.strip(), kind_of_source(source), frozenset().union(*map(fields_named, names)))]
    return _free_text(part)


def _free_text(part: str) -> list[Clause]:
    """A clause in the older free text: a source, perhaps with fields in brackets, perhaps a kind of its own there
    ('decision record B147/24 (significance and controversial inferred from its consultation section)')."""
    clauses, main_fields = [], frozenset[str]()
    for inner in re.findall(r"\(([^)]*)\)", part):
        kind = kind_of_source(inner)
        if kind in FLAGGED:
            clauses.append(Clause(inner.strip(), kind, _names_in(inner)))
        else:
            main_fields |= _names_in(inner)
    main = " ".join(re.sub(r"\([^)]*\)", " ", part).split())
    kind = kind_of_source(main)
    if kind in FLAGGED:  # "beds, dates and costs illustrative"; a document's name is not searched for fields
        main_fields |= _names_in(main)
    return [Clause(main, kind, main_fields), *clauses]


@lru_cache(maxsize=1024)
def parse(text: str | None) -> Sources:
    """A row's provenance, read clause by clause. Blank: every field unstated."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        text = ""
    parts = [part.strip() for part in str(text).split(";") if part.strip()]
    return Sources(str(text), tuple(clause for part in parts for clause in _clause(part)))


def source_of(provenance: str | None, field: str) -> Kind:
    """The kind of source of a field (or group) of a row with this provenance: "fact", "imported", "inferred",
    "illustrative", "synthetic" or "unstated"."""
    return parse(provenance).of(field)


def problems(provenance: str | None) -> list[str]:
    """What is wrong with a provenance as written: a field list naming something that is not a column or group (a
    typing slip would otherwise make the clause free text, and the whole row that source). A list is meant when a
    clause's source is a kind ("illustrative: bedz") or the list names a field at all ("B147/24: phase, distrct");
    other text with a colon ("finance system: Nov 2026") is free text, read as a whole-row source."""
    found = []
    for part in str(provenance or "").split(";"):
        source, colon, listed = part.partition(":")
        names = _listed(listed)
        known = [name for name in names if _phrase(name) in VOCABULARY]
        if colon and (known or kind_of_source(source) in FLAGGED):
            unknown = [name for name in names if name not in known]
            found += [
                f"'{name}' is not a column or group a provenance can name (e.g. phase, district, beds, "
                "dates, costs, notes)"
                for name in unknown
            ]
    return found


# ---------------------------------------------------------------- in words


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _whole_group(members: frozenset[str], chosen: set[str]) -> bool:
    return len(members) > 1 and members <= chosen


def describe(fields: Iterable[str], universe: tuple[str, ...] = PROPERTY_FIELDS) -> str:
    """Fields in words, in column order, a whole group by its name ('beds', 'dates', 'costs')."""
    chosen = set(fields)
    words: list[str] = []
    shown: set[str] = set()
    for field in universe:
        if field not in chosen or field in shown:
            continue
        group = next(
            (
                name
                for name in ("dates", "costs", "beds")
                if field in GROUPS[name] and _whole_group(GROUPS[name] & set(universe), chosen)
            ),
            None,
        )
        if group:
            words.append(group)
            shown |= GROUPS[group]
        else:
            words.append(DISPLAY.get(field, field))
            shown.add(field)
    return _join(words) if words else ""


def label(provenance: str | None, universe: tuple[str, ...] = PROPERTY_FIELDS) -> str:
    """A row's sources in a few words: 'Illustrative', 'Illustrative except phase and district', 'Inferred:
    significance and controversial', 'Imported'."""
    kinds = parse(provenance).kinds(universe)
    by_kind = Counter(kinds.values())
    # What a reader must be told of; facts and imports are what a row is taken to be.
    noted = [kind for kind in (*FLAGGED, UNSTATED) if kind in by_kind]
    if len(by_kind) == 1 or not noted:
        return KIND_WORDS[by_kind.most_common(1)[0][0]]
    if len(noted) == 1 and by_kind[noted[0]] > len(universe) / 2:
        rest = [field for field, kind in kinds.items() if kind != noted[0]]
        return f"{KIND_WORDS[noted[0]]} except {describe(rest, universe)}"
    parts = [f"{KIND_WORDS[kind]}: {describe([f for f, k in kinds.items() if k == kind], universe)}" for kind in noted]
    return "; ".join(parts[:1] + [part[0].lower() + part[1:] for part in parts[1:]])


def dates_word(provenance: str | None, stage_key: str | None = None) -> str:
    """Where a property's stage dates (or one stage's) come from, in a word or two: 'Illustrative', 'Imported',
    'Planned imported, actual illustrative'."""
    sources = parse(provenance)
    keys = [stage_key] if stage_key else [stage.key for stage in STAGES]
    planned = _most_cautious(sources.kinds(f"planned.{key}" for key in keys).values())
    actual = _most_cautious(sources.kinds(f"actual.{key}" for key in keys).values())
    if planned == actual:
        return KIND_WORDS[planned]
    return f"Planned {KIND_WORDS[planned].lower()}, actual {KIND_WORDS[actual].lower()}"


# ---------------------------------------------------------------- many rows


def rows_with(provenance: pd.Series, kind: Kind, fields: tuple[str, ...] = PROPERTY_FIELDS) -> int:
    """How many rows have a field (of `fields`) from a source of this kind. Each distinct text is read once."""
    counts = provenance.fillna("").value_counts()
    return int(sum(count for text, count in counts.items() if parse(text).has(kind, fields)))


@dataclass(frozen=True)
class Banner:
    """What a page says above its figures when some of them are not a council's records."""

    kind: Kind  # SYNTHETIC, ILLUSTRATIVE or INFERRED: what the banner is about
    text: str  # markdown, after the title

    @property
    def title(self) -> str:
        return {SYNTHETIC: "Synthetic data", ILLUSTRATIVE: "Illustrative figures"}.get(self.kind, "Inferred figures")

    @property
    def markdown(self) -> str:
        return f"**{self.title}.** {self.text}"


def _rows_sentence(counts: Counter, kind: Kind) -> list[str]:
    """Of the rows with fields of `kind`: 'every field of 11', 'all but the phase and district of 10 (from …)'."""
    parts: list[str] = []
    whole = 0
    partial: Counter[tuple[frozenset[str], str]] = Counter()
    for text, count in counts.items():
        kinds = parse(text).kinds(PROPERTY_FIELDS)
        fields = frozenset(field for field, found in kinds.items() if found == kind)
        if len(fields) == len(PROPERTY_FIELDS):
            whole += count
        elif fields:
            partial[(fields, text)] += count
    if whole:
        parts.append(f"every field of {whole}")
    by_fields: Counter = Counter()
    sources: dict[frozenset[str], list[str]] = {}
    for (fields, text), count in partial.items():
        by_fields[fields] += count
        rest = [field for field in PROPERTY_FIELDS if field not in fields]
        named = sources.setdefault(fields, [])
        named += [source for source in parse(text).fact_sources(rest) if source not in named]
    for fields, count in by_fields.most_common():
        rest = [field for field in PROPERTY_FIELDS if field not in fields]
        if len(rest) < len(fields):
            from_sources = f" (from {_join(sources[fields])})" if sources.get(fields) else ""
            parts.append(f"all but the {describe(rest)} of {count}{from_sources}")
        else:
            parts.append(f"the {describe(fields)} of {count}")
    return parts


def _phase_sentences(phases: pd.DataFrame) -> dict[Kind, str]:
    """Phases' illustrative or inferred dates: 'Phase 1's and Phase 3's dates, Phase 2's planned end'."""
    found: dict[Kind, dict[str, list[str]]] = {}
    for name, text in zip(phases["name"], phases["provenance"], strict=True):
        kinds = parse(text).kinds(PHASE_DATES)
        for kind in (ILLUSTRATIVE, INFERRED):
            fields = [field for field, found_kind in kinds.items() if found_kind == kind]
            if fields:
                found.setdefault(kind, {}).setdefault(describe(fields, PHASE_DATES), []).append(name)
    return {
        kind: ", ".join(_join([name + "'s" for name in names]) + f" {what}" for what, names in by_what.items())
        for kind, by_what in found.items()
    }


def banners(status: pd.DataFrame, phases: pd.DataFrame | None = None) -> list[Banner]:
    """The banners for a view: one if any property shown is synthetic data; one naming the illustrative and
    inferred fields of the properties shown and of their phases' dates. None for a council's own records."""
    if "provenance" not in status or status.empty:
        return []
    counts = Counter(status["provenance"].fillna("").value_counts().to_dict())
    shown = len(status)
    found: list[Banner] = []
    synthetic = sum(count for text, count in counts.items() if parse(text).has(SYNTHETIC))
    if synthetic:
        parts = _rows_sentence(counts, SYNTHETIC)
        which = "" if parts == [f"every field of {synthetic}"] else f" ({_join(parts)})"
        found.append(
            Banner(
                SYNTHETIC,
                (
                    f"{synthetic} of the {shown} properties shown are synthetic{which}, made up for demonstrations and "
                    "benchmarks (`demo-data`): not a council's records, and no figure or date here "
                    "is real. Use a store of "
                    "your own data for anything else."
                ),
            )
        )
    sentences = []
    illustrative = sum(count for text, count in counts.items() if parse(text).has(ILLUSTRATIVE))
    if illustrative:
        sentences.append(
            f"{illustrative} of the {shown} properties shown carry illustrative data, not a council's "
            f"records: {_join(_rows_sentence(counts, ILLUSTRATIVE))}."
        )
    if any(parse(text).has(INFERRED) for text in counts):
        sentences.append(f"Inferred, not stated in their source: {_join(_rows_sentence(counts, INFERRED))}.")
    on_phases: dict[Kind, str] = {}
    if phases is not None and not phases.empty:
        on_phases = _phase_sentences(phases[phases["name"].isin(set(status["phase"]))])
    if INFERRED in on_phases:
        sentences.append(f"Inferred, not stated in its source: {on_phases[INFERRED]}.")
    if ILLUSTRATIVE in on_phases:
        sentences.append(f"Illustrative: {on_phases[ILLUSTRATIVE]}.")
    if sentences:
        kind = ILLUSTRATIVE if illustrative or ILLUSTRATIVE in on_phases else INFERRED
        found.append(Banner(kind, f"{' '.join(sentences)} Import your own data to replace them."))
    return found
