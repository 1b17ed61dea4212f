"""Opening the app in Streamlit's AppTest, as every page test does."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard_ui.shell import DATA, PROGRAMME
from dashboard_ui.widgets import data_key
from tests.conftest import REPO_ROOT
from tests.plotly_json import figure_json

FRIENDLY_ERROR = "Something went wrong"
PAGE_ENTRIES = PROGRAMME + DATA


# Sign-in settings as a council's secrets.toml holds them (Microsoft Entra ID); never used to reach a provider here.
AUTH_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "microsoft": {
        "client_id": "test-client",
        "client_secret": "test-secret",
        "server_metadata_url": "https://login.microsoftonline.com/test-tenant/v2.0/.well-known/openid-configuration",
    },
}


def open_app(
    monkeypatch,
    store_url: str,
    role: str | None = None,
    account: str | None = None,
    ungranted: str | None = None,
    claims: dict | None = None,
    **query: str | list[str],
) -> AppTest:
    """The app as opened from a link: filters are query parameters, as a shared link carries them.

    By default in local mode as a local admin; `role` sets the local user's role; `account` turns sign-in on and
    signs that account in ("" for nobody signed in yet; its role then comes from the store's grants and
    `ungranted`, the DASHBOARD_UNGRANTED setting), with any other `claims` of its identity token."""
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("DASHBOARD_LOCAL_USER", "local.tester")
    for variable in ("DASHBOARD_LOCAL_ROLE", "DASHBOARD_UNGRANTED"):
        monkeypatch.delenv(variable, raising=False)
    if role:
        monkeypatch.setenv("DASHBOARD_LOCAL_ROLE", role)
    if ungranted:
        monkeypatch.setenv("DASHBOARD_UNGRANTED", ungranted)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    if account is not None:
        at.secrets["auth"] = AUTH_SECRETS
        at.user = (
            {"is_logged_in": True, "email": account, "name": account.split("@")[0], **(claims or {})}
            if account
            else {"is_logged_in": False}
        )
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def page_titles(at: AppTest) -> list[str]:
    """The pages the last run's navigation offered, by title (AppTest keeps them to resolve switch_page). Not the
    hidden stand-ins at the addresses of pages the role may not open: those have a page's address but no file."""
    return [page["page_name"] for page in at._registered_pages.values() if not stand_in(page)]


def stand_in(page: dict) -> bool:
    return not page["script_path"] and any(page["url_pathname"] == Path(entry.file).stem for entry in PAGE_ENTRIES)


def assert_page_ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e for e in at.error if FRIENDLY_ERROR in e.value], "the page failed and showed the friendly error"


def open_data_tables(at: AppTest) -> AppTest:
    """Open every chart's "Data: …" expander, as a user clicking each, and rerun: a table is made only while open."""
    for expander in at.expander:
        if expander.label.startswith("Data: "):
            at.session_state[data_key(expander.label.removeprefix("Data: "))] = True
    return at.run()


def assert_charts_described(at: AppTest) -> int:
    """Every chart on the page has a text alternative carrying its title (its message), which names the table of its
    data, and that table is on the page. Returns how many charts there were."""
    charts = at.get("plotly_chart")
    tables = {expander.label for expander in at.expander if expander.label.startswith("Data: ")}
    for chart in charts:
        title = figure_json(chart.proto.spec)["layout"].get("title", {}).get("text", "")
        alt = chart.proto.alt
        assert alt.endswith("”.") and "Data: " + alt.split("“Data: ")[1].removesuffix("”.") in tables, (alt, tables)
        assert " ".join(re.sub(r"<[^>]+>", " ", title).split()) in alt, (title, alt)
    return len(charts)
