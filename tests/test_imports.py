"""What every page loads stays light: the validation records (pydantic) load only where data is checked (an import,
a form's save), so a page that only reads the store, or opens a form, starts without them."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT

# What the programme pages, the export, audit and access pages, the data forms and the app's frame import.
READING_PAGES = [
    "dashboard_ui.shell",
    "dashboard_ui.view",
    "dashboard_ui.widgets",
    "dashboard_ui.cached",
    "dashboard.charts",
    "dashboard.metrics",
    "dashboard.tables",
    "dashboard.exporting",
    "dashboard.consultation",
    "dashboard.objectives",
    "dashboard.market",
    "dashboard.placements",
    "dashboard.audit",
    "dashboard.history",
    "dashboard.access",
    "dashboard_ui.data_forms",
    "dashboard.editing",
]


def loaded_after_importing(modules: list[str]) -> set[str]:
    script = f"import sys\nfor name in {modules!r}: __import__(name)\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_reading_pages_do_not_load_validation():
    loaded = loaded_after_importing(READING_PAGES)

    assert "dashboard.tables" in loaded  # the script ran
    assert {"pydantic", "dashboard.validation", "dashboard.importing"}.isdisjoint(loaded)


def test_the_importer_does_load_it():
    assert {"pydantic", "dashboard.validation"} <= loaded_after_importing(["dashboard.importing"])


def test_reading_pages_do_not_load_the_boundary_checks():
    """shapely checks a boundary file as it is installed; the Districts map only reads the installed file."""
    assert "shapely" not in loaded_after_importing(READING_PAGES)


def test_the_export_loads_neither_pandas_nor_validation():
    """The command line's export streams rows from the store: it needs no frame and no record checks."""
    loaded = loaded_after_importing(["dashboard.exporting"])

    assert "dashboard.layout" in loaded  # the script ran
    assert {"pandas", "pydantic", "dashboard.validation", "dashboard.importing"}.isdisjoint(loaded)
