"""The performance benchmark of issue P6: `python -m bench.run --help`; see bench/README.md.

Every measurement runs in its own process (bench/_child.py), so a cold run starts with empty caches and each process's
peak memory (ru_maxrss from os.wait4) is its own. Targets are ratios measured side by side in this one run."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench.briefing_bench import BriefingResult, briefing_checks, briefing_section, measure_briefing
from bench.export_bench import WholeExport, measure_whole_export, whole_export_checks, whole_export_section
from dashboard.db import SCHEMA_HEAD

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
STORES = BENCH / "stores"  # git-ignored
TRIVIAL_APP = BENCH / "trivial_app.py"
REFERENCE_APP = BENCH / "reference_app.py"
APP = REPO / "app.py"
SHELL = REPO / "src" / "dashboard_ui" / "shell.py"
TRIVIAL = "trivial app"
# The reference figure ("one page of plotly plus a 10,000-row table"): what one chart and one table cost.
REFERENCE = "reference page"

# The targets, at the largest size measured. Issue T7 (target 3): a page's warm rerun at most 2x the reference page's
# (P6's "3x the trivial app" measured AppTest's own harness; its cold 1.5 s gave way to the browser's targets: cold
# times are still reported).
WARM_VS_REFERENCE_MAX = 2.0
EXPORT_VS_SQLITE_MAX = 2.0
EXPORT_VS_DATASETTE_MIN = 10.0
EXPORT_PEAK_MAX_MB = 150
APP_PEAK_MAX_MB = 400
# Issue T1: the programme as recorded on a past day, beside the same view today.
ASAT_VS_TODAY_MAX = 2.0
ASAT_DAYS_BACK = 365
# Issue T7 (target 6): these pages opened from a link as at ASAT_DAYS_BACK days back, warm, within the same target.
ASAT_PAGES = ("pages/overview.py", "pages/timeline.py")
REGION_PAGE = "pages/region.py"
AUDIT_COLUMNS = "at, user, source, action, entity, entity_ref, before, after"
# Issue T6: the demand forecast from three years of a large authority's returns, "in seconds, not minutes". Runs and
# months are dashboard.demand's RUNS and HORIZON_MONTHS (not imported here: this process stays light).
FORECAST_CHILDREN, FORECAST_RUNS, FORECAST_MONTHS = 5000, 500, 36
SMOKE_FORECAST = (500, 50, 36)
FORECAST_SIMULATE_MAX_S = 10.0
FORECAST_WHOLE_MAX_S = 20.0
FORECAST_STEPS = ("basis", "backtest", "simulate")


@dataclass
class Measured:
    seconds: float
    peak_mb: float


@dataclass
class SizeResult:
    properties: int
    pages: list[str]
    cold: dict[str, list[Measured]] = field(default_factory=dict)
    warm: dict[str, float] = field(default_factory=dict)
    warm_peak_mb: float = 0.0
    export_rows: int = 0
    export: list[Measured] = field(default_factory=list)
    shell: list[Measured] = field(default_factory=list)
    datasette: list[float] = field(default_factory=list)  # seconds per download; the server's peak is below
    datasette_peak_mb: float = 0.0
    asat: dict[str, float] = field(default_factory=dict)  # median seconds of the status read: "today", "past"
    asat_rows: dict[str, int] = field(default_factory=dict)
    whole_export: WholeExport | None = None  # issue T7: `dashboard export`, every table (bench/export_bench.py)
    warm_asat: dict[str, float] = field(default_factory=dict)  # ASAT_PAGES' warm reruns as at ASAT_DAYS_BACK back
    briefing: BriefingResult | None = None  # issue T7: the pack against one chart image (bench/briefing_bench.py)

    def cold_median(self, page: str) -> float:
        return statistics.median(m.seconds for m in self.cold[page])

    def cold_peak(self, page: str) -> float:
        return max(m.peak_mb for m in self.cold[page])

    def export_median(self) -> float:
        return statistics.median(m.seconds for m in self.export)

    def shell_median(self) -> float:
        return statistics.median(m.seconds for m in self.shell)

    def datasette_median(self) -> float | None:
        return statistics.median(self.datasette) if self.datasette else None


@dataclass
class ForecastResult:
    """The forecast an import makes, step by step (median seconds), and the floor beside it."""

    children: int
    runs: int
    months: int
    episodes: int
    uniforms: int
    median: dict[str, float]
    peak_mb: float

    @property
    def whole(self) -> float:
        return sum(self.median[step] for step in FORECAST_STEPS)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes


def run_measured(command: list[str], env: dict[str, str] | None = None, stdout=None) -> tuple[float, float, str]:
    """Run a command to completion; return its wall seconds, its own peak memory (MB) and its stdout."""
    capture = stdout is None
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out if capture else stdout, stderr=subprocess.PIPE
        )
        stderr = process.stderr.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stderr.close()  # type: ignore[union-attr]
        out.seek(0)
        text = out.read() if capture else ""
    if process.returncode != 0:
        said = stderr.decode(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{said}")
    return seconds, usage.ru_maxrss / 1024, text  # ru_maxrss is in KiB on Linux


def child(args: list[str], store: Path | str) -> tuple[dict, float]:
    """Run bench._child on the store (a SQLite file, or a database URL)."""
    url = store if isinstance(store, str) else f"sqlite:///{store}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(REPO)}
    _, peak_mb, text = run_measured([sys.executable, "-m", "bench._child", *args], env=env)
    lines = [line for line in text.splitlines() if line.startswith("BENCH_RESULT ")]
    if not lines:
        raise RuntimeError(f"bench._child {' '.join(args)} reported nothing:\n{text[-2000:]}")
    result = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    if result["problems"]:
        raise RuntimeError("the app failed under the benchmark: " + "; ".join(result["problems"]))
    return result, peak_mb


# ---------------------------------------------------------------- what is measured


def discover_pages() -> list[str]:
    """The files in pages/, in the order the app's navigation (dashboard_ui/shell.py) lists them; a file it does not
    list is skipped. Read as text: importing the app here would make this process, and so the peak memory of every
    process it starts (Linux counts the fork before the exec), as big as the app."""
    order = re.findall(r"[\"'](pages/[\w-]+\.py)[\"']", SHELL.read_text(encoding="utf-8"))
    files = {f"pages/{path.name}" for path in (REPO / "pages").glob("*.py")}
    for page in sorted(files - set(order)):
        log(f"note: {page} is in pages/ but not in the app's navigation; not measured")
    # The bench's stores hold one council, and the app offers the Region page only where a store holds several.
    log(f"note: {REGION_PAGE} is offered only for a store of several councils; not measured on one")
    return [page for page in dict.fromkeys(order) if page in files and page != REGION_PAGE]


def page_name(page: str) -> str:
    return page if page in (TRIVIAL, REFERENCE) else Path(page).stem


def _schema_revision(store: Path) -> str | None:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as connection:
        found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    connection.close()
    return found[0] if found else None


def ensure_store(stores: Path, properties: int, seed: int) -> Path:
    """The demo store for this size and seed, built once and reused (built under a temporary name, then renamed)."""
    store = stores / f"demo-{properties}-seed{seed}.sqlite"
    if store.exists():
        if _schema_revision(store) == SCHEMA_HEAD:
            log(f"reusing {store}")
            return store
        log(f"{store} was made by an older schema")
        store.unlink()
    stores.mkdir(parents=True, exist_ok=True)
    building = store.with_name(store.stem + ".building.sqlite")
    for leftover in stores.glob(building.name + "*"):
        leftover.unlink()
    log(f"building {store} ({properties} properties, seed {seed})…")
    start = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "dashboard",
        "--database-url",
        f"sqlite:///{building}",
        "demo-data",
        "--properties",
        str(properties),
        "--seed",
        str(seed),
    ]
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    with sqlite3.connect(building) as connection:  # fold the write-ahead log in, so one file is the whole store
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    for suffix in ("-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    building.rename(store)
    log(f"  built in {time.perf_counter() - start:.0f} s")
    return store


def measure_size(
    stores: Path, properties: int, seed: int, repeat: int, pages: list[str], datasette: str | None
) -> SizeResult:
    store = ensure_store(stores, properties, seed)
    result = SizeResult(properties, pages)
    targets = {TRIVIAL: (TRIVIAL_APP, "-"), REFERENCE: (REFERENCE_APP, "-"), **{page: (APP, page) for page in pages}}

    log(f"[{properties}] warm: every page, the trivial app and the reference page in one process, {repeat} reruns each")
    every_target = [f"{app}::{page}" for app, page in targets.values()]
    past = (date.today() - timedelta(days=ASAT_DAYS_BACK)).isoformat()
    as_at_targets = {page: f"{APP}::{page}::as_at={past}" for page in ASAT_PAGES if page in pages}
    warm, result.warm_peak_mb = child(["warm", str(repeat), *every_target, *as_at_targets.values()], store)
    for name, (app, page) in targets.items():
        result.warm[name] = warm["median"][f"{app}::{page}"]
    result.warm_asat = {page: warm["median"][target] for page, target in as_at_targets.items()}

    for round_ in range(repeat):  # rounds interleave the pages, so a noisy moment spreads over all of them
        log(f"[{properties}] cold: round {round_ + 1} of {repeat}, one fresh process per page")
        for name, (app, page) in targets.items():
            cold, peak_mb = child(["cold", str(app), page], store)
            result.cold.setdefault(name, []).append(Measured(cold["seconds"], peak_mb))

    log(f"[{properties}] as-at: the programme's status today and as recorded {ASAT_DAYS_BACK} days ago")
    measured, _ = child(["asat", str(max(repeat, 3) * 3), str(ASAT_DAYS_BACK)], store)
    result.asat, result.asat_rows = measured["median"], measured["rows"]

    scratch = Path(tempfile.mkdtemp(prefix="bench-export-"))
    project_csv, shell_csv = scratch / "project.csv", scratch / "sqlite3.csv"
    shell = shutil.which("sqlite3") or "/usr/bin/sqlite3"
    sql = f"SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id"
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as connection:
        result.export_rows = connection.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    connection.close()
    server = DatasetteServer(datasette, store) if datasette else None
    try:
        for round_ in range(repeat):  # the three side by side, alternately
            log(f"[{properties}] export of audit_log ({result.export_rows} rows): round {round_ + 1} of {repeat}")
            exported, peak_mb = child(["export", str(project_csv)], store)
            if exported["rows"] != result.export_rows:
                raise RuntimeError(f"export wrote {exported['rows']} rows of {result.export_rows}")
            result.export.append(Measured(exported["seconds"], peak_mb))
            with shell_csv.open("wb") as out:
                seconds, peak_mb, _ = run_measured([shell, "-csv", "-header", str(store), sql], stdout=out)
            result.shell.append(Measured(seconds, peak_mb))
            if server:
                seconds, lines = server.download_audit_log(scratch / "datasette.csv")
                if lines < result.export_rows + 1:  # more when a value holds a line break
                    raise RuntimeError(f"Datasette's CSV had {lines - 1} lines for {result.export_rows} rows")
                result.datasette.append(seconds)
    finally:
        if server:
            result.datasette_peak_mb = server.stop()
    shutil.rmtree(scratch)
    result.whole_export = measure_whole_export(store, properties, repeat)
    result.briefing = measure_briefing(store, properties, repeat)
    return result


def measure_forecast(children: int, runs: int, months: int, repeat: int) -> ForecastResult:
    log(f"forecast: {children:,} children, {months} months × {runs} runs, {repeat} times")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    _, peak_mb, text = run_measured(
        [sys.executable, "-m", "bench._child", "forecast", str(children), str(runs), str(months), str(repeat)], env=env
    )
    result = json.loads(next(line for line in text.splitlines() if line.startswith("BENCH_RESULT ")).split(" ", 1)[1])
    return ForecastResult(
        result["children"], runs, months, result["episodes"], result["uniforms"], result["median"], peak_mb
    )


def forecast_checks(forecast: ForecastResult) -> list[Check]:
    simulate = forecast.median["simulate"]
    size = f"{forecast.children:,} children, {forecast.months} months × {forecast.runs} runs"
    return [
        Check(f"forecast simulation ({size}) ≤ {FORECAST_SIMULATE_MAX_S:g} s", f"{simulate:.1f} s",
              simulate <= FORECAST_SIMULATE_MAX_S),
        Check(f"the import's whole forecast (basis, backtest, simulation) ≤ {FORECAST_WHOLE_MAX_S:g} s",
              f"{forecast.whole:.1f} s", forecast.whole <= FORECAST_WHOLE_MAX_S),
    ]  # fmt: skip


def forecast_section(forecast: ForecastResult) -> list[str]:
    floor = forecast.median["floor"]
    rows = [
        [step, f"{forecast.median[step]:.2f}", f"{forecast.median[step] / floor:.1f}×"]
        for step in (*FORECAST_STEPS, "floor")
    ]
    rows.insert(3, ["whole (basis + backtest + simulation)", f"{forecast.whole:.2f}", f"{forecast.whole / floor:.1f}×"])
    return [
        "",
        f"## The demand forecast: {forecast.children:,} children, {forecast.months} months × {forecast.runs} runs",
        "",
        table(["step", "s", "÷ floor"], rows),
        "",
        (
            f"As an import makes it (dashboard.demand.record_forecast), from three years of a generated authority's "
            f"SSDA903 episodes ({forecast.episodes:,} episodes, {forecast.children:,} children looked after at the "
            f"last month end; bench/authority.py): basis (every month-to-month step counted), backtest (a year "
            f"forecast from a fit on the two before it, {forecast.runs} runs), simulation (the central scenario's "
            f"rates and {forecast.months} months × {forecast.runs} runs). Each saved scenario adds one simulation. "
            f"Floor: numpy drawing the simulation's {forecast.uniforms:,} uniform numbers (float32), in the same "
            f"process. Process peak {forecast.peak_mb:.0f} MB."
        ),
    ]


class DatasetteServer:
    """Datasette serving the store on 127.0.0.1, for its streamed CSV of the audit log (`?_stream=on`): another
    program's export of the same table, as a user of it would download it. Installed only for the benchmark."""

    def __init__(self, executable: str, store: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/{store.stem}/audit_log.csv?_stream=on&_size=max"
        # No size cap on a CSV, and time enough for each of its pages' queries.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [
                executable,
                "serve",
                str(store),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--setting",
                "max_csv_mb",
                "0",
                "--setting",
                "sql_time_limit_ms",
                "60000",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    self.log.seek(0)
                    said = self.log.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"Datasette did not start: {said}") from None
                time.sleep(0.3)

    def download_audit_log(self, path: Path) -> tuple[float, int]:
        """Seconds to download the whole CSV, and its lines."""
        start = time.perf_counter()
        lines = 0
        with urllib.request.urlopen(self.url, timeout=600) as response, path.open("wb") as out:
            while chunk := response.read(1 << 20):
                out.write(chunk)
                lines += chunk.count(b"\n")
        return time.perf_counter() - start, lines

    def stop(self) -> float:
        """Stops the server; its peak memory in MB."""
        self.process.terminate()
        _, _, usage = os.wait4(self.process.pid, 0)
        self.log.close()
        return usage.ru_maxrss / 1024


