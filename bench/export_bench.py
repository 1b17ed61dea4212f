"""The analyst's whole export (issue T7): `python -m dashboard export --out DIR`, every table as the analyst runs it,
in a process of its own, beside the sqlite3 shell writing the same tables with the same SELECTs to CSV files (one
invocation, one `.once FILE` per table: the floor). Interleaved, medians of --repeat; the peak memory is the whole
process tree's (the command and the process it starts to read the audit log), sampled while it runs.

    python -m bench.export_bench STORE    prints the floor's SELECT per file as JSON (run by `measure_whole_export`
                                          in a process of its own, so this one never loads the dashboard)"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WHOLE_EXPORT_VS_SQLITE_MAX = 1.5
WHOLE_EXPORT_PEAK_MAX_MB = 150
SAMPLE_EVERY_S = 0.01
PAGE_KB = os.sysconf("SC_PAGE_SIZE") / 1024


@dataclass
class Run:
    seconds: float
    peak_mb: float  # the whole process tree's, at its largest
    cpu_s: float  # user and system time of the whole tree: steadier than wall time on a busy machine


@dataclass
class WholeExport:
    properties: int
    rows: dict[str, int]  # per file the floor writes too (the data dictionary is the project's alone)
    project: list[Run] = field(default_factory=list)
    shell: list[Run] = field(default_factory=list)

    @property
    def project_s(self) -> float:
        return statistics.median(run.seconds for run in self.project)

    @property
    def shell_s(self) -> float:
        return statistics.median(run.seconds for run in self.shell)

    @staticmethod
    def cpu(runs: list[Run]) -> float:
        return statistics.median(run.cpu_s for run in runs)

    @property
    def ratio(self) -> float:
        return self.project_s / self.shell_s

    @property
    def project_peak(self) -> float:
        return max(run.peak_mb for run in self.project)


# ---------------------------------------------------------------- memory of a process tree


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # the task ended meanwhile
            pass
    return found


def _tree_rss_kb(pid: int) -> float:
    """Resident memory of a process and all its descendants now (KiB)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            continue
        pending += _children(current)
    return total


def run_tree(command: list[str], cwd: Path, stdin: Path | None = None) -> tuple[Run, str]:
    """Run a command to completion: its wall seconds, its tree's peak memory and its standard output. The peak is the
    largest sum sampled every 10 ms, and never less than the largest single process's peak (os.wait4)."""
    peak_kb = 0.0
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        stdin.open("rb") if stdin else open(os.devnull, "rb") as given,
    ):
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdin=given, stdout=out, stderr=err)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_kb
            while not done.is_set():
                peak_kb = max(peak_kb, _tree_rss_kb(process.pid))
                done.wait(SAMPLE_EVERY_S)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, said = out.read(), err.read()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{said[-3000:]}")
    return Run(seconds, max(peak_kb, usage.ru_maxrss) / 1024, usage.ru_utime + usage.ru_stime), text


# ---------------------------------------------------------------- the measurement


