"""The real app in a real browser: `streamlit run app.py` on a free local port against a temporary store, every page
opened in Debian's headless Chromium (driven by Playwright; no browser is downloaded). Screenshots of each page, at a
laptop and a phone width, are saved to tests/screenshots/ (git-ignored) for people to look at."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

# Debian's Chromium, started one way for the tests and the benchmark.
from bench.browser import CHROMIUM, free_port
from tests.conftest import REPO_ROOT, SCREENSHOTS

# page -> (url path, text its headline must contain); the default page is served at the root
PAGES = {
    "overview": ("", "beds open"),
    "progress": ("progress", "Progress to the target"),
    "districts": ("districts", "Beds by district"),
    "timeline": ("timeline", "Timeline"),
    "properties": ("properties", "properties"),
    "decisions": ("decisions", "councillors informed"),
    "objectives": ("objectives", "Objectives"),
    "edit-property": ("edit-property?property=RS-P2-04", "Edit a property"),
    "add-decision": ("add-decision", "Add a decision"),
    "import": ("import", "Import"),
    "export": ("export", "Export"),
    "audit": ("audit", "Audit trail"),
    "access": ("access", "Access"),
    "help": ("help", "Help"),
}
VIEWPORTS = {"laptop": (1366, 768), "phone": (390, 844)}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def browser_store(tmp_path_factory) -> str:
    """The store the app under test runs on (a SQLite file: what most councils run)."""
    return f"sqlite:///{tmp_path_factory.mktemp('browser') / 'store.sqlite'}"


@contextmanager
def serving(
    store_url: str,
    role: str | None = None,
    settings: dict[str, str] | None = None,
    secrets_file: Path | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """`streamlit run app.py` on a free port (or `port`) against `store_url`, in local mode as `role` (by default the
    local mode's admin), or signing people in as `secrets_file` says; with any other `settings` in its environment;
    its address while the block runs."""
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": store_url, **(settings or {})}
    if role:
        env["DASHBOARD_LOCAL_ROLE"] = role
    # The server's output goes to a file: into a pipe nobody reads it would block the server once the pipe is full.
    output = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            *(["--secrets.files", str(secrets_file)] if secrets_file else []),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    pytest.fail(f"streamlit did not start:\n{output.read().decode(errors='replace')}")
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        output.close()


@pytest.fixture(scope="module")
def app_url(browser_store):
    with serving(browser_store) as url:
        yield url


@pytest.fixture(scope="module")
def seed_url(tmp_path_factory):
    """The app on the seed programme alone, on a store no other test writes to: for checks of what the seed's figures
    look like drawn (the concurrency test imports 2,500 properties into app_url's store, whichever worker runs it)."""
    with serving(f"sqlite:///{tmp_path_factory.mktemp('seed') / 'store.sqlite'}") as url:
        yield url


@pytest.fixture(scope="module")
def viewer_url(tmp_path_factory):
    """The app as a viewer sees it, on a store of its own (two servers never seed one store at once)."""
    with serving(f"sqlite:///{tmp_path_factory.mktemp('viewer') / 'store.sqlite'}", role="viewer") as url:
        yield url


@pytest.fixture(scope="module")
def analyst_url(tmp_path_factory):
    with serving(f"sqlite:///{tmp_path_factory.mktemp('analyst') / 'store.sqlite'}", role="analyst") as url:
        yield url


def _wait_until_drawn(page) -> None:
    """Until the script has finished and no placeholder is left, then a moment for plotly to draw."""
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')
                ?.getAttribute('data-test-script-state') === 'notRunning'
              && !document.querySelector('[data-testid="stSkeleton"]')
              && document.querySelector('h1')""",
        timeout=60_000,
    )
    page.wait_for_timeout(1000)


# Faults axe-core finds in Streamlit's own markup, not the project's: listed in the README's accessibility statement.
STREAMLIT_OWN = {
    ("presentation-role-conflict", "stFileUploaderDropzone"),  # the file uploader's drop zone
    ("target-size", 'role="spinbutton"'),  # the day, month and year parts of the date input
}


def assert_accessible(page, name: str, viewport: str) -> None:
    """axe-core (WCAG 2.2 A and AA rules) finds no serious or critical fault on the page, and no other fault
    beyond those the accessibility statement lists as Streamlit's."""
    from axe_playwright_python.sync_playwright import Axe

    violations = (
        Axe()
        .run(
            page,
            options={
                "runOnly": {
                    "type": "tag",
                    "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
                }
            },
        )
        .response["violations"]
    )
    found = [
        (violation["id"], violation["impact"], node["html"][:120])
        for violation in violations
        for node in violation["nodes"]
        if not any(rule == violation["id"] and testid in node["html"] for rule, testid in STREAMLIT_OWN)
    ]
    assert not found, f"{name} ({viewport}): {found}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_page_in_a_real_browser(app_url, browser, name, viewport):
    width, height = VIEWPORTS[viewport]
    path, headline_text = PAGES[name]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(f"{app_url}/{path}", wait_until="networkidle")
        _wait_until_drawn(page)
        headline = page.locator("h1").first
        assert headline_text.lower() in headline.inner_text().lower()
        assert page.locator('[data-testid="stException"]').count() == 0, "an exception box is on the page"
        body = page.inner_text("body")
        assert "Something went wrong" not in body and "Page not found" not in body
        assert_accessible(page, name, viewport)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport}.png"))
        # The whole page: Streamlit scrolls inside its own container, so grow the window to the content instead.
        content_height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": width, "height": min(int(content_height) + 40, 8000)})
        _wait_until_drawn(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport}-full.png"))
    finally:
        page.close()


def test_a_shared_link_opens_the_page_with_its_filters(app_url, browser):
    """A deep link with filters, as a colleague would send it."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        page.goto(f"{app_url}/properties?phase=Phase+2&district=North+Hertfordshire", wait_until="networkidle")
        _wait_until_drawn(page)
        # The decision record's four North Herts properties in Phase 2.
        assert page.locator("h1").first.inner_text() == "4 properties"
    finally:
        page.close()


def test_an_edit_saved_in_the_browser_reaches_the_store_and_the_audit_trail(app_url, browser):
    """Keyboard and mouse as a person uses them: type into the form, save, read the confirmation."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        page.goto(f"{app_url}/edit-property?property=RS-P2-09", wait_until="networkidle")
        _wait_until_drawn(page)
        notes = page.get_by_role("textbox", name="Notes")
        notes.fill("Survey booked for the spring")
        notes.press("Tab")
        page.get_by_role("button", name="Save changes").click()
        page.get_by_text("Saved RS-P2-09.").wait_for(timeout=30_000)
        assert "Notes: blank → Survey booked for the spring" in page.inner_text("body")
        page.goto(f"{app_url}/audit", wait_until="networkidle")
        _wait_until_drawn(page)
        page.get_by_role("textbox", name="Property or other reference").fill("RS-P2-09")
        page.keyboard.press("Enter")
        page.wait_for_timeout(1500)
        _wait_until_drawn(page)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "audit-after-edit-laptop.png"))
    finally:
        page.close()