# ---------------------------------------------------------------- report


@dataclass
class Check:
    target: str
    measured: str
    ok: bool


def check_targets(results: list[SizeResult]) -> list[Check]:
    big = results[-1]
    reference = big.warm[REFERENCE]
    checks = [
        Check(
            f"{name} warm ≤ {WARM_VS_REFERENCE_MAX:g}× the reference page at {big.properties}",
            f"{seconds / reference:.1f}×",
            seconds / reference <= WARM_VS_REFERENCE_MAX,
        )
        for name, seconds in warm_pages(big).items()
    ]
    ratio = big.export_median() / big.shell_median()
    checks.append(
        Check(
            f"export ≤ {EXPORT_VS_SQLITE_MAX:g}× sqlite3 shell at {big.properties}",
            f"{ratio:.1f}×",
            ratio <= EXPORT_VS_SQLITE_MAX,
        )
    )
    if big.datasette:
        faster = big.datasette_median() / big.export_median()
        checks.append(
            Check(
                f"export ≥ {EXPORT_VS_DATASETTE_MIN:g}× faster than Datasette at {big.properties}",
                f"{faster:.1f}×",
                faster >= EXPORT_VS_DATASETTE_MIN,
            )
        )
    ratio = big.asat["past"] / big.asat["today"]
    checks.append(
        Check(
            f"as-at view {ASAT_DAYS_BACK} days back ≤ {ASAT_VS_TODAY_MAX:g}× today's at {big.properties}",
            f"{ratio:.1f}×",
            ratio <= ASAT_VS_TODAY_MAX,
        )
    )
    peak = max(m.peak_mb for m in big.export)
    checks.append(Check(f"export peak memory < {EXPORT_PEAK_MAX_MB} MB", f"{peak:.0f} MB", peak < EXPORT_PEAK_MAX_MB))
    if big.whole_export:
        checks += [Check(*check) for check in whole_export_checks(big.whole_export)]
    checks.append(
        Check(
            f"app memory after every page < {APP_PEAK_MAX_MB} MB",
            f"{big.warm_peak_mb:.0f} MB",
            big.warm_peak_mb < APP_PEAK_MAX_MB,
        )
    )
    if big.briefing:
        checks += [Check(*check) for check in briefing_checks(big.briefing)]
    if len(results) > 1:
        checks += growth_checks(results[0], big)
    return checks


