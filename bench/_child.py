"""One measured process, started by bench/run.py; prints one line `BENCH_RESULT {json}` and exits.

    python -m bench._child cold   APP PAGE|- [KEY=VALUE...]
                                                        one first run of a page in this fresh process
    python -m bench._child warm   REPEAT APP::PAGE[::KEY=VALUE...]...
                                                        every app/page (PAGE "-": the app itself) run once, then
                                                        rerun REPEAT times, interleaved; one process for all. With
                                                        KEY=VALUE (as_at=YYYY-MM-DD, council=CODE), the page is
                                                        opened from a link carrying them
    python -m bench._child export OUT_FILE              dashboard.exporting.export_table(AUDIT_LOG) to OUT_FILE
    python -m bench._child asat   REPEAT DAYS_BACK      the programme's status read as at today and as recorded
                                                        DAYS_BACK days ago, REPEAT times each, interleaved
    python -m bench._child chart  OUT_FILE              one plotly chart exported as a PNG by kaleido, as the
                                                        briefing pack draws each (the parent times the process)
    python -m bench._child forecast CHILDREN RUNS MONTHS REPEAT
                                                        the demand forecast as an import makes it, from three years
                                                        of a generated authority's episodes (bench/authority.py),
                                                        beside numpy drawing the simulation's uniform numbers

The store is DATABASE_URL (set by the parent). Times are perf_counter seconds around the measured call only: the
interpreter's start and the harness's imports (streamlit, AppTest) are not in them; whatever the app imports is.
Peak memory is read by the parent from this process's rusage (os.wait4)."""

from __future__ import annotations

import json
import statistics
import sys
import time
import warnings
from pathlib import Path

TIMEOUT_S = 300


def _emit(result: dict) -> None:
    print("BENCH_RESULT " + json.dumps(result), flush=True)


def _check(at, label: str) -> list[str]:
    problems = [f"{label}: exception {e.value}" for e in at.exception]
    problems += [f"{label}: error {e.value}" for e in at.error if "Something went wrong" in str(e.value)]
    return problems


