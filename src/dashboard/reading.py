"""What every importer shares when it reads a file: the limits on the work a file may cause, its text (exactly, or
refused), its CSV rows with their line numbers, the dates in its cells, the problems found in it and the report given
back. Free of the validation records (pydantic): the pages that only read the store, and
the importers of published figures, never load them."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any


class UnreadableFile(Exception):
    """A file that cannot be read at all (wrong type, unreadable workbook, an encoding or a size refused). The message
    is in words and starts with the file's name."""


@dataclass(frozen=True)
class Problem:
    source: str  # file, or file:sheet
    row: int | None  # the file's own row: a sheet's row number, a CSV's line number (where a record starts)
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

    def refuse(self, problem: Problem) -> None:
        """A write that was rolled back: the problem, and none of the counts of what was never kept."""
        self.problems.append(problem)

    def outcome(self) -> str:
        raise NotImplementedError


# ---------------------------------------------------------------- limits on what is read
# One place for every bound on the work a file may cause (README, "Files too large or too odd to read"): a file
# over them is refused with a message, quickly and in bounded memory, before its contents are parsed.
MAX_FILE_MB = 20
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024  # any file imported, from the command line or the Import page
MAX_LINE_CHARS = 1_000_000  # one line of a CSV file
MAX_ROWS = 50_000  # rows of a CSV file or of one sheet (blank rows count)
MAX_COLUMNS = 200  # cells in a row of a CSV file or a sheet
# Workbooks (.xlsx are zip archives of XML): bounds checked on the archive before any of it is parsed.
MAX_WORKBOOK_PARTS = 500  # files inside the archive
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # all of them, unpacked
MAX_PART_BYTES = 5 * 1024 * 1024  # one part other than a sheet or the shared strings (styles, workbook, theme)
MAX_EXPANSION = 100  # unpacked size over packed size, for a part of more than RATIO_CHECKED_FROM bytes
RATIO_CHECKED_FROM = 1024 * 1024
MAX_SHARED_STRINGS = 200_000  # the workbook's table of distinct texts


def check_size(name: str, size: int) -> None:
    """The one size check for every import, from a file on disk and from the Import page alike."""
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"{name}: the file is {size / 1024 / 1024:,.1f} MB; an import takes files of up to "
            f"{MAX_FILE_MB} MB: split it, or remove what is not needed"
        )


def read_file(path: Path) -> bytes:
    """A file's bytes, its size checked before any is read. OSError (no such file, no permission) is the caller's."""
    check_size(path.name, path.stat().st_size)
    return path.read_bytes()


# ---------------------------------------------------------------- text
# Bytes that Windows-1252 leaves undefined: a file holding one is neither UTF-8 nor Windows-1252.
UNDEFINED_IN_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# One well-formed UTF-8 character of two to four bytes (RFC 3629): its presence in a file that is not wholly UTF-8
# shows a file of two encodings, not a Windows-1252 one.
UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .xls workbook, or an .xlsx saved with a password
# What a file given for a CSV is when it starts with these bytes.
NOT_TEXT = {
    b"PK\x03\x04": "an Excel workbook (or another zip archive)",
    OLE_SIGNATURE: "an Excel workbook in an old or password-protected form",
}
SAVE_AS_UTF8 = "save the file as CSV UTF-8 and import it again"
LINE = re.compile(r"[^\r\n]*+(?:\r\n?|\n)|[^\r\n]++")  # a line and its ending: CR LF, LF or a lone CR


def line_of(text: bytes | str, position: int) -> int:
    """The line (from 1) holding `position`: a line ends at CR LF, LF or a lone CR, as the CSV reader splits them."""
    before = text[:position]
    if isinstance(before, bytes):
        before = before.decode("latin-1")  # a character per byte: only the line breaks are counted
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def decode(data: bytes, source: str) -> str:
    """A file's text, exactly, or an UnreadableFile saying why not; never a replacement character. The rule:

    - a UTF-16 byte-order mark (FF FE or FE FF, as Excel's "Unicode text" writes) -> UTF-16;
    - a UTF-8 byte-order mark, or bytes that are all valid UTF-8 -> UTF-8;
    - otherwise, if any well-formed multi-byte UTF-8 character is there, the file mixes two encodings: refused,
      naming the line of the first byte that is not UTF-8;
    - otherwise Windows-1252 (Excel's "CSV" on Windows in the UK), unless it holds a byte Windows-1252 leaves
      undefined (81, 8D, 8F, 90, 9D): refused, naming its line.

    A workbook given for a CSV, and text holding a NUL character (naming its line), are refused too."""
    for signature, kind in NOT_TEXT.items():
        if data.startswith(signature):
            raise UnreadableFile(f"{source}: {kind}, not CSV text: save it from Excel as CSV UTF-8")
    if data.startswith(UTF16_BOMS):
        text = _strict(data, "utf-16", source, "is UTF-16 text")
    elif data.startswith(codecs.BOM_UTF8):
        text = _strict(data[len(codecs.BOM_UTF8) :], "utf-8", source, "starts as UTF-8 (it has the byte-order mark)")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            text = _not_utf8(data, error.start, source)
    nul = text.find("\x00")
    if nul >= 0:
        raise UnreadableFile(
            f"{source}: line {line_of(text, nul)} holds a NUL character, which no CSV file does (is it a spreadsheet, "
            f"or UTF-16 text without its byte-order mark?): {SAVE_AS_UTF8}"
        )
    return text