def warm_pages(r: SizeResult) -> dict[str, float]:
    """Each page's warm rerun, and the pages' as at a year back (issue T7's targets 3 and 6), by name."""
    pages = {page_name(page): r.warm[page] for page in r.pages}
    return pages | {f"{page_name(page)} as at {ASAT_DAYS_BACK} days back": s for page, s in r.warm_asat.items()}


def project_measures(r: SizeResult) -> dict[str, float]:
    """Every time the project's own code takes at one size (not the floors beside it), by name: what must grow no
    faster than the store (issue T7's target 7)."""
    measures = {f"{name} warm": seconds for name, seconds in warm_pages(r).items()}
    measures |= {f"{page_name(page)} cold": r.cold_median(page) for page in r.pages}
    measures |= {"status read as at today": r.asat["today"], "status read as at a year back": r.asat["past"]}
    measures["export of audit_log"] = r.export_median()
    if r.whole_export:
        measures["whole export"] = r.whole_export.project_s
    if r.briefing:
        measures["briefing pack"] = r.briefing.pack_median()
    return measures


def growth_checks(small: SizeResult, big: SizeResult) -> list[Check]:
    """Each measure's growth from the smallest size to the largest, at most the growth of the store."""
    size_ratio = big.properties / small.properties
    before = project_measures(small)
    return [
        Check(
            f"{name} growth {small.properties}→{big.properties} ≤ {size_ratio:g}× (linear)",
            f"{seconds / before[name]:.1f}×",
            seconds / before[name] <= size_ratio,
        )
        for name, seconds in project_measures(big).items()
        if name in before
    ]


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def checks_table(checks: list[Check]) -> str:
    return table(["target", "measured", ""], [[c.target, c.measured, "pass" if c.ok else "**MISS**"] for c in checks])


