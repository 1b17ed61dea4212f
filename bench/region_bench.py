"""A regional store on PostgreSQL (issue T9): K councils of N properties each, the Region page (every council's
programme side by side) and one council's pages, against the same floors and targets as the one-council bench.

    python -m bench.region_bench --postgres postgresql+psycopg://USER@HOST:PORT/DB [--councils 10] [--properties 10000]

The database is filled by `demo-data --properties N --councils K` once, and reused while it holds that many councils
and properties (the demo's first council and K-1 invented ones beside it). Each page is measured as bench/run.py
measures them (bench/_child.py, through AppTest): warm reruns in one process, and cold first runs in a fresh process
each, rounds interleaved; a council's pages are opened from a link naming the council, as the sidebar's choice makes
one. The Region page reads every council's whole programme."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.run import (
    APP,
    REFERENCE,
    REFERENCE_APP,
    REPO,
    TRIVIAL,
    TRIVIAL_APP,
    WARM_VS_REFERENCE_MAX,
    Check,
    checks_table,
    child,
    log,
    table,
)

REGION, OVERVIEW, PROPERTIES = "pages/region.py", "pages/overview.py", "pages/properties.py"
OUTPUT = REPO / "bench" / "results-region.md"


@dataclass
class RegionResult:
    councils: int
    properties: int  # each council's
    warm: dict[str, float] = field(default_factory=dict)  # median seconds of a rerun, by label
    warm_peak_mb: float = 0.0
    cold: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # label -> (seconds, peak MB) a round


def _held(url: str) -> tuple[int, int]:
    """How many councils the store holds, and how many properties its largest council has (0, 0: none yet)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not connection.execute(text("SELECT to_regclass('public.council')")).scalar():
                return 0, 0
            councils = connection.execute(text("SELECT count(*) FROM council")).scalar() or 0
            largest = connection.execute(
                text(
                    "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM property p "
                    "JOIN district d ON p.district_id = d.id GROUP BY d.council_id) AS each_council"
                )
            ).scalar()
            return int(councils), int(largest or 0)
    finally:
        engine.dispose()


def _emptied(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def ensure_region_store(url: str, councils: int, properties: int, seed: int) -> None:
    if _held(url) == (councils, properties):
        log(f"reusing the store of {councils} councils × {properties:,} properties")
        return
    _emptied(url)
    log(f"building {councils} councils × {properties:,} properties on PostgreSQL (seed {seed})…")
    start = time.perf_counter()
    command = [sys.executable, "-m", "dashboard", "--database-url", url, "demo-data"]
    command += ["--properties", str(properties), "--councils", str(councils), "--seed", str(seed)]
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    log(f"  built in {time.perf_counter() - start:.0f} s")


def _last_council(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        code = connection.execute(text("SELECT ons_code FROM council ORDER BY id DESC LIMIT 1")).scalar_one()
    engine.dispose()
    return code


def measure(url: str, councils: int, properties: int, repeat: int) -> RegionResult:
    last = _last_council(url)
    targets = {
        TRIVIAL: f"{TRIVIAL_APP}::-",
        REFERENCE: f"{REFERENCE_APP}::-",
        "region": f"{APP}::{REGION}",
        "overview, first council": f"{APP}::{OVERVIEW}",
        "overview, last council": f"{APP}::{OVERVIEW}::council={last}",
        "properties, last council": f"{APP}::{PROPERTIES}::council={last}",
    }
    result = RegionResult(councils, properties)
    log(f"warm: {len(targets)} pages in one process, {repeat} reruns each")
    warm, result.warm_peak_mb = child(["warm", str(repeat), *targets.values()], url)
    result.warm = {label: warm["median"][target] for label, target in targets.items()}
    cold = {label: target for label, target in targets.items() if label not in (TRIVIAL, REFERENCE)}
    for round_ in range(repeat):
        log(f"cold: round {round_ + 1} of {repeat}, one fresh process per page")
        for label, target in cold.items():
            app, page, *query = target.split("::")
            measured, peak_mb = child(["cold", app, page, *query], url)
            result.cold.setdefault(label, []).append((measured["seconds"], peak_mb))
    return result


def checks(result: RegionResult) -> list[Check]:
    reference = result.warm[REFERENCE]
    return [
        Check(
            f"{label}: warm rerun ≤ {WARM_VS_REFERENCE_MAX:g}× the reference page",
            f"{seconds / reference:.2f}×",
            seconds <= WARM_VS_REFERENCE_MAX * reference,
        )
        for label, seconds in result.warm.items()
        if label not in (TRIVIAL, REFERENCE)
    ]


def report(result: RegionResult, found: list[Check], repeat: int) -> str:
    reference = result.warm[REFERENCE]
    rows = []
    for label, seconds in result.warm.items():
        colds = result.cold.get(label)
        cold = f"{statistics.median(s for s, _ in colds):.2f}" if colds else "-"
        peak = f"{max(mb for _, mb in colds):.0f}" if colds else "-"
        rows.append([label, f"{seconds * 1000:.0f}", f"{seconds / reference:.2f}×", cold, peak])
    lines = [
        f"# A region on PostgreSQL: {result.councils} councils × {result.properties:,} properties",
        "",
        f"Medians of {repeat}. Warm: a rerun in one process that has opened every page (its peak "
        f"{result.warm_peak_mb:.0f} MB); cold: a page's first run in a fresh process. A council's pages are opened "
        "from a link naming it; the Region page reads every council's programme.",
        "",
        table(["page", "warm ms", "÷ reference page", "cold s", "cold peak MB"], rows),
        "",
        checks_table(found),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.region_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="the PostgreSQL database to fill and measure (its URL)")
    parser.add_argument("--councils", type=int, default=10, help="councils in the region (default 10)")
    parser.add_argument("--properties", type=int, default=10000, help="each council's properties (default 10,000)")
    parser.add_argument("--seed", type=int, default=1, help="demo-data seed (default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per median (default 5)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the results")
    args = parser.parse_args(argv)
    ensure_region_store(args.postgres, args.councils, args.properties, args.seed)
    result = measure(args.postgres, args.councils, args.properties, args.repeat)
    found = checks(result)
    text = report(result, found, args.repeat)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(check.ok for check in found) else 1


if __name__ == "__main__":
    sys.exit(main())
