"""Pages in a real browser (issue T7, target 2): `python -m bench.browser --help`; see bench/README.md.

Real `streamlit run` servers on 127.0.0.1 (the app on a copy of a demo store, the trivial app and the reference page
as floors), Debian's headless Chromium driven by Playwright (no browser is downloaded). A page's time runs from the
start of its navigation to "every chart drawn" (DRAWN below), read from the page's own clock, so the driver's
polling is not in it."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.run import (
    APP,
    REFERENCE,
    REFERENCE_APP,
    REPO,
    STORES,
    TRIVIAL,
    TRIVIAL_APP,
    Check,
    checks_table,
    discover_pages,
    log,
    page_name,
    table,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}
TIMEOUT_MS = 180_000
# How long DRAWN must hold before a load counts as done: a rerun the page asks for right after its first run would
# otherwise end the wait early. The time reported is when it first held, so this is not in it.
SETTLE_MS = 400
# Issue T7, target 2.
PAGE_VS_REFERENCE_MAX = 1.3
FIRST_VS_REFERENCE_MAX = 2.0
# Words no page may show: an error box, a traceback, the store refusing a read.
ERROR_TEXT = ("Something went wrong", "Traceback", "database is locked", "Page not found")

# "Every chart drawn": the script has run and is not running (Streamlit's status widget), something is shown, no
# placeholder (stSkeleton) is left, every plotly chart in view has drawn its SVG and every table its canvas (one in a
# closed expander or another tab is drawn only when opened). Returns, once
# that has held for SETTLE_MS, the page's clock (ms since its navigation began) when it first held; else false.
DRAWN = """([settle, since]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  // Cheapest tests first: checkVisibility makes the browser lay the page out, and this runs every 20 ms.
  const drawn = !!app && !!main
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && (window.__benchStarted ?? true)
    && !!main.querySelector('[data-testid="stElementContainer"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"], .js-plotly-plot')]
      .every((chart) => chart.querySelector('svg.main-svg') || !chart.checkVisibility())
    && [...document.querySelectorAll('[data-testid="stDataFrame"]')]
      .every((grid) => grid.querySelector('canvas') || !grid.checkVisibility());
  const now = performance.now();
  if (!drawn) { window.__benchSince = null; return false; }
  if (window.__benchSince == null) window.__benchSince = now;
  return now - window.__benchSince >= settle ? window.__benchSince - (window[since] ?? 0) : false;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`streamlit run APP` on a free port of 127.0.0.1, on `store`, run from the repository (its .streamlit/config.toml
    applies to every app). Started by `start()`, which waits for Streamlit's health check."""

    def __init__(self, app: Path, store: Path) -> None:
        self.app, self.store, self.port = app, store, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.output = tempfile.TemporaryFile()
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.store}"}
        command = [sys.executable, "-m", "streamlit", "run", str(self.app), "--server.port", str(self.port)]
        command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=self.output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit run {self.app.name} did not start:\n{self.said()}") from None
                time.sleep(0.2)

    def said(self) -> str:
        self.output.seek(0)
        return self.output.read().decode(errors="replace")[-3000:]

    def rss_mb(self) -> float:
        """The server process's resident memory now (VmRSS, /proc/PID/status)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS for the server")

    def cpu_s(self) -> float:
        """The server process's CPU time so far, user and system (/proc/PID/stat)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()


@contextmanager
def serving(app: Path, store: Path) -> Iterator[Server]:
    server = Server(app, store)
    try:
        yield server.start()
    finally:
        server.stop()


@contextmanager
def store_copy(store: Path) -> Iterator[Path]:
    """A copy of the demo store in a temporary folder, removed afterwards: the app may write to its store (an
    upgrade, the seed, a session's record), and the demo store is shared by every measurement."""
    folder = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    try:
        copy = folder / store.name
        shutil.copyfile(store, copy)
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def page_problems(text: str, exceptions: int, where: str) -> list[str]:
    """What a page shows that no one should see: an exception box or any of ERROR_TEXT."""
    problems = [f"{where}: an exception box" for _ in range(min(exceptions, 1))]
    return problems + [f"{where}: '{words}' on the page" for words in ERROR_TEXT if words in text]