def report(
    results: list[SizeResult],
    checks: list[Check] | None,
    repeat: int,
    smoke: bool,
    forecast: ForecastResult,
    in_browser: list[str] | None = None,
) -> str:
    out = [
        "# Benchmark results",
        "",
        (
            f"`python -m bench.run --properties {' '.join(str(r.properties) for r in results)} --repeat {repeat}"
            f"{' --smoke' if smoke else ''}`, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
            f"Python {sys.version.split()[0]}. Medians of {repeat}; peak memory is each process's ru_maxrss."
        ),
    ]
    for r in results:
        trivial, reference = r.warm[TRIVIAL], r.warm[REFERENCE]
        rows = []
        for name in (TRIVIAL, REFERENCE, *r.pages):
            warm = r.warm[name]
            rows.append(
                [
                    page_name(name),
                    f"{r.cold_median(name):.3f}",
                    f"{r.cold_peak(name):.0f}",
                    f"{warm:.3f}",
                    f"{warm / trivial:.1f}×",
                    f"{warm / reference:.1f}×",
                ]
            )
        out += [
            "",
            f"## Pages at {r.properties:,} properties",
            "",
            table(["page", "cold s", "cold peak MB", "warm s", "warm ÷ trivial", "warm ÷ reference"], rows),
            "",
            (
                f'Trivial app: `st.write("hello")`. Reference page: the issue\'s reference figure, one plotly '
                f"chart and a 10,000-row table (bench/reference_app.py). Warm process (every page, the trivial app "
                f"and the reference page, each rerun {repeat}×): peak {r.warm_peak_mb:.0f} MB."
            ),
        ]
    rows = []
    for r in results:
        e, s, d = r.export_median(), r.shell_median(), r.datasette_median()
        datasette = (
            [f"{d:.2f}", f"{r.export_rows / d:,.0f}", f"{r.datasette_peak_mb:.0f}", f"{d / e:.1f}×"]
            if d
            else ["not measured"] * 4
        )
        rows.append(
            [
                f"{r.properties:,}",
                f"{r.export_rows:,}",
                f"{e:.2f}",
                f"{r.export_rows / e:,.0f}",
                f"{max(m.peak_mb for m in r.export):.0f}",
                f"{s:.2f}",
                f"{r.export_rows / s:,.0f}",
                f"{max(m.peak_mb for m in r.shell):.0f}",
                f"{e / s:.1f}×",
                *datasette,
            ]
        )
    measured = any(r.datasette for r in results)
    out += [
        "",
        "## Full CSV export of audit_log",
        "",
        table(
            [
                "properties",
                "rows",
                "project s",
                "project rows/s",
                "project peak MB",
                "sqlite3 s",
                "sqlite3 rows/s",
                "sqlite3 peak MB",
                "project ÷ sqlite3",
                "Datasette s",
                "Datasette rows/s",
                "Datasette server peak MB",
                "Datasette ÷ project",
            ],
            rows,
        ),
        "",
        (
            "Project: `dashboard.exporting.export_table(engine, AUDIT_LOG, file)`. Floor: "
            f'`sqlite3 -csv -header STORE "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id" > file`. '
            + (
                "Datasette: its streamed CSV of the table (every column, `?_stream=on`) downloaded from "
                "`datasette serve STORE` on 127.0.0.1."
                if measured
                else "Datasette: not measured (not installed; see bench/README.md)."
            )
        ),
    ]
    out += whole_export_section([r.whole_export for r in results if r.whole_export], table)
    out += briefing_section([r.briefing for r in results if r.briefing], table)
    rows = [
        [
            f"{r.properties:,}",
            f"{r.asat['today']:.3f}",
            f"{r.asat_rows['today']:,}",
            f"{r.asat['past']:.3f}",
            f"{r.asat_rows['past']:,}",
            f"{r.asat['past'] / r.asat['today']:.1f}×",
        ]
        for r in results
    ]
    out += [
        "",
        "## The programme as at a past day",
        "",
        table(["properties", "today s", "rows", f"{ASAT_DAYS_BACK} days ago s", "rows", "past ÷ today"], rows),
        "",
        (
            "`dashboard.queries.property_status`: every property's status, from its milestones, as at today (the live "
            "rows) and as recorded at the end of a day a year ago (each property's and stage's latest record by "
            "then: property_record, milestone_record). Medians in one process, interleaved."
        ),
    ]
    out += asat_pages_section(results)
    out += forecast_section(forecast)
    out += in_browser or []
    if len(results) > 1:
        small, big = results[0], results[-1]
        rows = []
        for name in (TRIVIAL, REFERENCE, *big.pages):
            rows.append(
                [
                    page_name(name),
                    f"{big.warm[name] / small.warm[name]:.1f}×",
                    f"{big.cold_median(name) / small.cold_median(name):.1f}×",
                ]
            )
        rows.append(["export (project)", "", f"{big.export_median() / small.export_median():.1f}×"])
        rows.append(["export (sqlite3)", "", f"{big.shell_median() / small.shell_median():.1f}×"])
        if small.whole_export and big.whole_export:
            a, b = small.whole_export, big.whole_export
            rows.append(["whole export (project)", "", f"{b.project_s / a.project_s:.1f}×"])
            rows.append(["whole export (sqlite3)", "", f"{b.shell_s / a.shell_s:.1f}×"])
        for page, seconds in big.warm_asat.items():
            if page in small.warm_asat:
                name = f"{page_name(page)} as at {ASAT_DAYS_BACK} days back"
                rows.append([name, f"{seconds / small.warm_asat[page]:.1f}×", ""])
        if small.briefing and big.briefing:
            rows.append(["briefing pack", "", f"{big.briefing.pack_median() / small.briefing.pack_median():.1f}×"])
            rows.append(["one chart image", "", f"{big.briefing.chart_median() / small.briefing.chart_median():.1f}×"])
        out += [
            "",
            (
                f"## Growth from {small.properties:,} to {big.properties:,} properties "
                f"({big.properties / small.properties:g}× the properties, "
                f"{big.export_rows / small.export_rows:.1f}× the audit rows)"
            ),
            "",
            table(["measure", "warm growth", "cold / export / pack growth"], rows),
        ]
    if checks is not None:
        missed = sum(not c.ok for c in checks)
        out += [
            "",
            f"## Targets (issue T7): {len(checks) - missed} pass, {missed} missed",
            "",
            checks_table(checks),
        ]
    else:
        out += ["", "## Targets", "", "Not checked (smoke run)."]
    return "\n".join(out) + "\n"


