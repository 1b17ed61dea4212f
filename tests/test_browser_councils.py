"""Access by council in a real browser, signed in for real: Streamlit's st.login through an OpenID Connect provider
on a local port (tests/identity_provider.py) to the app on a store of Hertfordshire and Northmarsh. A Northmarsh
editor sees Northmarsh, and nothing of Hertfordshire's properties on any page, whatever the link says; a regional
viewer sees the councils side by side and no property. Screenshots go to tests/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.browser import CHROMIUM, free_port
from dashboard import access
from dashboard.bootstrap import ensure_store
from dashboard.councils import add_council
from dashboard.db import make_engine
from dashboard.roles import REGIONAL_VIEWER, SYSTEM, Role
from tests.conftest import SCREENSHOTS
from tests.identity_provider import identity_provider, secrets_toml
from tests.test_browser import PAGES, _wait_until_drawn, serving
from tests.test_councils import add_northmarsh_programme, council_file

NED, RITA = "ned@northmarsh.gov.uk", "rita@region.gov.uk"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def region_app(tmp_path_factory):
    """The app, with sign-in through the local provider, on Hertfordshire's seed and Northmarsh's two properties;
    Ned an editor in Northmarsh, Rita a regional viewer. Yields the provider (who signs in next) and the app's
    address."""
    folder: Path = tmp_path_factory.mktemp("region")
    store = f"sqlite:///{folder / 'store.sqlite'}"
    engine = make_engine(store)
    ensure_store(engine)
    add_council(engine, SYSTEM, council_file(folder))
    add_northmarsh_programme(engine, folder)
    access.grant_role(engine, SYSTEM, NED, Role.EDITOR, "Northmarsh")
    access.grant_role(engine, SYSTEM, RITA, REGIONAL_VIEWER)
    engine.dispose()
    port = free_port()
    with identity_provider() as provider:
        secrets = folder / "secrets.toml"
        secrets.write_text(secrets_toml(provider, f"http://127.0.0.1:{port}"), encoding="utf-8")
        # The provider is served over plain HTTP on this machine; a council's is HTTPS, which Authlib requires.
        settings = {"AUTHLIB_INSECURE_TRANSPORT": "1", "DASHBOARD_UNGRANTED": "refuse"}
        with serving(store, settings=settings, secrets_file=secrets, port=port) as url:
            yield provider, url


def signed_in(browser, region_app, account: str):
    """A new browser (its own cookies) signed in as `account` through the provider's pages."""
    provider, url = region_app
    provider.signs_in = account
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/**")
    page.get_by_text("Signed in as").wait_for(timeout=60_000)
    _wait_until_drawn(page)
    return context, page


def test_a_northmarsh_editor_signed_in_sees_northmarsh_and_no_hertfordshire_property(browser, region_app):
    _provider, url = region_app
    context, page = signed_in(browser, region_app, NED)
    try:
        sidebar = page.get_by_test_id("stSidebar").inner_text()
        assert "ned@northmarsh.gov.uk (editor in Northmarsh)" in sidebar and "Council: Northmarsh" in sidebar
        assert "3 of 24 beds open" in page.locator("h1").first.inner_text()
        page.screenshot(path=SCREENSHOTS / "council-editor-overview-laptop.png", full_page=True)
        for name, (path, headline) in PAGES.items():
            if name in ("access",):  # an admin's page: its address says Ned may not open it
                continue
            target = "edit-property?property=NM-01" if name == "edit-property" else path
            page.goto(f"{url}/{target}")
            _wait_until_drawn(page)
            body = page.locator("body").inner_text()
            assert headline.lower() in body.lower(), (name, body[:300])
            assert "RS-P" not in body, name  # no Hertfordshire property, on any page
        page.goto(f"{url}/properties")
        _wait_until_drawn(page)
        page.screenshot(path=SCREENSHOTS / "council-editor-properties-laptop.png", full_page=True)
        # A link naming Hertfordshire, or one of its properties, shows Ned his own council and nothing of theirs.
        for link in ("?council=Hertfordshire", "?council=E10000015", "edit-property?property=RS-P1-01"):
            page.goto(f"{url}/{link}")
            _wait_until_drawn(page)
            assert "RS-P" not in page.locator("body").inner_text(), link
        page.goto(f"{url}/?council=Hertfordshire")
        _wait_until_drawn(page)
        assert "3 of 24 beds open" in page.locator("h1").first.inner_text()
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=SCREENSHOTS / "council-editor-overview-phone.png", full_page=True)
    finally:
        context.close()


def test_a_regional_viewer_signed_in_sees_the_councils_side_by_side_and_no_property(browser, region_app):
    _provider, url = region_app
    context, page = signed_in(browser, region_app, RITA)
    try:
        body = page.locator("body").inner_text()
        assert "Hertfordshire" in body and "Northmarsh" in body and "Councils side by side" in body
        assert "RS-P" not in body and "NM-0" not in body
        page.screenshot(path=SCREENSHOTS / "regional-viewer-region-laptop.png", full_page=True)
        page.goto(f"{url}/properties")
        _wait_until_drawn(page)
        body = page.locator("body").inner_text()
        assert "Properties needs the viewer role" in body and "RS-P" not in body and "NM-0" not in body
    finally:
        context.close()
