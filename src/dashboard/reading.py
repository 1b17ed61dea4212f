"""What every importer shares when it reads a file: its text, its CSV rows, the dates in its cells, the problems found
in it and the report given back. Free of the validation records (pydantic): the pages that only read the store, and
the importers of published figures, never load them."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class UnreadableFile(Exception):
    """A file that cannot be read at all (wrong type, unreadable workbook)."""


@dataclass(frozen=True)
class Problem:
    source: str  # file, or file:sheet
    row: int | None  # the spreadsheet's row number: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.source + (f", row {self.row}" if self.row else "") + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


def refusal(problems: list[Problem]) -> str:
    """Every importer's report when it wrote nothing: how many problems, then each on its own line."""
    return "\n".join([f"Nothing was imported: {len(problems)} problem(s) found.", *(f"  {p}" for p in problems)])


@dataclass
class Report:
    """What every importer returns, for the command line and the Import page alike: its problems (when there are
    any, nothing was written), whether it wrote, and a summary in words."""

    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def verb(self) -> str:
        return "Imported" if self.written else "Would import (dry run, nothing written)"

    def summary(self) -> str:
        return refusal(self.problems) if self.problems else self.outcome()

    def outcome(self) -> str:
        raise NotImplementedError


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252, as Excel on Windows saves CSV."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_rows(text: str, source: str) -> list[list[str]]:
    """The rows of a CSV's text; a file the csv module cannot read (a cell over its size limit, a stray NUL) is an
    UnreadableFile naming the row, never a traceback."""
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as error:
        raise UnreadableFile(f"{source}: row {reader.line_num} cannot be read as CSV ({error})") from None


def is_blank(value: Any) -> bool:
    """An empty cell: nothing, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> date | None:
    """A cell's date, as a spreadsheet gives it (a date, a date and time) or as typed (YYYY-MM-DD, DD/MM/YYYY); a
    date that cannot be, such as 31/02/2025, is refused with the text it was given."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy")):
        # Excel and pandas write "2024-03-05 00:00:00"; a midnight time adds nothing.
        match = re.fullmatch(pattern + r"(?:[ T]00:00(?::00)?)?", text)
        if match:
            parts = [int(part) for part in match.groups()]
            year, month, day = parts if order == "ymd" else parts[::-1]
            try:
                return date(year, month, day)
            except ValueError:
                raise ValueError(f"'{text}' is not a real date") from None
    raise ValueError(f"'{text}' is not a date: write YYYY-MM-DD or DD/MM/YYYY")