def _tab_to(page, name: str, role: str | None = None, presses: int = 120) -> None:
    """Press Tab until the focused element's accessible name (label, aria-label or text) contains `name`: proves it
    can be reached from the keyboard, in the page's own tab order."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement; if (!e) return ['', ''];
                       const labelled = e.getAttribute('aria-labelledby');
                       // a container's text is not its name
                       const own = ['BUTTON', 'A'].includes(e.tagName) ? e.innerText : '';
                       const label = e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText)
                           || (labelled && document.getElementById(labelled)?.innerText) || own || '';
                       return [label, e.getAttribute('role') || e.tagName.toLowerCase()]; }"""
        )
        if name.lower() in focused[0].lower() and (role is None or focused[1] == role):
            return
    pytest.fail(f"{name!r} cannot be reached with the Tab key")


def test_keyboard_alone_sets_a_filter_downloads_and_saves_an_edit(app_url, browser):
    """No mouse: Tab to each control and work it with the keys a keyboard user has."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        page.goto(f"{app_url}/properties", wait_until="networkidle")
        _wait_until_drawn(page)
        # A filter: the district picker in the sidebar, typed into and chosen with Enter.
        everything = page.locator("h1").first.inner_text()
        _tab_to(page, "District", role="combobox")
        page.keyboard.type("North Herts")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.wait_for_function(
            "(before) => document.querySelector('h1')?.innerText !== before", arg=everything, timeout=30_000
        )
        _wait_until_drawn(page)
        assert "district=" in page.url
        # A download: the register as CSV, with Enter on its button.
        _tab_to(page, "Download CSV", role="button")
        with page.expect_download(timeout=30_000) as download:
            page.keyboard.press("Enter")
        lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
        heading = page.locator("h1").first.inner_text()
        assert len(lines) - 1 == int(heading.split()[0]), (heading, lines[:2])
        # A data page: type a note, Tab to Save, press Enter.
        page.goto(f"{app_url}/edit-property?property=RS-P2-07", wait_until="networkidle")
        _wait_until_drawn(page)
        _tab_to(page, "Notes", role="textarea")  # not its help button, "Help for Notes"
        page.keyboard.type("Keys only")
        _tab_to(page, "Save changes", role="button")
        page.keyboard.press("Enter")
        page.get_by_text("Saved RS-P2-07.").wait_for(timeout=30_000)
        assert "Notes: blank → Keys only" in page.inner_text("body")
    finally:
        page.close()


def test_people_reading_while_an_import_writes_see_no_error_and_no_half_import(
    app_url, browser_store, browser, tmp_path
):
    """Three people reload the register while an import of 500 properties into the same SQLite store has written
    every row and not yet committed: nobody sees an error ("database is locked" or any other), every page shows the
    programme before the import while it is open and the programme with it once it is committed, never part of it.
    The import is held at its commit for a set number of rounds of reads, so what the readers see does not depend on
    how fast the machine happens to be."""
    from sqlalchemy import event

    from dashboard.db import make_engine
    from dashboard.importing import import_path
    from dashboard.roles import Actor, Role
    from tests.conftest import NEW_PROPERTY, write_csv

    ADDED, ROUNDS = 500, 2  # noqa: N806 - constants of this test
    spreadsheet = write_csv(
        tmp_path / "properties.csv", [{**NEW_PROPERTY, "Reference": f"LOAD-{n:04d}"} for n in range(ADDED)]
    )
    engine = make_engine(browser_store)
    wrote, holding, release = threading.Event(), threading.Event(), threading.Event()

    @event.listens_for(engine, "after_cursor_execute")
    def _note_a_write(_connection, _cursor, statement, *_) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO PROPERTY "):
            wrote.set()

    @event.listens_for(engine, "commit")
    def _hold_the_commit(_connection) -> None:  # just before the database commits: every row written, none visible
        if wrote.is_set() and not release.is_set():
            holding.set()
            release.wait(timeout=300)

    pages = [browser.new_page(viewport={"width": 1366, "height": 768}) for _ in range(3)]
    counts: list[int] = []
    try:
        for page in pages:
            page.goto(f"{app_url}/properties", wait_until="networkidle")
            _wait_until_drawn(page)
        before = int(pages[0].locator("h1").first.inner_text().split()[0])

        def read_round() -> None:
            for page in pages:
                page.reload(wait_until="networkidle")
                _wait_until_drawn(page)
                body = page.inner_text("body")
                assert "Something went wrong" not in body and "database is locked" not in body, body[:500]
                assert page.locator('[data-testid="stException"]').count() == 0
                counts.append(int(page.locator("h1").first.inner_text().split()[0]))

        with ThreadPoolExecutor(max_workers=1) as pool:
            actor = Actor("analyst", "import properties.csv", Role.EDITOR)
            importing = pool.submit(import_path, engine, spreadsheet, actor)
            try:
                while not holding.wait(timeout=0.5):
                    assert not importing.done(), f"the import ended before its commit: {importing.result().summary()}"
                for _ in range(ROUNDS):
                    read_round()
            finally:
                release.set()
            report = importing.result(timeout=300)
        read_round()  # a whole round begun after the import committed
    finally:
        for page in pages:
            page.close()
        engine.dispose()
    assert report.ok and report.written, report.summary()
    assert counts == [before] * (ROUNDS * len(pages)) + [before + ADDED] * len(pages), counts


# The programme pages a viewer has, and the fewest tables each shows with every expander open and, on Properties, a
# property picked: a page showing fewer would let the check pass without looking at its tables.
VIEWER_TABLES = {
    "overview": 3,
    "progress": 1,
    "districts": 1,
    "timeline": 2,
    "properties": 2,
    "decisions": 3,
    "objectives": 1,
    "briefing": 0,
}
DOWNLOAD = 'button[aria-label^="Download"]'  # a table toolbar's "Download as CSV", or any element's "Download as …"


def _open_every_expander(page) -> None:
    """Open each closed expander, as a user clicking it: a chart's data table is drawn only while it is open."""
    expanders = page.locator('[data-testid="stExpander"] details')
    for index in range(expanders.count()):
        if expanders.nth(index).get_attribute("open") is None:
            expanders.nth(index).locator("summary").click()
            page.wait_for_timeout(300)
            _wait_until_drawn(page)