def floor_queries(store: Path) -> dict[str, str]:
    """The SELECT of each file's rows and columns as the project's export reads them (in a process of its own)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    text = subprocess.run(
        [sys.executable, "-m", "bench.export_bench", str(store)],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(text)


def shell_script(queries: dict[str, str], out_dir: Path) -> str:
    lines = [".headers on", ".mode csv"]
    for name, sql in queries.items():
        lines += [f".once {out_dir / name}", sql.replace("\n", " ") + ";"]
    return "\n".join(lines) + "\n"


def _counts(printed: str) -> dict[str, int]:
    """The rows per file the command reports ("DIR/name.csv: 12 rows")."""
    counts = {}
    for line in printed.splitlines():
        path, _, rows = line.rpartition(": ")
        if rows.endswith(" rows"):
            counts[Path(path).name] = int(rows.removesuffix(" rows"))
    return counts


def measure_whole_export(store: Path, properties: int, repeat: int) -> WholeExport:
    queries = floor_queries(store)
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as connection:
        rows = {
            name: connection.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0] for name, sql in queries.items()
        }
    connection.close()
    result = WholeExport(properties, rows)
    scratch = Path(tempfile.mkdtemp(prefix="bench-whole-export-"))
    project_dir, shell_dir = scratch / "project", scratch / "sqlite3"
    shell_dir.mkdir()
    script = scratch / "export.sql"
    script.write_text(shell_script(queries, shell_dir), encoding="utf-8")
    project = [sys.executable, "-m", "dashboard", "--database-url", f"sqlite:///{store}", "export", "--out"]
    shell = [shutil.which("sqlite3") or "/usr/bin/sqlite3", str(store)]

    def run_project() -> None:
        run, printed = run_tree([*project, str(project_dir)], REPO)
        written = _counts(printed)
        if {name: written.get(name) for name in rows} != rows:
            raise RuntimeError(f"the export wrote {written}, the store holds {rows}")
        result.project.append(run)

    def run_shell() -> None:
        result.shell.append(run_tree(shell, REPO, stdin=script)[0])

    try:
        log(f"[{properties}] whole export: one untimed run of each (the store upgraded if need be, files cached)")
        run_tree([*project, str(project_dir)], REPO)
        run_tree(shell, REPO, stdin=script)
        for round_ in range(repeat):  # side by side, the first of the two alternating
            log(f"[{properties}] whole export ({sum(rows.values()):,} rows): round {round_ + 1} of {repeat}")
            for measure in (run_project, run_shell) if round_ % 2 == 0 else (run_shell, run_project):
                measure()
    finally:
        shutil.rmtree(scratch)
    return result


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- report


def whole_export_checks(result: WholeExport) -> list[tuple[str, str, bool]]:
    """(target, measured, met) at the size measured."""
    return [
        (
            f"whole export (`dashboard export`, every table) ≤ {WHOLE_EXPORT_VS_SQLITE_MAX:g}× the sqlite3 shell at "
            f"{result.properties}",
            f"{result.ratio:.2f}×",
            result.ratio <= WHOLE_EXPORT_VS_SQLITE_MAX,
        ),
        (
            f"whole export's peak memory (every process) < {WHOLE_EXPORT_PEAK_MAX_MB} MB",
            f"{result.project_peak:.0f} MB",
            result.project_peak < WHOLE_EXPORT_PEAK_MAX_MB,
        ),
    ]


def whole_export_section(results: list[WholeExport], table) -> list[str]:
    """The section's lines; `table(headers, rows)` is the report's table maker."""
    rows = [
        [
            f"{r.properties:,}",
            f"{sum(r.rows.values()):,}",
            f"{r.project_s:.2f}",
            f"{r.cpu(r.project):.2f}",
            f"{r.project_peak:.0f}",
            f"{r.shell_s:.2f}",
            f"{r.cpu(r.shell):.2f}",
            f"{max(run.peak_mb for run in r.shell):.0f}",
            f"{r.ratio:.2f}×",
            f"{r.cpu(r.project) / r.cpu(r.shell):.2f}×",
        ]
        for r in results
    ]
    return [
        "",
        "## The analyst's whole export (every table)",
        "",
        table(
            [
                "properties",
                "rows",
                "project s",
                "project CPU s",
                "project peak MB",
                "sqlite3 s",
                "sqlite3 CPU s",
                "sqlite3 peak MB",
                "project ÷ sqlite3",
                "CPU ÷ CPU",
            ],
            rows,
        ),
        "",
        (
            "Project: `python -m dashboard --database-url sqlite:///STORE export --out DIR`, the whole command in a "
            "process of its own (its interpreter's start and imports, every file and the data dictionary). Floor: "
            "one `sqlite3 STORE < script` writing each table with the same SELECT (`.mode csv`, `.headers on`, "
            "`.once FILE` per table). Interleaved, medians; the target is on wall time. CPU: user and system "
            "seconds of the whole process tree (the command writes the audit log in a second process while it writes "
            "the other files, so its wall time can be less than its CPU time). Peak memory is the process tree's, "
            "sampled every 10 ms."
        ),
    ]


def _print_floor_queries(store: str) -> None:
    """The SELECT of every file but the data dictionary, as the export reads it on SQLite: each table's query
    without the export's formatting, the audit log's columns in id order."""
    from sqlalchemy import select

    from dashboard.db import make_engine
    from dashboard.exporting import SQLITE_QUERIES
    from dashboard.layout import AUDIT_LOG, EXPORT_LAYOUTS
    from dashboard.models import AuditEntry

    engine = make_engine(f"sqlite:///{store}")
    audit = select(*(getattr(AuditEntry, column.field) for column in AUDIT_LOG.columns)).order_by(AuditEntry.id)
    queries = {**{name: query() for name, query in SQLITE_QUERIES.items()}, AUDIT_LOG.name: audit}
    compiled = {
        f"{layout.name}.csv": str(
            queries[layout.name].compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
        )
        for layout in EXPORT_LAYOUTS
    }
    print(json.dumps(compiled))


if __name__ == "__main__":
    _print_floor_queries(sys.argv[1])
