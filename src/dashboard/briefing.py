"""The Executive Member's briefing pack: an A4 PDF of where the programme stands, what changed since the last briefing,
the main risks, the charts the pages show (exported as images), the districts, and decisions and consultation.

The pack covers the whole programme, as at a date: the app's filters do not narrow it. Its figures come from the same
metrics, tables and charts as the pages, so the pack and the screen agree. Nothing here touches the network: charts
are drawn by a local Chromium (kaleido), geographic maps with the repo's own (empty) base map."""

from __future__ import annotations

import itertools
import logging
import threading
import warnings
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import plotly.graph_objects as go
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import Engine, select

from dashboard import changes, charts, metrics, objectives, placements, provenance, queries, tables
from dashboard.boundaries import load_boundaries
from dashboard.changes import day, listed, plural
from dashboard.config import PROJECT_ROOT
from dashboard.db import session_scope
from dashboard.headline import Outlook, outlook
from dashboard.models import BriefingPack
from dashboard.roles import Actor, Permission

CLASSIFICATIONS = ("OFFICIAL", "OFFICIAL-SENSITIVE")  # Government Security Classifications a pack may carry
ILLUSTRATIVE_NOTE = "Includes illustrative figures, not a council's records"
SYNTHETIC_NOTE = "Synthetic data for demonstration, not a council's records"
GANTT_MOST_BEHIND = 40  # properties drawn on the timeline: the most behind plan
RISKS_LISTED = 6  # properties named on page 1
UNINFORMED_LISTED = 30  # procured properties with no record of councillors informed, listed in the pack
DEFAULT_SINCE_DAYS = 28  # a four-weekly briefing: "changes since" when no pack was ever made
PACKS_LISTED = 5  # packs made, listed on the Briefing page
MAP_MEASURE = "Beds secured"  # every district with a bought property shows; open beds are in the table beside it
TOPOJSON = PROJECT_ROOT / "static" / "topojson"  # an empty base map: geographic figures draw without plotly's CDN

ProgressCallback = Callable[[int, int, str], None]  # (steps done, steps in all, what is being done now)

# ---------------------------------------------------------------- page geometry and type

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TOP_MARGIN = 22 * mm  # room above for the classification marking
BOTTOM_MARGIN = 27 * mm  # room below for the footer
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
FRAME_HEIGHT = PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN
# Charts are laid out at this many CSS pixels across the frame: their 13 px text prints at about 9 pt.
EXPORT_WIDTH = 700
PROGRESS_HEIGHT = 600  # px at EXPORT_WIDTH
TIMELINE_INTRO = 30 * mm  # the timeline page's heading and explanation, above its charts

BLUE = colors.HexColor(charts.DARK_BLUE)
TEXT = colors.HexColor(charts.TEXT)
GREY = colors.HexColor(charts.DARK_GREY)
PALE = colors.HexColor("#F3F2F1")
RULE = colors.HexColor(charts.PALE_GREY)
ORANGE = colors.HexColor(charts.ORANGE)

FONT, BOLD = "Helvetica", "Helvetica-Bold"
STYLES = {
    "kicker": ParagraphStyle("kicker", fontName=BOLD, fontSize=10, leading=13, textColor=GREY),
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=24, leading=29, textColor=BLUE, spaceAfter=4),
    "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=11, leading=15, textColor=GREY, spaceAfter=10),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=15, leading=19, textColor=BLUE, spaceBefore=12, spaceAfter=5),
    "lead": ParagraphStyle("lead", fontName=BOLD, fontSize=12, leading=16, textColor=TEXT, spaceBefore=8, spaceAfter=6),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14.5, textColor=TEXT, spaceAfter=6),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=9, leading=12, textColor=GREY, spaceAfter=4),
    "number": ParagraphStyle("number", fontName=BOLD, fontSize=26, leading=30, textColor=BLUE, alignment=TA_CENTER),
    "label": ParagraphStyle("label", fontName=BOLD, fontSize=9.5, leading=12, textColor=TEXT, alignment=TA_CENTER),
    "share": ParagraphStyle("share", fontName=FONT, fontSize=9, leading=11, textColor=GREY, alignment=TA_CENTER),
    "th": ParagraphStyle("th", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=colors.white),
    "th_right": ParagraphStyle(
        "th_right", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=colors.white, alignment=TA_RIGHT
    ),
    "td": ParagraphStyle("td", fontName=FONT, fontSize=8.5, leading=10.5, textColor=TEXT),
    "td_right": ParagraphStyle(
        "td_right", fontName=FONT, fontSize=8.5, leading=10.5, textColor=TEXT, alignment=TA_RIGHT
    ),
}


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# ---------------------------------------------------------------- the content (pure, shared with the app's preview)


@dataclass(frozen=True)
class BriefingData:
    """Everything the pack shows, read once from the store."""

    as_at: date
    since: date
    strategy: queries.StrategyInfo
    status: pd.DataFrame
    totals: metrics.BedTotals
    forecast: metrics.TargetForecast
    changes: changes.ChangeSummary
    phases: pd.DataFrame
    districts: pd.DataFrame  # metrics.by_district
    decisions: pd.DataFrame  # queries.decisions
    informed: pd.DataFrame  # metrics.councillors_informed
    uninformed: pd.DataFrame  # metrics.uninformed
    boundaries: dict | None
    objective_measures: pd.DataFrame  # objectives.measures, empty when no placement figures are stored
    objective_settings: dict[str, float | None]  # objectives.settings

    @property
    def illustrative(self) -> int:
        return metrics.illustrative_rows(self.status)

    @property
    def synthetic(self) -> int:
        return provenance.rows_with(self.status["provenance"], provenance.SYNTHETIC)

    @property
    def late(self) -> pd.DataFrame:
        return tables.late_table(self.status, self.as_at)

    @property
    def portfolio(self) -> str | None:
        """The portfolio of the latest decision that names one: whose briefing this is."""
        named = self.decisions.dropna(subset=["portfolio"])
        return str(named["portfolio"].iloc[-1]) if not named.empty else None


