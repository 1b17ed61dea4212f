"""What each of the read path's three caches saves: `python -m bench.caches [--properties N]` (see bench/README.md).

A page's rerun is served from `per_view` (its builds), which reads frames from `dashboard_ui.cached` (the store's
queries per data version), and shows tables through `widgets.on_screen` (their Arrow conversion). This times, on a
copy of the benchmark's demo store, the work each cache spares: the query, a page's builds and the conversion, as
medians; compare them with a warm rerun in bench/results.md."""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa

from bench.run import STORES, ensure_store


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.caches", description=__doc__.splitlines()[0])
    parser.add_argument("--properties", type=int, default=10_000, help="demo store size (default 10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per median (default 5)")
    arguments = parser.parse_args()

    from dashboard import queries, tables
    from dashboard.bootstrap import ensure_store as migrate
    from dashboard.db import make_engine
    from dashboard.roles import SYSTEM

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "store.sqlite"  # the demo store is migrated here, never in place
        shutil.copy(ensure_store(STORES, arguments.properties, seed=1), copy)
        engine = make_engine(f"sqlite:///{copy}")
        migrate(engine)
        today = date.today()
        filters = queries.Filters(as_at=today)
        status = queries.property_status(engine, SYSTEM, filters, today)
        register = tables.with_date_sources(tables.register_table(status, today), status)
        saved = {
            "cached.property_status: the query": lambda: queries.property_status(engine, SYSTEM, filters, today),
            "per_view: the register's table built": lambda: tables.with_date_sources(
                tables.register_table(status, today), status
            ),
            "per_view: the late list built": lambda: tables.late_table(status, today),
            "on_screen: the register's table to Arrow": lambda: pa.Table.from_pandas(register),
        }
        print(f"| {len(status):,} properties: what the cache saves | median ms |\n| --- | --- |")
        for name, work in saved.items():
            print(f"| {name} | {median_ms(work, arguments.repeat):.0f} |")
        engine.dispose()


if __name__ == "__main__":
    main()
