"""Roles: grants stored in the database, who a signed-in account acts as, and the domain refusing what a role may not
do (exports and imports here; the forms' writes in test_editing)."""

from __future__ import annotations

import io
import re

import pytest

from dashboard import access
from dashboard.audit import AuditQuery
from dashboard.exporting import export_all, export_table, table_csv
from dashboard.importing import import_path
from dashboard.layout import DECISIONS, DISTRICTS, MILESTONES, PROPERTIES
from dashboard.queries import audit_log
from dashboard.roles import SYSTEM, AccessDenied, Actor, Permission, Role, UngrantedPolicy, permissions_of
from tests.conftest import NEW_PROPERTY, dump, write_csv

ADMIN = Actor("ada@herts.gov.uk", "app", Role.ADMIN)
VIEWER = Actor("vic@herts.gov.uk", "app", Role.VIEWER)
ANALYST = Actor("ann@herts.gov.uk", "app", Role.ANALYST)


def test_each_role_has_what_the_one_below_has_and_one_thing_more():
    assert permissions_of(Role.VIEWER) == [Permission.READ]
    assert set(permissions_of(Role.ANALYST)) == {Permission.READ, Permission.SEE_DETAIL, Permission.EXPORT_PROPERTIES}
    assert set(permissions_of(Role.EDITOR)) - set(permissions_of(Role.ANALYST)) == {Permission.EDIT}
    assert set(permissions_of(Role.ADMIN)) - set(permissions_of(Role.EDITOR)) == {Permission.GRANT}


def test_a_grant_decides_a_signed_in_accounts_role_and_is_audited(engine):
    granted = access.grant_role(engine, ADMIN, " Ed@Herts.gov.uk ", Role.EDITOR)
    assert granted == "ed@herts.gov.uk now has the editor role."
    assert access.signed_in_actor(engine, "ED@herts.gov.uk", UngrantedPolicy.REFUSE) == Actor(
        "ed@herts.gov.uk", "app", Role.EDITOR
    )
    assert "was editor" in access.grant_role(engine, ADMIN, "ed@herts.gov.uk", Role.ANALYST)
    assert access.grants(engine, ADMIN)[["Account", "Role"]].values.tolist() == [["ed@herts.gov.uk", "analyst"]]
    history = audit_log(engine, SYSTEM, AuditQuery(reference="ed@herts.gov.uk"))
    assert history[["user", "entity", "action"]].values.tolist() == [
        [ADMIN.user, "role_grant", "update"],
        [ADMIN.user, "role_grant", "create"],
    ]
    access.revoke_role(engine, ADMIN, "ed@herts.gov.uk")
    assert access.account_grants(engine, "ed@herts.gov.uk") == []


def test_an_account_with_no_grant_is_a_viewer_or_refused_as_configured(engine):
    assert access.signed_in_actor(engine, "new@herts.gov.uk", UngrantedPolicy.VIEWER).role is Role.VIEWER
    assert access.signed_in_actor(engine, "new@herts.gov.uk", UngrantedPolicy.REFUSE) is None


def test_only_an_admin_grants_and_not_to_themselves(engine):
    before = dump(engine)
    for actor in (VIEWER, ANALYST, Actor("ed@herts.gov.uk", "app", Role.EDITOR)):
        with pytest.raises(AccessDenied, match="needs the admin role"):
            access.grant_role(engine, actor, actor.user, Role.ADMIN)
    with pytest.raises(AccessDenied, match="your own role"):
        access.grant_role(engine, ADMIN, ADMIN.user, Role.VIEWER)
    with pytest.raises(ValueError, match="not an e-mail address"):
        access.grant_role(engine, ADMIN, "bob", Role.EDITOR)
    assert dump(engine) == before


def test_property_level_exports_are_refused_to_a_viewer_in_the_domain(engine, tmp_path):
    for layout in (PROPERTIES, MILESTONES):
        with pytest.raises(AccessDenied, match="export property-level CSVs"):
            export_table(engine, layout, io.BytesIO(), VIEWER)
    with pytest.raises(AccessDenied):
        export_all(engine, tmp_path / "out", VIEWER)
    assert not (tmp_path / "out").exists()
    import pandas as pd

    with pytest.raises(AccessDenied):
        table_csv(pd.DataFrame({"Property": ["RS-P2-01"]}), VIEWER, property_level=True)
    # Programme-level tables are anyone's.
    assert export_table(engine, DISTRICTS, io.BytesIO(), VIEWER) == 10
    assert export_table(engine, DECISIONS, io.BytesIO(), VIEWER) >= 1
    assert export_table(engine, PROPERTIES, io.BytesIO(), ANALYST) > 0