def _pick_property(page, reference: str) -> None:
    page.get_by_role("combobox", name="Property to show").click()
    page.keyboard.type(reference)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=f"{reference}: milestones").wait_for(timeout=30_000)
    _wait_until_drawn(page)


def _hover_every_table(page) -> list[bool]:
    """Hover each table until its toolbar shows (its full-screen button visible); whether each then offers a
    download."""
    offered = []
    tables = page.locator('[data-testid="stDataFrame"]')
    for index in range(tables.count()):
        table = tables.nth(index)
        table.scroll_into_view_if_needed()
        table.hover()
        table.locator('button[aria-label^="Fullscreen"]').wait_for(state="visible", timeout=10_000)
        downloads = table.locator(DOWNLOAD)
        offered.append(any(downloads.nth(n).is_visible() for n in range(downloads.count())))
    return offered


def _copy_a_table(page) -> str:
    """Click a cell of the page's first table, select all with Ctrl+A, copy with Ctrl+C: what the clipboard holds
    (it held "nothing copied" before)."""
    page.evaluate("() => navigator.clipboard.writeText('nothing copied')")
    box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 60)  # a cell of the second row
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+c")
    page.wait_for_timeout(500)
    return page.evaluate("() => navigator.clipboard.readText()")


@pytest.mark.parametrize("name", VIEWER_TABLES)
def test_a_viewer_is_offered_no_table_or_chart_as_a_file(viewer_url, browser, name):
    """Every table on every page a viewer has, hovered as a mouse user does: its toolbar shows (full screen, search)
    but no download; and no chart has plotly's toolbar with its "Download plot as a png"."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        page.goto(f"{viewer_url}/{'' if name == 'overview' else name}", wait_until="networkidle")
        _wait_until_drawn(page)
        _open_every_expander(page)
        if name == "properties":
            _pick_property(page, "RS-P2-04")
        assert page.locator('[data-testid="stException"]').count() == 0
        offered = _hover_every_table(page)
        assert len(offered) >= VIEWER_TABLES[name], offered
        assert not any(offered), f"{name}: tables {[n for n, shown in enumerate(offered) if shown]} offer a download"
        charts = page.locator('[data-testid="stPlotlyChart"]')
        for index in range(charts.count()):
            charts.nth(index).scroll_into_view_if_needed()
            charts.nth(index).hover()
            assert charts.nth(index).locator(".modebar-btn").count() == 0, f"{name}: chart {index} has a toolbar"
        assert page.locator(f"{DOWNLOAD}:visible").count() == 0  # nor anywhere else on the page
    finally:
        page.close()


def test_a_viewer_searches_the_register_but_cannot_copy_it_nor_reach_the_export_or_audit_pages(viewer_url, browser):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    try:
        page.goto(f"{viewer_url}/properties", wait_until="networkidle")
        _wait_until_drawn(page)
        assert _copy_a_table(page) == "nothing copied"
        register = page.locator('[data-testid="stDataFrame"]').first
        register.hover()
        register.locator('button[aria-label^="Search"]').click()
        page.keyboard.type("Dacorum")
        page.get_by_text(re.compile(r"^[1-9]\d* results?$")).wait_for(timeout=10_000)  # the toolbar's search works
        page.wait_for_timeout(300)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "properties-viewer-hovered-laptop.png"))
        page.keyboard.press("Escape")
        register.locator('button[aria-label^="Fullscreen"]').click()
        register.hover()
        page.locator('button[aria-label^="Close fullscreen"]').wait_for(timeout=10_000)  # full screen works
        assert page.locator(f"{DOWNLOAD}:visible").count() == 0  # and offers no download either
        for path, title in (("export", "Export"), ("audit", "Audit trail")):
            page.goto(f"{viewer_url}/{path}", wait_until="networkidle")
            _wait_until_drawn(page)
            assert page.locator("h1").first.inner_text() == title  # the role message, in place of the page asked for
            assert f"{title} needs the analyst role" in page.inner_text("body")
            assert page.locator('[data-testid="stDataFrame"]').count() == 0 and page.locator(DOWNLOAD).count() == 0
    finally:
        context.close()


def test_an_analyst_keeps_the_registers_own_download_and_copy(analyst_url, browser):
    """The same gestures as the viewer's above do take the register for a role that may export it: the checks
    there are not passing for want of a working hover or copy."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    try:
        page.goto(f"{analyst_url}/properties", wait_until="networkidle")
        _wait_until_drawn(page)
        assert _hover_every_table(page) == [True]
        copied = _copy_a_table(page).splitlines()
        heading = page.locator("h1").first.inner_text()
        assert len(copied) == int(heading.split()[0]) and copied[0].startswith("RS-"), (heading, copied[:2])
    finally:
        context.close()


