"""deploy/: the nginx site's Content-Security-Policy allows each inline script the app runs, by its hash, and nothing
else inline; a script changed in the code without its hash changed here fails this test, naming the hash to put in
(the browser test, tests/test_proxy.py, then checks the page breaks none of the policy)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import streamlit

from dashboard_ui import filters, style, widgets

REPO = Path(__file__).resolve().parents[1]
LOCATIONS = REPO / "deploy" / "nginx" / "dashboard-locations.conf"


def inline_hashes(html: str) -> list[str]:
    return [
        "sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        for body in re.findall(r"<script>(.*?)</script>", html, re.S)
    ]


def script_sources() -> set[str]:
    policy = re.search(r'Content-Security-Policy "([^"]+)"', LOCATIONS.read_text()).group(1)
    directive = next(part.strip() for part in policy.split(";") if part.strip().startswith("script-src "))
    return set(re.findall(r"'(sha256-[^']+)'", directive))


def test_the_policy_allows_every_inline_script_the_app_runs_and_no_other():
    page = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    needed = {
        "Streamlit's page": inline_hashes(page),
        "dashboard_ui.style._SCRIPT": inline_hashes(style._SCRIPT),
        "dashboard_ui.filters._LINKS_WAIT_FOR_DATES": inline_hashes(filters._LINKS_WAIT_FOR_DATES),
        "dashboard_ui.widgets._NO_TABLE_COPY": inline_hashes(widgets._NO_TABLE_COPY),
    }
    assert all(needed.values()), needed
    allowed = script_sources()
    missing = {where: sorted(set(hashes) - allowed) for where, hashes in needed.items() if set(hashes) - allowed}
    assert not missing, f"add to script-src in {LOCATIONS.relative_to(REPO)}: {missing}"
    assert allowed == {h for hashes in needed.values() for h in hashes}, "a hash no script of the app has any more"
    assert "'unsafe-inline'" not in next(part for part in LOCATIONS.read_text().split(";") if "script-src" in part)
