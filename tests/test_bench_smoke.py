"""The benchmark (bench/run.py) keeps working: its smoke run at 50 properties finishes and writes a results table with a
row per page. Timings are never asserted here; the targets are checked only by a full run of the benchmark."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard_ui.shell import DATA, PROGRAMME
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.bench


def test_benchmark_smoke_run_writes_a_row_per_page(tmp_path):
    output = tmp_path / "results.md"
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--stores", str(tmp_path / "stores"), "--output", str(output)],
        check=False,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = output.read_text(encoding="utf-8")
    pages = [Path(entry.file).stem for entry in PROGRAMME + DATA]
    assert pages
    for name in ["trivial app", "reference page", *pages]:
        assert re.search(rf"^\| {re.escape(name)} \| [\d.]+ \|", text, re.MULTILINE), f"no row for {name}:\n{text}"
    assert "## Full CSV export of audit_log" in text
    assert "## The analyst's whole export (every table)" in text
    assert re.search(r"^\| 50 \| [\d,]+ (\| [\d.]+ ){5}\| \d+ \| [\d.]+× \| [\d.]+× \|$", text, re.MULTILINE), text
    assert re.search(r"^\| simulate \| [\d.]+ \| [\d.]+× \|$", text, re.MULTILINE), text
    assert re.search(r"^\| floor \| [\d.]+ \| 1\.0× \|$", text, re.MULTILINE), text


# ---------------------------------------------------------------- issue T7: pages in a real browser, many people


def test_browser_targets_are_each_page_against_the_reference_page_and_a_slow_page_misses():
    from bench.browser import BrowserResult
    from bench.run import REFERENCE, TRIVIAL

    result = BrowserResult(10000, 3, ["pages/overview.py", "pages/timeline.py"])
    result.new_session = {TRIVIAL: [0.5], REFERENCE: [2.0], "pages/overview.py": [2.5], "pages/timeline.py": [2.6]}
    result.reload = {TRIVIAL: [0.4], REFERENCE: [1.0], "pages/overview.py": [1.2], "pages/timeline.py": [1.4]}
    result.first = {"overview": [4.0], REFERENCE: [2.0]}
    verdicts = {check.target.split(" at ")[0].split(" ≤ ")[0]: check.ok for check in result.checks()}
    assert verdicts == {
        "overview in a browser, new session": True,  # 1.25×
        "timeline in a browser, new session": True,  # 1.3×
        "overview in a browser, reload": True,  # 1.2×
        "timeline in a browser, reload": False,  # 1.4×
        "first page after a server start (overview)": True,  # 2.0×
        "no error, traceback or 'database is locked' on a page": True,
    }
    result.problems.append("overview: 'database is locked' on the page")
    assert not result.checks()[-1].ok
    text = "\n".join(result.section())
    for name in ("trivial app", "reference page", "overview", "timeline"):
        assert re.search(rf"^\| {name} \| [\d.]+ \|", text, re.MULTILINE), text


def test_words_no_page_may_show_are_found():
    from bench.browser import page_problems

    assert page_problems("Properties\n10,000 properties", 0, "properties") == []
    found = page_problems("Import\nsqlite3.OperationalError: database is locked\nTraceback (most recent", 1, "import")
    assert found == [
        "import: an exception box",
        "import: 'Traceback' on the page",
        "import: 'database is locked' on the page",
    ]


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")
def test_a_page_in_a_real_browser_is_timed_to_its_chart_and_table_drawn(tmp_path):
    """The reference page (a plotly chart and a 10,000-row table) on a real server: when its load is timed, the chart's
    SVG and the table's canvas are there; a page without either (the trivial app) is timed too."""
    from bench.browser import VIEWPORT, chromium, drawn_ms, load, serving
    from bench.run import REFERENCE_APP, TRIVIAL_APP

    store = tmp_path / "unused.sqlite"  # neither app opens a store
    problems: list[str] = []
    with chromium() as browser:
        with serving(REFERENCE_APP, store) as server:
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.goto(f"{server.url}/", wait_until="commit")
            assert 0 < drawn_ms(page) < 120_000
            assert page.locator('[data-testid="stPlotlyChart"] svg.main-svg').count() >= 1
            assert page.locator('[data-testid="stDataFrame"] canvas').count() >= 1
            context.close()
        with serving(TRIVIAL_APP, store) as server:
            new_session, reload = load(browser, f"{server.url}/", "trivial app", problems)
            assert 0 < new_session < 120 and 0 < reload < 120, (new_session, reload)
    assert problems == []