# ---- Print and phones: every programme page printed to A4 landscape as a browser prints it, and laid out at a
# phone's width (dashboard_ui.style). ----
# page -> (url path, text its headline must contain)
PROGRAMME_PAGES = {
    **{
        name: PAGES[name]
        for name in ("overview", "progress", "districts", "timeline", "properties", "decisions", "objectives")
    },
    "briefing": ("briefing", "Briefing"),
}
MOST_PRINTED_PAGES = 6
# Text only a whole chart prints: the Overview's beds bar was cut off at 42 beds on paper.
WHOLE_CHART_TEXT = {"overview": "60 beds"}
# Every word of each metric tile in one piece: a word whose text the browser lays out on two lines is broken.
BROKEN_TILE_WORDS = """() => {
  const broken = [];
  for (const element of document.querySelectorAll('[data-testid="stMetricLabel"] p, [data-testid="stMetricValue"]')) {
    const text = element.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) continue;
    for (const match of text.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(text, match.index);
      range.setEnd(text, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


def _pdf_text(path: Path) -> tuple[str, int]:
    """A PDF's text, its words separated by single spaces, and its number of pages."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split()), len(reader.pages)


def _sidebar_only_lines(page) -> set[str]:
    """The lines of the sidebar (navigation, filters) that the page itself does not also show; not an icon's name
    (its text is the icon's name in lower case, "dashboard")."""
    main = page.inner_text('[data-testid="stMain"]')
    lines = {line.strip() for line in page.inner_text('[data-testid="stSidebar"]').splitlines()}
    return {line for line in lines if len(line) > 3 and line != line.lower() and line not in main}


@pytest.mark.parametrize("name", PROGRAMME_PAGES)
def test_every_programme_page_prints_to_clean_a4_landscape(seed_url, browser, name):
    """Printed from a wide monitor, as a browser prints (no redraw for the paper): the page's title, no sidebar, the
    charts whole, a sane number of pages, and no metric tile breaking a word."""
    path, headline_text = PROGRAMME_PAGES[name]
    page = browser.new_page(viewport={"width": 1920, "height": 1080})  # charts drawn wider than the paper
    try:
        page.goto(f"{seed_url}/{path}", wait_until="networkidle")
        _wait_until_drawn(page)
        headline = " ".join(page.locator("h1").first.inner_text().split())
        assert headline_text.lower() in headline.lower()
        sidebar_only = _sidebar_only_lines(page)
        assert len(sidebar_only) >= 5, sidebar_only  # enough to tell a printed sidebar
        SCREENSHOTS.mkdir(exist_ok=True)
        pdf = SCREENSHOTS / f"{name}-print.pdf"
        page.pdf(path=str(pdf), format="A4", landscape=True)
        text, pages = _pdf_text(pdf)
        assert headline in text
        assert not [line for line in sidebar_only if line in text], "the sidebar is printed"
        assert "Local mode" in page.inner_text('[data-testid="stMain"]') and "Local mode" not in text
        assert 1 <= pages <= MOST_PRINTED_PAGES, pages
        if name in WHOLE_CHART_TEXT:
            assert WHOLE_CHART_TEXT[name] in text, "a chart is cut off on paper"
        page.emulate_media(media="print")
        page.wait_for_timeout(500)
        assert page.evaluate(BROKEN_TILE_WORDS) == []
    finally:
        page.close()


