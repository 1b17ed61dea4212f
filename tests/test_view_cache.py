"""per_view: what a page builds from a view is built once per view, although the page (and so its build function) is
defined afresh on every run; an edited build, or another view, is built anew."""

from __future__ import annotations

import gc
import uuid
import weakref
from datetime import UTC, date, datetime, timedelta

from dashboard.queries import Filters
from dashboard.roles import SYSTEM
from dashboard_ui.view import View, per_view

PAGE = """
builds = []

def summary(view, label):
    builds.append(label)
    return [label, view.filters.as_at]
"""


def run_page(source: str) -> tuple:
    """The page's build as one run of the page defines it: Streamlit compiles and runs the file afresh each time."""
    namespace: dict = {}
    exec(compile(source, "pages/example.py", "exec"), namespace)
    return per_view(namespace["summary"]), namespace["builds"]


def a_view(version: int = 1) -> View:
    # A store of its own, so no other test's entries are found in the process-wide cache.
    return View(
        Filters(as_at=date(2026, 3, 31)), (f"sqlite:///{uuid.uuid4()}", version), None, date(2026, 11, 26), SYSTEM
    )


def test_a_rerun_of_the_page_finds_what_the_first_run_built():
    view = a_view()
    first_build, first_calls = run_page(PAGE)
    built = first_build(view, "Beds")
    again_build, again_calls = run_page(PAGE)

    assert again_build(view, "Beds") is built
    assert (first_calls, again_calls) == (["Beds"], [])


def test_another_view_or_argument_is_built_anew():
    view = a_view()
    build, calls = run_page(PAGE)
    build(view, "Beds")
    build(view._replace(version=(view.version[0], 2)), "Beds")
    build(view, "Stages")

    assert calls == ["Beds", "Beds", "Stages"]


def test_an_edited_build_is_built_anew():
    view = a_view()
    build, _ = run_page(PAGE)
    edited, edited_calls = run_page(PAGE.replace("[label, view.filters.as_at]", "[label]"))

    assert build(view, "Beds") == ["Beds", date(2026, 3, 31)]
    assert edited(view, "Beds") == ["Beds"]
    assert edited_calls == ["Beds"]


def test_the_cache_keeps_what_was_built_not_the_page_run_that_built_it():
    """A build's function holds its page run's namespace, with whatever that run made: a kept entry must not."""
    namespace: dict = {}
    exec(compile(PAGE + "class Made:\n    pass\nmade = Made()\n", "pages/example.py", "exec"), namespace)
    made = weakref.ref(namespace["made"])
    built = per_view(namespace["summary"])(a_view(), "Beds")
    del namespace
    gc.collect()

    assert built == ["Beds", date(2026, 3, 31)]
    assert made() is None, "the cache kept the page run's namespace"


def test_a_run_asks_the_store_for_its_data_version_once_and_the_next_run_asks_again(monkeypatch, engine, store_url):
    from sqlalchemy import event, insert
    from sqlalchemy.engine import Engine

    from dashboard.models import AuditEntry
    from tests.apptest import assert_page_ok, open_app

    asked: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        if "max(audit_log.id)" in statement.lower():
            asked.append(statement)

    at = open_app(monkeypatch, store_url)
    at.run()  # the process's caches filled: what is left is what every rerun asks
    event.listen(Engine, "before_cursor_execute", count)
    try:
        asked.clear()
        at.run()
        assert_page_ok(at)
        assert len(asked) == 1, "once a run, however many widgets key their reads by it"
        before = next(caption.value for caption in at.sidebar.caption if "updated" in caption.value.lower())
        later = (datetime.now(UTC) + timedelta(minutes=5)).replace(tzinfo=None)
        with engine.begin() as connection:  # a change made elsewhere, as from the command line
            connection.execute(
                insert(AuditEntry).values(
                    at=later, user="cli", source="cli", action="update", entity="property", entity_ref="RS-P1-01"
                )
            )
        at.run()
        assert len(asked) == 2, "the next run asks again"
        after = next(caption.value for caption in at.sidebar.caption if "updated" in caption.value.lower())
        assert after != before
    finally:
        event.remove(Engine, "before_cursor_execute", count)
