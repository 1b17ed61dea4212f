"""The one grammar every importer and form reads a cell's value by: whole numbers, amounts of money and text.

A value is taken exactly as written or refused with a reason in words; nothing is rounded, re-read or guessed:

- **Whole numbers** are digits, with thousands separators only where they belong ("1,234,567", never "1,2,3"), an
  optional ".0…" (a spreadsheet's 4.0), no sign and no exponent. A spreadsheet's number cell is taken when it is a
  whole number a float holds exactly (below 2**53). Every field has a range (`Range`), checked here.
- **Money** is a whole number of pounds, optionally led by "£", optionally with ".00" pence (pence are not kept, so
  any other pence are refused rather than rounded).
- **An Ofsted URN** is "SC" and six digits, as a children's home's is, or six or seven digits (older URNs, and those
  SSDA903 returns carry), exactly as written: never re-cased or padded.
- **Text** is NFC-normalised, at most the schema's length, and free of control characters (tab, line feed and
  carriage return are kept) and of the bidirectional override and isolate marks that make text display other than it
  reads.

Nothing passes through float: "9007199254740993" is that number (and then outside every range), not its float
neighbour."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from dashboard.reading import is_blank, quoted

# ASCII digits only: "１２" and "١٢" are not read as 12.
WHOLE = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?", re.ASCII)
POUNDS = re.compile(r"£?\s*(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d{2}))?", re.ASCII)
EXACT_FLOAT_LIMIT = 2**53  # above this a float cell may not be the number typed
# More digits than any range here reaches: refused before Python's int() (which refuses over 4,300 digits in words
# no reader should see) and before a message would repeat them.
MAX_DIGITS = 40
CONTROL_KEPT = {"\t", "\n", "\r"}
# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): text shown reversed or reordered.
BIDI_CONTROLS = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


@dataclass(frozen=True)
class Range:
    """The values a numeric field may take, both ends included; `unit` names them in a message."""

    low: int
    high: int
    unit: str

    def check(self, value: int) -> int:
        if not self.low <= value <= self.high:
            if self.unit == "£":
                raise ValueError(f"£{value:,} is outside £{self.low:,} to £{self.high:,}")
            raise ValueError(f"{value:,} {self.unit} is outside {self.low:,} to {self.high:,}")
        return value


BEDS = Range(1, 12, "beds")
POUNDS_RANGE = Range(0, 50_000_000, "£")
OFSTED_PLACES = Range(0, 200, "places")
NOTES_LENGTH = 2_000  # Text columns have no length of their own: this is theirs, stated in the README
OFSTED_URN = re.compile(r"SC\d{6}|\d{6,7}", re.ASCII)


def whole_number(value: Any, allowed: Range | None = None) -> int | None:
    """A cell's whole number (None when blank), exactly as written, within `allowed`."""
    if is_blank(value):
        return None
    number = _from_cell(value) if isinstance(value, (int, float)) else _from_text(str(value).strip())
    return allowed.check(number) if allowed else number


def _from_cell(value: int | float) -> int:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("is not a number")
    if value != int(value):
        raise ValueError(f"'{value}' is not a whole number")
    if isinstance(value, float) and abs(value) >= EXACT_FLOAT_LIMIT:
        raise ValueError(f"'{value:.15g}' is too large to be read exactly: store it as text in the spreadsheet")
    return int(value)


def _from_text(text: str) -> int:
    if not WHOLE.fullmatch(text):
        raise ValueError(f"{quoted(text)} is not a whole number: write digits, with commas only between thousands")
    return _integer(text.split(".")[0], text)


def _integer(digits: str, written: str) -> int:
    """The number of digits that matched a grammar ("1,234"), refused when longer than any range reaches."""
    plain = digits.replace(",", "")
    if len(plain) > MAX_DIGITS:
        raise ValueError(f"{quoted(written)} has {len(plain):,} digits: far too large")
    return int(plain)


def pounds(value: Any, allowed: Range = POUNDS_RANGE) -> int | None:
    """'£450,000', '450000', '£450,000.00' or a number cell 450000 -> 450000; money is kept in whole pounds."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)):
        try:
            number = _from_cell(value)
        except ValueError:
            raise ValueError(f"'{value}' is not an amount in whole pounds") from None
        return allowed.check(number)
    text = str(value).strip()  # a date cell, say, is refused as the text it shows
    match = POUNDS.fullmatch(text)
    if not match:
        raise ValueError(
            f"{quoted(text)} is not an amount in pounds: write digits, with commas only between "
            "thousands, optionally led by £"
        )
    if match["pence"] and match["pence"] != "00":
        raise ValueError(f"{quoted(text)} has pence: amounts are kept in whole pounds")
    return allowed.check(_integer(match["number"], text))


def ofsted_urn(value: Any) -> str | None:
    """A cell's Ofsted URN (None when blank), exactly as written: SC123456, or 1234567 (a spreadsheet's number cell
    is the digits it shows). "sc123456" is refused, not upper-cased: a store keeps what its source says."""
    if is_blank(value):
        return None
    # A spreadsheet's number cell 1234567.0 was typed as 1234567.
    written = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    if not OFSTED_URN.fullmatch(written):
        raise ValueError(
            f"{quoted(written)} is not an Ofsted URN such as SC123456: SC and 6 digits, or 6 or 7 digits (1234567)"
        )
    return written


def text(value: Any, max_length: int) -> str | None:
    """A cell's text (None when blank): surrounding spaces trimmed, NFC-normalised, within `max_length`, with no
    control character a reader would not see."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's number cell in a text field: 12.0 was typed as 12
    cleaned = unicodedata.normalize("NFC", str(value).strip())
    hidden = next((char for char in cleaned if _is_hidden_control(char)), None)
    if hidden is not None:
        raise ValueError(f"holds a control character ({_name(hidden)}): remove it")
    if len(cleaned) > max_length:
        raise ValueError(f"is {len(cleaned):,} characters long: at most {max_length:,}")
    return cleaned


def _is_hidden_control(char: str) -> bool:
    return (unicodedata.category(char) == "Cc" and char not in CONTROL_KEPT) or char in BIDI_CONTROLS


def _name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()
