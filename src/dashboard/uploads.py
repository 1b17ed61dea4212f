"""The kinds of file the app's Import page takes, each with the importer the command line uses for it, run the same
way (`dashboard.importers.run_import`). Every report has `ok`, `problems` (each naming file, row and column) and
`summary()`; nothing is written on a dry run."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
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
    # (files, today, replace, council): the council (an ONS code) whose programme or return it is; None, the first.
    importer: Callable[[list[Path], date, bool, str | None], Importer[Report]]
    # A tick box that lets a file replace what is held though the importer doubts it (far fewer homes than held).
    replace_label: str | None = None
    several: bool = False  # several files imported together (the SSDA903 years and their header files)


KINDS: tuple[UploadKind, ...] = (
    UploadKind(
        "Programme spreadsheet",
        "Decisions, phases and properties with their stage dates: a workbook with those sheets, or one CSV "
        "(properties.csv, decisions.csv or phases.csv; another name is read as the property tracker).",
        ("csv", "xlsx"),
        lambda paths, today, _, council: ProgrammeImport(paths[0], today, council_named=council),
    ),
    UploadKind(
        "SSDA903 return",
        "The episodes file of each year of the council's SSDA903 return, with its header file (dates of birth) if "
        "you can: several years together let the measures look back over them (long-term stability needs two and "
        "a half). Kept only as the objectives' measures: no child, date of birth or postcode is stored. Import the "
        "postcode-district lookup first.",
        ("csv",),
        lambda paths, today, _, council: EpisodesImport(paths, today, council_named=council),
        several=True,
    ),
    UploadKind(
        "Postcode-district lookup",
        "A CSV with a Postcode district column (SG1) and a Local authority column: places children inside or outside "
        "the county. A district crossing the boundary takes a row per authority, with a Share if known; Latitude and "
        "Longitude (the district's centroid) let the distance from home be estimated; a Council district (on the "
        "council's rows: the district's name or ONS code) places the forecast's need by home district. It replaces "
        "the lookup held.",
        ("csv",),
        lambda paths, _today, _, _council: LookupImport(paths[0]),
    ),
    UploadKind(
        "Ofsted provider-level data",
        "Ofsted's \"Children's social care data in England: provider level as at 31 March\" CSV, as downloaded from "
        "GOV.UK, one year per file. It replaces that year's figures.",
        ("csv",),
        lambda paths, _today, replace, _council: OfstedImport(paths[0], replace=replace),
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
    council: str | None = None,
) -> Report:
    """One uploaded file, imported as `run_uploads` imports several."""
    return run_uploads(kind, engine, [(file_name, data)], actor, dry_run, today, replace, council)


def run_uploads(
    kind: UploadKind,
    engine: Engine,
    files: Sequence[tuple[str, bytes]],
    actor: Actor,
    dry_run: bool,
    today: date,
    replace: bool = False,
    council: str | None = None,
) -> Report:
    """Uploaded files (name, content), imported exactly as the command line imports them on disk (their names kept,
    as the programme importer reads a layout from one); the files exist only while they are read, and the audit log
    names them."""
    names = [Path(name).name or "upload.csv" for name, _ in files]
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, (name, (_, data)) in enumerate(zip(names, files, strict=True)):
            # Each in a folder of its own: two uploads may share a name (two years' "episodes.csv").
            (path := Path(folder) / str(number) / name).parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
        importer = kind.importer(paths, today, replace, council)
        return run_import(engine, importer, replace_fields(actor, source=f"import {', '.join(names)}"), dry_run)
