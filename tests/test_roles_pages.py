"""The app as each role sees it (AppTest, local mode by DASHBOARD_LOCAL_ROLE and signed in through at.user): exactly
the pages, exports, costs and controls the role allows."""

from __future__ import annotations

import json

import pytest

from dashboard import access
from dashboard.roles import SYSTEM, Role
from dashboard_ui import shell
from tests.apptest import assert_page_ok, open_app, page_titles
from tests.conftest import plain_sql

PROGRAMME = [
    "Overview",
    "Progress",
    "Districts",
    "Timeline",
    "Properties",
    "Decisions",
    "Objectives",
    "Forecast",
    "Briefing",
]
PAGES_BY_ROLE = {
    "viewer": [*PROGRAMME, "Help"],
    "analyst": [*PROGRAMME, "Export", "Audit trail", "Help"],
    "editor": [*PROGRAMME, "Edit a property", "Add a decision", "Import", "Export", "Audit trail", "Help"],
    "admin": [*PROGRAMME, "Edit a property", "Add a decision", "Import", "Export", "Audit trail", "Access", "Help"],
}


def downloads(at) -> list[str]:
    return [button.proto.label for button in at.get("download_button")]


def withheld(at) -> tuple[bool, bool]:
    """Whether the run withheld the tables' own toolbar download (a style hiding it) and their copy (a script
    stopping it): dashboard_ui.widgets.withhold_table_downloads. tests/test_browser.py proves they work."""
    bodies = [html.proto.body for html in at.get("html")]
    hidden = any('button[aria-label^="Download as"]' in body and "display: none" in body for body in bodies)
    return hidden, any('addEventListener("copy"' in body for body in bodies)


@pytest.mark.parametrize("role", PAGES_BY_ROLE)
def test_each_role_is_offered_exactly_its_pages(monkeypatch, store_url, engine, role):
    at = open_app(monkeypatch, store_url, role=role)
    assert_page_ok(at)
    assert page_titles(at) == PAGES_BY_ROLE[role]
    assert any("Local mode" in info.value and f"**local.tester** ({role} role)" in info.value for info in at.info), (
        "no banner"
    )


def test_a_viewer_sees_no_costs_notes_history_or_property_level_export(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="viewer")
    assert_page_ok(at)
    assert downloads(at) == [
        "Download CSV",
        "Download CSV",
    ]  # the two charts' (programme-level) data, not the late list
    at.switch_page("pages/properties.py").run()
    at.selectbox(key="property").select("RS-P2-04").run()
    assert_page_ok(at)
    assert [h.value for h in at.main.header] == ["RS-P2-04: milestones"]
    assert downloads(at) == [] and not at.get("page_link")
    at.switch_page("pages/timeline.py").run()
    assert "Download CSV" in downloads(at) and len(downloads(at)) == 1  # phases, not the per-property Gantt


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_tables_own_download_and_copy_are_withheld_on_every_page_from_a_role_that_may_not_export(
    monkeypatch, store_url, engine, role
):
    at = open_app(monkeypatch, store_url, role=role)
    expected = (role == "viewer",) * 2
    for page in shell.PROGRAMME:  # every page a viewer has
        at.switch_page(page.file).run()
        assert_page_ok(at)
        assert withheld(at) == expected, page.title


def test_no_chart_has_plotlys_toolbar_and_its_download_plot_as_png(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="viewer")
    configs = []
    for name in ("overview", "progress", "districts", "timeline"):
        at.switch_page(f"pages/{name}.py").run()
        configs += [json.loads(chart.proto.config) for chart in at.get("plotly_chart")]
    assert len(configs) == 7 and all(config["displayModeBar"] is False for config in configs), configs


def test_an_analyst_sees_costs_notes_history_and_may_export_but_not_edit(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="analyst")
    at.switch_page("pages/properties.py").run()
    at.selectbox(key="property").select("RS-P2-04").run()
    assert_page_ok(at)
    assert [h.value for h in at.main.header][1:] == ["RS-P2-04: costs and notes", "RS-P2-04: history"]
    [(budget, cost, notes)] = plain_sql(
        store_url, "SELECT purchase_budget, purchase_cost, notes FROM property WHERE reference = 'RS-P2-04'"
    )
    costs = at.dataframe[2].value.set_index("Item")
    assert (costs.loc["Purchase", "Budget (£)"], costs.loc["Purchase", "Cost to date (£)"]) == (budget, cost)
    assert costs.loc["Purchase", "Remaining (£)"] == budget - cost
    assert notes and notes in [t.value for t in at.text]
    assert len(downloads(at)) == 3  # register, milestones, history
    assert not at.get("page_link"), "an analyst is not offered the edit link"


