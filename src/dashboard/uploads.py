"""The kinds of file the app's Import page takes, each with the importer the command line uses for it, run the same
way (`dashboard.importers.run_import`). Every report has `ok`, `problems` (each naming file, row and column) and
`summary()`; nothing is written on a dry run."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from dashboard.importers import Importer, run_import
from dashboard.importing import ProgrammeImport
from dashboard.lookup import LookupImport
from dashboard.market import OfstedImport
from dashboard.placements import EpisodesImport
from dashboard.reading import Report
from dashboard.roles import Actor


@dataclass(frozen=True)
class UploadKind:
    label: str
    help: str
    types: tuple[str, ...]
    importer: Callable[[Path, date, bool], Importer[Report]]  # (file, today, replace)
    # A tick box that lets a file replace what is held though the importer doubts it (far fewer homes than held).
    replace_label: str | None = None


KINDS: tuple[UploadKind, ...] = (
    UploadKind(
        "Programme spreadsheet",
        "Decisions, phases and properties with their stage dates: a workbook with those sheets, or one CSV "
        "(properties.csv, decisions.csv or phases.csv; another name is read as the property tracker).",
        ("csv", "xlsx"),
        lambda path, today, _: ProgrammeImport(path, today),
    ),
    UploadKind(
        "SSDA903 episodes",
        "The episodes file of the council's SSDA903 return. Kept only as monthly counts: no child or postcode is "
        "stored. Import the postcode-district lookup first.",
        ("csv",),
        lambda path, today, _: EpisodesImport(path, today),
    ),
    UploadKind(
        "Postcode-district lookup",
        "A CSV with a Postcode district column (SG1) and a Local authority column: places children inside or outside "
        "the county. It replaces the lookup held.",
        ("csv",),
        lambda path, _today, _: LookupImport(path),
    ),
    UploadKind(
        "Ofsted provider-level data",
        "Ofsted's \"Children's social care data in England: provider level as at 31 March\" CSV, as downloaded from "
        "GOV.UK, one year per file. It replaces that year's figures.",
        ("csv",),
        lambda path, _today, replace: OfstedImport(path, replace=replace),
        replace_label="Replace the year held",
    ),
)
KIND_BY_LABEL = {kind.label: kind for kind in KINDS}


def run_upload(
    kind: UploadKind,
    engine: Engine,
    file_name: str,
    data: bytes,
    actor: Actor,
    dry_run: bool,
    today: date,
    replace: bool = False,
) -> Report:
    """An uploaded file, imported exactly as the command line imports one on disk (its name kept, as the programme
    importer reads a layout from it); the file exists only while it is read, and the audit log names it."""
    name = Path(file_name).name or "upload.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        importer = kind.importer(path, today, replace)
        return run_import(engine, importer, replace_fields(actor, source=f"import {name}"), dry_run)
