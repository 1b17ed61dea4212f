"""Reading an Excel workbook (.xlsx) with bounded work, whatever the file claims about itself.

An .xlsx is a zip archive of XML parts, and a small one can ask for hours of work or gigabytes of memory: a sheet
declaring A1:XFD1048576 (openpyxl pads every row it reads to the declared width), millions of shared strings that
compress to nothing, a part that unpacks a thousandfold. So, before openpyxl parses anything, the archive's own
directory is checked (parts, unpacked sizes, expansion), the shared strings are counted by a streaming parse that stops
at the limit, and each sheet is scanned once (streaming) for where its values really are. Only then is the sheet read,
in openpyxl's read-only mode, to the rows and columns the scan found, never to the dimension the sheet declares. The
limits are in `dashboard.reading`."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from xml.parsers import expat

from dashboard.reading import (
    MAX_COLUMNS,
    MAX_EXPANSION,
    MAX_PART_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_WORKBOOK_PARTS,
    OLE_SIGNATURE,
    RATIO_CHECKED_FROM,
    UnreadableFile,
    check_size,
)

# Parts read as a stream, so bounded only by the total: the sheets and the shared strings. Every other part (styles,
# the workbook, relationships, properties) is parsed whole by openpyxl, so it is held to MAX_PART_BYTES.
STREAMED_PART = re.compile(r"xl/worksheets/[^/]+\.xml|xl/sharedStrings\.xml")
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]+)")
CHUNK = 64 * 1024
SAVE_AGAIN = "open it in Excel and save it again as .xlsx (Excel Workbook)"
NOT_READABLE = f"not a readable Excel workbook: {SAVE_AGAIN}"
# A program that does not calculate (openpyxl, some exporters) saves a formula without its value; Excel saves both.
NO_SAVED_VALUE = "a formula with no saved value: open the file in Excel and save it"


class _Refused(Exception):
    """Raised from inside the streaming parser to stop it at once; becomes an UnreadableFile."""


@dataclass(frozen=True)
class SheetContents:
    rows: list[tuple[int, tuple[Any, ...]]]  # (row number, cells) for every row up to the last one holding anything
    unsaved_formulas: list[tuple[int, int]]  # (row, column) of each formula the file holds no value for


@dataclass
class WorkbookSheet:
    title: str
    state: str  # "visible", "hidden" or "veryHidden", as the workbook says
    read: Callable[[], SheetContents]

    @property
    def hidden(self) -> bool:
        return self.state != "visible"


def workbook_sheets(path: Path) -> Iterator[WorkbookSheet]:
    """The workbook's sheets in order, each read only when asked (`sheet.read()`), within the limits; anything
    refused, or a file openpyxl cannot read, is an UnreadableFile naming the file (and the sheet)."""
    from openpyxl import load_workbook

    check_size(path.name, path.stat().st_size)
    archive = _open_archive(path)
    try:
        _count_shared_strings(path.name, archive)
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a broken file; none of them is for the reader
            raise UnreadableFile(f"{path.name}: {NOT_READABLE}") from None
        try:
            for sheet in workbook.worksheets:
                yield WorkbookSheet(sheet.title, sheet.sheet_state, partial(_read_sheet, path.name, archive, sheet))
        finally:
            workbook.close()
    finally:
        archive.close()


# ---------------------------------------------------------------- the archive


def _open_archive(path: Path) -> zipfile.ZipFile:
    with path.open("rb") as file:
        if file.read(len(OLE_SIGNATURE)) == OLE_SIGNATURE:
            raise UnreadableFile(
                f"{path.name}: an old .xls workbook, or one saved with a password: save it in Excel "
                "as .xlsx (Excel Workbook) without a password"
            )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile(f"{path.name}: {NOT_READABLE}") from None
    try:
        _check_parts(path.name, archive.infolist())
    except UnreadableFile:
        archive.close()
        raise
    return archive


def _check_parts(name: str, parts: list[zipfile.ZipInfo]) -> None:
    """The archive's directory against the limits. zipfile never unpacks more of a part than the directory states
    (a part that says less than it holds fails its checksum), so the stated sizes can be trusted."""
    if len(parts) > MAX_WORKBOOK_PARTS:
        raise UnreadableFile(
            f"{name}: the workbook holds {len(parts):,} parts; a workbook to import holds at most "
            f"{MAX_WORKBOOK_PARTS:,}: is it the right file?"
        )
    total = sum(part.file_size for part in parts)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(
            f"{name}: the workbook unpacks to {total / 1024 / 1024:,.0f} MB; an import reads at most "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB: split it, or remove what is not needed"
        )
    for part in parts:
        if part.file_size > RATIO_CHECKED_FROM and part.file_size > MAX_EXPANSION * part.compress_size:
            raise UnreadableFile(
                f"{name}: its part {part.filename} unpacks to more than {MAX_EXPANSION} times its "
                "packed size, which no spreadsheet does: is it the right file?"
            )
        if part.file_size > MAX_PART_BYTES and not STREAMED_PART.fullmatch(part.filename):
            raise UnreadableFile(
                f"{name}: its part {part.filename} is {part.file_size / 1024 / 1024:,.0f} MB; at most "
                f"{MAX_PART_BYTES // 1024 // 1024} MB is read: is it the right file?"
            )


class _Handler:
    """What a streaming parse calls, with each element's local name (its namespace dropped)."""

    def start(self, element: str, attributes: dict[str, str]) -> None:
        pass

    def end(self, element: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def _parse(archive: zipfile.ZipFile, part: str, handler: _Handler) -> None:
    """Stream one XML part through expat, a chunk at a time; a handler stops the parse by raising _Refused. A
    document type declaration (the door to entity expansion) is refused."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = lambda name, attributes: handler.start(name.rpartition(" ")[2], attributes)
    parser.EndElementHandler = lambda name: handler.end(name.rpartition(" ")[2])
    parser.CharacterDataHandler = handler.text
    parser.StartDoctypeDeclHandler = _no_doctype
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _no_doctype(*_: Any) -> None:
    raise _Refused("a document type declaration, which no spreadsheet holds: is it the right file?")


def _refusal(name: str, where: str, error: Exception) -> UnreadableFile:
    if isinstance(error, _Refused):
        return UnreadableFile(f"{name}: {where}{error}")
    return UnreadableFile(f"{name}: {NOT_READABLE}")  # malformed XML, a damaged part: nothing the reader can act on


def _count_shared_strings(name: str, archive: zipfile.ZipFile) -> None:
    """The shared strings (the workbook's table of distinct texts, which openpyxl loads whole) counted as they
    stream by, stopping at the limit: 3 million of them pack into a few kilobytes."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    try:
        declared = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES))).find(SHARED_STRINGS)
    except Exception:  # no content types, or not XML: openpyxl could not read it either
        raise UnreadableFile(f"{name}: {NOT_READABLE}") from None
    if declared is None:
        return
    try:
        _parse(archive, declared.PartName.lstrip("/"), _StringCounter())
    except Exception as error:
        raise _refusal(name, "", error) from None


