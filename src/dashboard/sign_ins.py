"""Who signed in, who was refused and who signed out: a record for the council's IT and the dashboard's admins,
written straight to its own table (models.SignInEvent) and to the log. Only the account name is kept, as the log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

import pandas as pd
from sqlalchemy import Engine, insert, select

from dashboard.logs import log_event
from dashboard.models import SignInEvent
from dashboard.roles import Actor, Permission, Role


class SignInOutcome(StrEnum):
    SIGNED_IN = "signed in"
    REFUSED = "refused: no role"
    TIMED_OUT = "signed out: past the time limit"
    SIGNED_OUT = "signed out"


COLUMNS = ["When (UTC)", "Account", "Event", "Role"]


def record_sign_in(engine: Engine, account: str, outcome: SignInOutcome, role: Role | None = None) -> None:
    """One row and one log line. Not through db.session_scope: that session audits its changes, and the newest audit
    row is the data's version, which a sign-in must not move (every cached figure would be read again)."""
    account = account.strip().lower()
    at = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            insert(SignInEvent).values(at=at, account=account, event=outcome.value, role=role.label if role else None)
        )
    log_event(outcome.value, account or None)


def sign_ins(engine: Engine, actor: Actor, since: date, until: date, account: str | None = None) -> pd.DataFrame:
    """The sign-ins from `since` to `until` (both UTC days included), newest first, for an admin."""
    actor.require(Permission.GRANT)
    event = SignInEvent
    query = (
        select(event.at, event.account, event.event, event.role)
        .where(
            event.at >= datetime.combine(since, time.min),
            event.at < datetime.combine(until + timedelta(days=1), time.min),
        )
        .order_by(event.at.desc(), event.id.desc())
    )
    if account:
        query = query.where(event.account == account.strip().lower())
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["When (UTC)"] = pd.to_datetime(frame["When (UTC)"]).dt.floor("s")
    frame["Role"] = frame["Role"].fillna("")
    return frame
