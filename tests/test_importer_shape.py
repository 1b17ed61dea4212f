"""Every importer runs one way (`dashboard.importers.run_import`): a dry run reaches the write and leaves the store
byte for byte as it was; only an editor may write; a file that cannot be read is refused in the same words by each,
from the command line and the Import page alike."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.importers import Accepts, Importer, run_import
from dashboard.importing import ProgrammeImport
from dashboard.lookup import LookupImport
from dashboard.market import OfstedImport
from dashboard.placements import EpisodesImport
from dashboard.reading import MAX_FILE_BYTES, Problem, Report
from dashboard.roles import AccessDenied, Actor, Role
from dashboard.uploads import KIND_BY_LABEL, run_upload
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, write_csv

EDITOR = Actor("ed@herts.gov.uk", "test", Role.EDITOR)
VIEWER = Actor("val@herts.gov.uk", "test", Role.VIEWER)


def programme_file(folder: Path) -> Path:
    return write_csv(folder / "properties.csv", [NEW_PROPERTY])


def episodes_file(folder: Path) -> Path:
    path = folder / "episodes.csv"
    path.write_text(
        "CHILD,DECOM,RNE,LS,PLACE,PLACE_PROVIDER,DEC\nC1,01/04/2025,S,C2,K2,PR1,\nC2,15/05/2025,P,C2,K2,PR4,30/09/2025\n",
        encoding="utf-8",
    )
    return path


def lookup_file(folder: Path) -> Path:
    path = folder / "lookup.csv"
    path.write_text("Postcode district,Local authority\nSG1,Hertfordshire\nLU1,Luton\n", encoding="utf-8")
    return path


def ofsted_file(folder: Path) -> Path:
    path = folder / "providers.csv"
    path.write_text(
        "Provider level as at 31 March 2012\n"
        "URN,Provision type,Local authority,Sector,Places,Overall effectiveness\n"
        "SC000001,Children's home,Luton,Private,3,Good\n",
        encoding="utf-8",
    )
    return path


# Each importer, with a small file it imports.
IMPORTERS: dict[str, tuple[Callable[[Path], Importer[Report]], Callable[[Path], Path]]] = {
    "programme": (lambda path: ProgrammeImport(path, SEED_TODAY), programme_file),
    "SSDA903 episodes": (lambda path: EpisodesImport(path, SEED_TODAY), episodes_file),
    "postcode-district lookup": (LookupImport, lookup_file),
    "Ofsted providers": (OfstedImport, ofsted_file),
}
each_importer = pytest.mark.parametrize("name", IMPORTERS, ids=list(IMPORTERS))


class WriteSeen:
    """An importer as it is, noting whether its write ran (and on what), so a test sees a dry run reach it."""

    def __init__(self, importer: Importer[Report]):
        self.importer = importer
        self.wrote_in: Session | None = None

    @property
    def path(self) -> Path:
        return self.importer.path

    @property
    def accepts(self) -> Accepts:
        return self.importer.accepts

    @property
    def report(self) -> Report:
        return self.importer.report

    def read(self) -> None:
        self.importer.read()

    def check(self, session: Session) -> list[Problem]:
        return self.importer.check(session)

    def write(self, session: Session, actor: Actor) -> None:
        self.importer.write(session, actor)
        session.flush()  # the rows go to the store, inside the transaction the dry run rolls back
        self.wrote_in = session


@each_importer
def test_a_dry_run_reaches_the_write_and_leaves_the_store_byte_identical(engine: Engine, tmp_path: Path, name: str):
    make, file = IMPORTERS[name]
    path = file(tmp_path)
    before = dump(engine)

    seen = WriteSeen(make(path))
    dry = run_import(engine, seen, EDITOR, dry_run=True)

    assert dry.ok and not dry.written, dry.summary()
    assert seen.wrote_in is not None, "the dry run never reached the write, so it could not find what the store refuses"
    assert dump(engine) == before
    # The same file, imported for real, does change the store: the dry run above had something to roll back.
    written = run_import(engine, make(path), EDITOR)
    assert written.ok and written.written, written.summary()
    assert dump(engine) != before


@each_importer
def test_a_viewer_may_check_a_file_but_not_import_it(shared_engine: Engine, tmp_path: Path, name: str):
    make, file = IMPORTERS[name]
    path = file(tmp_path)
    before = dump(shared_engine)

    with pytest.raises(AccessDenied):
        run_import(shared_engine, make(path), VIEWER)
    assert run_import(shared_engine, make(path), VIEWER, dry_run=True).ok

    assert dump(shared_engine) == before


def refusals(engine: Engine, path: Path) -> dict[str, list[Problem]]:
    """Each importer's problems with `path`, the store checked unchanged by each."""
    found = {}
    for name, (make, _) in IMPORTERS.items():
        before = dump(engine)
        report = run_import(engine, make(path), EDITOR)
        assert not report.ok and not report.written
        assert dump(engine) == before
        found[name] = report.problems
    return found


