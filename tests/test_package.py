"""Where the code finds its files. In a checkout: data/ and static/ at the top level, the default store in data/. As pip
installs it: the wheel carries the reference data, seed, migrations and base map, and an installed copy, run from an
empty folder, creates and seeds a store there and exports it.

The wheel is built by the backend installed in this environment (hatchling, in the dev group), with no index: nothing is
downloaded."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dashboard import config

ROOT = Path(__file__).resolve().parents[1]


def test_in_a_checkout_shipped_files_and_the_default_store_are_in_its_top_level_folders(monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DASHBOARD_BOUNDARIES", raising=False)
    assert not config.installed()
    assert (config.shipped("data"), config.shipped("static")) == (ROOT / "data", ROOT / "static")
    assert config.DEFAULT_COUNCIL_FILE.is_file() and (config.SEED_DIR / "properties.csv").is_file()
    assert config.database_url() == f"sqlite:///{ROOT / 'data' / 'dashboard.sqlite'}"
    assert config.boundaries_file() == ROOT / "data" / "boundaries" / "districts.geojson"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet"]
    subprocess.run([*pip, "--wheel-dir", str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    (built,) = out.glob("*.whl")
    return built


def _checkout_files(folder: str, pattern: str) -> set[str]:
    return {path.relative_to(ROOT / folder).as_posix() for path in (ROOT / folder).glob(pattern) if path.is_file()}


@pytest.mark.slow
def test_the_wheel_carries_reference_data_seed_migrations_and_base_map(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {name.removeprefix("dashboard/data/") for name in names if name.startswith("dashboard/data/")}
    # Exactly the reference data and the seed: never a checkout's store or its installed boundaries.
    assert data == _checkout_files("data", "reference/*.toml") | _checkout_files("data", "seed/*.csv")
    assert {"reference/hertfordshire.toml", "seed/properties.csv"} <= data
    migrations = {name.removeprefix("dashboard/migrations/") for name in names if "/migrations/" in name}
    assert _checkout_files("src/dashboard/migrations", "versions/*.py") | {"env.py", "script.py.mako"} <= migrations
    assert "dashboard/static/topojson/world_110m.json" in names


def _installed_run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "DASHBOARD_"))}
    # The installed copy comes first on the path, ahead of this checkout's editable install.
    env["PYTHONPATH"] = str(site)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300
    )


@pytest.mark.slow
def test_an_installed_copy_run_from_an_empty_folder_creates_a_store_there_and_exports_it(
    wheel: Path, tmp_path: Path
) -> None:
    site, folder = tmp_path / "site", tmp_path / "empty"
    folder.mkdir()
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", str(site)]
    subprocess.run([*install, str(wheel)], check=True, capture_output=True, timeout=300)

    where = _installed_run(site, folder, "-c", "import dashboard.config as c; print(c.__file__, c.installed())")
    assert where.stdout.split() == [str(site / "dashboard" / "config.py"), "True"], where.stderr

    created = _installed_run(site, folder, "-m", "dashboard", "init-db")
    assert created.returncode == 0, created.stderr
    assert "loaded the seed programme" in created.stdout
    # The default store is written in the folder the command runs from, not inside the installed package.
    assert (folder / "dashboard.sqlite").is_file()
    assert all(path.name.startswith("dashboard.sqlite") for path in folder.iterdir())
    assert not list(site.rglob("*.sqlite"))

    exported = _installed_run(site, folder, "-m", "dashboard", "export", "--out", "out")
    assert exported.returncode == 0, exported.stderr
    with (ROOT / "data" / "seed" / "properties.csv").open(encoding="utf-8-sig", newline="") as seed:
        seed_rows = sum(1 for _row in csv.DictReader(seed))
    assert f"properties.csv: {seed_rows} rows" in exported.stdout
    assert (folder / "out" / "data_dictionary.csv").is_file()