def check_dates(as_at: date, since: date, today: date) -> None:
    """Refuse dates a pack cannot be made for, with a message a user can act on."""
    if as_at > today:
        raise ValueError(f"the as-at date {as_at:%d/%m/%Y} is in the future: the store holds nothing after today")
    if since > as_at:
        raise ValueError(f"the since date {since:%d/%m/%Y} is after the as-at date {as_at:%d/%m/%Y}")


def gather(engine: Engine, as_at: date, since: date, today: date | None = None) -> BriefingData:
    """Read what the pack shows: the whole programme as at `as_at`, and the changes after `since`."""
    today = today or date.today()
    check_dates(as_at, since, today)
    strategy = queries.strategy_info(engine)
    status = queries.property_status(engine, queries.Filters(as_at=as_at), today)
    return BriefingData(
        as_at=as_at,
        since=since,
        strategy=strategy,
        status=status,
        totals=(totals := metrics.bed_totals(status, strategy.bed_target)),
        forecast=metrics.target_forecast(status, totals, as_at),
        changes=changes.changes_since(engine, since, as_at),
        phases=queries.phases(engine),
        districts=metrics.by_district(status, queries.districts(engine), strategy.bed_target),
        decisions=queries.decisions(engine),
        informed=metrics.councillors_informed(status, as_at),
        uninformed=metrics.uninformed(status, as_at),
        boundaries=load_boundaries(),
        objective_measures=_objective_measures(engine, chosen := objectives.settings(engine), as_at),
        objective_settings=chosen,
    )


def _objective_measures(engine: Engine, chosen: dict[str, float | None], as_at: date) -> pd.DataFrame:
    """The objectives' monthly measures up to the as-at date: a pack for a past date rates what was known then."""
    figures = placements.placement_figures(engine)
    if figures.empty:
        return pd.DataFrame()
    measured = objectives.measures(figures, chosen)
    return measured[measured["month_end"] <= pd.Timestamp(as_at)].reset_index(drop=True)


def headline(data: BriefingData) -> str:
    totals = data.totals
    return f"{totals.open} of {totals.target} beds open; {totals.secured} secured"


def forecast_sentence(data: BriefingData) -> str:
    """The pages' outlook, word for word."""
    said = outlook(data.totals, data.forecast, data.as_at)
    return f"{said.headline} {said.detail}".strip()


# ---------------------------------------------------------------- RAG: each objective against its target

GREEN, AMBER, RED = "Green", "Amber", "Red"
NOT_RATED = "Not rated"  # measured, but there is no target to rate it against
NOT_MEASURED = "Not measured"  # the store holds nothing to measure it with
AMBER_MARGIN = 0.1  # amber: short of the target by no more than a tenth of the target
OUTLOOK_RAG = {"good": GREEN, "neutral": AMBER, "bad": RED}  # the pages' own outlook, as a rating


@dataclass(frozen=True)
class ObjectiveRating:
    objective: str
    rating: str  # GREEN, AMBER, RED, NOT_RATED or NOT_MEASURED: a word, never a colour alone
    reason: str


def rag(value: float, target: float, lower_is_better: bool = False) -> str:
    """The one RAG rule. Green: the target is met. Amber: missed by no more than AMBER_MARGIN of the target (for a
    target of 40%, from 36%; for at most 0.5 moves a child, up to 0.55). Red: missed by more."""
    shortfall = (value - target) if lower_is_better else (target - value)
    if shortfall <= 0:
        return GREEN
    # Inclusive, with room for floating point: 36% against 40% is short by exactly a tenth, so amber.
    return AMBER if shortfall <= AMBER_MARGIN * abs(target) + 1e-9 else RED


def _rating_words(rating: str) -> str:
    return {GREEN: "target met", AMBER: "within a tenth of the target", RED: "more than a tenth short of the target"}[
        rating
    ]


@dataclass(frozen=True)
class _Measured:
    """An objective the SSDA903 figures measure: its column, target setting and how a value reads."""

    objective: str
    column: str
    target_key: str
    what: str  # what the value counts, after it: "in the council's own homes"
    as_percent: bool
    lower_is_better: bool = False

    def value(self, number: float) -> str:
        return f"{number:.0%}" if self.as_percent else f"{number:.2f}"


MEASURED = (
    _Measured(
        "More of the council's own provision",
        "own_share",
        "own_share_target",
        "in the council's own homes",
        as_percent=True,
    ),
    _Measured(
        "More children placed inside the county",
        "inside_share",
        "inside_target",
        "placed inside the county",
        as_percent=True,
    ),
    _Measured(
        "Stable placements",
        "changes_per_child_12m",
        "changes_target",
        "moves per child a year",
        as_percent=False,
        lower_is_better=True,
    ),
)


def _rate_measured(objective: _Measured, measures: pd.DataFrame, chosen: dict[str, float | None]) -> ObjectiveRating:
    found = objectives.latest(measures, objective.column)
    if found is None:
        reason = (
            "The postcode-district lookup is needed to place children inside or outside the county."
            if objective.column == "inside_share"
            else "The placement figures stored cannot measure this."
        )
        return ObjectiveRating(objective.objective, NOT_MEASURED, reason)
    said = f"{objective.value(found.value)} {objective.what} at the end of {found.month_end:%B %Y}"
    target = chosen[objective.target_key]
    if target is None:
        return ObjectiveRating(objective.objective, NOT_RATED, f"{said}; no target is set.")
    goal = target / 100 if objective.as_percent else target
    rating = rag(found.value, goal, objective.lower_is_better)
    bound = "at most " if objective.lower_is_better else ""
    return ObjectiveRating(
        objective.objective, rating, f"{said}; target {bound}{objective.value(goal)}: {_rating_words(rating)}."
    )


