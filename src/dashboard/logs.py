"""The app's log: one JSON object per line on stderr (time, level, user, page, event), which a council's log collector
reads without parsing prose (the command line speaks to the person running it instead). Nothing personal goes in
beyond the account name: an error is logged by its type and where it was raised, never its message, which may quote a
cell of someone's data."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import TextIO

LOGGER_NAME = "dashboard"


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "user": getattr(record, "user", None),
            "page": getattr(record, "page", None),
            "event": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            kind, _message, trace = record.exc_info
            entry["error"] = kind.__name__
            entry["where"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(trace)
            ]
        return json.dumps(entry, ensure_ascii=False)


def logger(stream: TextIO | None = None) -> logging.Logger:
    """The dashboard's logger, writing JSON lines to `stream` (stderr); set up once per process, however often
    asked. It does not pass records on to the root logger, so no other handler writes them again as prose."""
    found = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(handler.formatter, JsonLines) for handler in found.handlers):
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(JsonLines())
        found.addHandler(handler)
        found.setLevel(logging.INFO)
        found.propagate = False
    return found


def log_event(event: str, user: str | None, page: str | None = None, failed: bool = False) -> None:
    """One line: `event` by `user` on `page`; with `failed`, at error level with the exception being handled."""
    where = {"user": user, "page": page}
    if failed:
        logger().error(event, exc_info=True, extra=where)
    else:
        logger().info(event, extra=where)
