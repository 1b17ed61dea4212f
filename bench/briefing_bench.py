"""Issue T7's target 5: the briefing pack, made by the command line, against one chart image exported by a fresh
process as the pack exports each of its charts. `python -m bench.briefing_bench --help`; bench/run.py calls
`measure_briefing` for each store size.

Both are timed as whole processes (the interpreter's start, the imports, kaleido's Chromium started and closed), by
their parent, side by side: pack, chart, pack, chart... Peak memory is each process tree's (Chromium's processes
too), sampled as bench/export_bench.py samples the export's. The pack is made on a copy of the demo store (the
command records each pack it makes), with the same dates every round, so every round makes the same pack."""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench.export_bench import REPO, Run, log, run_tree

# Target 5: the pack in at most 1.5x the time of one chart image from a fresh process.
PACK_VS_CHART_MAX = 1.5
SINCE_DAYS = 28  # the command's own default when no pack was made before


@dataclass
class BriefingResult:
    properties: int
    pack: list[Run] = field(default_factory=list)
    chart: list[Run] = field(default_factory=list)
    pack_pages: int = 0

    def pack_median(self) -> float:
        return statistics.median(m.seconds for m in self.pack)

    def chart_median(self) -> float:
        return statistics.median(m.seconds for m in self.chart)

    def ratio(self) -> float:
        return self.pack_median() / self.chart_median()

    def cpu_ratio(self) -> float:
        """The same by CPU time (the whole process tree's): steadier than wall time on a busy machine."""
        return statistics.median(m.cpu_s for m in self.pack) / statistics.median(m.cpu_s for m in self.chart)


def _pages(pdf: Path) -> int:
    """The pack's page count, read from its page tree without a PDF library (this process stays light)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def measure_briefing(store: Path, properties: int, repeat: int) -> BriefingResult:
    """`repeat` packs and `repeat` chart images, alternately, each in a fresh process."""
    result = BriefingResult(properties)
    scratch = Path(tempfile.mkdtemp(prefix="bench-briefing-"))
    try:
        copy = scratch / "store.sqlite"
        shutil.copyfile(store, copy)  # not timed
        as_at = date.today()
        pack_command = [
            sys.executable,
            "-m",
            "dashboard",
            "--database-url",
            f"sqlite:///{copy}",
            "briefing",
            "--out",
            str(scratch / "pack.pdf"),
            "--as-at",
            as_at.isoformat(),
            "--since",
            (as_at - timedelta(days=SINCE_DAYS)).isoformat(),
        ]
        chart_command = [sys.executable, "-m", "bench._child", "chart", str(scratch / "chart.png")]
        for round_ in range(repeat):
            log(f"[{properties}] briefing pack and one chart image: round {round_ + 1} of {repeat}")
            result.pack.append(run_tree(pack_command, REPO)[0])
            result.chart.append(run_tree(chart_command, REPO)[0])
        result.pack_pages = _pages(scratch / "pack.pdf")
    finally:
        shutil.rmtree(scratch)
    return result


def briefing_section(results: list[BriefingResult], table) -> list[str]:
    """The section's lines; `table(headers, rows)` is the report's table maker."""
    rows = [
        [
            f"{r.properties:,}",
            f"{r.pack_pages}",
            f"{r.pack_median():.2f}",
            f"{max(m.peak_mb for m in r.pack):.0f}",
            f"{r.chart_median():.2f}",
            f"{max(m.peak_mb for m in r.chart):.0f}",
            f"{r.ratio():.2f}×",
            f"{r.cpu_ratio():.2f}×",
        ]
        for r in results
    ]
    return [
        "",
        "## The briefing pack",
        "",
        table(
            [
                "properties",
                "pages",
                "pack s",
                "pack peak MB",
                "one chart s",
                "chart peak MB",
                "pack ÷ chart",
                "CPU: pack ÷ chart",
            ],
            rows,
        ),  # fmt: skip
        "",
        (
            "Pack: `python -m dashboard briefing --out PACK --as-at TODAY --since 28-DAYS-AGO` on a copy of the demo "
            "store, the whole process. One chart: a fresh process that imports plotly and kaleido, starts kaleido's "
            "Chromium as the pack does and exports one bar chart, 700 px across at scale 2, as a PNG "
            "(`python -m bench._child chart`). Alternately, medians; peak memory is the process tree's (Chromium's "
            "too), sampled every 10 ms; CPU is the tree's user and system time. The target is on wall time."
        ),
    ]


def briefing_checks(result: BriefingResult) -> list[tuple[str, str, bool]]:
    """(target, measured, met) at the size measured."""
    ratio = result.ratio()
    return [
        (
            f"briefing pack ≤ {PACK_VS_CHART_MAX:g}× one chart image from a fresh process at {result.properties}",
            f"{ratio:.2f}×",
            ratio <= PACK_VS_CHART_MAX,
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.briefing_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--properties", type=int, default=10000, help="demo store size (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="demo-data seed (default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="packs and charts per median (default 5)")
    parser.add_argument(
        "--stores", type=Path, default=REPO / "bench" / "stores", help="folder of demo stores, reused by size and seed"
    )
    args = parser.parse_args(argv)
    from bench.run import Check, checks_table, ensure_store, table  # the benchmark's own store and report

    store = ensure_store(args.stores.resolve(), args.properties, args.seed)
    result = measure_briefing(store, args.properties, args.repeat)
    checks = [Check(*check) for check in briefing_checks(result)]
    lines = briefing_section([result], table)
    lines[1] += f" (`python -m bench.briefing_bench --repeat {args.repeat}`, {time.strftime('%Y-%m-%d %H:%M')})"
    rounds = [
        [str(n), f"{pack.seconds:.2f}", f"{chart.seconds:.2f}", f"{pack.cpu_s:.2f}", f"{chart.cpu_s:.2f}"]
        for n, (pack, chart) in enumerate(zip(result.pack, result.chart, strict=True), start=1)
    ]
    headers = ["round", "pack s", "one chart s", "pack CPU s", "one chart CPU s"]
    lines += ["", table(headers, rounds), "", checks_table(checks)]
    print("\n".join(lines))
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
