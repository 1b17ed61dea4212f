"""Opening the app in Streamlit's AppTest, as every page test does."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT

FRIENDLY_ERROR = "Something went wrong"


def open_app(monkeypatch, store_url: str, **query: str | list[str]) -> AppTest:
    """The app as opened from a link: filters are query parameters, as a shared link carries them."""
    monkeypatch.setenv("DATABASE_URL", store_url)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def assert_page_ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e for e in at.error if FRIENDLY_ERROR in e.value], "the page failed and showed the friendly error"
