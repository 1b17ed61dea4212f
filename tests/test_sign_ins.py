"""Sign-ins, refusals and sign-outs: each kept once per session in its own table and logged, without moving the
data's version; listed for admins only on the Access page, with a CSV."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import streamlit as st

from dashboard import access
from dashboard.queries import store_version
from dashboard.roles import SYSTEM, AccessDenied, Actor, Role
from dashboard.sign_ins import COLUMNS, SignInOutcome, record_sign_in, sign_ins
from tests.apptest import open_app
from tests.conftest import log_entries, plain_sql

ADMIN = Actor(user="admin@herts.gov.uk", source="app", role=Role.ADMIN)


def recorded(store_url: str) -> list[tuple]:
    return plain_sql(store_url, "SELECT account, event, role FROM sign_in ORDER BY id")


def today() -> date:
    return datetime.now(UTC).date()


def test_a_sign_in_is_kept_and_logged_without_changing_the_datas_version(engine, store_url, log_lines):
    before = store_version(engine)
    record_sign_in(engine, " Anne@Herts.gov.uk ", SignInOutcome.SIGNED_IN, Role.EDITOR)
    record_sign_in(engine, "bob@herts.gov.uk", SignInOutcome.REFUSED)

    assert recorded(store_url) == [
        ("anne@herts.gov.uk", "signed in", "editor"),
        ("bob@herts.gov.uk", "refused: no role", None),
    ]
    assert store_version(engine) == before  # no audit row: every cached figure stays valid
    assert [(entry["user"], entry["event"]) for entry in log_entries(log_lines)] == [
        ("anne@herts.gov.uk", "signed in"),
        ("bob@herts.gov.uk", "refused: no role"),
    ]


def test_the_list_is_newest_first_narrowed_by_account_and_days(engine, store_url):
    record_sign_in(engine, "anne@herts.gov.uk", SignInOutcome.SIGNED_IN, Role.VIEWER)
    record_sign_in(engine, "bob@herts.gov.uk", SignInOutcome.REFUSED)
    record_sign_in(engine, "anne@herts.gov.uk", SignInOutcome.SIGNED_OUT, Role.VIEWER)

    everyone = sign_ins(engine, ADMIN, today(), today())
    assert list(everyone.columns) == COLUMNS
    assert everyone["Event"].tolist() == ["signed out", "refused: no role", "signed in"]
    assert everyone["Role"].tolist() == ["viewer", "", "viewer"]

    anne = sign_ins(engine, ADMIN, today(), today(), "ANNE@herts.gov.uk")
    assert anne["Account"].unique().tolist() == ["anne@herts.gov.uk"] and len(anne) == 2
    assert sign_ins(engine, ADMIN, today() - timedelta(days=9), today() - timedelta(days=1)).empty


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.EDITOR])
def test_only_an_admin_may_read_the_sign_ins(engine, role):
    with pytest.raises(AccessDenied, match="grant roles"):
        sign_ins(engine, Actor(user="someone@herts.gov.uk", source="app", role=role), today(), today())


def test_the_app_records_a_sign_in_once_however_often_the_page_reruns(monkeypatch, store_url, engine):
    access.grant_role(engine, SYSTEM, "ed@herts.gov.uk", Role.EDITOR)
    at = open_app(monkeypatch, store_url, account="ED@herts.gov.uk")
    at.run()
    at.switch_page("pages/progress.py").run()
    assert recorded(store_url) == [("ed@herts.gov.uk", "signed in", "editor")]


def test_the_app_records_a_refusal_and_the_sign_out_from_the_no_access_page(monkeypatch, store_url, engine):
    signed_out: list[bool] = []
    monkeypatch.setattr(st, "logout", lambda: signed_out.append(True))
    at = open_app(monkeypatch, store_url, account="new@herts.gov.uk", ungranted="refuse")
    at.run()
    assert recorded(store_url) == [("new@herts.gov.uk", "refused: no role", None)]

    at.button(key="sign-out").click().run()
    assert signed_out == [True]
    # [:2]: the stand-in st.logout leaves the test's user signed in, so the rerun after the click finds them again.
    assert recorded(store_url)[:2] == [
        ("new@herts.gov.uk", "refused: no role", None),
        ("new@herts.gov.uk", "signed out", None),
    ]


def test_the_app_records_a_sign_out_with_the_role_it_had(monkeypatch, store_url, engine):
    monkeypatch.setattr(st, "logout", lambda: None)
    at = open_app(monkeypatch, store_url, account="new@herts.gov.uk")
    at.sidebar.button(key="sign-out").click().run()
    assert recorded(store_url)[:2] == [
        ("new@herts.gov.uk", "signed in", "viewer"),
        ("new@herts.gov.uk", "signed out", "viewer"),
    ]


def test_the_app_records_a_sign_in_ended_by_the_councils_time_limit(monkeypatch, store_url, engine):
    monkeypatch.setattr(st, "logout", lambda: None)
    monkeypatch.setenv("DASHBOARD_SESSION_MAX_HOURS", "8")
    open_app(monkeypatch, store_url, account="new@herts.gov.uk", claims={"iat": time.time() - 9 * 3600})
    assert recorded(store_url) == [("new@herts.gov.uk", "signed out: past the time limit", None)]


def test_local_mode_records_no_sign_in(monkeypatch, store_url, engine):
    open_app(monkeypatch, store_url)
    assert recorded(store_url) == []


def test_the_access_page_lists_the_sign_ins_with_a_csv(monkeypatch, store_url, engine):
    access.grant_role(engine, SYSTEM, "admin@herts.gov.uk", Role.ADMIN)
    record_sign_in(engine, "bob@herts.gov.uk", SignInOutcome.REFUSED)
    at = open_app(monkeypatch, store_url, account="admin@herts.gov.uk")
    at.switch_page("pages/access.py").run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert table["Account"].tolist() == ["admin@herts.gov.uk", "bob@herts.gov.uk"]
    assert table["Event"].tolist() == ["signed in", "refused: no role"]
    [download] = [b for b in at.get("download_button") if b.proto.label.endswith("sign-ins (CSV)")]
    assert download.proto.label == "Download these 2 sign-ins (CSV)"

    at.text_input(key="sign-in-account").input("bob@herts.gov.uk").run()
    assert at.dataframe[-1].value["Account"].tolist() == ["bob@herts.gov.uk"]
