"""The kinds of file the app's Import page takes, each with the importer the command line uses for it. Every report
has `ok`, `problems` (each naming file, row and column) and `summary()`; nothing is written on a dry run."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from dashboard import market, placements
from dashboard.importing import import_path
from dashboard.roles import Actor


@dataclass(frozen=True)
class UploadKind:
    label: str
    help: str
    types: tuple[str, ...]
    run: Callable[[Engine, Path, Actor, bool, date, bool], Any]  # (engine, file, actor, dry_run, today, replace)
    # A tick box that lets a file replace what is held though the importer doubts it (far fewer homes than held).
    replace_label: str | None = None


KINDS: tuple[UploadKind, ...] = (
    UploadKind(
        "Programme spreadsheet",
        "Decisions, phases and properties with their stage dates: a workbook with those sheets, or one CSV "
        "(properties.csv, decisions.csv or phases.csv; another name is read as the property tracker).",
        ("csv", "xlsx"),
        lambda engine, path, actor, dry_run, today, _: import_path(engine, path, actor, dry_run=dry_run, today=today),
    ),
    UploadKind(
        "SSDA903 episodes",
        "The episodes file of the council's SSDA903 return. Kept only as monthly counts: no child or postcode is "
        "stored. Import the postcode-district lookup first.",
        ("csv",),
        lambda engine, path, actor, dry_run, today, _: placements.import_episodes(
            engine, path, actor, dry_run=dry_run, today=today
        ),
    ),
    UploadKind(
        "Postcode-district lookup",
        "A CSV with a Postcode district column (SG1) and a Local authority column: places children inside or outside "
        "the county. It replaces the lookup held.",
        ("csv",),
        lambda engine, path, actor, dry_run, today, _: placements.import_lookup(engine, path, actor, dry_run=dry_run),
    ),
    UploadKind(
        "Ofsted provider-level data",
        "Ofsted's \"Children's social care data in England: provider level as at 31 March\" CSV, as downloaded from "
        "GOV.UK, one year per file. It replaces that year's figures.",
        ("csv",),
        lambda engine, path, actor, dry_run, today, replace: market.import_ofsted(
            engine, path, actor, dry_run=dry_run, replace=replace
        ),
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
) -> Any:
    """An uploaded file, imported exactly as the command line imports one on disk (its name kept, as the programme
    importer reads a layout from it); the file exists only while it is read, and the audit log names it."""
    name = Path(file_name).name or "upload.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return kind.run(engine, path, replace_fields(actor, source=f"import {name}"), dry_run, today, replace)
