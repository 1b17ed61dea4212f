"""The README cannot drift from the code: every setting the code reads, every command the CLI has and every page the
app offers is documented there."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_environment_setting_is_documented():
    code = "\n".join(path.read_text(encoding="utf-8") for path in (REPO_ROOT / "src").rglob("*.py"))
    settings = set(re.findall(r"os\.environ\.get\(\"([A-Z_]+)\"", code))
    assert {"DATABASE_URL", "DASHBOARD_LOCAL_ROLE", "DASHBOARD_UNGRANTED"} <= settings  # the scan finds them
    assert not [name for name in settings if f"`{name}`" not in README]


def test_every_command_is_documented():
    from typer.main import get_command

    from dashboard.cli import app

    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert {"import", "import-903", "import-ofsted", "grant"} <= commands
    assert not [name for name in commands if not re.search(rf"`{name}\b", README)]


def test_every_page_is_documented():
    from dashboard_ui.shell import DATA, PROGRAMME

    titles = [entry.title for entry in PROGRAMME + DATA]
    assert len(titles) == 15
    assert not [title for title in titles if not re.search(rf"^\| {re.escape(title)} \|", README, re.MULTILINE)]