def asat_pages_section(results: list[SizeResult]) -> list[str]:
    """Issue T7's target 6: pages opened as at a year back, warm, beside the same pages today and the reference."""
    rows = [
        [
            f"{r.properties:,}",
            page_name(page),
            f"{r.warm[page]:.3f}",
            f"{seconds:.3f}",
            f"{seconds / r.warm[page]:.1f}×",
            f"{seconds / r.warm[REFERENCE]:.1f}×",
        ]
        for r in results
        for page, seconds in r.warm_asat.items()
    ]
    if not rows:
        return []
    return [
        "",
        table(
            [
                "properties",
                "page",
                "today warm s",
                f"{ASAT_DAYS_BACK} days back warm s",
                "past ÷ today",
                "past ÷ reference",
            ],
            rows,
        ),
        "",
        (
            f"The pages opened from a link carrying the sidebar's as-at date {ASAT_DAYS_BACK} days back "
            "(`?as_at=YYYY-MM-DD`, as a shared link carries it), rerun warm in the process that measures every page "
            "(AppTest), interleaved with them; the child checks the sidebar shows that date."
        ),
    ]


def _forecast_alone(repeat: int) -> int:
    forecast = measure_forecast(FORECAST_CHILDREN, FORECAST_RUNS, FORECAST_MONTHS, repeat)
    checks = forecast_checks(forecast)
    lines = forecast_section(forecast)
    lines[1] += f" (`python -m bench.run --forecast-only --repeat {repeat}`, {time.strftime('%Y-%m-%d %H:%M')})"
    lines += ["", checks_table(checks)]
    print("\n".join(lines))
    return 0 if all(c.ok for c in checks) else 1