@pytest.mark.parametrize("name", PROGRAMME_PAGES)
def test_every_programme_page_fits_a_phone(app_url, browser, name):
    """At 390 px the page never scrolls sideways as a whole (a wide chart scrolls in its own box), and metric tiles
    keep their words whole, two to a row."""
    path, _ = PROGRAMME_PAGES[name]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{app_url}/{path}", wait_until="networkidle")
        _wait_until_drawn(page)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert page.evaluate(BROKEN_TILE_WORDS) == []
        if name == "overview":  # two tiles to a row (the fifth alone on its row)
            tiles = [tile.bounding_box()["width"] for tile in page.locator('[data-testid="stMetric"]').all()]
            assert len(tiles) == 5 and all(120 < width < 195 for width in tiles[:4]), tiles
        if name == "timeline":  # the property stages keep a readable width, in a box that scrolls sideways
            gantt = page.locator('[data-testid="stPlotlyChart"]').nth(1)
            assert gantt.evaluate("(chart) => chart.querySelector('.main-svg').getBoundingClientRect().width") >= 700
            assert gantt.evaluate("""(chart) => {
              const box = chart.closest('[data-testid="stElementContainer"]');
              return box.scrollWidth > box.clientWidth; }""")
        content_height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": 390, "height": min(int(content_height) + 40, 8000)})
        _wait_until_drawn(page)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-phone-layout.png"))
    finally:
        page.close()


# ---- Works offline, and a page a role may not open (dashboard_ui.shell) ----


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


def test_no_request_leaves_the_apps_own_host(app_url, browser):
    """Every page (as an administrator, who has them all), with its charts' data open: no request goes to another
    host (council networks often block Google's font servers, where a Material page icon is fetched from), and the
    browser tab's icon is the app's own."""
    outside: list[str] = []
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.on("request", lambda request: outside.append(request.url) if _host(request.url) != _host(app_url) else None)
    try:
        for name, (path, _) in PAGES.items():
            page.goto(f"{app_url}/{path}", wait_until="networkidle")
            _wait_until_drawn(page)
            _open_every_expander(page)
            icons = page.eval_on_selector_all("link[rel~='icon']", "links => links.map((link) => link.href)")
            assert icons and all(_host(icon) == _host(app_url) for icon in icons), (name, icons)
        assert not outside, outside
    finally:
        page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_page_the_role_may_not_open_says_so_by_its_address(viewer_url, browser, viewport):
    """A viewer opening the Import page's link (shared by an editor) reads that it needs the editor role and whom to
    ask: not Streamlit's "Page not found" over the Overview. The sidebar still lists only the viewer's pages."""
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(f"{viewer_url}/import", wait_until="networkidle")
        _wait_until_drawn(page)
        assert page.locator("h1").first.inner_text() == "Import"
        body = page.inner_text("body")
        assert "Import needs the editor role; ask " in body and "You have the viewer role." in body
        assert "Page not found" not in body and "beds open" not in body
        assert page.url.endswith("/import")
        if viewport == "laptop":
            links = [text.split()[-1] for text in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]
            assert links[-1] == "Help" and "Import" not in links, links  # a link reads "icon_name Title"
        assert_accessible(page, "import as a viewer", viewport)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"role-message-{viewport}.png"))
    finally:
        page.close()


# ---------------------------------------------------------------- dates as DD/MM/YYYY whatever the browser's language


def _grid_cells(page) -> list[list[str]]:
    """The edit form's stage-dates grid as its rows of (stage, planned, actual), read from the grid's accessible
    table (the grid itself is drawn on a canvas)."""
    cells = page.locator('[data-testid="stDataFrame"]').first.locator('[role="gridcell"]')
    cells.first.wait_for(state="attached", timeout=30_000)
    cells = cells.all_inner_texts()
    return [cells[n : n + 3] for n in range(0, len(cells), 3)]