def test_an_import_is_refused_without_the_editor_role_but_a_dry_run_is_not(engine, tmp_path):
    path = write_csv(tmp_path / "new.csv", [NEW_PROPERTY])
    before = dump(engine)
    with pytest.raises(AccessDenied, match="change data"):
        import_path(engine, path, ANALYST)
    assert import_path(engine, path, ANALYST, dry_run=True).ok
    assert dump(engine) == before
    assert import_path(engine, path, SYSTEM).written


def test_groups_in_the_token_give_roles_and_the_highest_of_grant_and_groups_holds(engine, monkeypatch):
    from dashboard.config import role_groups

    editors, admins = "0f6c4c3e-1111-4c1a-9d7e-2a6f5e8b9c01", "0f6c4c3e-2222-4c1a-9d7e-2a6f5e8b9c02"
    monkeypatch.setenv("DASHBOARD_ROLE_GROUPS", f"{editors}=editor, {admins}=admin")
    configured = role_groups()
    assert configured == {editors: Role.EDITOR, admins: Role.ADMIN}

    assert access.group_roles([editors, "another-group"], configured) == [Role.EDITOR]
    assert access.group_roles("not a list", configured) == [] and access.group_roles(None, configured) == []
    assert access.group_roles([admins], {}) == []

    # No grant: the group's role, even where an account with neither would be refused.
    assert access.signed_in_actor(engine, "new@herts.gov.uk", UngrantedPolicy.REFUSE, [Role.EDITOR]).role is Role.EDITOR
    access.grant_role(engine, ADMIN, "ann@herts.gov.uk", Role.ANALYST)
    assert access.signed_in_actor(engine, "ann@herts.gov.uk", UngrantedPolicy.REFUSE, [Role.ADMIN]).role is Role.ADMIN
    access.grant_role(engine, ADMIN, "ann@herts.gov.uk", Role.ADMIN)
    assert access.signed_in_actor(engine, "ann@herts.gov.uk", UngrantedPolicy.REFUSE, [Role.VIEWER]).role is Role.ADMIN


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("abc", "'abc' is not GROUP_ID=role"),
        ("=admin", "'=admin' is not GROUP_ID=role"),
        ("group-1=owner", "group-1: 'owner' is not a role"),
    ],
)
def test_a_wrong_role_groups_setting_is_named(monkeypatch, setting, message):
    from dashboard.config import SettingError, role_groups

    monkeypatch.setenv("DASHBOARD_ROLE_GROUPS", setting)
    with pytest.raises(SettingError, match=f"DASHBOARD_ROLE_GROUPS: {re.escape(message)}"):
        role_groups()


def test_a_sign_in_older_than_the_councils_limit_has_ended(monkeypatch):
    from dashboard.config import SettingError, session_max_hours

    now = 1_800_000_000.0
    assert not access.signed_in_too_long(now - 40 * 24 * 3600, None, now)  # no limit set: Streamlit's 30 days
    assert not access.signed_in_too_long(now - 7.9 * 3600, 8, now)
    assert access.signed_in_too_long(now - 8.1 * 3600, 8, now)
    assert access.signed_in_too_long(None, 8, now) and access.signed_in_too_long("yesterday", 8, now)

    monkeypatch.delenv("DASHBOARD_SESSION_MAX_HOURS", raising=False)
    assert session_max_hours() is None
    monkeypatch.setenv("DASHBOARD_SESSION_MAX_HOURS", "8")
    assert session_max_hours() == 8
    for wrong in ("eight", "0", "-1", "inf"):
        monkeypatch.setenv("DASHBOARD_SESSION_MAX_HOURS", wrong)
        with pytest.raises(SettingError, match=f"DASHBOARD_SESSION_MAX_HOURS: '{wrong}'"):
            session_max_hours()
