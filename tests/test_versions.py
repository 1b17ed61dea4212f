"""A property's version goes up with every change to it or its milestones, and an edit on stale data is refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from dashboard.db import Sessions, session_scope
from dashboard.models import Property


def _version(engine, reference: str) -> int:
    with Session(engine) as session:
        return session.scalar(select(Property.version).where(Property.reference == reference))


def test_changing_only_a_milestone_bumps_the_version(engine):
    before = _version(engine, "RS-P3-01")
    with session_scope(engine) as session:
        prop = session.scalar(
            select(Property).where(Property.reference == "RS-P3-01").options(selectinload(Property.milestones))
        )
        next(m for m in prop.milestones if m.stage_key == "legal").planned_on = date(2027, 1, 15)
    assert _version(engine, "RS-P3-01") == before + 1


def test_an_edit_made_on_stale_data_is_refused_and_loses_nothing(engine):
    first, second = Sessions(bind=engine), Sessions(bind=engine)
    try:
        mine = first.scalar(select(Property).where(Property.reference == "RS-P2-05"))
        theirs = second.scalar(select(Property).where(Property.reference == "RS-P2-05"))
        mine.notes = "Roof works finished"
        first.commit()
        theirs.notes = "Something else"
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    finally:
        first.close()
        second.close()
    with Session(engine) as session:
        assert session.scalar(select(Property.notes).where(Property.reference == "RS-P2-05")) == "Roof works finished"


def test_an_unchanged_save_keeps_the_version(engine):
    before = _version(engine, "RS-P1-01")
    with session_scope(engine) as session:
        prop = session.scalar(select(Property).where(Property.reference == "RS-P1-01"))
        prop.notes = prop.notes
    assert _version(engine, "RS-P1-01") == before
