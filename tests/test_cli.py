"""`python -m dashboard` as a user runs it: the store named by DATABASE_URL, run from a scratch folder. Failures are a
short message on stderr and a non-zero exit, never a traceback. The commands run in this process (`run_cli`), through
the same `main()`; a few run as real processes (`run_process`): the entry point itself, and what reaches a terminal
when a file is refused or something unexpected goes wrong."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from contextlib import closing

import pytest
from sqlalchemy import inspect, text

from dashboard.db import make_engine
from dashboard.exporting import export_all
from dashboard.importing import import_path
from dashboard.layout import EXPORT_LAYOUTS
from dashboard.roles import SYSTEM, Actor, Role
from tests.conftest import (
    NEW_PROPERTY,
    SEED_TODAY,
    dump,
    on_postgres,
    plain_sql,
    run_dashboard,
    run_process,
    sqlite_only,
    write_csv,
)

COMMANDS = ("init-db", "import", "export", "demo-data", "backup")


def row_counts(url: str) -> dict[str, int]:
    """Rows in each table of the store at `url`, read by a connection of the test's own."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one() for table in tables}
    finally:
        engine.dispose()


def assert_succeeded(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stderr


def assert_failed_cleanly(result: subprocess.CompletedProcess, *phrases: str) -> None:
    """Non-zero exit, no traceback, and each phrase whole on one line of stderr (messages are not wrapped)."""
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    for phrase in phrases:
        assert any(phrase in line for line in lines), f"{phrase!r} not on one line of:\n{result.stderr}"


# ---------------------------------------------------------------- help

HELP_MUST_MENTION = {
    (): [*COMMANDS, "--database-url"],
    ("init-db",): ["--no-seed"],
    ("import",): ["file", "--dry-run", "--user"],
    ("export",): ["--out", "--template"],
    ("demo-data",): ["--properties", "--seed"],
    ("backup",): ["destination", "--overwrite"],
}


@pytest.mark.parametrize("command", HELP_MUST_MENTION, ids=lambda command: " ".join(command) or "dashboard")
def test_help_describes_the_command_and_its_options(tmp_path, command):
    result = run_dashboard(
        *command, "--help", database_url=f"sqlite:///{tmp_path / 'never-created.sqlite'}", cwd=tmp_path
    )

    assert_succeeded(result)
    assert "Usage:" in result.stdout
    for word in HELP_MUST_MENTION[command]:
        assert word in result.stdout
    assert not (tmp_path / "never-created.sqlite").exists()


def test_python_m_dashboard_is_the_command_line(tmp_path):
    """The entry point a user types, as a real process."""
    result = run_process("--help", database_url=f"sqlite:///{tmp_path / 'never-created.sqlite'}", cwd=tmp_path)

    assert_succeeded(result)
    assert "Usage: python -m dashboard" in result.stdout
    for word in HELP_MUST_MENTION[()]:
        assert word in result.stdout


# ---------------------------------------------------------------- init-db


def test_init_db_creates_and_seeds_a_new_store(run_cli, store_url):
    result = run_cli("init-db")

    assert_succeeded(result)
    assert "Created a new store and loaded the seed programme" in result.stdout
    counts = row_counts(store_url)
    assert (counts["decision"], counts["phase"], counts["property"], counts["district"]) == (1, 3, 21, 10)


# ---------------------------------------------------------------- import


def test_import_of_a_good_file_prints_its_counts(run_cli, engine, tmp_path):
    path = write_csv(tmp_path / "properties.csv", [NEW_PROPERTY])

    result = run_cli("import", path, "--user", "analyst")

    assert_succeeded(result)
    assert "properties: 1 new, 0 changed, 0 unchanged" in result.stdout
    assert "properties NEW-01: new" in result.stdout


def test_import_dry_run_writes_nothing(run_cli, engine, tmp_path):
    before = dump(engine)

    result = run_cli("import", write_csv(tmp_path / "properties.csv", [NEW_PROPERTY]), "--dry-run")

    assert_succeeded(result)
    assert "dry run" in result.stdout
    assert dump(engine) == before


def test_import_of_a_bad_file_names_row_and_column_and_writes_nothing(store_url, engine, tmp_path):
    bad = {**NEW_PROPERTY, "Reference": "NEW-02", "District": "Gotham"}
    path = write_csv(tmp_path / "bad.csv", [NEW_PROPERTY, bad])
    before = dump(engine)

    # A real process: the message as it reaches a terminal of 80 columns, not wrapped.
    result = run_process("import", path, database_url=store_url, cwd=tmp_path)

    # The whole problem on one line: file, row, column, and the full list of districts it could have been.
    assert_failed_cleanly(result, "bad.csv, row 3, District: unknown district 'Gotham'; expected one of: Broxbourne")
    assert any(line.rstrip().endswith("Welwyn Hatfield") for line in result.stderr.splitlines() if "row 3" in line)
    assert dump(engine) == before


# ---------------------------------------------------------------- export


def test_export_writes_every_file_into_the_folder(run_cli, engine, tmp_path):
    out = tmp_path / "out"

    result = run_cli("export", "--out", out)

    assert_succeeded(result)
    assert f"{out / 'properties.csv'}: 21 rows" in result.stdout
    assert f"{out / 'property_records.csv'}: 21 rows" in result.stdout
    assert f"{out / 'market_figures.csv'}: 0 rows" in result.stdout  # the seed has none; the file is still written
    written = {path.name for path in out.iterdir()}
    assert written == {f"{layout.name}.csv" for layout in EXPORT_LAYOUTS} | {"data_dictionary.csv"}
    assert len(written) == 21
    assert {"forecast.csv", "forecast_runs.csv", "forecast_backtest.csv", "forecast_scenarios.csv"} <= written


@pytest.mark.parametrize("run", ["in this process", "as a process"])
def test_an_unexpected_error_is_a_message_not_a_traceback(run_cli, store_url, engine, tmp_path, run):
    not_a_folder = tmp_path / "out.csv"
    not_a_folder.write_text("a file where a folder should be")

    if run == "as a process":  # what a user's terminal shows
        result = run_process("export", "--out", not_a_folder, database_url=store_url, cwd=tmp_path)
    else:  # run_cli goes through the same handler, so the in-process tests see what a user would
        result = run_cli("export", "--out", not_a_folder)

    assert_failed_cleanly(result, f"Error: File exists: {not_a_folder} (set DASHBOARD_DEBUG=1 for the details)")


def test_export_template_writes_a_workbook_that_imports_cleanly(run_cli, empty_engine, tmp_path):
    template = tmp_path / "tracker.xlsx"

    result = run_cli("export", "--template", template)

    assert_succeeded(result)
    assert "Wrote the import template" in result.stdout
    report = import_path(empty_engine, template, Actor("analyst", "import tracker.xlsx", Role.EDITOR), today=SEED_TODAY)
    assert report.ok, report.summary()
    assert sorted(report.counts) == ["decisions", "phases", "properties"]
    assert all(counts.created == 0 for counts in report.counts.values())


# ---------------------------------------------------------------- demo-data


def test_demo_data_is_deterministic(run_cli, tmp_path):
    urls = [f"sqlite:///{tmp_path / name}.sqlite" for name in ("demo-1", "demo-2")]
    results = [run_cli("demo-data", "--properties", 50, "--seed", 3, database_url=url) for url in urls]
    exports = []
    for url, result in zip(urls, results, strict=True):
        assert_succeeded(result)
        assert "50 properties" in result.stdout
        engine = make_engine(url)
        exports.append(tmp_path / f"export-{len(exports)}")
        export_all(engine, exports[-1], SYSTEM)
        engine.dispose()

    first, second = exports
    for name in ("properties.csv", "milestones.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert len((first / "properties.csv").read_text(encoding="utf-8-sig").splitlines()) == 51


def test_demo_data_refuses_a_store_that_has_properties(run_cli, engine):
    before = dump(engine)

    result = run_cli("demo-data", "--properties", "5")

    assert_failed_cleanly(
        result, "Error: demo-data fills an empty store, and this one already has properties: use a new database"
    )
    assert dump(engine) == before


# ---------------------------------------------------------------- backup


@sqlite_only
def test_backup_writes_a_copy_with_the_same_rows(run_cli, engine, store_url, tmp_path):
    destination = tmp_path / "backups" / "dashboard-2026-11-25.sqlite"

    result = run_cli("backup", destination)

    assert_succeeded(result)
    with closing(sqlite3.connect(destination)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert row_counts(f"sqlite:///{destination}") == row_counts(store_url)


@sqlite_only
def test_backup_does_not_overwrite_without_being_told(run_cli, engine, tmp_path):
    destination = tmp_path / "backup [v2].sqlite"  # brackets: shown as written, not taken for markup
    destination.write_bytes(b"yesterday's backup")

    result = run_cli("backup", destination)

    assert_failed_cleanly(result, f"Error: {destination} already exists: choose a new file, or pass --overwrite")
    assert destination.read_bytes() == b"yesterday's backup"


@pytest.mark.skipif(not on_postgres, reason="about a PostgreSQL store")
def test_backup_of_a_postgresql_store_points_to_its_own_tools(run_cli, engine, tmp_path):
    result = run_cli("backup", tmp_path / "copy.sqlite")
    assert_failed_cleanly(
        result,
        "Error: backup works on a SQLite store; this store is postgresql: use its own tools "
        "(pg_dump and pg_restore for PostgreSQL)",
    )
    assert not (tmp_path / "copy.sqlite").exists()


def test_the_objective_imports_from_the_command_line(run_cli, tmp_path, store_url):
    """import-lookup, import-903 (with its header file) and import-ofsted, as an analyst runs them."""
    from tests.conftest import SHARED_DATA

    lookup = tmp_path / "lookup.csv"
    lookup.write_text("Postcode district,Local authority\nSG1,Hertfordshire\nE1,Tower Hamlets\n", encoding="utf-8")
    assert run_cli("import-lookup", lookup).returncode == 0
    ssda = SHARED_DATA / "ssda903"
    result = run_cli("import-903", ssda / "demandmodel_2021-episodes.csv", ssda / "demandmodel_2021-header.csv")
    assert result.returncode == 0, result.stderr
    assert "at 12 month ends" in result.stdout and "at 31 March 2022 as DfE measures them" in result.stdout
    # The header file given first, then a file that is neither: told apart by their columns, the stray one refused.
    stray = run_cli("import-903", ssda / "demandmodel_2021-header.csv", lookup)
    assert stray.returncode == 1 and "is this the SSDA903 episodes file?" in stray.stderr
    ofsted = run_cli("import-ofsted", SHARED_DATA / "ofsted" / "ofsted_csc_providers_at_31march2024.csv")
    assert ofsted.returncode == 0 and "3,151 children's homes" in ofsted.stdout
    bad_date = run_cli(
        "import-ofsted", SHARED_DATA / "ofsted" / "ofsted_csc_providers_at_31march2024.csv", "--as-at", "31/02/2024"
    )
    assert bad_date.returncode == 1 and "--as-at: '31/02/2024' is not a real date" in bad_date.stderr
    assert "Traceback" not in bad_date.stderr
    assert plain_sql(store_url, "SELECT COUNT(*) FROM objective_measure")[0][0] > 0
    assert plain_sql(store_url, "SELECT COUNT(DISTINCT as_at) FROM market_figure")[0][0] == 1


# ---------------------------------------------------------------- the demand forecast


def test_forecast_show_before_any_import_says_what_to_import(run_cli):
    result = run_cli("forecast", "show")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "No forecast yet: import SSDA903 episodes with their header files (import-903).\n"


def test_a_scenario_saved_before_any_import_waits_for_the_files(run_cli, store_url):
    saved = run_cli("forecast", "save", "Busier", "--entry-change", "15")
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout == "Saved scenario Busier. It is forecast when SSDA903 files are imported.\n"
    assert plain_sql(store_url, "SELECT name, entry_change, own_share, occupancy FROM forecast_scenario") == [
        ("Busier", 15.0, None, None)
    ]
    assert plain_sql(store_url, "SELECT COUNT(*) FROM forecast_run")[0][0] == 0


def test_forecast_show_save_and_delete_on_the_samples(run_cli, engine, store_url, tmp_path):
    from datetime import date

    from dashboard import demand
    from tests.test_objectives_page import load

    load(engine, tmp_path)
    shown = run_cli("forecast", "show")
    assert shown.returncode == 0, shown.stderr
    mape = plain_sql(store_url, "SELECT backtest_mape FROM forecast_basis")[0][0]
    assert f"mean absolute percentage error {mape:.1f}% in children in children's homes" in shown.stdout
    (end, expected, lower, upper), *_ = plain_sql(
        store_url,
        "SELECT p.period_end, p.expected, p.lower, p.upper FROM forecast_point p JOIN forecast_run r "
        "ON r.id = p.run_id WHERE r.scenario = ? AND p.measure = ? ORDER BY p.period_end DESC",
        (demand.CENTRAL, demand.BEDS_NEEDED),
    )
    central = next(line for line in shown.stdout.splitlines() if line.startswith(f"{demand.CENTRAL}: "))
    assert f"occupancy {demand.DEFAULT_OCCUPANCY:.0%}" in central and f"{demand.RUNS} runs" in central
    assert central.endswith(f": {expected:.1f} ({lower:.1f} to {upper:.1f}).")
    end = date.fromisoformat(str(end))  # SQLite gives ISO text, PostgreSQL a date
    assert f"on {end.day} {end:%b %Y}: " in central

    # Every problem of a scenario named on its own line, and nothing written.
    before = dump(engine)
    refused = run_cli(
        "forecast", "save", demand.CENTRAL, "--entry-change", "-60", "--own-share", "0", "--occupancy", "5"
    )
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.splitlines() == [
        f"Name: {demand.CENTRAL} is the forecast made with the defaults: choose another name",
        "Entries into care: a change between -50% and +100%",
        "Own homes' share: more than 0% and at most 100%",
        "Occupancy: between 10% and 100%",
    ]
    outside = run_cli("forecast", "save", "Early", "--reference", "2010-04-01:2020-03-31")
    assert outside.returncode == 1 and outside.stderr.startswith("Reference window: inside the data, 01/04/2017")
    unreadable = run_cli("forecast", "save", "Early", "--reference", "2019-04-01")
    assert unreadable.returncode == 1
    assert "--reference: '2019-04-01' is not FIRST:LAST, e.g. 2018-04-01:2020-03-31" in unreadable.stderr
    assert dump(engine) == before

    saved = run_cli(
        "forecast", "save", "Fewer entries", "--entry-change", "-20", "--own-share", "50", "--occupancy", "90",
        "--reference", "01/04/2018:2020-03-31", "--user", "ann",
    )  # fmt: skip
    assert saved.returncode == 0 and saved.stdout == "Saved scenario Fewer entries.\n", saved.stderr
    assert plain_sql(
        store_url,
        "SELECT entry_change, own_share, own_share_source, occupancy, CAST(reference_first AS TEXT) FROM forecast_run "
        "WHERE scenario = 'Fewer entries'",
    ) == [(-20.0, 0.5, "scenario Fewer entries", 0.9, "2018-04-01")]
    assert plain_sql(store_url, "SELECT \"user\" FROM audit_log WHERE entity = 'forecast_scenario'") == [("ann",)]
    shown = run_cli("forecast", "show").stdout
    assert "Fewer entries: entries -20%, own homes' share 50.0% (scenario Fewer entries), occupancy 90%" in shown

    unknown = run_cli("forecast", "delete", "Nope")
    assert unknown.returncode == 1 and "There is no scenario 'Nope'. Saved: Fewer entries." in unknown.stderr
    deleted = run_cli("forecast", "delete", "Fewer entries")
    assert deleted.returncode == 0 and deleted.stdout == "Deleted scenario Fewer entries.\n"
    assert plain_sql(store_url, "SELECT scenario FROM forecast_run") == [(demand.CENTRAL,)]
    assert plain_sql(store_url, "SELECT COUNT(*) FROM forecast_scenario")[0][0] == 0


@sqlite_only
def test_backup_keep_writes_dated_backups_and_keeps_the_newest(engine, store_url, tmp_path):
    from datetime import datetime

    from dashboard.backup import rotated_backup

    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("kept: not a dated backup")
    (folder / "dashboard-backup.sqlite").write_bytes(b"a backup made by hand, kept")
    times = [datetime(2026, 11, day, 2, 0, 0) for day in (27, 28, 29, 30)]

    made = [rotated_backup(engine, folder, 2, when) for when in times]

    assert [written.name for written, _removed in made] == [
        "dashboard-2026-11-27T02-00-00.sqlite",
        "dashboard-2026-11-28T02-00-00.sqlite",
        "dashboard-2026-11-29T02-00-00.sqlite",
        "dashboard-2026-11-30T02-00-00.sqlite",
    ]
    assert [[path.name for path in removed] for _written, removed in made] == [
        [],
        [],
        ["dashboard-2026-11-27T02-00-00.sqlite"],
        ["dashboard-2026-11-28T02-00-00.sqlite"],
    ]
    assert sorted(path.name for path in folder.iterdir()) == [
        "dashboard-2026-11-29T02-00-00.sqlite",
        "dashboard-2026-11-30T02-00-00.sqlite",
        "dashboard-backup.sqlite",
        "notes.txt",
    ]
    assert row_counts(f"sqlite:///{folder / 'dashboard-2026-11-30T02-00-00.sqlite'}") == row_counts(store_url)


@sqlite_only
def test_backup_keep_from_the_command_line(run_cli, engine, tmp_path):
    folder = tmp_path / "nightly"

    result = run_cli("backup", "--keep", 3, folder)

    assert_succeeded(result)
    (written,) = folder.iterdir()
    assert re.fullmatch(r"dashboard-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.sqlite", written.name)
    assert f"Backed up to {written}" in result.stdout


@sqlite_only
def test_backup_keep_refuses_nonsense_and_writes_nothing(run_cli, engine, tmp_path):
    folder = tmp_path / "nightly"
    a_file = tmp_path / "backup.sqlite"
    a_file.write_bytes(b"yesterday's backup")

    assert_failed_cleanly(run_cli("backup", "--keep", 0, folder), "Error: --keep must be 1 or more (it is 0)")
    assert not folder.exists()
    assert_failed_cleanly(
        run_cli("backup", "--keep", 2, a_file), f"Error: {a_file} is a file: --keep writes dated backups into a folder"
    )
    assert a_file.read_bytes() == b"yesterday's backup"