def objective_ratings(data: BriefingData) -> list[ObjectiveRating]:
    """A rating, with its reason in words, for the bed target and each of the strategy's objectives."""
    said: Outlook = outlook(data.totals, data.forecast, data.as_at)
    beds = ObjectiveRating(
        f"{data.totals.target} beds open", OUTLOOK_RAG[said.tone], f"{said.headline} {said.detail}".strip()
    )
    measures = data.objective_measures
    if measures.empty:  # one line, not four saying the same
        return [
            beds,
            ObjectiveRating(
                "The strategy's four objectives",
                NOT_MEASURED,
                "No SSDA903 placement figures are in the store: import them to measure "
                "stability, own provision, spend and placements inside the county.",
            ),
        ]
    rated = [_rate_measured(objective, measures, data.objective_settings) for objective in MEASURED]
    to_date = float(measures["cost_avoided_to_date"].iloc[-1])
    rated.append(
        ObjectiveRating(
            "Less spend on the independent sector",
            NOT_RATED,
            f"£{to_date:,.0f} avoided to the end of {measures['month_end'].iloc[-1]:%B %Y} at "
            "the weekly costs set; no target is set.",
        )
    )
    return [beds, *rated]


def bed_numbers(data: BriefingData) -> list[tuple[str, int, str]]:
    """The headline figures: (level, beds, share of the target in words)."""
    totals = data.totals
    levels = [
        ("Open", totals.open),
        ("Registered", totals.registered),
        ("Secured", totals.secured),
        ("In the pipeline", totals.pipeline),
        ("Still to find", totals.still_to_find),
    ]
    return [(label, beds, f"{totals.share(beds):.0%} of {totals.target}") for label, beds in levels]


def changes_heading(data: BriefingData) -> str:
    return f"What changed since {long_date(data.since)}"


def changes_scope(data: BriefingData) -> str:
    summary = data.changes
    span = f"Changes recorded in the store from {long_date(summary.first_day)} to {long_date(summary.until)}"
    if summary.first_day > summary.until:
        return f"{span}: no days in between."
    if summary.nothing:
        return f"{span}."
    # Changes made one by one are counted as changes; a load's hundreds of rows are one load, not hundreds of changes.
    parts = []
    if summary.edits:
        parts.append(f"{plural(summary.edits, 'change')} by {plural(len(summary.editors), 'person', 'people')}")
    if summary.loads:
        parts.append(plural(len(summary.loads), "data load"))
    return f"{span}: {' and '.join(parts)}."


def risk_sentence(data: BriefingData) -> str:
    late = data.late
    if late.empty:
        return "No property is behind its plan."
    worst = late.iloc[0]
    return (
        f"{plural(len(late), 'property is', 'properties are')} behind plan, holding "
        f"{plural(int(late['Beds'].sum()), 'bed')}. Furthest behind: {worst['Property']} ({worst['District']}), "
        f"waiting on {worst['Waiting on']}, {plural(int(worst['Days late']), 'day')} late."
    )


def uninformed_sentence(data: BriefingData) -> str | None:
    if data.uninformed.empty:
        return None
    references = data.uninformed["reference"].tolist()
    return (
        f"{plural(len(references), 'procured property has', 'procured properties have')} no record of local "
        f"councillors being informed: {listed(references, 8)}."
    )


def preview(data: BriefingData) -> dict[str, object]:
    """Page 1 as plain text: what the app shows before anyone downloads the pack."""
    return {
        "properties": len(data.status),
        "illustrative": data.illustrative,
        "synthetic": data.synthetic,
        "headline": headline(data),
        "numbers": bed_numbers(data),
        "forecast": forecast_sentence(data),
        "changes_heading": changes_heading(data),
        "changes_scope": changes_scope(data),
        "changes": changes.change_lines(data.changes),
        "risks": risk_sentence(data),
        "uninformed": uninformed_sentence(data),
        "ratings": objective_ratings(data),
    }


# ---------------------------------------------------------------- the packs made (the app's and the command line's)


@dataclass(frozen=True)
class PackMade:
    as_at: date
    since: date
    made_by: str
    source: str  # app, cli
    made_at: datetime  # UTC, naive as stored
    classification: str | None


def record_pack(
    engine: Engine, actor: Actor, as_at: date, since: date, classification: str | None, made_at: datetime | None = None
) -> PackMade:
    """Record that a pack was made: what it covered, who made it, through what (the actor's source) and when.

    Not an audit row: making a pack changes nothing in the programme, so it is no "change since" in the next pack and
    no entry in a property's history. Nor does it move the store's data version: the app's cached reads stay valid,
    and what reads the packs made reads them uncached."""
    actor.require(Permission.READ)  # whoever may read the briefing may make it
    if classification is not None and classification not in CLASSIFICATIONS:
        raise ValueError(f"classification must be one of {', '.join(CLASSIFICATIONS)}, not '{classification}'")
    made = PackMade(
        as_at, since, actor.user, actor.source, made_at or datetime.now(UTC).replace(tzinfo=None), classification
    )
    with session_scope(engine, actor) as session:
        session.add(
            BriefingPack(
                as_at=made.as_at,
                since=made.since,
                made_by=made.made_by,
                source=made.source,
                made_at=made.made_at,
                classification=made.classification,
            )
        )
    return made