def _type_into_grid(page, row: int, column: int, text: str) -> None:
    """Click the row's first cell, arrow across to `column`, and type over it, as a person does."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + 36 + 35 * row + 17)  # header 36 px, rows 35 px
    page.wait_for_timeout(300)  # the grid takes the keyboard once the click is handled
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.locator("textarea.gdg-input:not([disabled])")  # an editable cell's editor, not the Stage's
    editor.fill(text)
    editor.press("Enter")
    editor.wait_for(state="detached", timeout=10_000)
    page.wait_for_timeout(300)  # a person's pause before reaching for Save


def _day(text: str):
    from datetime import datetime

    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def test_a_date_typed_in_the_edit_grid_of_an_american_browser_is_read_day_first(app_url, browser):
    """01/06/2025 typed in an en-US browser is saved and read back as 1 June 2025; 31/02/2025 is refused naming its
    stage, not dropped with "No changes to save"."""
    from datetime import date

    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    wanted = date(2025, 6, 1)
    try:
        page.goto(f"{app_url}/edit-property?property=RS-P2-10", wait_until="networkidle")
        _wait_until_drawn(page)
        rows = _grid_cells(page)
        planned = [_day(row[1]) for row in rows]
        # A stage whose neighbours' planned dates leave room for 1 June 2025 (read as 6 January it would not fit).
        row = next(
            n
            for n in range(1, len(rows) - 1)
            if planned[n - 1] and planned[n + 1] and planned[n - 1] < wanted < planned[n + 1] and planned[n] != wanted
        )
        stage = rows[row][0]
        _type_into_grid(page, row, 1, "01/06/2025")
        page.get_by_role("button", name="Save changes").click()
        page.get_by_text("Saved RS-P2-10.").wait_for(timeout=30_000)
        assert "→ 01/06/2025" in page.inner_text("body")
        page.goto(f"{app_url}/edit-property?property=RS-P2-10", wait_until="networkidle")  # read back, afresh
        _wait_until_drawn(page)
        assert _grid_cells(page)[row][:2] == [stage, "01/06/2025"]

        _type_into_grid(page, row, 1, "31/02/2025")
        page.get_by_role("button", name="Save changes").click()
        page.get_by_text("Nothing was saved").wait_for(timeout=30_000)
        body = page.inner_text("body")
        assert "'31/02/2025' is not a real date" in body and "No changes to save" not in body
        assert re.search(r"planned: '31/02/2025' is not a real date", body)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "edit-property-invalid-date-laptop.png"), full_page=True)
    finally:
        context.close()


def test_an_as_at_date_typed_then_another_page_clicked_opens_that_page_at_that_date(app_url, browser):
    """Typing into the as-at date and clicking a page link, calendar still open: the page opens, with the date."""
    from datetime import date, timedelta

    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    as_at = date.today() - timedelta(days=200)
    try:
        page.goto(f"{app_url}/properties", wait_until="networkidle")
        _wait_until_drawn(page)
        page.get_by_role("spinbutton", name="day, As at").click()
        page.keyboard.type(as_at.strftime("%d%m%Y"))  # day first: the field reads DD/MM/YYYY in any language
        page.get_by_role("link", name="Progress").click()
        page.wait_for_url(re.compile(r"/progress\?"), timeout=30_000)
        _wait_until_drawn(page)
        assert "Progress to the target" in page.locator("h1").first.inner_text()
        assert f"as_at={as_at.isoformat()}" in page.url
    finally:
        context.close()


# ---- The briefing pack: made in the browser with its progress shown, the marking previewed, and a tagged PDF. ----


def test_the_briefing_pack_is_made_with_its_progress_shown_and_is_a_tagged_pdf(app_url, browser, tmp_path):
    from pypdf import PdfReader

    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{app_url}/briefing", wait_until="networkidle")
        _wait_until_drawn(page)
        main = page.get_by_test_id("stMain")
        page.get_by_role("combobox", name="Security classification").click()
        page.get_by_role("option", name="OFFICIAL-SENSITIVE").click()
        _wait_until_drawn(page)
        # The preview carries the marking chosen, and each objective's status as a word.
        main.get_by_text("OFFICIAL-SENSITIVE", exact=True).wait_for(timeout=30_000)
        assert main.get_by_text("Not measured", exact=True).count() == 1
        page.get_by_role("button", name="Make the briefing pack").click()
        # A progress bar names each step while the pack is made.
        page.get_by_test_id("stProgress").wait_for(timeout=30_000)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "briefing-progress-laptop.png"))
        download_button = page.get_by_role("button", name="Download the briefing pack (PDF)")
        download_button.wait_for(timeout=180_000)
        assert page.get_by_text("The briefing pack is ready").count() == 1
        with page.expect_download() as download:
            download_button.click()
        pdf = tmp_path / "pack.pdf"
        download.value.save_as(pdf)
    finally:
        context.close()
    reader = PdfReader(pdf)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB" and "/StructTreeRoot" in catalog and bool(catalog["/MarkInfo"]["/Marked"])
    assert all(page.extract_text().count("OFFICIAL-SENSITIVE") == 2 for page in reader.pages)


# ---- Labels that fit (dashboard.charts): on the chart pages, at a laptop's and a phone's width, no two labels
# plotly drew overlap and none is cut off at the chart's edge (tests/test_charts.py estimates the same from the
# figures; this measures what the browser drew). ----
CHART_PAGES = {"overview": "", "progress": "progress", "timeline": "timeline"}
LABEL_BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')].map((chart) => {
  const frame = chart.querySelector('.main-svg').getBoundingClientRect();
  const kinds = {'.gtitle': 'title', '.annotation-text': 'annotation', '.textpoint text': 'point', '.bartext': 'bar',
                 '.legendtext': 'legend', '.xtick text': 'tick', '.ytick text': 'tick'};
  const boxes = [];
  for (const [selector, kind] of Object.entries(kinds)) {
    for (const element of chart.querySelectorAll(selector)) {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (!element.textContent.trim() || box.width === 0 || style.display === 'none' || style.opacity === '0') continue;
      boxes.push({kind, text: element.textContent, left: box.left - frame.left, top: box.top - frame.top,
                  right: box.right - frame.left, bottom: box.bottom - frame.top});
    }
  }
  return {title: chart.querySelector('.gtitle')?.textContent || '', width: frame.width, height: frame.height, boxes};
})"""


