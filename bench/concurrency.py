"""Many people at once (issue T7, target 4): `python -m bench.concurrency --help`; see bench/README.md.

One `streamlit run app.py` on a copy of a demo store; browser sessions (contexts of one headless Chromium) each open
the app and then go from page to page through the sidebar, as a person does, timing each page from the click to
every chart drawn (bench/browser.py's DRAWN); first one session alone, then SESSIONS at once while tracker imports
write to the same store in a loop. Every page's text is scanned for errors; the server's memory is sampled."""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DRAWN,
    ERROR_TEXT,
    SETTLE_MS,
    TIMEOUT_MS,
    UNDRAWN,
    VIEWPORT,
    Server,
    page_problems,
    serving,
    store_copy,
)
from bench.run import APP, REPO, STORES, Check, checks_table, discover_pages, log, page_name, table

SESSIONS = 10
DURATION_S = 120
SINGLE_S = 45
# A person reads a page before the next click: each session pauses THINK_S ± half between pages.
THINK_S = 3.0
SAMPLE_S = 0.5
# A page not drawn in this long is stuck: noted as a problem, and the session reloads it and goes on.
STUCK_S = 60
LOAD_ROWS = 500  # properties each import writes
# Issue T7, target 4.
MANY_VS_SINGLE_MAX = 2.0
SERVER_RSS_MAX_MB = 600

# Before a click: forget the last load, note the click's time, and watch for the new run: the app's script state
# leaving "notRunning", or elements added to or removed from the main area. Both are needed: a quick page's run can
# start and finish within one React update (its state never visibly changes), and the app may be drawn afresh in a
# new element (a reconnection under load), so the whole document is watched rather than one element.
CLICK = """(path) => {
  window.__benchSince = null;
  window.__benchStarted = false;
  window.__benchObserver?.disconnect();
  window.__benchObserver = new MutationObserver((changes) => {
    if (changes.some((c) => c.type === 'childList'
        ? !!c.target.closest?.('[data-testid="stMain"]')
        : c.target.getAttribute('data-test-script-state') !== 'notRunning')) {
      window.__benchStarted = true;
    }
  });
  window.__benchObserver.observe(document.body, {
    attributes: true, attributeFilter: ['data-test-script-state'], childList: true, subtree: true,
  });
  const link = [...document.querySelectorAll('[data-testid="stSidebarNavLink"]')]
    .find((a) => new URL(a.href).pathname === '/' + path);
  if (!link) return false;
  window.__benchClick = performance.now();
  link.click();
  return true;
}"""


@dataclass
class ConcurrencyResult:
    properties: int
    sessions: int
    seconds: int
    think_s: float
    single: list[float] = field(default_factory=list)  # seconds per page, one session
    many: list[float] = field(default_factory=list)  # seconds per page, SESSIONS at once with imports writing
    single_rss: list[float] = field(default_factory=list)  # the server's RSS samples (MB) in each phase
    many_rss: list[float] = field(default_factory=list)
    # Per phase: the server's CPU s, the whole machine's busy CPU s, and the CPU s there were (cores × wall time).
    single_cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)
    many_cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)
    imports: int = 0
    import_failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # errors on a page
    stuck: list[str] = field(default_factory=list)  # pages not drawn in STUCK_S

    def per_session_mb(self) -> float:
        return (max(self.many_rss) - max(self.single_rss)) / (self.sessions - 1)

    def checks(self) -> list[Check]:
        ratio = statistics.median(self.many) / statistics.median(self.single)
        peak = max(self.single_rss + self.many_rss)
        return [
            Check(f"median page with {self.sessions} sessions (imports writing) ≤ {MANY_VS_SINGLE_MAX:g}× one "
                  "session's", f"{ratio:.2f}×", ratio <= MANY_VS_SINGLE_MAX),
            Check("no error, traceback or 'database is locked' reaches a page while imports write",
                  f"{len(self.problems)} in {len(self.single) + len(self.many)} pages", not self.problems),
            Check(f"every page drawn within {STUCK_S} s", f"{len(self.stuck)} not", not self.stuck),
            Check(f"every import while pages read succeeds ({self.imports} run)", f"{len(self.import_failures)} failed",
                  self.imports > 0 and not self.import_failures),
            Check(f"server memory with {self.sessions} sessions < {SERVER_RSS_MAX_MB} MB", f"{peak:.0f} MB",
                  peak < SERVER_RSS_MAX_MB),
        ]  # fmt: skip

    def section(self) -> list[str]:
        def row(label: str, times: list[float], rss: list[float], cpu: tuple[float, float, float]) -> list[str]:
            quantiles = statistics.quantiles(times, n=10, method="inclusive") if len(times) > 1 else times * 9
            return [label, str(len(times)), f"{statistics.median(times):.2f}", f"{quantiles[-1]:.2f}",
                    f"{max(times):.2f}", f"{max(rss):.0f}", " / ".join(f"{s:.0f}" for s in cpu)]  # fmt: skip

        lines = [
            "",
            f"## Many people at once at {self.properties:,} properties",
            "",
            table(
                [
                    "sessions",
                    "pages loaded",
                    "median s",
                    "90th percentile s",
                    "slowest s",
                    "server peak RSS MB",
                    "CPU s: server / machine busy / available",
                ],
                [
                    row("1", self.single, self.single_rss, self.single_cpu),
                    row(f"{self.sessions}, imports writing", self.many, self.many_rss, self.many_cpu),
                ],
            ),
            "",
            (
                f"One `streamlit run app.py` on a copy of the store; each session a context of one headless Chromium "
                f"(1366×768) that opens the app, then clicks through the sidebar's pages in turn (each session "
                f"starting at another page), pausing {self.think_s:g} s ± half between pages as a reader would; a "
                f"page is timed from the click to every chart drawn. One session alone for {SINGLE_S} s, then "
                f"{self.sessions} for {self.seconds} s while `python -m dashboard import` re-imports a tracker of "
                f"{LOAD_ROWS} properties (their planned beds alternately 3 and 4) in a loop: {self.imports} imports "
                f"run, {len(self.import_failures)} failed. Every page's text is scanned for an exception box, "
                f"a traceback and {', '.join(repr(t) for t in ERROR_TEXT)}. The server's RSS (/proc/PID/status) "
                f"every {SAMPLE_S:g} s; memory per extra session: (peak with {self.sessions} − peak with 1) ÷ "
                f"{self.sessions - 1} = {self.per_session_mb():.1f} MB (caches the imports refill included). The "
                f"browser, the imports and the server share the machine's {_cores()} cores; the last column is "
                f"the CPU time the server used in each phase, the time the whole machine was busy (/proc/stat: "
                f"browser, imports and server together; time stolen by the host left out) and the CPU time there "
                f"was (cores × the phase's wall time)."
            ),
        ]
        if self.problems or self.import_failures:
            lines += ["", "Problems: " + "; ".join(sorted(set(self.problems + self.import_failures))[:20])]
        if self.stuck:
            lines += ["", f"Not drawn in {STUCK_S} s: " + "; ".join(sorted(set(self.stuck))[:20])]
        return lines


