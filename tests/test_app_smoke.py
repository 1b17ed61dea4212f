from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT


def test_overview_renders_headline_from_store(monkeypatch, store_url):
    monkeypatch.setenv("DATABASE_URL", store_url)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert not at.error
    assert at.title[0].value.endswith("of 70 beds open")