def _drawn_label_problems(chart: dict) -> list[str]:
    """Pairs of drawn labels that overlap (tick labels against other labels only), and labels cut off by the
    chart's edge."""
    boxes, problems = chart["boxes"], []
    for n, one in enumerate(boxes):
        if not (
            -1 <= one["left"]
            and one["right"] <= chart["width"] + 1
            and -1 <= one["top"]
            and one["bottom"] <= chart["height"] + 1
        ):
            problems.append(f"{one['text']!r} is cut off")
        for other in boxes[n + 1 :]:
            if one["kind"] == other["kind"] == "tick":
                continue
            if (
                one["left"] < other["right"] - 1
                and other["left"] < one["right"] - 1
                and one["top"] < other["bottom"] - 1
                and other["top"] < one["bottom"] - 1
            ):
                problems.append(f"{one['text']!r} overlaps {other['text']!r}")
    return problems


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", CHART_PAGES)
def test_chart_labels_do_not_overlap_in_the_browser(seed_url, browser, name, viewport):
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(f"{seed_url}/{CHART_PAGES[name]}", wait_until="networkidle")
        _wait_until_drawn(page)
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
        charts = page.evaluate(LABEL_BOXES)
        assert charts, f"{name}: no chart drawn"
        assert all(
            any(box["kind"] == "annotation" or box["kind"] == "legend" for box in chart["boxes"])
            for chart in charts
            if name != "overview" or "beds open" in chart["title"]
        ), charts
        problems = {chart["title"]: found for chart in charts if (found := _drawn_label_problems(chart))}
        assert not problems, f"{name} ({viewport}): {problems}"
        SCREENSHOTS.mkdir(exist_ok=True)
        for index, chart in enumerate(page.locator('[data-testid="stPlotlyChart"]').all()):
            chart.screenshot(path=str(SCREENSHOTS / f"chart-{name}-{index}-{viewport}.png"))
    finally:
        page.close()


# ---- One name per district (dashboard.charts' maps, dashboard_ui.filters): a link naming a district as people write
# it filters to it, and the map labels each district by its official name inside its hexagon. ----
MAP_LABELS = """() => {
  const chart = document.querySelector('.js-plotly-plot');
  const box = (element) => {
    const b = element.getBoundingClientRect();
    return {left: b.left, right: b.right, top: b.top, bottom: b.bottom};
  };
  const tiles = [...chart.querySelectorAll('.scatterlayer .js-fill')].map(box);
  return [...chart.querySelectorAll('.annotation-text')].map((label) => {
    const b = box(label), x = (b.left + b.right) / 2, y = (b.top + b.bottom) / 2;
    const tile = tiles.find((t) => t.left < x && x < t.right && t.top < y && y < t.bottom);
    const lines = [...label.querySelectorAll('tspan.line')].map(box);
    return {text: label.textContent, tile, lines: lines.length ? lines : [b]};
  });
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_link_naming_a_district_by_its_short_name_filters_and_the_map_names_it_in_full(seed_url, browser, viewport):
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(f"{seed_url}/districts?district=North+Herts", wait_until="networkidle")
        _wait_until_drawn(page)
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
        # Filtered: only North Hertfordshire's beds, and the address now names it as the page does.
        title = page.locator(".gtitle").first.text_content().replace(" ", "")  # its lines joined without a space
        assert "mostinNorthHertfordshire(3);nonein9districts" in title
        assert "district=North+Hertfordshire" in page.url
        labels = page.evaluate(MAP_LABELS)
        assert sorted(label["text"][:-1] for label in labels) == sorted(
            ["Broxbourne", "Dacorum", "EastHertfordshire", "Hertsmere", "NorthHertfordshire", "St Albans"]
            + ["Stevenage", "ThreeRivers", "Watford", "WelwynHatfield"]
        )
        # Each label inside its hexagon, clear of its white outline: every corner of each of its lines inside the
        # pointy-topped hexagon the tile's box holds (half-width w, radius r; its slanted sides fall r/2 over w).
        for label in labels:
            tile = label["tile"]
            x, y = (tile["left"] + tile["right"]) / 2, (tile["top"] + tile["bottom"]) / 2
            w, r = (tile["right"] - tile["left"]) / 2 - 2, (tile["bottom"] - tile["top"]) / 2 - 2
            for line in label["lines"]:
                for corner_x in (line["left"], line["right"]):
                    for corner_y in (line["top"], line["bottom"]):
                        across, up = abs(corner_x - x), abs(corner_y - y)
                        assert across <= w and up <= r - across * (r / 2) / w, (label["text"], line, tile)
        # The short name is the label's tooltip.
        page.locator(".annotation-text", has_text="NorthHertfordshire").hover()
        assert page.locator(".hovertext").first.text_content() == "North Hertfordshire (North Herts): 3 (beds open)"
        SCREENSHOTS.mkdir(exist_ok=True)
        page.locator('[data-testid="stPlotlyChart"]').first.screenshot(
            path=str(SCREENSHOTS / f"districts-link-north-herts-{viewport}.png")
        )
    finally:
        page.close()


# ---------------------------------------------------------------- the status note on the Overview's late list


def test_the_overview_late_list_shows_a_seeded_status_note(seed_url, browser):
    """The seed's RS-P2-04 is behind plan with a status note: the late list shows it beside what it waits on, whole
    (its rows are tall enough for the note to wrap), and a late property with no note shows a blank cell."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        page.goto(seed_url, wait_until="networkidle")
        _wait_until_drawn(page)
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        headers = grid.locator('[role="columnheader"]')
        headers.first.wait_for(state="attached", timeout=30_000)
        columns = [" ".join(text.split()) for text in headers.all_inner_texts()]
        assert columns[:4] == ["Property", "Days late", "Waiting on", "Status note"], columns
        cells = grid.locator('[role="gridcell"]').all_inner_texts()
        width = len(columns)
        rows = {row[0]: row for row in (cells[n : n + width] for n in range(0, len(cells), width))}
        assert rows["RS-P2-04"][3] == (
            "Awaiting Ofsted's registration decision, expected in December; ready to open once registered."
        )
        assert rows["RS-P2-05"][3] == ""  # late, with no note: blank, never "None"
        # Drawn on a canvas: a row's height is the grid's (every row shown) shared among its rows, below the header.
        row_height = (grid.bounding_box()["height"] - 40) / len(rows)
        assert row_height > 64, "too short for Streamlit's grid to wrap the note"
        SCREENSHOTS.mkdir(exist_ok=True)
        grid.screenshot(path=str(SCREENSHOTS / "overview-late-list-status-notes-laptop.png"))
    finally:
        page.close()


