"""One shape for every importer: the programme spreadsheet (`importing`), SSDA903 episodes and the postcode-district
lookup (`placements`) and Ofsted's provider-level data (`market`).

An `Importer` reads its file, checks it and writes it; `run_import` runs those steps the same way for each: the
permission to write, the file's kind, the bounded read with one refusal for a file that cannot be read,
the check, one transaction, and the rollback of a dry run. The command line and the Import page both call it, so a
file is refused in the same words wherever it is imported. Free of the validation records (pydantic), as `reading`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from dashboard.db import session_scope
from dashboard.reading import Problem, Report, UnreadableFile
from dashboard.roles import Actor, Permission

R = TypeVar("R", bound=Report, covariant=True)

STORE_UNAVAILABLE = (
    "the store could not save the import, so nothing was imported: try again, and tell the "
    "dashboard's administrator if it happens again"
)


@dataclass(frozen=True)
class Accepts:
    """The kind of file an importer reads: its endings, whether a folder of them, and the same in words."""

    suffixes: frozenset[str]
    folders: bool
    words: str


# .txt too: Excel's "Unicode text" is tab-separated CSV.
CSV_SUFFIXES = frozenset({".csv", ".txt"})
CSV_FILE = Accepts(CSV_SUFFIXES, folders=False, words="a .csv file")


class Refused(Exception):
    """A write that passed every check and still did not go in, as the problem to report (never the database's own
    message, which would repeat its SQL and values)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


class Importer(Protocol[R]):
    """One kind of file, imported in three steps that `run_import` takes in order; each fills in `report`."""

    @property
    def path(self) -> Path: ...

    @property
    def accepts(self) -> Accepts: ...

    @property
    def report(self) -> R: ...

    def read(self) -> None:
        """Read the file within the limits (`dashboard.reading`); UnreadableFile or OSError when it cannot be."""

    def check(self, session: Session) -> list[Problem]:
        """Every problem of the file as read, its rows' and against the store; nothing is written when any."""
        ...

    def write(self, session: Session, actor: Actor) -> None:
        """Write what was checked into the session, as `actor` (Refused when the store will not take it)."""

    def changes_council(self, session: Session) -> str | None:
        """The ONS code of the council whose data the checked file changes; None: data every council's pages read,
        which only an editor in every council may change."""
        ...


def file_problem(path: Path, accepts: Accepts) -> str | None:
    """Why the file cannot be imported before it is opened, in words, or None."""
    if not path.exists():
        return f"no such file or folder ({path.resolve().parent})"
    is_folder = path.is_dir() and accepts.folders
    if not (is_folder or (path.is_file() and path.suffix.lower() in accepts.suffixes)):
        return f"this import takes {accepts.words}"
    return None


def read_refusal(name: str, error: UnreadableFile | OSError) -> str:
    """The one message for a file that cannot be read, without the file's name (its problem names it)."""
    if isinstance(error, UnreadableFile):
        return str(error).removeprefix(f"{name}: ")
    return f"cannot be read ({error.strerror or 'the system refused to open it'})"


def _read(importer: Importer[Report]) -> str | None:
    """The importer's file read, or why it cannot be."""
    if refused := file_problem(importer.path, importer.accepts):
        return refused
    try:
        importer.read()
    except (UnreadableFile, OSError) as error:
        return read_refusal(importer.path.name, error)
    return None


def run_import(engine: Engine, importer: Importer[R], actor: Actor, dry_run: bool = False) -> R:
    """Read, check and write one file in one transaction, all or nothing; with `dry_run`, report what would change
    and roll it back (anyone may check a file; only an editor may write one: AccessDenied otherwise)."""
    if not dry_run and not actor.can_somewhere(Permission.EDIT):
        actor.require(Permission.EDIT)  # refused before the file is read; the council is asked once it is known
    report = importer.report
    if refused := _read(importer):
        report.problems.append(Problem(importer.path.name, None, None, refused))
        return report
    try:
        with session_scope(engine, actor) as session:
            report.problems += importer.check(session)
            if report.problems:
                session.rollback()
                return report
            if not dry_run:
                actor.require(Permission.EDIT, importer.changes_council(session))
            importer.write(session, actor)
            if dry_run:  # the write ran, so a dry run finds what the store would refuse; none of it is kept
                session.rollback()
    except Refused as refused_write:
        report.refuse(refused_write.problem)
        return report
    except (StatementError, OverflowError):  # on commit: the store busy beyond its wait, or refusing the whole
        report.refuse(Problem(importer.path.name, None, None, STORE_UNAVAILABLE))
        return report
    report.written = not dry_run
    return report
