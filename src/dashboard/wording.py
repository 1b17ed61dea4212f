"""How counts and dates read in words, the one place for them: every page, table, message and the briefing pack
says "1 bed" / "3 beds" and writes a date as 05/11/2026 (or, in prose, 5 Nov 2026) the same way."""

from __future__ import annotations

from datetime import date, datetime

DAY_FORMAT = "%d/%m/%Y"


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 bed", "3 beds"; `many` for words that do not just add an s."""
    return f"{count} {word}" if count == 1 else f"{count} {many or word + 's'}"


def listed(items: list[str], limit: int) -> str:
    """The first `limit` items, and how many more."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def dmy(value: date | datetime) -> str:
    """05/11/2026: how a date is typed and read everywhere in the app, whatever the browser's language."""
    return f"{value:{DAY_FORMAT}}"


def day(value: date) -> str:
    """5 Nov 2026, for prose: no leading zero, month in a word (never ambiguous between UK and US readers)."""
    return f"{value.day} {value:%b %Y}"
