"""kaleido's local Chromium, which draws the pack's charts: one per process, serving every chart of every pack.

Light on purpose (the standard library; kaleido when started): the command line starts Chromium before it loads the
libraries a pack needs, so the two overlap. Its event loop runs in a thread of its own, so a figure handed to it is
drawn while the pack goes on: `draw` returns the PNG to come, and figures are drawn in the order given."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import threading
from concurrent.futures import Future
from pathlib import Path
from types import ModuleType
from typing import Any

from dashboard.config import shipped

TOPOJSON = shipped("static") / "topojson"  # an empty base map: geographic figures draw without plotly's CDN
OPEN_TIMEOUT_S, CLOSE_TIMEOUT_S = 120, 15


class ChartBrowser:
    def __init__(self, topojson: Path = TOPOJSON) -> None:
        import kaleido  # heavy: loaded only when a pack is made

        # Its Chromium driver logs, with a traceback, a browser message it could not read and then ignores: the
        # picture is unaffected, and a traceback must not reach the terminal of someone making a pack.
        logging.getLogger("choreographer").setLevel(logging.CRITICAL)
        self.topojson = topojson.as_uri() + "/"
        self.broken = False  # set when Chromium did not start in time: the next pack starts another
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="chart-browser", daemon=True).start()
        self.opened = asyncio.run_coroutine_threadsafe(self._open(kaleido), self.loop)
        atexit.register(self.close)

    @staticmethod
    async def _open(kaleido: ModuleType) -> Any:
        browser = kaleido.Kaleido(mathjax=False)  # no MathJax: kaleido would fetch it from a CDN
        await browser.open()
        return browser

    def draw(self, figure: dict, options: dict) -> Future[bytes]:
        """Start drawing a figure (plotly's dict of it) with kaleido's options (format, width, height, scale)."""
        return asyncio.run_coroutine_threadsafe(self._draw(figure, options), self.loop)

    async def _draw(self, figure: dict, options: dict) -> bytes:
        # kaleido bounds each drawing (90 s) but not Chromium's start, which on a very busy machine has been seen to
        # stall: a pack then fails in words rather than waiting for ever.
        try:
            browser = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self.opened)), OPEN_TIMEOUT_S)
        except TimeoutError:
            self.broken = True
            raise RuntimeError(
                f"Chromium, which draws the pack's charts, did not start in {OPEN_TIMEOUT_S} s"
            ) from None
        return await browser.calc_fig(figure, opts=options, topojson=self.topojson)

    def close(self) -> None:
        """Closes Chromium as the process ends, its temporary profile removed with it."""
        with contextlib.suppress(Exception):  # a browser that never opened, or is gone already, has nothing to close
            browser = self.opened.result(timeout=0 if self.broken else OPEN_TIMEOUT_S)
            asyncio.run_coroutine_threadsafe(browser.close(), self.loop).result(timeout=CLOSE_TIMEOUT_S)
        self.loop.call_soon_threadsafe(self.loop.stop)


_LOCK = threading.Lock()
_browser: ChartBrowser | None = None


def start_chart_browser() -> ChartBrowser:
    """Start kaleido's Chromium in the background, once per process: every chart of every pack is then drawn by it.
    Starting Chromium and loading plotly into it is most of a pack's time, so this is called as early as possible (on
    the command line before the pack's libraries load; on the app's Briefing page, as the page opens). Returns at
    once."""
    global _browser
    with _LOCK:
        if _browser is None or _browser.broken:
            _browser = ChartBrowser()
        return _browser