def _strict(data: bytes, encoding: str, source: str, said: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        before = data[: error.start].decode(encoding, errors="ignore")
        line = line_of(before, len(before))
        raise UnreadableFile(f"{source}: the file {said}, but line {line} is not: {SAVE_AS_UTF8}") from None


def _not_utf8(data: bytes, first_bad: int, source: str) -> str:
    """Windows-1252 text, or the refusal of a file that is neither that nor UTF-8."""
    if UTF8_MULTIBYTE.search(data):
        raise UnreadableFile(
            f"{source}: line {line_of(data, first_bad)} is not UTF-8, though the file holds UTF-8 "
            f"text elsewhere (two encodings in one file): {SAVE_AS_UTF8}"
        )
    undefined = UNDEFINED_IN_CP1252.search(data)
    if undefined:
        raise UnreadableFile(
            f"{source}: line {line_of(data, undefined.start())} holds a byte that is neither UTF-8 "
            f"nor Windows-1252 text: {SAVE_AS_UTF8}"
        )
    return data.decode("cp1252")


# ---------------------------------------------------------------- CSV


def numbered_rows(text: str, source: str) -> list[tuple[int, list[str]]]:
    """The records of a CSV's text, each with its row number as a spreadsheet opening the file shows it (a blank line
    is an empty row; a cell holding a line break is still one row). Lines may end in CR LF, LF or CR alone. Cells
    are separated by commas, or by tabs when the first non-blank line has tabs and no comma (Excel's "Unicode text").
    Quotes must be well formed. Anything the reader cannot take, or beyond the limits above, is an UnreadableFile
    naming the line, never a traceback."""
    reader = csv.reader(_bounded_lines(text, source), delimiter=_delimiter(text), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise UnreadableFile(
                    f"{source}: row {len(rows) + 1} has {len(cells):,} cells; at most {MAX_COLUMNS} are read"
                )
            if len(rows) == MAX_ROWS:
                raise UnreadableFile(f"{source}: more than {MAX_ROWS:,} rows; an import reads at most that many")
            rows.append((len(rows) + 1, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(f"{source}: line {start} cannot be read as CSV: {_csv_fault(str(error))}") from None
    return rows


def from_header(rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The numbered rows from the first that is not blank (the header), numbers kept: blank lines above a header
    are still rows of the file."""
    first = next((index for index, (_, cells) in enumerate(rows) if any(cell.strip() for cell in cells)), len(rows))
    return rows[first:]


def csv_table(path: Path) -> list[tuple[int, list[str]]]:
    """A CSV file's numbered rows from its header down, read within the limits (UnreadableFile or OSError if not)."""
    return from_header(numbered_rows(decode(read_file(path), path.name), path.name))


def csv_rows(text: str, source: str) -> list[list[str]]:
    """The records of a CSV's text, as `numbered_rows` reads them, without their line numbers."""
    return [cells for _, cells in numbered_rows(text, source)]


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings, one at a time (a copy of the whole text, as io.StringIO would hold, is
    four times its size)."""
    return (match.group() for match in LINE.finditer(text))


def _delimiter(text: str) -> str:
    first = next((line for line in islice(_lines(text), MAX_ROWS) if line.strip()), "")
    return "\t" if "\t" in first and "," not in first else ","


def _bounded_lines(text: str, source: str) -> Iterator[str]:
    """The lines, refused at the first one too long to be a row."""
    for number, line in enumerate(_lines(text), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise UnreadableFile(
                f"{source}: line {number} is longer than {MAX_LINE_CHARS:,} characters: no row of an "
                "import is that long; is it the right file?"
            )
        yield line


def _csv_fault(error: str) -> str:
    """The csv module's complaint, in words a reader of the file can act on."""
    if "field limit" in error:
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    if "expected after" in error:
        return "text follows a closing quote; a quoted cell must end at a comma or the end of the line"
    if "end of data" in error:
        return "a quote opened there is never closed"
    return "its quotes or separators are out of place"


SHOWN_LENGTH = 60  # of a cell quoted back in a message


def quoted(written: str) -> str:
    """What was written, in quotes for a message: cut short when long (a refusal does not repeat a whole cell)."""
    if len(written) <= SHOWN_LENGTH:
        return f"'{written}'"
    return f"'{written[:SHOWN_LENGTH]}…' ({len(written):,} characters)"


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
                raise ValueError(f"{quoted(text)} is not a real date") from None
    raise ValueError(f"{quoted(text)} is not a date: write YYYY-MM-DD or DD/MM/YYYY")