# ---------------------------------------------------------------- the Objectives page on the SSDA903 samples


@pytest.fixture(scope="module")
def objectives_url(tmp_path_factory):
    """The app on a store holding the synthetic SSDA903 samples of three years with their headers, a lookup of their
    districts, Ofsted's 2024 file and a property linked to an own home by URN (tests/test_objectives_page.py)."""
    from dashboard.bootstrap import ensure_store
    from dashboard.db import make_engine
    from tests.test_objectives_page import load

    folder = tmp_path_factory.mktemp("objectives")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    engine = make_engine(url)
    ensure_store(engine)
    load(engine, folder)
    engine.dispose()
    with serving(url) as served:
        yield served


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_objectives_page_on_the_samples_reads_whole_at_a_laptop_and_a_phone(objectives_url, browser, viewport):
    """DfE's measures first, every chart's labels clear of each other and inside the chart, nothing wider than a
    phone, metric words whole, and no serious accessibility fault; the whole page saved as a screenshot."""
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(f"{objectives_url}/objectives", wait_until="networkidle")
        _wait_until_drawn(page)
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
        headings = page.locator('[data-testid="stMain"] h2').all_inner_texts()
        assert headings.index("At 31 March: the Department for Education's measures") == 0, headings
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert page.evaluate(BROKEN_TILE_WORDS) == []
        charts = page.evaluate(LABEL_BOXES)
        assert len(charts) >= 8
        problems = {chart["title"]: found for chart in charts if (found := _drawn_label_problems(chart))}
        assert not problems, f"objectives ({viewport}): {problems}"
        assert_accessible(page, "objectives on the samples", viewport)
        content_height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": width, "height": min(int(content_height) + 40, 16000)})
        _wait_until_drawn(page)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"objectives-samples-{viewport}.png"))
    finally:
        page.close()


# ---------------------------------------------------------------- a property's Ofsted URN, edited and found by it


def test_an_ofsted_urn_typed_in_the_form_is_saved_and_the_register_finds_the_property_by_it(app_url, browser):
    """The URN field explains itself (public, and does not locate the home), refuses what is not a URN in words, and
    a URN saved is in the register: its search finds the property by it."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{app_url}/edit-property?property=RS-P1-03", wait_until="networkidle")
        _wait_until_drawn(page)
        for typed, outcome in (("sc654321", "is not an Ofsted URN such as SC123456"), ("SC654321", "Saved RS-P1-03.")):
            field = page.get_by_role("textbox", name="Ofsted URN")
            field.fill(typed)
            field.press("Tab")
            page.get_by_role("button", name="Save changes").click()
            page.get_by_text(outcome).first.wait_for(timeout=30_000)
        assert "Ofsted URN: blank → SC654321" in page.inner_text("body")

        page.goto(f"{app_url}/properties?search=SC654321", wait_until="networkidle")
        _wait_until_drawn(page)
        assert re.match(r"1 of [\d,]+ properties", page.locator("h1").first.inner_text())
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "properties-by-urn-phone.png"))
    finally:
        page.close()


# ---------------------------------------------------------------- the Forecast page on the SSDA903 samples


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_forecast_page_on_the_samples_reads_whole_at_a_laptop_and_a_phone(objectives_url, browser, viewport):
    """The samples' import made a forecast: the page says where the beds meet need, draws its four charts with no
    label overlapping or cut off, and passes axe-core."""
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(f"{objectives_url}/forecast", wait_until="networkidle")
        _wait_until_drawn(page)
        assert page.locator("h1").first.inner_text() == "Forecast"
        assert page.locator('[data-testid="stException"]').count() == 0
        body = page.inner_text("body")
        assert "The programme's beds" in body and "was off by" in body
        charts = page.evaluate(LABEL_BOXES)
        assert len(charts) == 4
        problems = {chart["title"]: found for chart in charts if (found := _drawn_label_problems(chart))}
        assert not problems, f"forecast ({viewport}): {problems}"
        assert_accessible(page, "forecast on the samples", viewport)
        content_height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": width, "height": min(int(content_height) + 40, 16000)})
        _wait_until_drawn(page)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"forecast-samples-{viewport}.png"))
    finally:
        page.close()