# What DRAWN found missing, said when a page never gets there.
UNDRAWN = """() => ({
  state: document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state'),
  shown: !!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]'),
  skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
  chartsUndrawn: [...document.querySelectorAll('[data-testid="stPlotlyChart"], .js-plotly-plot')]
    .filter((chart) => chart.checkVisibility() && !chart.querySelector('svg.main-svg')).length,
  tablesUndrawn: [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .filter((grid) => grid.checkVisibility() && !grid.querySelector('canvas')).length,
  started: window.__benchStarted ?? null,
  address: location.pathname,
})"""


def drawn_ms(page, since: str = "") -> float:
    """Waits until DRAWN holds; its time in ms since the navigation began (or since `window[since]`)."""
    from playwright.sync_api import TimeoutError as Timeout

    try:
        handle = page.wait_for_function(DRAWN, arg=[SETTLE_MS, since], polling=20, timeout=TIMEOUT_MS)
    except Timeout:
        raise RuntimeError(f"{page.url} was not drawn in {TIMEOUT_MS / 1000:g} s: {page.evaluate(UNDRAWN)}") from None
    return float(handle.json_value())


def checked(page, where: str, problems: list[str]) -> None:
    text = page.inner_text("body")
    problems += page_problems(text, page.locator('[data-testid="stException"]').count(), where)