def _app_test(app: str, page: str, query: dict[str, str] | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(app, default_timeout=TIMEOUT_S)
    if page != "-":
        # Before the first run AppTest finds a page by its file name, which is the url_path app.py gives each page.
        at.switch_page(page)
    for key, value in (query or {}).items():
        at.query_params[key] = value  # as a shared link carries the sidebar's as-at date, or its council
    return at


def _query(parts: list[str]) -> dict[str, str]:
    return dict(part.split("=", 1) for part in parts)


def _as_at_problems(at, label: str, as_at: str | None) -> list[str]:
    """A page opened as at a past date must show that date in the sidebar, or the past view was not measured."""
    if not as_at:
        return []
    shown = [widget.value for widget in at.date_input if widget.key == "as_at"]
    return [] if [str(value) for value in shown] == [as_at] else [f"{label}: the as-at date shown is {shown}"]


def cold(app: str, page: str, query: dict[str, str] | None = None) -> None:
    at = _app_test(app, page, query)
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    problems = _check(at, page)
    if page != "-" and at._finished_page_script_hash != at._resolve_page_hash(str(Path(at._script_path).parent / page)):
        problems.append(f"{page}: the first run showed another page")
    _emit({"seconds": seconds, "problems": problems})


def warm(repeat: int, targets: list[str]) -> None:
    tests = {}
    problems: list[str] = []
    for target in targets:  # the first run of each (not measured): caches filled, modules imported
        app, page, *parts = target.split("::")
        query = _query(parts)
        tests[target] = _app_test(app, page, query).run()
        problems += _check(tests[target], target) + _as_at_problems(tests[target], target, query.get("as_at"))
    times: dict[str, list[float]] = {target: [] for target in targets}
    for _ in range(repeat):  # interleaved, so a noisy moment on the machine spreads over every page
        for page, at in tests.items():
            start = time.perf_counter()
            at.run()
            times[page].append(time.perf_counter() - start)
            problems += _check(at, page)
    _emit({"median": {page: statistics.median(ts) for page, ts in times.items()}, "times": times, "problems": problems})


def export(out_file: str) -> None:
    from dashboard.db import make_engine
    from dashboard.exporting import export_table
    from dashboard.layout import AUDIT_LOG
    from dashboard.roles import SYSTEM

    start = time.perf_counter()
    engine = make_engine()
    with open(out_file, "wb") as handle:
        rows = export_table(engine, AUDIT_LOG, handle, SYSTEM)
    seconds = time.perf_counter() - start
    engine.dispose()
    _emit({"seconds": seconds, "rows": rows, "problems": []})


def chart(out_file: str) -> None:
    """One chart image from this fresh process, drawn as dashboard.briefing.images draws the pack's: kaleido's own
    Chromium started as a server without MathJax, the figure 700 px across at scale 2. Nothing else is imported."""
    import kaleido
    import plotly.graph_objects as go

    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    figure = go.Figure(go.Bar(x=["Open", "Registered", "Secured", "Pipeline"], y=[12, 20, 31, 44]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # plotly passes options a running server ignores, and says so
        png = figure.to_image(format="png", width=700, height=480, scale=2)
    Path(out_file).write_bytes(png)
    _emit({"bytes": len(png), "problems": []})


def asat(repeat: int, days_back: int) -> None:
    from datetime import date, timedelta

    from dashboard.db import make_engine, upgrade_to_head
    from dashboard.queries import Filters, property_status
    from dashboard.roles import SYSTEM

    engine = make_engine()
    upgrade_to_head(engine)  # a store built before the recorded history gets it here, untimed
    today = date.today()
    views = {"today": Filters(as_at=today), "past": Filters(as_at=today - timedelta(days=days_back))}
    times: dict[str, list[float]] = {name: [] for name in views}
    rows = {name: len(property_status(engine, SYSTEM, filters, today)) for name, filters in views.items()}  # warm up
    for _ in range(repeat):
        for name, filters in views.items():
            start = time.perf_counter()
            property_status(engine, SYSTEM, filters, today)
            times[name].append(time.perf_counter() - start)
    engine.dispose()
    _emit({"median": {name: statistics.median(ts) for name, ts in times.items()}, "rows": rows, "problems": []})


def forecast(children: int, runs: int, months: int, repeat: int) -> None:
    """Each step of the forecast an import makes (dashboard.demand.record_forecast: the basis, the backtest, the
    central scenario's rates and simulation), timed apart, REPEAT times; and the floor: numpy drawing as many uniform
    numbers as the simulation does (one a month for every child and every entry's slot, in every run)."""
    import numpy as np

    from bench.authority import FIRST, LAST, generated
    from dashboard import forecast as f

    episodes, births = generated(children)  # not timed: the files' reading is the import's, measured elsewhere
    times: dict[str, list[float]] = {"basis": [], "backtest": [], "simulate": [], "floor": []}
    for _ in range(repeat):
        start = time.perf_counter()
        made_from = f.basis(episodes, births, (FIRST, LAST))
        times["basis"].append(time.perf_counter() - start)
        start = time.perf_counter()
        f.backtest(episodes, births, made_from.last_day, runs=runs)
        times["backtest"].append(time.perf_counter() - start)
        start = time.perf_counter()
        rates = f.rates_over(made_from, made_from.default_reference())
        stock = made_from.starting_stock()
        f.simulate(stock, rates, made_from.last_day, months=months, runs=runs)
        times["simulate"].append(time.perf_counter() - start)
        slots = len(stock.ages) + round(rates.entry_counts.sum() / rates.months * months)
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        for _month in range(months):
            rng.random((runs, slots), dtype=np.float32)
        times["floor"].append(time.perf_counter() - start)
    _emit(
        {
            "median": {step: statistics.median(ts) for step, ts in times.items()},
            "children": len(stock.ages),
            "episodes": len(episodes),
            "uniforms": months * runs * slots,
            "problems": [],
        }
    )


def main(argv: list[str]) -> None:
    mode, *args = argv
    if mode == "cold":
        cold(args[0], args[1], _query(args[2:]))
    elif mode == "warm":
        warm(int(args[0]), args[1:])
    elif mode == "export":
        export(args[0])
    elif mode == "chart":
        chart(args[0])
    elif mode == "asat":
        asat(int(args[0]), int(args[1]))
    elif mode == "forecast":
        forecast(*(int(arg) for arg in args[:4]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