def packs_made(engine: Engine, limit: int = PACKS_LISTED) -> list[PackMade]:
    """The last `limit` packs made, newest first."""
    query = (
        select(
            BriefingPack.as_at,
            BriefingPack.since,
            BriefingPack.made_by,
            BriefingPack.source,
            BriefingPack.made_at,
            BriefingPack.classification,
        )
        .order_by(BriefingPack.made_at.desc(), BriefingPack.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return [PackMade(*row) for row in connection.execute(query)]


def default_since(engine: Engine, as_at: date) -> date:
    """The next pack's "changes since": the day before the last pack was made (UTC). Changes are those after the
    "since" day, so the next pack covers the whole day the last one was made: nothing made later that day is missed
    (something made earlier that day may appear in both). 28 days before `as_at` when no pack was ever made, or when
    the last was made after `as_at` (a pack for a past date)."""
    last = packs_made(engine, 1)
    if last and last[0].made_at.date() <= as_at:
        return last[0].made_at.date() - timedelta(days=1)
    return as_at - timedelta(days=DEFAULT_SINCE_DAYS)


def packs_table(packs: list[PackMade]) -> pd.DataFrame:
    """The packs made as people read them: what each covered, who made it and when."""
    return pd.DataFrame(
        [
            (
                long_date(pack.as_at),
                long_date(pack.since),
                pack.made_by,
                f"{day(pack.made_at)} {pack.made_at:%H:%M}",
                "the app" if pack.source == "app" else "the command line" if pack.source == "cli" else pack.source,
                pack.classification or "None",
            )
            for pack in packs
        ],
        columns=["Data as at", "Changes since", "Made by", "Made (UTC)", "Made in", "Classification"],
    )


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
    days = dict(zip(data.late["Property"], data.late["Days late"], strict=True))
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
    references = late["Property"].head(GANTT_MOST_BEHIND).tolist()
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
        # The as-at label sits on the top axis's year labels: lift it clear of them.
        fig.update_annotations(selector={"text": f"As at {data.as_at:%d %b %Y}"}, yshift=22)
        figures.append(fig)
        start += size
    return figures


# ---------------------------------------------------------------- tables


def _cell(value: object, style: str = "td") -> Paragraph:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        text = ""
    elif isinstance(value, (date, pd.Timestamp)):
        text = f"{value.day} {value:%b %Y}"
    else:
        text = str(value)
    return Paragraph(escape(text), STYLES[style])


def data_table(
    frame: pd.DataFrame, widths: list[float], numeric: Collection[str] = frozenset(), total: list | None = None
) -> Table:
    """A frame as a table: dark blue header with white text, light rules, numbers right-aligned."""
    header = [
        Paragraph(escape(str(column)), STYLES["th_right" if column in numeric else "th"]) for column in frame.columns
    ]
    body = [
        [
            _cell(value, "td_right" if column in numeric else "td")
            for column, value in zip(frame.columns, row, strict=True)
        ]
        for row in frame.itertuples(index=False)
    ]
    rows = [header, *body]
    if total is not None:
        rows.append(
            [Paragraph(f"<b>{escape(str(v))}</b>", STYLES["td_right" if i else "td"]) for i, v in enumerate(total)]
        )
    scale = FRAME_WIDTH / sum(widths)
    table = Table(rows, colWidths=[w * scale for w in widths], repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), BLUE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if total is not None:
        style += [("LINEABOVE", (0, -1), (-1, -1), 1, TEXT), ("BACKGROUND", (0, -1), (-1, -1), PALE)]
    table.setStyle(TableStyle(style))
    return table


def _numbers_panel(data: BriefingData) -> Table:
    """The headline figures as five big numbers, each with its level and share of the target in words."""
    cells = [
        [
            Paragraph(str(beds), STYLES["number"]),
            Paragraph(f"beds {label.lower()}" if label != "Still to find" else "beds still to find", STYLES["label"]),
            Paragraph(share, STYLES["share"]),
        ]
        for label, beds, share in bed_numbers(data)
    ]
    panel = Table([cells], colWidths=[FRAME_WIDTH / len(cells)] * len(cells))
    panel.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PALE),
                ("LINEBEFORE", (1, 0), (-1, -1), 3, colors.white),
                ("LINEABOVE", (0, 0), (-1, 0), 3, BLUE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return panel


# A tag's tint and text colour for each rating (GOV.UK tag colours: the word reads at over 4.5:1 on its tint).
RATING_COLOURS = {
    GREEN: ("#CCE2D8", "#005A30"),
    AMBER: ("#FFF7BF", "#594D00"),
    RED: ("#F4CDC6", "#942514"),
    NOT_RATED: ("#F3F2F1", "#383F43"),
    NOT_MEASURED: ("#F3F2F1", "#383F43"),
}


def _ratings_table(data: BriefingData) -> Table:
    """Each objective's rating, as a word on a tint, and why."""
    ratings = objective_ratings(data)
    rows = [
        [
            Paragraph(escape(rating.objective), STYLES["td"]),
            Paragraph(
                f"<b>{escape(rating.rating)}</b>",
                ParagraphStyle(
                    "rating", parent=STYLES["td"], textColor=colors.HexColor(RATING_COLOURS[rating.rating][1])
                ),
            ),
            Paragraph(escape(rating.reason), STYLES["td"]),
        ]
        for rating in ratings
    ]
    header = [Paragraph(text, STYLES["th"]) for text in ("Objective", "Status", "Why")]
    table = Table(
        [header, *rows], colWidths=[FRAME_WIDTH * share for share in (0.27, 0.13, 0.60)], repeatRows=1, hAlign="LEFT"
    )
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), BLUE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    for row, rating in enumerate(ratings, start=1):
        style.append(("BACKGROUND", (1, row), (1, row), colors.HexColor(RATING_COLOURS[rating.rating][0])))
    table.setStyle(TableStyle(style))
    return table


def _bullets(lines: list[str]) -> ListFlowable:
    return ListFlowable(
        [ListItem(Paragraph(escape(line), STYLES["body"]), leftIndent=12, value="•") for line in lines],
        bulletType="bullet",
        start="•",
        leftIndent=12,
        bulletFontSize=9,
    )


# ---------------------------------------------------------------- the sections


def _page_one(data: BriefingData) -> list[Flowable]:
    strategy = data.strategy
    reader = f"the Executive Member for {data.portfolio}" if data.portfolio else "the Executive Member"
    story: list[Flowable] = [
        Paragraph(escape(f"{strategy.council} · {strategy.name}").upper(), STYLES["kicker"]),
        Paragraph(escape(headline(data)), STYLES["title"]),
        Paragraph(
            escape(
                f"Briefing for {reader}. Data as at {long_date(data.as_at)}; the whole programme, "
                f"{plural(len(data.status), 'property', 'properties')}, against a target of "
                f"{data.totals.target} beds."
            ),
            STYLES["subtitle"],
        ),
        _numbers_panel(data),
        Paragraph(escape(forecast_sentence(data)), STYLES["lead"]),
        Paragraph("Objectives", STYLES["h2"]),
        _ratings_table(data),
        Paragraph(escape(changes_heading(data)), STYLES["h2"]),
        Paragraph(escape(changes_scope(data)), STYLES["small"]),
        _bullets(changes.change_lines(data.changes, limit=4)),
    ]
    if in_detail(data.changes):
        story.append(Paragraph("Every change is listed at the end of this pack.", STYLES["small"]))
    story += [Paragraph("Main risks", STYLES["h2"]), Paragraph(escape(risk_sentence(data)), STYLES["body"])]
    late = data.late
    if not late.empty:
        # Each objective rated beyond two takes a risk's row: page 1 stays one page.
        listed_risks = RISKS_LISTED - max(0, len(objective_ratings(data)) - 2)
        top = late[["Property", "District", "Waiting on", "Days late", "Forecast opening"]].head(listed_risks)
        story.append(data_table(top, [14, 22, 38, 11, 15], numeric={"Days late"}))
        if len(late) > listed_risks:
            story.append(Spacer(1, 3))
            story.append(
                Paragraph(f"and {len(late) - listed_risks} more behind plan: see the timeline.", STYLES["small"])
            )
    uninformed = uninformed_sentence(data)
    if uninformed:
        story.append(Spacer(1, 4))
        story.append(Paragraph(escape(uninformed), STYLES["body"]))
    return story


def _progress_section(data: BriefingData, progress_png: Image, target_png: Image) -> list[Flowable]:
    return [
        PageBreak(),
        Paragraph("Progress to the target", STYLES["h2"]),
        Paragraph(
            "Beds at each level, against the target. Solid lines are what happened; dashed lines the forecast: "
            "each property's planned dates pushed back by its current delay.",
            STYLES["body"],
        ),
        target_png,
        Spacer(1, 6),
        progress_png,
    ]


def _district_section(data: BriefingData, map_png: Image) -> list[Flowable]:
    frame = tables.district_table(data.districts)
    share = "Share of target (beds secured)"
    frame[share] = [f"{value:.0%}" for value in frame[share]]
    frame = frame.drop(columns="ONS code")
    numeric = set(frame.columns[1:])
    sums = data.districts[["properties", "pipeline", "secured", "registered", "open"]].sum()
    total = ["All districts", *(int(v) for v in sums), f"{data.districts['share_of_target'].sum():.0%}"]
    how = (
        "each hexagon is a district, placed roughly where it lies"
        if data.boundaries is None
        else "the districts' boundaries are those installed with the dashboard"
    )
    return [
        PageBreak(),
        Paragraph("Where the beds are", STYLES["h2"]),
        Paragraph(escape(f"The map is shaded by beds secured (bought); {how}."), STYLES["small"]),
        map_png,
        Spacer(1, 8),
        data_table(frame, [24, 11, 12, 11, 12, 10, 14], numeric=numeric, total=total),
    ]


def _timeline_section(data: BriefingData, phases_png: Image, gantt_pngs: list[Image]) -> list[Flowable]:
    story: list[Flowable] = [
        PageBreak(),
        Paragraph("Timeline", STYLES["h2"]),
        Paragraph(
            "Each property has two bars: its plan (thin, grey) and what happened (thick): blue where a stage "
            "took no longer than planned; orange and hatched where it took longer, labelled with the days it "
            "added. Each row ends with how late the property is.",
            STYLES["body"],
        ),
        phases_png,
    ]
    if not gantt_pngs:
        story.append(Paragraph("No property is behind its plan.", STYLES["lead"]))
    for number, png in enumerate(gantt_pngs):
        story += [PageBreak()] if number else [Spacer(1, 6)]
        story.append(png)
    return story


def _decisions_section(data: BriefingData) -> list[Flowable]:
    story: list[Flowable] = [PageBreak(), Paragraph("Decisions and consultation", STYLES["h2"])]
    register = tables.decisions_table(data.decisions)
    if register.empty:
        story.append(Paragraph("No decision is recorded in the store.", STYLES["body"]))
    else:
        story.append(
            Paragraph(
                "The decisions governing the programme, and who must be informed or consulted about "
                "each, as the decision "
                "record's Summary of Requirements to Inform/Consult Councillors reads for its "
                "significance, whether it is "
                "controversial and whether it is an executive function.",
                STYLES["body"],
            )
        )
        shown = register[
            ["Reference", "Date", "Title", "Key decision", "Phases", "Properties", "Councillors to inform or consult"]
        ]
        story.append(data_table(shown, [11, 10, 28, 10, 9, 12, 27], numeric={"Properties"}))
    story.append(Paragraph("Councillors informed", STYLES["h2"]))
    informed, uninformed = data.informed, data.uninformed
    if informed.empty:
        story.append(Paragraph("No property had been procured by the as-at date.", STYLES["body"]))
        return story
    done = len(informed) - len(uninformed)
    story.append(
        Paragraph(
            escape(
                f"The decision record says local councillors are kept informed as each property is procured. Of the "
                f"{plural(len(informed), 'property', 'properties')} procured by "
                f"{long_date(data.as_at)}, councillors were "
                f"informed of {done}" + (f"; there is no record for {len(uninformed)}." if len(uninformed) else ".")
            ),
            STYLES["body"],
        )
    )
    if not uninformed.empty:
        frame = uninformed[["reference", "district", "phase", "procured_on", "days_since_procured"]].rename(
            columns={
                "reference": "Property",
                "district": "District",
                "phase": "Phase",
                "procured_on": "Procured",
                "days_since_procured": "Days since procured",
            }
        )
        story.append(data_table(frame.head(UNINFORMED_LISTED), [16, 26, 16, 16, 16], numeric={"Days since procured"}))
        if len(frame) > UNINFORMED_LISTED:
            story.append(Spacer(1, 3))
            story.append(
                Paragraph(
                    f"and {len(frame) - UNINFORMED_LISTED} more: the app's Decisions page lists them all.",
                    STYLES["small"],
                )
            )
    return story


def in_detail(summary: changes.ChangeSummary) -> bool:
    """Whether the pack ends with the changes in detail: there were changes made one by one, or imports of files. An
    initial load alone has nothing more to say than its line on page 1."""
    return bool(summary.edits or summary.imports)


def _changes_section(data: BriefingData, row_limit: int = 60) -> list[Flowable]:
    """Every change since the earlier date, kind by kind (long lists are cut at `row_limit` rows), then the files
    imported."""
    summary = data.changes
    if not in_detail(summary):
        return []
    story: list[Flowable] = [
        PageBreak(),
        Paragraph(escape(changes_heading(data) + ": in detail"), STYLES["h2"]),
        Paragraph(escape(changes_scope(data)), STYLES["small"]),
    ]

    def part(title: str, frame: pd.DataFrame, widths: list[float], numeric: Collection[str] = frozenset()) -> None:
        if frame.empty:
            return
        heading = Paragraph(escape(f"{title} ({len(frame)})"), STYLES["lead"])
        story.append(CondPageBreak(60 * mm))
        story.append(KeepTogether([heading, data_table(frame.head(row_limit), widths, numeric)]))
        if len(frame) > row_limit:
            story.append(Spacer(1, 3))
            story.append(
                Paragraph(
                    f"and {len(frame) - row_limit} more. The audit trail holds them all: analysts can "
                    "export every table as CSV from the dashboard's Export page.",
                    STYLES["small"],
                )
            )

    part(
        "Properties added",
        pd.DataFrame(
            [(p.reference, p.district, p.phase, p.planned_beds) for p in summary.properties_added],
            columns=["Property", "District", "Phase", "Planned beds"],
        ),
        [20, 35, 25, 20],
        {"Planned beds"},
    )
    part(
        "Stages reached",
        pd.DataFrame(
            [(s.reference, s.label, s.on) for s in summary.stages_reached], columns=["Property", "Stage", "Date"]
        ),
        [20, 55, 25],
    )
    part(
        "Beds added or changed",
        pd.DataFrame(
            [
                (b.reference, b.level.capitalize(), b.before, b.after, f"{b.difference:+d}")
                for b in summary.beds_changed
            ],
            columns=["Property", "Beds", "Before", "After", "Change"],
        ),
        [25, 25, 15, 15, 20],
        {"Before", "After", "Change"},
    )
    for title, moves in (
        ("Planned dates slipped", summary.slipped),
        ("Planned dates brought forward", summary.brought_forward),
    ):
        part(
            title,
            pd.DataFrame(
                [(m.reference, m.label, m.before, m.after, abs(m.days)) for m in moves],
                columns=["Property", "Stage", "Was planned for", "Now planned for", "Days"],
            ),
            [16, 40, 16, 16, 12],
            {"Days"},
        )
    decisions = [(d.reference, d.decided_on, d.title) for d in summary.decisions_added]
    part("Decisions added", pd.DataFrame(decisions, columns=["Reference", "Date", "Title"]), [15, 15, 70])
    informed = pd.DataFrame(summary.councillors_informed, columns=["Property", "Informed on"])
    part("Councillors informed recorded", informed, [50, 50])
    part("Properties removed", pd.DataFrame({"Property": list(summary.properties_removed)}), [100])
    if summary.other:
        also = "; ".join(f"{what} ({count})" for what, count in summary.other.items())
        story += [Spacer(1, 6), Paragraph(escape(f"Also changed: {also}."), STYLES["body"])]
    if summary.imports:
        # An import's rows are counted, not listed as news: the properties it updated are named for whoever checks.
        rows = [
            (load.on, load.file, load.user, changes.load_what(load), listed(list(load.properties_updated), 8) or "None")
            for load in summary.imports
        ]
        part(
            "Files imported",
            pd.DataFrame(rows, columns=["Date", "File", "By", "What it wrote", "Properties it updated"]),
            [12, 20, 18, 24, 26],
        )
        story.append(
            Paragraph(
                "An import brings in a spreadsheet as it stands. Its changes are counted rather than "
                "listed one by one: "
                "they may correct or restate earlier records as well as record progress.",
                STYLES["small"],
            )
        )
    return story


# ---------------------------------------------------------------- page furniture


def _furniture(data: BriefingData, classification: str | None) -> Callable[[Canvas, int, int], None]:
    """Draws the marking at the top and bottom and the footer on a page, once the page count is known."""
    as_at = f"{data.strategy.name} briefing. Data as at {long_date(data.as_at)}"
    note = SYNTHETIC_NOTE if data.synthetic else ILLUSTRATIVE_NOTE if data.illustrative else None

    def draw(canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        if classification:
            canvas.setFont(BOLD, 11)
            canvas.setFillColor(colors.black)
            canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 12 * mm, classification)
            canvas.drawCentredString(PAGE_WIDTH / 2, 7 * mm, classification)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, 21 * mm, PAGE_WIDTH - MARGIN, 21 * mm)
        canvas.setFillColor(GREY)
        canvas.setFont(FONT, 8.5)
        canvas.drawString(MARGIN, 16.5 * mm, as_at)
        canvas.setFont(BOLD, 8.5)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 16.5 * mm, f"Page {number} of {total}")
        if note:
            canvas.setFillColor(TEXT)
            canvas.drawString(MARGIN, 12.5 * mm, note)
        canvas.restoreState()

    return draw


