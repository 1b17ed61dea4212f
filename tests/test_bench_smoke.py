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
    assert re.search(r"^\| simulate \| [\d.]+ \| [\d.]+× \|$", text, re.MULTILINE), text
    assert re.search(r"^\| floor \| [\d.]+ \| 1\.0× \|$", text, re.MULTILINE), text