def test_a_missing_file_is_refused_in_the_same_words_by_each(shared_engine: Engine, tmp_path: Path):
    found = refusals(shared_engine, tmp_path / "nowhere.csv")

    expected = [Problem("nowhere.csv", None, None, f"no such file or folder ({tmp_path.resolve()})")]
    assert found == dict.fromkeys(IMPORTERS, expected)


def test_a_file_the_system_will_not_open_is_refused_in_the_same_words_by_each(
    shared_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "locked.csv"
    path.write_text("anything\n", encoding="utf-8")
    read_bytes = pathlib.Path.read_bytes

    def denied(self: Path) -> bytes:  # the tests run as root, whom file permissions do not stop
        if self.name == path.name:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", denied)
    found = refusals(shared_engine, path)

    expected = [Problem("locked.csv", None, None, "cannot be read (Permission denied)")]
    assert found == dict.fromkeys(IMPORTERS, expected)


def test_a_file_over_the_limit_and_a_file_of_another_kind_are_refused_alike(shared_engine: Engine, tmp_path: Path):
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    over = refusals(shared_engine, big)
    pdf = tmp_path / "tracker.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    other_kind = refusals(shared_engine, pdf)

    assert {problem.message for problems in over.values() for problem in problems} == {
        "the file is 20.0 MB; an import takes files of up to 20 MB: split it, or remove what is not needed"
    }
    assert {name: [p.message for p in problems] for name, problems in other_kind.items()} == {
        "programme": ["this import takes a .csv or .xlsx file, or a folder of .csv files"],
        "SSDA903 episodes": ["this import takes a .csv file"],
        "postcode-district lookup": ["this import takes a .csv file"],
        "Ofsted providers": ["this import takes the provider-level .csv file as downloaded from GOV.UK"],
    }


def test_a_folder_is_refused_by_each_importer_of_one_file(shared_engine: Engine, tmp_path: Path):
    folder = tmp_path / "export.csv"
    folder.mkdir()

    found = refusals(shared_engine, folder)

    assert "programme" in found  # a folder of CSVs is the programme's, and this one holds none
    assert [p.message for p in found["programme"]] == ["no table found: the file is empty"]
    assert all(
        problems[0].message.startswith("this import takes") for name, problems in found.items() if name != "programme"
    )


def test_the_import_page_and_the_command_line_give_the_same_refusal(shared_engine: Engine, tmp_path: Path, run_cli):
    """An upload goes through `run_import` as a file on disk does: one mixed-encoding file, one message."""
    data = b"Postcode district,Local authority\nSG1,Hertfordshire\nLU1,Lut\xf3n\xe9 \xe2\x80\x93\n"
    path = tmp_path / "lookup.csv"
    path.write_bytes(data)

    uploaded = run_upload(
        KIND_BY_LABEL["Postcode-district lookup"], shared_engine, "lookup.csv", data, EDITOR, True, SEED_TODAY
    )
    typed = run_cli("import-lookup", path, "--dry-run")

    assert [str(p) for p in uploaded.problems] == [
        "lookup.csv: line 3 is not UTF-8, though the file holds UTF-8 text elsewhere (two encodings in one file): "
        "save the file as CSV UTF-8 and import it again"
    ]
    assert typed.returncode == 1 and uploaded.summary() in typed.stderr, typed.stderr
