"""What a valid decision, phase and property is. Imports and the app's forms both validate through these records,
so a cell and a form field get the same message.

Numbers, money and text are read by `dashboard.values`, the one grammar for a cell. Each text field is as long as its
column in the store allows (read from the models, `NOTES_LENGTH` for a Text column), so nothing the store cannot hold
gets past here."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import Column

from dashboard import safeguarding
from dashboard.consultation import GENERAL, LOCAL, ROUTINE
from dashboard.models import Decision, District, Phase, Property
from dashboard.provenance import problems as provenance_problems
from dashboard.reading import is_blank, parse_date
from dashboard.stages import STAGES
from dashboard.values import BEDS, NOTES_LENGTH, ofsted_urn, pounds, quoted, text, whole_number
from dashboard.wording import dmy

# The safeguarding guard lives in dashboard.safeguarding; these names stay for the callers that import them from here.
POSTCODE = safeguarding.POSTCODE
looks_like_postcode = safeguarding.looks_like_postcode


def parse_yes_no(value: Any) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    written = str(value).strip().lower()
    if written in {"yes", "y", "true", "1"}:
        return True
    if written in {"no", "n", "false", "0"}:
        return False
    raise ValueError(f"{quoted(str(value))} is not yes or no")


def _choice(options: dict[str, tuple[str, ...]]) -> Callable[[Any], str | None]:
    """A parser accepting each canonical option or any of its spellings, ignoring case and punctuation."""

    def key(written: str) -> str:
        return re.sub(r"[^a-z0-9]", "", written.lower())

    lookup = {
        key(spelling): canonical for canonical, spellings in options.items() for spelling in (canonical, *spellings)
    }

    def parse(value: Any) -> str | None:
        if is_blank(value):
            return None
        found = lookup.get(key(str(value)))
        if found is None:
            raise ValueError(f"{quoted(str(value))} is not one of: {', '.join(options)}")
        return found

    return parse


parse_provision_model = _choice({"in-house": ("in house", "own"), "commissioned": ("contracted", "provider")})
parse_decision_type = _choice({"Executive": (), "Non-executive": ("non executive",)})
parse_significance = _choice(
    {
        ROUTINE: ("technical", "professional", "routine"),
        LOCAL: (),
        GENERAL: ("general", "county-wide", "countywide", "county wide"),
    }
)


def _required(parser: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        parsed = parser(value)
        if parsed is None:
            raise ValueError("is required")
        return parsed

    return parse


def max_length(column: Column) -> int:
    """The most characters `column` holds: its own length, or NOTES_LENGTH for a Text column (which has none)."""
    return getattr(column.type, "length", None) or NOTES_LENGTH


def _text_of(column: Column) -> Callable[[Any], str | None]:
    """Text for `column`: as `values.text` reads it, at most as long as the column holds."""
    length = max_length(column)
    return lambda value: text(value, length)


def _reference_of(column: Column) -> Callable[[Any], str]:
    """A reference code for `column`: letters, digits and - / . _ and spaces, starting with a letter or digit."""
    length = max_length(column)
    pattern = re.compile(rf"[A-Za-z0-9][A-Za-z0-9 ./_-]{{0,{length - 1}}}")
    read = _required(_text_of(column))

    def parse(value: Any) -> str:
        written = read(value)
        if not pattern.fullmatch(written):
            raise ValueError(
                f"{quoted(written)} is not a reference code: letters, digits and - / . _ only, at most {length}"
            )
        return written

    return parse


def _beds(value: Any) -> int | None:
    return whole_number(value, BEDS)


def _as_text(column: Column) -> BeforeValidator:
    return BeforeValidator(_text_of(column))


def _as_required_text(column: Column) -> BeforeValidator:
    return BeforeValidator(_required(_text_of(column)))


def _as_reference(column: Column) -> BeforeValidator:
    return BeforeValidator(_reference_of(column))


OptionalDate = Annotated[date | None, BeforeValidator(parse_date)]
Pounds = Annotated[int | None, BeforeValidator(pounds)]
OfstedUrn = Annotated[str | None, BeforeValidator(ofsted_urn)]
Beds = Annotated[int | None, BeforeValidator(_beds)]
RequiredBeds = Annotated[int, BeforeValidator(_required(_beds))]
YesNo = Annotated[bool | None, BeforeValidator(parse_yes_no)]
RequiredYesNo = Annotated[bool, BeforeValidator(_required(parse_yes_no))]
DECISION, PHASE, PROPERTY, DISTRICT = (model.__table__.c for model in (Decision, Phase, Property, District))


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Every programme table keeps its provenance in a column of the same length: the property's stands for all.
    provenance: Annotated[str | None, _as_text(PROPERTY.provenance)] = None

    @field_validator("provenance")
    @classmethod
    def _names_known_fields(cls, provenance: str | None) -> str | None:
        # A misspelt field would make its clause free text, and its source the whole row's: refuse it instead.
        problems = provenance_problems(provenance)
        if problems:
            raise ValueError("; ".join(problems))
        return provenance


class DecisionRecord(Record):
    reference: Annotated[str, _as_reference(DECISION.reference)]
    title: Annotated[str, _as_required_text(DECISION.title)]
    decision_type: Annotated[str, BeforeValidator(_required(parse_decision_type))]
    key_decision: RequiredYesNo
    decided_on: OptionalDate = None
    executive_member: Annotated[str | None, _as_text(DECISION.executive_member)] = None
    portfolio: Annotated[str | None, _as_text(DECISION.portfolio)] = None
    significance: Annotated[str | None, BeforeValidator(parse_significance)] = None
    controversial: YesNo = None


class PhaseRecord(Record):
    name: Annotated[str, _as_required_text(PHASE.name)]
    starts_on: OptionalDate = None
    planned_end_on: OptionalDate = None
    decision_reference: Annotated[str | None, _as_text(DECISION.reference)] = None

    @field_validator("planned_end_on")
    @classmethod
    def _ends_after_start(cls, planned_end_on: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if planned_end_on and starts_on and planned_end_on < starts_on:
            raise ValueError(f"{planned_end_on} is before the phase starts ({starts_on})")
        return planned_end_on


class PropertyRecord(Record):
    reference: Annotated[str, _as_reference(PROPERTY.reference)]
    phase: Annotated[str, _as_required_text(PHASE.name)]
    # Any way of writing a district (dashboard.reference): its names and aliases are columns of this length.
    district: Annotated[str, _as_required_text(DISTRICT.name)]
    provision_model: Annotated[str, BeforeValidator(_required(parse_provision_model))]
    specialism: Annotated[str | None, _as_text(PROPERTY.specialism)] = None
    planned_beds: RequiredBeds
    registered_beds: Beds = None
    purchase_budget: Pounds = None
    purchase_cost: Pounds = None
    refurbishment_budget: Pounds = None
    refurbishment_cost: Pounds = None
    councillors_informed_on: OptionalDate = None
    notes: Annotated[str | None, _as_text(PROPERTY.notes)] = None
    status_note: Annotated[str | None, _as_text(PROPERTY.status_note)] = None
    ofsted_urn: OfstedUrn = None
    planned: dict[str, OptionalDate] = Field(default_factory=dict)
    actual: dict[str, OptionalDate] = Field(default_factory=dict)


def flat(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """("planned.survey", value) for nested milestone dates, (name, value) for the rest: a record's fields named as
    its layout's columns are."""
    pairs: list[tuple[str, Any]] = []
    for name, value in data.items():
        if isinstance(value, dict):
            pairs.extend((f"{name}.{key}", inner) for key, inner in value.items())
        else:
            pairs.append((name, value))
    return pairs


