"""The regional benchmark (bench/region_bench.py) keeps working on PostgreSQL: a tiny region is filled and every page
of its table measured. Timings are never asserted here; the targets are checked by a full run."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT, on_postgres

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not on_postgres, reason="the regional bench is PostgreSQL's")]


def test_the_region_bench_fills_a_region_and_measures_each_page(store_url, tmp_path):
    output = tmp_path / "region.md"
    command = [sys.executable, "-m", "bench.region_bench", "--postgres", store_url]
    command += ["--councils", "2", "--properties", "12", "--repeat", "1", "--output", str(output)]
    result = subprocess.run(command, check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 1), result.stderr[-3000:]  # 1: a target missed, which a smoke run may
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# A region on PostgreSQL: 2 councils × 12 properties")
    for page in ("region", "overview, first council", "overview, last council", "properties, last council"):
        assert re.search(rf"^\| {re.escape(page)} \| \d+ \| [\d.]+× \| [\d.]+ \| \d+ \|$", text, re.MULTILINE), text
    # A second run finds the region built and measures it again.
    again = subprocess.run(command, check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert "reusing the store of 2 councils × 12 properties" in again.stderr