def load(browser, url: str, where: str, problems: list[str]) -> tuple[float, float]:
    """A page opened in a new browser context (a new session, empty cache), then reloaded: both times, seconds."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        new_session = drawn_ms(page) / 1000
        checked(page, where, problems)
        page.reload(wait_until="commit", timeout=TIMEOUT_MS)
        reload = drawn_ms(page) / 1000
        checked(page, f"{where} (reload)", problems)
        return new_session, reload
    finally:
        context.close()


@dataclass
class BrowserResult:
    """Seconds per load, by page ("trivial app", "reference page", then the app's pages as in bench/run.py)."""

    properties: int
    rounds: int
    pages: list[str]
    new_session: dict[str, list[float]] = field(default_factory=dict)
    reload: dict[str, list[float]] = field(default_factory=dict)
    first: dict[str, list[float]] = field(default_factory=dict)  # the first page after a fresh server's start
    problems: list[str] = field(default_factory=list)

    @staticmethod
    def median(times: dict[str, list[float]], name: str) -> float:
        return statistics.median(times[name])

    def checks(self) -> list[Check]:
        checks = []
        for kind, times in (("new session", self.new_session), ("reload", self.reload)):
            reference = self.median(times, REFERENCE)
            for page in self.pages:
                ratio = self.median(times, page) / reference
                checks.append(
                    Check(
                        f"{page_name(page)} in a browser, {kind} ≤ {PAGE_VS_REFERENCE_MAX:g}× the reference page "
                        f"at {self.properties}",
                        f"{ratio:.2f}×",
                        ratio <= PAGE_VS_REFERENCE_MAX,
                    )
                )
        home = page_name(self.pages[0])
        ratio = self.median(self.first, home) / self.median(self.first, REFERENCE)
        checks.append(
            Check(
                f"first page after a server start ({home}) ≤ {FIRST_VS_REFERENCE_MAX:g}× the reference page's",
                f"{ratio:.2f}×",
                ratio <= FIRST_VS_REFERENCE_MAX,
            )
        )
        checks.append(
            Check("no error, traceback or 'database is locked' on a page", f"{len(self.problems)} found",
                  not self.problems)
        )  # fmt: skip
        return checks

    def section(self) -> list[str]:
        trivial_new, reference_new = self.median(self.new_session, TRIVIAL), self.median(self.new_session, REFERENCE)
        reference_reload = self.median(self.reload, REFERENCE)
        rows = []
        for name in (TRIVIAL, REFERENCE, *self.pages):
            new, again = self.median(self.new_session, name), self.median(self.reload, name)
            rows.append(
                [
                    page_name(name),
                    f"{new:.2f}",
                    f"{new / trivial_new:.1f}×",
                    f"{new / reference_new:.2f}×",
                    f"{again:.2f}",
                    f"{again / reference_reload:.2f}×",
                ]
            )
        home = page_name(self.pages[0])
        first_home, first_reference = self.median(self.first, home), self.median(self.first, REFERENCE)
        starts = len(self.first[REFERENCE])
        lines = [
            "",
            f"## Pages in a real browser at {self.properties:,} properties",
            "",
            table(["page", "new session s", "÷ trivial", "÷ reference", "reload s", "÷ reference"], rows),
            "",
            table(
                ["first page after a server start", "s", "÷ reference"],
                [
                    [home, f"{first_home:.2f}", f"{first_home / first_reference:.2f}×"],
                    [REFERENCE, f"{first_reference:.2f}", "1.00×"],
                ],
            ),
            "",
            (
                f"`streamlit run` servers on 127.0.0.1 (the app on a copy of the store), Debian's headless Chromium "
                f"at 1366×768 through Playwright. A load is timed by the page's own clock from the start of its "
                f"navigation to every chart drawn: the script not running, something shown, no placeholder, every "
                f"plotly chart's SVG and every table's canvas present (held {SETTLE_MS} ms, not counted). New "
                f"session: a new browser context (empty cache); reload: the same tab reloaded. Medians of "
                f"{self.rounds} rounds interleaved over the pages. First page after a server start: the app's "
                f"home page and the reference page, each on a freshly started server, {starts} times, alternately."
            ),
        ]
        if self.problems:
            lines += ["", "Problems seen on pages: " + "; ".join(sorted(set(self.problems))[:20])]
        return lines


def targets(pages: list[str], app_url: str, trivial_url: str, reference_url: str) -> dict[str, str]:
    """Each measured page's address; the app's first page is its home page, at the root."""
    addresses = {TRIVIAL: f"{trivial_url}/", REFERENCE: f"{reference_url}/"}
    for index, page in enumerate(pages):
        addresses[page] = f"{app_url}/" if index == 0 else f"{app_url}/{page_name(page)}"
    return addresses


def measure_browser(store: Path, properties: int, rounds: int, starts: int) -> BrowserResult:
    """Every page, the trivial app and the reference page, `rounds` times interleaved (new session, then reload);
    then the app's home page and the reference page on a fresh server each, `starts` times alternately."""
    pages = discover_pages()
    result = BrowserResult(properties, rounds, pages)
    with store_copy(store) as copy, chromium() as browser:
        with serving(APP, copy) as app, serving(TRIVIAL_APP, copy) as trivial, serving(REFERENCE_APP, copy) as ref:
            addresses = targets(pages, app.url, trivial.url, ref.url)
            load(browser, addresses[pages[0]], "warm-up", result.problems)  # the app's imports, not measured
            for round_ in range(rounds):
                log(f"[{properties}] browser: round {round_ + 1} of {rounds}, every page in a new session and reloaded")
                for name, url in addresses.items():
                    log(f"  {page_name(name)}")
                    new, again = load(browser, url, page_name(name), result.problems)
                    result.new_session.setdefault(name, []).append(new)
                    result.reload.setdefault(name, []).append(again)
        for start in range(starts):
            log(f"[{properties}] browser: first page after a server start, {start + 1} of {starts}")
            for name, app_file in ((page_name(pages[0]), APP), (REFERENCE, REFERENCE_APP)):
                with serving(app_file, copy) as server:
                    first, _ = load(browser, f"{server.url}/", f"{name} (first after start)", result.problems)
                result.first.setdefault(name, []).append(first)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.splitlines()[0])
    parser.add_argument("--properties", type=int, default=10000, help="demo store size (default 10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="rounds over every page (default 5)")
    parser.add_argument("--starts", type=int, default=3, help="fresh server starts per app (default 3)")
    parser.add_argument("--stores", type=Path, default=STORES)
    args = parser.parse_args(argv)
    from bench.run import ensure_store

    store = ensure_store(args.stores.resolve(), args.properties, args.seed)
    result = measure_browser(store, args.properties, args.rounds, args.starts)
    checks = result.checks()
    print("\n".join([*result.section(), "", checks_table(checks)]))
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
