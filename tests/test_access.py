"""Roles: grants stored in the database, who a signed-in account acts as, and the domain refusing what a role may not
do (exports and imports here; the forms' writes in test_editing)."""

from __future__ import annotations

import io

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
    assert access.grants(engine).values.tolist() == [["ed@herts.gov.uk", "analyst"]]
    history = audit_log(engine, AuditQuery(reference="ed@herts.gov.uk"))
    assert history[["user", "entity", "action"]].values.tolist() == [
        [ADMIN.user, "role_grant", "update"],
        [ADMIN.user, "role_grant", "create"],
    ]
    access.revoke_role(engine, ADMIN, "ed@herts.gov.uk")
    assert access.granted_role(engine, "ed@herts.gov.uk") is None


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