@dataclass
class _StringCounter(_Handler):
    count: int = 0

    def start(self, element: str, attributes: dict[str, str]) -> None:
        if element == "si":
            self.count += 1
            if self.count > MAX_SHARED_STRINGS:
                raise _Refused(
                    f"more than {MAX_SHARED_STRINGS:,} different texts, which is more than a workbook "
                    "to import holds: is it the right file?"
                )


# ---------------------------------------------------------------- a sheet


@dataclass
class _Scan(_Handler):
    """Where a sheet's values really are, found by one streaming pass over its XML: the last row and column holding
    anything, and each formula saved without its value. A cell holds something if it has a value, inline text or a
    formula; an empty, formatted cell holds nothing, wherever it is."""

    max_row: int = 0
    max_column: int = 0
    unsaved_formulas: list[tuple[int, int]] = field(default_factory=list)
    _row: int = 0
    _column: int = 0
    _cell: str = ""  # its reference as written ("B7"), if it is
    _type: str = "n"
    _formula: bool = False
    _value: bool = False  # a value of one character or more
    _inline: bool = False
    _in_value: bool = False

    def start(self, element: str, attributes: dict[str, str]) -> None:
        if element == "row":
            self._row = int(attributes["r"]) if "r" in attributes else self._row + 1
            self._column = 0
        elif element == "c":
            self._cell, self._type = attributes.get("r", ""), attributes.get("t", "n")
            match = CELL_REFERENCE.fullmatch(self._cell)
            self._column = _column_number(match.group(1)) if match else self._column + 1
            self._formula = self._value = self._inline = False
        elif element == "f":
            self._formula = True
        elif element == "is":
            self._inline = True
        elif element == "v":
            self._in_value = True

    def text(self, data: str) -> None:
        if self._in_value and data:
            self._value = True

    def end(self, element: str) -> None:
        if element == "v":
            self._in_value = False
        if element != "c" or not (self._formula or self._value or self._inline):
            return
        where = f"cell {self._cell}" if self._cell else f"row {self._row:,}, column {self._column:,}"
        if self._row > MAX_ROWS:
            raise _Refused(f"{where}: a value below row {MAX_ROWS:,}; an import reads at most {MAX_ROWS:,} rows")
        if self._column > MAX_COLUMNS:
            raise _Refused(
                f"{where}: a value beyond column {MAX_COLUMNS}; an import reads at most {MAX_COLUMNS} columns"
            )
        self.max_row, self.max_column = max(self.max_row, self._row), max(self.max_column, self._column)
        # An empty saved value is a formula's value only when it is text (t="str"): "" is a result, a number is not.
        if self._formula and not self._value and self._type != "str":
            self.unsaved_formulas.append((self._row, self._column))


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _read_sheet(name: str, archive: zipfile.ZipFile, sheet: Any) -> SheetContents:
    """The sheet's rows, read by openpyxl only as far as the scan found values: its declared dimension is ignored."""
    scan = _Scan()
    try:
        # openpyxl keeps the part a read-only sheet is read from here; it has no public name for it.
        _parse(archive, sheet._worksheet_path, scan)
    except Exception as error:
        raise _refusal(name, f"sheet '{sheet.title}', ", error) from None
    if not scan.max_row:
        return SheetContents([], [])
    sheet.reset_dimensions()
    try:
        values = sheet.iter_rows(min_row=1, max_row=scan.max_row, min_col=1, max_col=scan.max_column, values_only=True)
        rows = list(enumerate(values, start=1))
    except Exception:  # a cell openpyxl cannot take (a shared string that is not there, say)
        raise UnreadableFile(f"{name}: sheet '{sheet.title}' cannot be read: {SAVE_AGAIN}") from None
    return SheetContents(rows, scan.unsaved_formulas)