def test_an_editor_is_offered_the_edit_link(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/properties.py").run()
    at.selectbox(key="property").select("RS-P2-04").run()
    [link] = at.get("page_link")
    assert link.proto.label == "Edit RS-P2-04"


def test_a_signed_in_account_gets_its_granted_role(monkeypatch, store_url, engine):
    access.grant_role(engine, SYSTEM, "ed@herts.gov.uk", Role.EDITOR)
    at = open_app(monkeypatch, store_url, account="ED@herts.gov.uk")
    assert_page_ok(at)
    assert page_titles(at) == PAGES_BY_ROLE["editor"]
    assert any("Signed in as **ed@herts.gov.uk** (editor)" in c.value for c in at.sidebar.caption)
    assert not any("Local mode" in info.value for info in at.info)


def test_an_account_with_no_grant_is_a_viewer_by_default(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, account="new@herts.gov.uk")
    assert_page_ok(at)
    assert page_titles(at) == PAGES_BY_ROLE["viewer"]


def test_an_account_with_no_grant_is_refused_when_so_configured(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, account="new@herts.gov.uk", ungranted="refuse")
    assert not at.exception
    assert at.title[0].value == "No access yet"
    assert "new@herts.gov.uk" in at.markdown[0].value
    assert page_titles(at) == ["Sign in"] and not at.metric


def test_an_account_in_a_group_given_a_role_gets_it_without_a_grant(monkeypatch, store_url, engine):
    monkeypatch.setenv("DASHBOARD_ROLE_GROUPS", "editors-group-id=editor")
    at = open_app(
        monkeypatch, store_url, account="new@herts.gov.uk", ungranted="refuse", claims={"groups": ["editors-group-id"]}
    )
    assert_page_ok(at)
    assert page_titles(at) == PAGES_BY_ROLE["editor"]


def test_a_sign_in_past_the_councils_limit_is_signed_out(monkeypatch, store_url, engine):
    import time

    import streamlit as st

    signed_out: list[bool] = []
    monkeypatch.setattr(st, "logout", lambda: signed_out.append(True))
    monkeypatch.setenv("DASHBOARD_SESSION_MAX_HOURS", "8")
    issued = time.time() - 9 * 3600
    at = open_app(monkeypatch, store_url, account="new@herts.gov.uk", claims={"iat": issued})
    assert signed_out == [True] and not at.exception
    assert not at.metric and not at.dataframe  # nothing of the programme shown on the way out

    at = open_app(monkeypatch, store_url, account="new@herts.gov.uk", claims={"iat": time.time() - 3600})
    assert signed_out == [True]
    assert_page_ok(at)


def test_before_sign_in_only_the_sign_in_button_shows(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, account="")
    assert not at.exception
    assert [b.proto.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe and page_titles(at) == ["Sign in"]


def test_the_sign_in_button_starts_the_configured_provider(monkeypatch, store_url, engine):
    import streamlit as st

    started: list[str | None] = []
    monkeypatch.setattr(st, "login", lambda provider=None: started.append(provider))
    at = open_app(monkeypatch, store_url, account="")
    at.button(key="sign-in").click().run()
    assert started == ["microsoft"]  # the [auth.microsoft] section of secrets.toml


def test_a_bad_local_role_setting_is_explained_not_a_traceback(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="superuser")
    assert not at.exception
    assert "DASHBOARD_LOCAL_ROLE" in at.error[0].value and "'superuser' is not a role" in at.error[0].value
    assert not at.metric


# A page a role may not open ----------------------------------------------------------------------------------------

NOT_FOR_VIEWERS = {
    "edit-property": "editor",
    "add-decision": "editor",
    "import": "editor",
    "export": "analyst",
    "audit": "analyst",
    "access": "admin",
}


def open_address(at, address: str):
    """The page at `address`, as a browser opening /address does. AppTest's switch_page finds a page by its file,
    and a stand-in has none."""
    [at._page_hash] = [key for key, page in at._registered_pages.items() if page["url_pathname"] == address]
    return at.run()


@pytest.mark.parametrize(("address", "needs"), NOT_FOR_VIEWERS.items())
def test_a_page_the_role_may_not_open_says_so_and_whom_to_ask(monkeypatch, store_url, engine, address, needs):
    """Opened by its address (a link an editor shared), a page the viewer may not open names the role it needs and
    the contact an administrator set: not Streamlit's "Page not found", nor the Overview in its place."""
    monkeypatch.setenv("DASHBOARD_CONTACT", "Residential programme team (rs.dashboard@herts.gov.uk)")
    at = open_app(monkeypatch, store_url, role="viewer")
    open_address(at, address)
    assert_page_ok(at)
    [entry] = [entry for entry in shell.DATA if entry.file == f"pages/{address}.py"]
    assert [title.value for title in at.title] == [entry.title]
    [warning] = at.warning
    assert warning.value.startswith(f"{entry.title} needs the {needs} role; ask Residential programme team")
    assert "rs.dashboard@herts.gov.uk" in warning.value and "You have the viewer role." in warning.value
    assert not at.metric and not at.dataframe and not at.get("file_uploader") and not at.button
    assert at.get("page_link")[0].proto.label == "Go to the Overview"


def test_the_role_message_names_the_administrator_when_no_contact_is_set(monkeypatch, store_url, engine):
    monkeypatch.delenv("DASHBOARD_CONTACT", raising=False)
    at = open_app(monkeypatch, store_url, role="editor")
    open_address(at, "access")
    assert [w.value for w in at.warning] == [
        "Access needs the admin role; ask the dashboard's administrator. You have the editor role."
    ]


def test_a_role_that_may_open_a_page_gets_the_page_not_the_message(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="editor")
    open_address(at, "import")
    assert_page_ok(at)
    assert [t.value for t in at.title] == ["Import"] and at.get("file_uploader")
    assert not [w for w in at.warning if "needs the" in w.value]
