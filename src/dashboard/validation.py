"""What a valid decision, phase and property is. Imports and the app's forms both validate through these records,
so a cell and a form field get the same message."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from dashboard.consultation import GENERAL, LOCAL, ROUTINE
from dashboard.provenance import problems as provenance_problems
from dashboard.reading import is_blank, parse_date
from dashboard.stages import STAGES

# A full UK postcode ("SG1 2AB", "AL10 9AB", "w1a1aa"). Homes' locations are never stored (safeguarding).
POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]{0,39}$")


def looks_like_postcode(text: str) -> bool:
    return bool(POSTCODE.search(text))


def parse_whole_number(value: Any) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text))
    raise ValueError(f"'{text}' is not a whole number")


def parse_pounds(value: Any) -> int | None:
    """'£450,000', '450000' or 450000.0 -> 450000; money is kept in whole pounds."""
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("£", "").replace("GBP", "").strip()
    try:
        pounds = parse_whole_number(value)
    except ValueError:
        raise ValueError(f"'{value}' is not an amount in whole pounds") from None
    if pounds is not None and pounds < 0:
        raise ValueError("an amount cannot be negative")
    return pounds


def parse_yes_no(value: Any) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "y", "true", "1"}:
        return True
    if text in {"no", "n", "false", "0"}:
        return False
    raise ValueError(f"'{value}' is not yes or no")


def _choice(options: dict[str, tuple[str, ...]]):
    """A parser accepting each canonical option or any of its spellings, ignoring case and punctuation."""

    def key(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    lookup = {key(spelling): canonical for canonical, spellings in options.items() for spelling in (canonical, *spellings)}

    def parse(value: Any) -> str | None:
        if is_blank(value):
            return None
        found = lookup.get(key(str(value)))
        if found is None:
            raise ValueError(f"'{value}' is not one of: {', '.join(options)}")
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


def _text(value: Any) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _required(parser):
    def parse(value: Any):
        parsed = parser(value)
        if parsed is None:
            raise ValueError("is required")
        return parsed

    return parse


def _beds(value: Any) -> int | None:
    beds = parse_whole_number(value)
    if beds is not None and not 1 <= beds <= 12:
        raise ValueError(f"{beds} beds is outside 1 to 12")
    return beds


def _reference(value: Any) -> str:
    text = _required(_text)(value)
    if not REFERENCE.fullmatch(text):
        raise ValueError(f"'{text}' is not a reference code: letters, digits and - / . _ only, at most 40")
    return text


Text = Annotated[str | None, BeforeValidator(_text)]
RequiredText = Annotated[str, BeforeValidator(_required(_text))]
Reference = Annotated[str, BeforeValidator(_reference)]
OptionalDate = Annotated[date | None, BeforeValidator(parse_date)]
Pounds = Annotated[int | None, BeforeValidator(parse_pounds)]
Beds = Annotated[int | None, BeforeValidator(_beds)]
RequiredBeds = Annotated[int, BeforeValidator(_required(_beds))]
YesNo = Annotated[bool | None, BeforeValidator(parse_yes_no)]
RequiredYesNo = Annotated[bool, BeforeValidator(_required(parse_yes_no))]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    provenance: Text = None

    @field_validator("provenance")
    @classmethod
    def _names_known_fields(cls, provenance: str | None) -> str | None:
        # A misspelt field would make its clause free text, and its source the whole row's: refuse it instead.
        problems = provenance_problems(provenance)
        if problems:
            raise ValueError("; ".join(problems))
        return provenance


class DecisionRecord(Record):
    reference: Reference
    title: RequiredText
    decision_type: Annotated[str, BeforeValidator(_required(parse_decision_type))]
    key_decision: RequiredYesNo
    decided_on: OptionalDate = None
    executive_member: Text = None
    portfolio: Text = None
    significance: Annotated[str | None, BeforeValidator(parse_significance)] = None
    controversial: YesNo = None


class PhaseRecord(Record):
    name: RequiredText
    starts_on: OptionalDate = None
    planned_end_on: OptionalDate = None
    decision_reference: Text = None

    @field_validator("planned_end_on")
    @classmethod
    def _ends_after_start(cls, planned_end_on: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if planned_end_on and starts_on and planned_end_on < starts_on:
            raise ValueError(f"{planned_end_on} is before the phase starts ({starts_on})")
        return planned_end_on


class PropertyRecord(Record):
    reference: Reference
    phase: RequiredText
    district: RequiredText
    provision_model: Annotated[str, BeforeValidator(_required(parse_provision_model))]
    specialism: Text = None
    planned_beds: RequiredBeds
    registered_beds: Beds = None
    purchase_budget: Pounds = None
    purchase_cost: Pounds = None
    refurbishment_budget: Pounds = None
    refurbishment_cost: Pounds = None
    councillors_informed_on: OptionalDate = None
    notes: Text = None
    planned: dict[str, OptionalDate] = Field(default_factory=dict)
    actual: dict[str, OptionalDate] = Field(default_factory=dict)


def date_problems(record: PropertyRecord, today: date) -> list[tuple[str, str]]:
    """(field, message) for dates that are each valid but impossible together: an actual date still to come, or a
    stage dated before one that comes earlier in the stage order."""
    problems: list[tuple[str, str]] = []
    if record.councillors_informed_on and record.councillors_informed_on > today:
        problems.append(("councillors_informed_on", f"{record.councillors_informed_on} is in the future"))
    for which, dates in (("planned", record.planned), ("actual", record.actual)):
        latest: tuple[str, date] | None = None
        for stage in STAGES:
            when = dates.get(stage.key)
            if when is None:
                continue
            if which == "actual" and when > today:
                problems.append((f"actual.{stage.key}", f"{when} is in the future: an actual date must have happened"))
            if latest and when < latest[1]:
                problems.append(
                    (f"{which}.{stage.key}", f"{when} is before {latest[0]} {which} ({latest[1]}): stages out of order")
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
