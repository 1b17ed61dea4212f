"""The pages' own charts as images for the pack, drawn offline by kaleido's local Chromium, each with its text
alternative in words; and the property timeline split into pages that stay readable."""

from __future__ import annotations

from concurrent.futures import Future
from io import BytesIO
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from PIL import Image as PILImage
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image
from sqlalchemy import Engine

from dashboard import charts, metrics, queries
from dashboard.briefing.browser import start_chart_browser
from dashboard.briefing.content import BriefingData, forecast_sentence, long_date
from dashboard.briefing.page import EXPORT_WIDTH, FRAME_HEIGHT, FRAME_WIDTH
from dashboard.roles import Actor
from dashboard.wording import listed, plural

GANTT_MOST_BEHIND = 40  # properties drawn on the timeline: the most behind plan


# ---------------------------------------------------------------- figures (the pages' own), exported as PNG


def draw_png(fig: go.Figure, width: int = EXPORT_WIDTH, height: int | None = None) -> Future[bytes]:
    """Start drawing a figure as a PNG at twice its layout size, offline, in kaleido's local Chromium; returns at once
    with the PNG to come. The figure is read now: changing it afterwards does not change the picture."""
    options = {"format": "png", "width": width, "height": height or fig.layout.height or 480, "scale": 2}
    return start_chart_browser().draw(fig.to_dict(), options)


class ChartImage(Image):
    """A chart on the page while Chromium may still be drawing it: its size on the page is known beforehand, and its
    PNG is waited for only when its page is drawn, so the pack is laid out while its charts are drawn."""

    def __init__(self, png: Future[bytes], width: float, height: float, alt: str) -> None:
        # What reportlab's Image sets up, but for reading the picture, which it would do at once. No mask: the
        # picture is made opaque when read, so reportlab neither splits out nor compresses an alpha channel.
        self.hAlign, self._mask, self._drawing, self._dpi, self._lazy = "CENTER", None, None, False, 0
        self.drawWidth, self.drawHeight, self.filename = width, height, "chart"
        self._png, self.alt = png, alt

    def __getattr__(self, name: str) -> Any:
        if name == "_img":  # the picture, read when the page is drawn
            self._img = ImageReader(on_white(self._png.result()))
            return self._img
        return super().__getattr__(name)


def on_white(png: bytes) -> PILImage.Image:
    """The picture laid on white, without its alpha channel: Chromium's PNG has one, though a chart's paper is white
    (charts.styled), and an alpha channel would double what the PDF stores and compresses for every chart."""
    picture = PILImage.open(BytesIO(png))
    if picture.mode != "RGBA":
        return picture.convert("RGB")
    white = PILImage.new("RGBA", picture.size, "white")
    return PILImage.alpha_composite(white, picture).convert("RGB")


def _fitted(width_px: int, height_px: int, max_height: float = FRAME_HEIGHT) -> tuple[float, float]:
    """A picture's size on the page: across the frame's width, scaled down only if it would not fit the height
    available."""
    width = FRAME_WIDTH
    height = width * height_px / width_px
    if height > max_height:
        width, height = width * max_height / height, max_height
    return width, height


def chart_image(fig: go.Figure, alt: str, height: int | None = None, max_height: float = FRAME_HEIGHT) -> ChartImage:
    """The figure as an image on the page, carrying its text alternative (the tagged PDF's /Alt); Chromium starts
    drawing it now."""
    height = height or int(fig.layout.height or 480)
    charts.fit_title(fig, EXPORT_WIDTH)
    png = draw_png(fig, EXPORT_WIDTH, height)
    return ChartImage(png, *_fitted(EXPORT_WIDTH, height, max_height), alt)


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
    late = data.late
    days = dict(zip(late["reference"], late["days_late"], strict=True))
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
    """How many Gantt rows go on each page: up to `first` under the phases chart (none when the phases fill their
    page), the rest shared evenly over as few pages of at most `per_page` as will hold them."""
    if count <= first:
        return [count] if count else []
    rest = count - first
    pages = -(-rest // per_page)
    return ([first] if first else []) + [rest // pages + (1 if i < rest % pages else 0) for i in range(pages)]


def gantt_figures(engine: Engine, actor: Actor, data: BriefingData, first: int = 14) -> list[go.Figure]:
    """The Timeline page's Gantt for the properties most behind plan, most behind first, split into pages that stay
    readable; every part on the same time axis."""
    late = data.late
    references = late["reference"].head(GANTT_MOST_BEHIND).tolist()
    if not references:
        return []
    filters = queries.Filters(as_at=data.as_at, council=data.council)
    segments = metrics.gantt_segments(queries.milestones(engine, actor, filters, tuple(references)), data.as_at)
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