# ---------------------------------------------------------------- tagging: a PDF that screen readers can follow

LANGUAGE = "en-GB"
HEADING_ROLES = {"title": "H1", "h2": "H2"}  # a paragraph's structure role by its style; any other is a P


@dataclass
class _Element:
    """A structure element: a leaf holds one marked-content sequence (page and id); a group (a table, a row) holds
    its kids."""

    role: str  # P, H1, H2, L, Figure, Table, TR, TH, TD
    page: int  # 0-based: where its content is, or a group's first
    mcid: int | None = None
    alt: str | None = None
    kids: list[_Element] = field(default_factory=list)


class Tagged(Flowable):
    """A flowable drawn as one marked-content sequence, recorded as a structure element of the document (a heading,
    paragraph, list or figure with its text alternative). A part split over pages is tagged on each."""

    def __init__(self, role: str, inner: Flowable, alt: str | None = None) -> None:
        super().__init__()
        self.role, self.inner, self.alt = role, inner, alt

    def wrapOn(self, canv: Canvas, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = self.inner.wrapOn(canv, available_width, available_height)
        return self.width, self.height

    # A frame sets `canv` on the flowable it lays out and calls wrap and split: the inner flowable needs it too.
    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.wrapOn(self.canv, available_width, available_height)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return self.splitOn(self.canv, available_width, available_height)

    def splitOn(self, canv: Canvas, available_width: float, available_height: float) -> list[Flowable]:
        return [
            Tagged(self.role, part, self.alt) for part in self.inner.splitOn(canv, available_width, available_height)
        ]

    def getSpaceBefore(self) -> float:
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.inner.getSpaceAfter()

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        tagging = hasattr(canvas, "begin_marked")
        if tagging:
            canvas.begin_marked(self.role, self.alt)
        self.inner.drawOn(canvas, x, y, _sW)
        if tagging:
            canvas.end_marked()


def _tag_table(table: Table, event: str, *args: object) -> None:
    """reportlab's table-drawing callback: a table of rows of header (TH) and data (TD) cells, so a screen reader can
    move along rows and columns; its backgrounds and rules are artifacts. Split parts keep the callback."""
    canvas = table.canv
    if not hasattr(canvas, "begin_marked"):
        return
    if event in ("startTable", "startRow"):
        canvas.begin_group("Table" if event == "startTable" else "TR")
    elif event in ("endTable", "endRow"):
        canvas.end_group()
    elif event in ("startBG", "startLines"):
        canvas.begin_artifact()
    elif event in ("endBG", "endLines", "endCell"):
        canvas.end_marked()
    elif event == "startCell":
        canvas.begin_marked("TH" if args[0] < table.repeatRows else "TD", None)


def tag_story(story: list[Flowable]) -> list[Flowable]:
    """The story with each paragraph, table, list and chart tagged by its role; spacers and breaks as they are."""
    tagged: list[Flowable] = []
    for flowable in story:
        if isinstance(flowable, KeepTogether):
            tagged.append(KeepTogether(tag_story(flowable._content)))
        elif isinstance(flowable, Paragraph):
            tagged.append(Tagged(HEADING_ROLES.get(flowable.style.name, "P"), flowable))
        elif isinstance(flowable, Image):
            tagged.append(Tagged("Figure", flowable, getattr(flowable, "alt", None)))
        elif isinstance(flowable, Table):
            flowable._renderCB = _tag_table  # reportlab's hook: tagged cell by cell as it is drawn
            tagged.append(flowable)
        elif isinstance(flowable, ListFlowable):
            tagged.append(Tagged("L", flowable))
        else:
            tagged.append(flowable)
    return tagged


class TaggedCanvas(Canvas):
    """A canvas that holds its pages until the end, so each can say "Page n of N" (its `furniture`), and that writes
    a tagged PDF: content marked and tied to a structure tree, the page furniture marked as artifacts a screen reader
    skips."""

    def furniture(self, number: int, total: int) -> None:
        """Draws the page furniture on page `number` of `total`: none here."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._elements: list[_Element] = []  # the document's, in reading order
        self._open: list[_Element] = []  # the groups being drawn, innermost last
        self._page_mcids = 0
        self._page_names: list[str] = []

    def _add(self, element: _Element) -> _Element:
        (self._open[-1].kids if self._open else self._elements).append(element)
        return element

    def begin_marked(self, role: str, alt: str | None) -> None:
        self._add(_Element(role, len(self._pages), self._page_mcids, alt))
        self._code.append(f"/{role} <</MCID {self._page_mcids}>> BDC")
        self._page_mcids += 1

    def end_marked(self) -> None:
        self._code.append("EMC")

    def begin_group(self, role: str) -> None:
        self._open.append(self._add(_Element(role, len(self._pages))))

    def end_group(self) -> None:
        self._open.pop()

    def begin_artifact(self) -> None:
        self._code.append("/Artifact BMC")

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()
        self._page_mcids = 0

    def save(self) -> None:
        add_page = self._doc.addPage

        def add_tagged_page(page) -> None:  # each page points into the structure tree's parent tree
            page.StructParents, page.Tabs = len(self._page_names), PDFName("S")
            page.__NoDefault__ = [*page.__NoDefault__, "StructParents", "Tabs"]
            self._page_names.append(self._doc.thisPageName())
            add_page(page)

        self._doc.addPage = add_tagged_page
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self._code.append("/Artifact <</Type /Pagination>> BDC")
            self.furniture(number, len(self._pages))
            self._code.append("EMC")
            super().showPage()
        self._structure_tree()
        super().save()

    def _structure_tree(self) -> None:
        doc = self._doc
        root, document = PDFObjectReference("StructRoot"), PDFObjectReference("StructDoc")
        leaves: dict[int, dict[int, PDFObjectReference]] = {}  # page -> MCID -> its element
        numbered = itertools.count()

        def write(element: _Element, parent: PDFObjectReference) -> PDFObjectReference:
            reference = PDFObjectReference(f"StructElem{next(numbered)}")
            fields = {
                "Type": PDFName("StructElem"),
                "S": PDFName(element.role),
                "P": parent,
                "Pg": PDFObjectReference(self._page_names[element.page]),
            }
            if element.mcid is None:
                fields["K"] = PDFArray([write(kid, reference) for kid in element.kids])
            else:
                fields["K"] = element.mcid
                leaves.setdefault(element.page, {})[element.mcid] = reference
            if element.alt:
                fields["Alt"] = PDFString(element.alt)
            doc.Reference(PDFDictionary(fields), reference.name)
            return reference

        kids = [write(element, document) for element in self._elements]
        doc.Reference(
            PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName("Document"), "P": root, "K": PDFArray(kids)}),
            document.name,
        )
        numbers: list = []
        for page in range(len(self._page_names)):
            on_page = leaves.get(page, {})
            numbers += [page, PDFArray([on_page[mcid] for mcid in sorted(on_page)])]
        doc.Reference(PDFDictionary({"Nums": PDFArray(numbers)}), "StructPT")
        doc.Reference(
            PDFDictionary(
                {
                    "Type": PDFName("StructTreeRoot"),
                    "K": document,
                    "ParentTree": PDFObjectReference("StructPT"),
                    "ParentTreeNextKey": len(self._page_names),
                }
            ),
            root.name,
        )
        doc.Catalog.StructTreeRoot = root
        doc.Catalog.MarkInfo = PDFDictionary({"Marked": "true"})
        self.setViewerPreference("DisplayDocTitle", "true")  # a reader's title bar shows the title, not the file


def _numbered_canvas(draw: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """The tagged canvas, with `draw` drawing the furniture on every page."""

    class NumberedCanvas(TaggedCanvas):
        def furniture(self, number: int, total: int) -> None:
            draw(self, number, total)

    return NumberedCanvas


# ---------------------------------------------------------------- the pack


def build_briefing(
    engine: Engine,
    as_at: date,
    since: date,
    classification: str | None,
    out: Path,
    on_progress: ProgressCallback | None = None,
) -> Path:
    """Write the briefing pack as at `as_at`, with the changes after `since`, to `out` (an A4 PDF)."""
    if classification is not None and classification not in CLASSIFICATIONS:
        raise ValueError(f"classification must be one of {', '.join(CLASSIFICATIONS)}, not '{classification}'")
    report = on_progress or (lambda _done, _total, _step: None)
    total = 6
    report(0, total, "Reading the store")
    start_chart_browser()  # Chromium starts while the store is read
    data = gather(engine, as_at, since)
    phase_figure = charts.phase_chart(metrics.phase_spans(data.phases, data.status, as_at), as_at)
    # The first part of the property timeline goes under the phases, in the room they leave on the page.
    phases_height = FRAME_WIDTH * (phase_figure.layout.height or 480) / EXPORT_WIDTH
    gantts = gantt_figures(engine, data, first=gantt_rows_fitting(FRAME_HEIGHT - TIMELINE_INTRO - phases_height))
    total = 5 + len(gantts)

    report(1, total, "Drawing the progress chart")
    cumulative = metrics.cumulative_beds(data.status, as_at)
    # Taller on paper than on screen: the page has the room, and the step lines separate.
    progress = _chart(
        charts.progress_chart(cumulative, data.phases, as_at, data.totals), progress_alt(data), height=PROGRESS_HEIGHT
    )
    target = _chart(charts.target_bar(data.totals), target_alt(data))
    report(2, total, "Drawing the district map")
    measure = metrics.DISTRICT_MEASURES[MAP_MEASURE]
    if data.boundaries:
        district_map = charts.district_choropleth(data.districts, data.boundaries, measure, MAP_MEASURE)
    else:
        district_map = charts.district_tile_map(data.districts, measure, MAP_MEASURE)
    # A real map is drawn taller than the page shows it: the county fills the width, its small districts readable.
    map_png = _chart(district_map, map_alt(data), height=560 if data.boundaries else None, max_height=135 * mm)
    report(3, total, "Drawing the timeline")
    phases_png = _chart(phase_figure, phases_alt(data))
    gantt_pngs = []
    for number, figure in enumerate(gantts):
        report(4 + number, total, f"Drawing the property timeline ({number + 1} of {len(gantts)})")
        gantt_pngs.append(_chart(figure, gantt_alt(data, figure), max_height=FRAME_HEIGHT - 20 * mm))

    report(total - 1, total, "Writing the PDF")
    story = [
        *_page_one(data),
        *_progress_section(data, progress, target),
        *_district_section(data, map_png),
        *_timeline_section(data, phases_png, gantt_pngs),
        *_decisions_section(data),
        *_changes_section(data),
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    document = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=f"{data.strategy.name}: briefing as at {long_date(as_at)}",
        author=data.strategy.council,
        subject="Briefing for the Executive Member" + (f". {classification}" if classification else ""),
        lang=LANGUAGE,
    )
    document.build(tag_story(story), canvasmaker=_numbered_canvas(_furniture(data, classification)))
    report(total, total, "Done")
    return out
