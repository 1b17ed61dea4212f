"""The log: one JSON object per line (time, level, user, page, event), an error by its type and where it was raised but
never its message (which may quote someone's data); the app logs a page opened once, not on every rerun, and a page
that fails with the account and page."""

from __future__ import annotations

from dashboard.logs import LOGGER_NAME, JsonLines, log_event, logger
from dashboard_ui.view import forget_builds
from tests.conftest import log_entries


def test_an_event_is_one_json_object_on_one_line(log_lines):
    log_event("page opened", "anne.example@hertfordshire.gov.uk", "districts")

    (entry,) = log_entries(log_lines)
    assert entry.keys() == {"time", "level", "user", "page", "event"}
    assert entry["level"] == "info" and entry["event"] == "page opened" and entry["page"] == "districts"
    assert entry["user"] == "anne.example@hertfordshire.gov.uk"
    assert entry["time"].endswith("+00:00")


def test_an_error_is_logged_by_its_type_and_place_never_its_message(log_lines):
    try:
        raise ValueError("SG1 2AB is the child's postcode")
    except ValueError:
        log_event("page failed", "anne", "import", failed=True)

    (entry,) = log_entries(log_lines)
    assert entry["level"] == "error" and entry["error"] == "ValueError"
    assert any("test_logs.py" in frame for frame in entry["where"])
    assert "SG1" not in log_lines.getvalue() and "postcode" not in log_lines.getvalue()


def test_the_logger_is_set_up_once_and_keeps_its_lines_to_itself():
    for _ in range(3):
        found = logger()
    assert sum(isinstance(handler.formatter, JsonLines) for handler in found.handlers) == 1
    assert found.name == LOGGER_NAME and not found.propagate


def test_the_app_logs_a_page_opened_once_and_a_failing_page_with_who_and_where(log_lines, app, monkeypatch):
    app.run()  # a rerun of the same page (the fixture ran it first): not opened again
    opened = [entry for entry in log_entries(log_lines) if entry["event"] == "page opened"]
    assert [(entry["user"], entry["page"]) for entry in opened] == [("local.tester", "overview")]

    from dashboard import metrics

    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away at SG1 2AB")

    monkeypatch.setattr(metrics, "bed_totals", broken)
    forget_builds()
    app.run()

    failed = [entry for entry in log_entries(log_lines) if entry["event"] == "page failed"]
    assert [(entry["user"], entry["page"], entry["error"]) for entry in failed] == [
        ("local.tester", "overview", "RuntimeError")
    ]
    assert "SG1" not in log_lines.getvalue()
