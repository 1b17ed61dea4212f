"""The pages' own charts as images for the pack, drawn offline by kaleido's local Chromium, each with its text
alternative in words; and the property timeline split into pages that stay readable."""

from __future__ import annotations

import logging
import threading
import warnings
from io import BytesIO

import pandas as pd
import plotly.graph_objects as go
from reportlab.lib.units import mm
from reportlab.platypus import Image
from sqlalchemy import Engine

from dashboard import charts, metrics, queries
from dashboard.briefing.content import BriefingData, forecast_sentence, long_date
from dashboard.briefing.page import EXPORT_WIDTH, FRAME_HEIGHT, FRAME_WIDTH
from dashboard.config import shipped
from dashboard.wording import listed, plural

GANTT_MOST_BEHIND = 40  # properties drawn on the timeline: the most behind plan
TOPOJSON = shipped("static") / "topojson"  # an empty base map: geographic figures draw without plotly's CDN


# ---------------------------------------------------------------- figures (the pages' own), exported as PNG

_EXPORT_LOCK = threading.Lock()  # one Chromium serves every export in the process; one figure at a time


def start_chart_browser() -> None:
    """Start kaleido's Chromium in the background, once per process: every chart of every pack is then drawn by it.
    Starting Chromium and loading plotly into it is most of a pack's time, so this is called as early as possible
    (before the store is read; on the app's Briefing page, as the page opens). Returns at once."""
    import kaleido  # heavy: loaded only when a pack is made

    # Its Chromium driver logs, with a traceback, a browser message it could not read and then ignores: the picture
    # is unaffected, and a traceback must not reach the terminal of someone making a pack.
    logging.getLogger("choreographer").setLevel(logging.CRITICAL)
    with _EXPORT_LOCK:
        # No MathJax: kaleido would fetch it from a CDN.
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)


def figure_png(fig: go.Figure, width: int = EXPORT_WIDTH, height: int | None = None) -> bytes:
    """A figure as a PNG at twice its layout size, drawn offline by kaleido's local Chromium."""
    import plotly.io as pio

    start_chart_browser()
    with _EXPORT_LOCK, warnings.catch_warnings():
        # plotly passes the options a running server ignores, and says so.
        warnings.simplefilter("ignore", UserWarning)
        previous, pio.defaults.topojson = pio.defaults.topojson, TOPOJSON.as_uri() + "/"
        try:
            return fig.to_image(format="png", width=width, height=height or fig.layout.height or 480, scale=2)
        finally:
            pio.defaults.topojson = previous


def _image(png: bytes, width_px: int, height_px: int, max_height: float = FRAME_HEIGHT) -> Image:
    """The PNG across the frame's width, scaled down only if it would not fit the height available."""
    width = FRAME_WIDTH
    height = width * height_px / width_px
    if height > max_height:
        width, height = width * max_height / height, max_height
    return Image(BytesIO(png), width=width, height=height)


def _chart(fig: go.Figure, alt: str, height: int | None = None, max_height: float = FRAME_HEIGHT) -> Image:
    """The figure as an image on the page, carrying its text alternative (the tagged PDF's /Alt)."""
    height = height or int(fig.layout.height or 480)
    charts.fit_title(fig, EXPORT_WIDTH)
    image = _image(figure_png(fig, EXPORT_WIDTH, height), EXPORT_WIDTH, height, max_height)
    image.alt = alt
    return image


# ---------------------------------------------------------------- text alternatives: what each chart shows, in words


def target_alt(data: BriefingData) -> str:
    totals = data.totals
    return (
        f"Bar of the {totals.target}-bed target: {totals.open} beds open, {totals.registered} registered, "
        f"{totals.secured} secured, {totals.pipeline} more in the pipeline and {totals.still_to_find} still to "
        "find."
    )


def progress_alt(data: BriefingData) -> str:
    totals = data.totals
    return (
        f"Line chart of beds secured, registered and open over time, to {long_date(data.as_at)}, against the "
        f"target of {totals.target}: now {totals.secured} secured, {totals.registered} registered and "
        f"{totals.open} open. Dashed lines forecast the rest. {forecast_sentence(data)}"
    )


