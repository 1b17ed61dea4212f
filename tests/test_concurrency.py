"""Real threads on one store (SQLite, and PostgreSQL in .ci/run's second pass), each with its own engine as separate
app processes would have: two editors saving the same property at the same moment (exactly one wins, the other is
told, nothing is lost); readers reading while a writer writes (no "database is locked"); and readers reading while an
import writes (they see the programme before it or after it, never half of it)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine

from dashboard import editing, queries
from dashboard.db import make_engine
from dashboard.queries import Filters
from dashboard.roles import SYSTEM, Actor, Role
from tests.conftest import SEED_TODAY

ROUNDS = 10
T = TypeVar("T")


def test_two_editors_saving_at_once_one_wins_the_other_is_told(engine, store_url):
    editors = [Actor(f"editor{n}@herts.gov.uk", "app", Role.EDITOR) for n in (1, 2)]
    engines = [make_engine(store_url) for _ in editors]  # as two app processes would have
    for round_number in range(ROUNDS):
        outcomes = _save_at_once(engines, editors, f"round {round_number}")
        assert sorted(result for _, result in outcomes) == ["saved", "stale"], outcomes
        [winner] = [n for n, result in outcomes if result == "saved"]
        assert editing.open_property(engine, "RS-P2-07").values["notes"] == f"round {round_number} by editor {winner}"
    for other in engines:
        other.dispose()


def _save_at_once(engines: list[Engine], editors: list[Actor], round_name: str) -> list[tuple[int, str]]:
    """Both editors open the property, then save it at the same moment; (editor, "saved" or "stale") for each."""
    drafts = [editing.open_property(engines[n], "RS-P2-07") for n in (0, 1)]
    barrier = threading.Barrier(2)
    outcomes: list[tuple[int, str]] = []

    def save(n: int) -> None:
        values = {**drafts[n].values, "notes": f"{round_name} by editor {n}"}
        barrier.wait()
        try:
            editing.save_property(engines[n], editors[n], drafts[n], values, SEED_TODAY)
            outcomes.append((n, "saved"))
        except editing.StaleEdit as refused:
            assert f"editor{2 - n}@herts.gov.uk" in str(refused)  # told who got there first
            outcomes.append((n, "stale"))

    threads = [threading.Thread(target=save, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def reading_while(store_url: str, write: Callable[[], T], readers: int = 3) -> tuple[T, list[int]]:
    """Run `write` while `readers` threads, each with its own engine (as other app processes), read the programme as
    at SEED_TODAY again and again; the write's result, and the size of the programme at each read. A reader's error
    fails the test."""
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def read() -> None:
        reader = make_engine(store_url)
        try:
            while not stop.is_set():
                seen.append(len(queries.property_status(reader, SYSTEM, Filters(as_at=SEED_TODAY), SEED_TODAY)))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            reader.dispose()

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    try:
        result = write()
        stop.wait(0.2)  # and some reads after it
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors, errors  # no "database is locked", nor any other
    return result, seen


def test_readers_carry_on_while_a_writer_writes(engine, store_url):
    writer_actor = Actor("ed@herts.gov.uk", "app", Role.EDITOR)

    def write() -> None:
        for beds in [2, 3, 4] * 4:
            draft = editing.open_property(engine, "RS-P2-08")
            editing.save_property(engine, writer_actor, draft, {**draft.values, "planned_beds": beds}, SEED_TODAY)

    _, seen = reading_while(store_url, write)
    assert seen and set(seen) == {21}  # the whole programme at every read


def test_readers_see_the_programme_before_or_after_an_import_never_half(engine, store_url, tmp_path):
    from dashboard.importing import import_path
    from tests.conftest import NEW_PROPERTY, write_csv

    added = 40
    spreadsheet = write_csv(
        tmp_path / "properties.csv", [{**NEW_PROPERTY, "Reference": f"BULK-{n:02d}"} for n in range(added)]
    )
    before = len(queries.property_status(engine, SYSTEM, Filters(as_at=SEED_TODAY), SEED_TODAY))
    report, seen = reading_while(
        store_url, lambda: import_path(engine, spreadsheet, Actor("an@herts.gov.uk", "cli", Role.EDITOR))
    )
    assert report.ok and report.written, report.summary()
    after = len(queries.property_status(engine, SYSTEM, Filters(as_at=SEED_TODAY), SEED_TODAY))
    assert after == before + added
    assert seen and set(seen) <= {before, after}, sorted(set(seen))