@cache
def _field_parser(record_type: type[Record], name: str) -> TypeAdapter | None:
    """One field's own parser ("planned.survey" is a date), or None for a field the record does not have."""
    group, _, key = name.partition(".")
    field = record_type.model_fields.get(group)
    if field is None:
        return None
    if key:  # a value of a dict field ("planned.survey"): its value type
        return TypeAdapter(get_args(field.annotation)[1])
    return TypeAdapter(field.rebuild_annotation())  # the annotation with its constraints (Annotated), as declared


def parsed_fields(record_type: type[Record], data: Mapping[str, Any]) -> dict[str, Any]:
    """Each field of `data` that is valid on its own, parsed, by its flat name: what can still be checked against the
    other fields and the store when the record as a whole is refused, so a row's every fault is found at once."""
    parsed = {}
    for name, value in flat(data):
        parser = _field_parser(record_type, name)
        if parser is None:
            continue
        try:
            parsed[name] = parser.validate_python(value)
        except ValidationError:
            continue  # its own fault is reported by the record
    return parsed


def date_problems(dates: Mapping[str, Any], today: date) -> list[tuple[str, str]]:
    """(field, message) for a property's dates that are each valid but impossible together: an actual date still to
    come, or a stage dated before one that comes earlier in the stage order. `dates` by flat name ("planned.survey");
    a date missing from it (blank, or at fault itself) is passed over."""
    problems: list[tuple[str, str]] = []
    informed = dates.get("councillors_informed_on")
    if informed and informed > today:
        problems.append(("councillors_informed_on", f"{dmy(informed)} is in the future"))
    for which in ("planned", "actual"):
        latest: tuple[str, date] | None = None
        for stage in STAGES:
            when = dates.get(f"{which}.{stage.key}")
            if not isinstance(when, date):
                continue
            if which == "actual" and when > today:
                problems.append(
                    (f"actual.{stage.key}", f"{dmy(when)} is in the future: an actual date must have happened")
                )
            if latest and when < latest[1]:
                problems.append(
                    (
                        f"{which}.{stage.key}",
                        f"{dmy(when)} is before {latest[0]} {which} ({dmy(latest[1])}): stages out of order",
                    )
                )
            else:
                latest = (stage.column, when)
    return problems


def field_errors(error: ValidationError) -> list[tuple[str, str]]:
    """pydantic's errors as (field, message), the field dotted ("planned.survey") to match the layout."""
    found = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "is required"
        elif item["type"] == "extra_forbidden":
            message = "is not a known field"
        found.append((field, message))
    return found