def _busy_cpu_s() -> float:
    """The whole machine's busy CPU time since boot (/proc/stat's user, nice, system, irq and softirq)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks[i] for i in (0, 1, 2, 5, 6)) / os.sysconf("SC_CLK_TCK")


@contextmanager
def cpu_used(server: Server, into: list[tuple[float, float, float]]) -> Iterator[None]:
    """Appends (the server's CPU s, the machine's busy CPU s, cores × wall s) over the block."""
    server_before, machine_before, started = server.cpu_s(), _busy_cpu_s(), time.monotonic()
    yield
    wall = time.monotonic() - started
    into.append((server.cpu_s() - server_before, _busy_cpu_s() - machine_before, _cores() * wall))


def _cores() -> int:
    return os.cpu_count() or 1


def tracker(store: Path, path: Path, beds: int) -> Path:
    """A tracker of LOAD_ROWS properties of the bench's own, every one with `beds` planned beds, in the store's first
    phase and district (a demo store's names are its own)."""
    import sqlite3

    from dashboard.layout import PROPERTIES

    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as connection:
        phase, district = (
            connection.execute(f"SELECT name FROM {table} ORDER BY id LIMIT 1").fetchone()[0]
            for table in ("phase", "district")
        )
    connection.close()
    row = {
        "Phase": phase,
        "District": district,
        "Provision model": "in-house",
        "Planned beds": str(beds),
        "Identified actual": "2025-01-06",
        "Completion planned": "2025-06-30",
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PROPERTIES.headers)
        for n in range(LOAD_ROWS):
            cells = {**row, "Reference": f"BENCH-LOAD-{n:04d}"}
            writer.writerow([cells.get(header, "") for header in PROPERTIES.headers])
    return path


def run_import(store: Path, file: Path) -> str | None:
    """`python -m dashboard import FILE` on the store; what it said if it failed."""
    command = [sys.executable, "-m", "dashboard", "--database-url", f"sqlite:///{store}", "import", str(file)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    return None if done.returncode == 0 else f"import exited {done.returncode}: {(done.stdout + done.stderr)[-300:]}"


class Sampler(threading.Thread):
    """The server's RSS every SAMPLE_S seconds, into whichever list `into` names."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.into: list[float] | None = None
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_S):
            if self.into is not None:
                self.into.append(self.server.rss_mb())


class Importer(threading.Thread):
    """Imports the two trackers alternately until told to stop."""

    def __init__(self, store: Path, files: list[Path], result: ConcurrencyResult) -> None:
        super().__init__(daemon=True)
        self.store, self.files, self.result = store, files, result
        self.done = threading.Event()

    def run(self) -> None:
        turn = 0
        while not self.done.is_set():
            failed = run_import(self.store, self.files[turn % 2])
            self.result.imports += 1
            if failed:
                self.result.import_failures.append(failed)
            turn += 1


async def _drawn(page, since: str) -> float:
    from playwright.async_api import TimeoutError as Timeout

    try:
        handle = await page.wait_for_function(DRAWN, arg=[SETTLE_MS, since], polling=20, timeout=STUCK_S * 1000)
    except Timeout:
        raise Stuck(f"{page.url} not drawn in {STUCK_S} s: {await page.evaluate(UNDRAWN)}") from None
    return float(await handle.json_value()) / 1000


class Stuck(Exception):
    """A page that did not finish drawing in STUCK_S: counted (a person would see it), not the run's end."""


async def _scan(page, where: str, problems: list[str]) -> None:
    text = await page.inner_text("body")
    problems += page_problems(text, await page.locator('[data-testid="stException"]').count(), where)


async def _open(page, address: str, result: ConcurrencyResult) -> None:
    """Opens a page (untimed), noting it if it does not draw in time."""
    await page.goto(address, wait_until="commit", timeout=TIMEOUT_MS)
    try:
        await _drawn(page, "")
    except Stuck as stuck:
        result.stuck.append(str(stuck))


async def _session(browser, url: str, paths: list[str], start: int, seconds: float, think: float, times, result):
    """One person: opens a page, then clicks through the others in turn for `seconds` (the first page not timed)."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        await _open(page, f"{url}/{paths[start]}", result)
        until, turn = time.monotonic() + seconds, start
        while time.monotonic() < until:
            await asyncio.sleep(random.uniform(think / 2, think * 1.5))
            turn = (turn + 1) % len(paths)
            try:
                if not await page.evaluate(CLICK, paths[turn]):
                    raise Stuck(f"{page.url}: no sidebar link to /{paths[turn]}")
                times.append(await _drawn(page, "__benchClick"))
            except Stuck as stuck:
                result.stuck.append(str(stuck))
                await _open(page, f"{url}/{paths[turn]}", result)  # as a person would: open the page afresh
                continue
            await _scan(page, paths[turn] or "home", result.problems)
    finally:
        await context.close()


async def _people(url: str, paths: list[str], sessions: int, seconds: float, think: float, times, result) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            starts = [n * len(paths) // sessions for n in range(sessions)]
            await asyncio.gather(
                *(_session(browser, url, paths, start, seconds, think, times, result) for start in starts)
            )
        finally:
            await browser.close()


def measure_concurrency(
    store: Path, properties: int, sessions: int = SESSIONS, seconds: int = DURATION_S, think: float = THINK_S
) -> ConcurrencyResult:
    result = ConcurrencyResult(properties, sessions, seconds, think)
    pages = discover_pages()
    paths = ["" if index == 0 else page_name(page) for index, page in enumerate(pages)]
    with store_copy(store) as copy:
        files = [tracker(copy, copy.parent / f"tracker-{beds}.csv", beds) for beds in (3, 4)]
        failed = run_import(copy, files[1])  # the bench's properties added before anything is timed
        if failed:
            raise RuntimeError(failed)
        with serving(APP, copy) as server:
            sampler = Sampler(server)
            sampler.start()
            log(f"[{properties}] concurrency: one session for {SINGLE_S} s")
            sampler.into = result.single_rss
            cpu: list[tuple[float, float, float]] = []
            with cpu_used(server, cpu):
                asyncio.run(_people(server.url, paths, 1, SINGLE_S, think, result.single, result))
            log(f"[{properties}] concurrency: {sessions} sessions for {seconds} s while imports write")
            sampler.into = result.many_rss
            importer = Importer(copy, files, result)
            importer.start()
            try:
                with cpu_used(server, cpu):
                    asyncio.run(_people(server.url, paths, sessions, seconds, think, result.many, result))
                result.single_cpu, result.many_cpu = cpu
            finally:
                importer.done.set()
                importer.join()
                sampler.done.set()
                sampler.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.concurrency", description=__doc__.splitlines()[0])
    parser.add_argument("--properties", type=int, default=10000, help="demo store size (default 10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--seconds", type=int, default=DURATION_S, help="how long the sessions load pages at once")
    parser.add_argument("--think", type=float, default=THINK_S, help="mean pause between a session's pages, s")
    parser.add_argument("--stores", type=Path, default=STORES)
    args = parser.parse_args(argv)
    from bench.run import ensure_store

    store = ensure_store(args.stores.resolve(), args.properties, args.seed)
    result = measure_concurrency(store, args.properties, args.sessions, args.seconds, args.think)
    checks = result.checks()
    print("\n".join([*result.section(), "", checks_table(checks)]))
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