def measure_in_browser(stores: Path, properties: int, seed: int, repeat: int) -> tuple[list[str], list[Check]]:
    """Issue T7's targets 2 and 4 at one size: pages in a real browser (bench/browser.py) and many people at once
    (bench/concurrency.py); their sections and checks. Imported here only: the rest of the run needs no browser."""
    from bench.browser import measure_browser
    from bench.concurrency import measure_concurrency

    store = ensure_store(stores, properties, seed)
    pages = measure_browser(store, properties, rounds=repeat, starts=max(repeat, 3))
    people = measure_concurrency(store, properties)
    return pages.section() + people.section(), pages.checks() + people.checks()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--properties",
        type=int,
        nargs="+",
        default=[1000, 10000],
        help="store sizes, smallest first; targets are checked at the last (default: 1000 10000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="demo-data seed (default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per median (default 5)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="seconds-long check that the benchmark works: 50 properties, 1 repetition, targets not "
        "checked (exit 0 unless something fails)",
    )
    parser.add_argument("--stores", type=Path, default=STORES, help="folder of demo stores, reused by size and seed")
    parser.add_argument("--output", type=Path, default=BENCH / "results.md", help="where to write the results table")
    parser.add_argument(
        "--datasette",
        default=shutil.which("datasette"),
        help="Datasette's executable, to measure its streamed CSV too (default: datasette on PATH, "
        "if any); installed in a virtual environment of its own, never the project's",
    )
    parser.add_argument(
        "--forecast-only",
        action="store_true",
        help="measure the demand forecast alone (no store, no pages) and print its section and targets; writes no file",
    )
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="pages in a real browser and many people at once, at the largest size (about 25 minutes); on by "
        "default, off in --smoke",
    )
    args = parser.parse_args(argv)
    if args.forecast_only:
        return _forecast_alone(args.repeat)
    if args.smoke:
        args.properties = [50] if args.properties == parser.get_default("properties") else args.properties
        args.repeat = 1
    sizes = sorted(set(args.properties))
    pages = discover_pages()
    datasette = None if args.smoke else args.datasette
    results = [measure_size(args.stores.resolve(), n, args.seed, args.repeat, pages, datasette) for n in sizes]
    children, runs, months = SMOKE_FORECAST if args.smoke else (FORECAST_CHILDREN, FORECAST_RUNS, FORECAST_MONTHS)
    forecast = measure_forecast(children, runs, months, args.repeat)
    browser = not args.smoke if args.browser is None else args.browser  # on by default, off in --smoke
    in_browser, browser_checks = (
        measure_in_browser(args.stores.resolve(), sizes[-1], args.seed, args.repeat) if browser else ([], [])
    )
    checks = None if args.smoke else check_targets(results) + forecast_checks(forecast) + browser_checks
    text = report(results, checks, args.repeat, args.smoke, forecast, in_browser)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    log(f"wrote {args.output}")
    if checks and not all(c.ok for c in checks):
        log(f"{sum(not c.ok for c in checks)} target(s) missed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