def map_alt(data: BriefingData) -> str:
    districts = data.districts.sort_values(["secured", "name"], ascending=[False, True])
    bought = [f"{row.name} {plural(int(row.secured), 'bed')}" for row in districts.itertuples() if row.secured]
    none = [str(name) for name in districts.loc[districts["secured"] == 0, "name"]]
    said = f"Map of the districts shaded by beds secured: {', '.join(bought) or 'none yet'}."
    return said + (f" None in {listed(sorted(none), 12)}." if none else "") + " The table below gives every figure."


def phases_alt(data: BriefingData) -> str:
    def span(row: pd.Series) -> str:
        start, end = row.get("starts_on"), row.get("planned_end_on")
        dated = " ".join(
            part
            for part in (f"from {start:%B %Y}" if pd.notna(start) else "", f"to {end:%B %Y}" if pd.notna(end) else "")
            if part
        )
        return f"{row['name']} {dated}".strip()

    phases = "; ".join(span(row) for _, row in data.phases.iterrows())
    return f"Chart of the programme's phases over time, with the as-at date marked: {phases or 'no phases'}."


def gantt_alt(data: BriefingData, fig: go.Figure) -> str:
    days = dict(zip(data.late["reference"], data.late["days_late"], strict=True))
    rows = [f"{reference} {plural(int(days[reference]), 'day')} late" for reference in fig.layout.yaxis.categoryarray]
    return (
        f"Timeline of each property's planned and actual stages, most behind plan first: {', '.join(rows)}. "
        "Page 1 says what the furthest behind are waiting on."
    )


GANTT_ROW_PX, GANTT_FRAME_PX = 30, 170  # charts.gantt's height: 170 px plus 30 px a row


def gantt_rows_fitting(height: float) -> int:
    """How many Gantt rows fit in `height` points of the frame, at the export's scale."""
    pixels = height * EXPORT_WIDTH / FRAME_WIDTH
    return max(0, int((pixels - GANTT_FRAME_PX) // GANTT_ROW_PX))


def gantt_pages(count: int, first: int = 14, per_page: int = 26) -> list[int]:
    """How many Gantt rows go on each page: up to `first` under the phases chart, the rest shared evenly over as few
    pages of at most `per_page` as will hold them."""
    if count <= first:
        return [count] if count else []
    rest = count - first
    pages = -(-rest // per_page)
    return [first] + [rest // pages + (1 if i < rest % pages else 0) for i in range(pages)]


def gantt_figures(engine: Engine, data: BriefingData, first: int = 14) -> list[go.Figure]:
    """The Timeline page's Gantt for the properties most behind plan, most behind first, split into pages that stay
    readable; every part on the same time axis."""
    late = data.late
    references = late["reference"].head(GANTT_MOST_BEHIND).tolist()
    if not references:
        return []
    filters = queries.Filters(as_at=data.as_at)
    segments = metrics.gantt_segments(queries.milestones(engine, filters, tuple(references)), data.as_at)
    span = [
        segments["start"].min() - pd.Timedelta(days=60),
        max(segments["end"].max(), pd.Timestamp(data.as_at)) + pd.Timedelta(days=30),
    ]
    sizes = gantt_pages(len(references), first=first, per_page=gantt_rows_fitting(FRAME_HEIGHT - 20 * mm))
    figures, start = [], 0
    for size in sizes:
        chunk = references[start : start + size]
        part = segments[segments["row"].isin(chunk)]
        title = f"{len(late)} of {plural(len(data.status), 'property', 'properties')} are behind plan"
        shown = "the most behind first" if len(references) == len(late) else f"the {len(references)} most behind"
        title += f": {shown}" + (f" ({start + 1} to {start + size})" if len(sizes) > 1 else "")
        fig = charts.gantt(part, metrics.lateness(data.status, data.as_at), data.as_at, title)
        # In the pack the rows read most behind first (the page lists them by reference).
        fig.update_yaxes(categoryorder="array", categoryarray=chunk)
        fig.update_xaxes(range=span)
        figures.append(fig)
        start += size
    return figures
