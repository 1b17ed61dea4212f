"""The region's briefing pack: the councils' programmes side by side and their beds together against the region's
target, as an A4 PDF for the councils' members and the co-operative's board. Programme-level figures only, as the
Region page shows them: a regional viewer may make it, and no property of any council is named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer
from sqlalchemy import Engine

from dashboard import charts, queries, region, tables
from dashboard.boundaries import load_boundaries
from dashboard.briefing.browser import start_chart_browser
from dashboard.briefing.content import (
    CLASSIFICATIONS,
    ILLUSTRATIVE_NOTE,
    SYNTHETIC_NOTE,
    check_dates,
    level_numbers,
    long_date,
)
from dashboard.briefing.images import chart_image
from dashboard.briefing.page import STYLES
from dashboard.briefing.pdf import ProgressCallback, data_table, furniture, numbers_panel, widths_to_fit, write_pack
from dashboard.metrics import BedTotals
from dashboard.provenance import ILLUSTRATIVE, SYNTHETIC, Banner
from dashboard.roles import Actor
from dashboard.wording import listed, plural

# The levels compared between the two dates, as the pack says them.
LEVELS = {"open": "open", "registered": "registered", "secured": "secured", "pipeline": "in the pipeline"}


@dataclass(frozen=True)
class RegionBriefingData:
    """What the region's pack shows: the Region page's figures as at `as_at`, and as at `since` to say what moved."""

    as_at: date
    since: date
    name: str | None  # the region's (data/reference/region.toml), if the store names one
    target: int | None  # the region's joint target, if it has one
    now: region.RegionFigures
    before: pd.DataFrame  # region.councils_side_by_side as at `since`
    boundaries: dict | None = None  # the district boundaries installed (boundaries.load_boundaries)

    @property
    def totals(self) -> BedTotals:
        return region.region_totals(self.now.side_by_side, self.target)

    @property
    def totals_before(self) -> BedTotals:
        return region.region_totals(self.before, self.target)

    @property
    def title(self) -> str:
        """What the pack is, as its footer and the PDF's title say."""
        return f"{self.name}: regional briefing" if self.name else "Regional briefing"

    @property
    def against(self) -> str:
        """What the region's beds are counted against, in words."""
        if self.target is not None:
            return f"the region's joint target of {self.target} beds"
        return f"the councils' targets added up ({self.totals.target} beds)"


def gather_region(
    engine: Engine, actor: Actor, as_at: date, since: date, today: date | None = None
) -> RegionBriefingData:
    """Read the region's figures as at `as_at` and as at `since`, for an actor who may read the region's."""
    today = today or date.today()
    check_dates(as_at, since, today)
    info = queries.region_info(engine)
    return RegionBriefingData(
        as_at=as_at,
        since=since,
        name=info.name if info else None,
        target=info.bed_target if info else None,
        now=region.region_figures(engine, actor, as_at, today),
        before=region.region_figures(engine, actor, since, today).side_by_side,
        boundaries=load_boundaries(),
    )


# ---------------------------------------------------------------- what the pack says (pure)


def region_headline(data: RegionBriefingData) -> str:
    totals = data.totals
    councils = len(data.now.side_by_side)
    return f"{totals.open} of {totals.target} beds open across {plural(councils, 'council')}; {totals.secured} secured"


def _levels(figures: BedTotals | pd.Series) -> dict[str, int]:
    return {
        level: int(getattr(figures, level) if isinstance(figures, BedTotals) else figures[level]) for level in LEVELS
    }


def _moved(now: dict[str, int], before: dict[str, int]) -> list[str]:
    """Each level whose beds moved, as "open 12 to 15 (+3)"."""
    return [
        f"{words} {before[level]} to {now[level]} ({now[level] - before[level]:+d})"
        for level, words in LEVELS.items()
        if now[level] != before[level]
    ]


def movement_lines(data: RegionBriefingData) -> list[str]:
    """What moved between the two dates: the region's beds at each level, then each council's, as recorded on
    each date (the same figures the Region page gives as at each)."""
    region_moved = _moved(_levels(data.totals), _levels(data.totals_before))
    if not region_moved:
        return [f"No council's beds moved between {long_date(data.since)} and {long_date(data.as_at)}."]
    lines = [f"Across the region, beds {'; '.join(region_moved)}."]
    before = data.before.set_index("council")
    still = []
    for _, row in data.now.side_by_side.iterrows():
        moved = _moved(_levels(row), _levels(before.loc[row["council"]]))
        if moved:
            lines.append(f"{row['council']}: beds {'; '.join(moved)}.")
        else:
            still.append(str(row["council"]))
    if still:
        lines.append(f"No change in {listed(still, 10)}.")
    return lines


def councils_table(data: RegionBriefingData) -> tuple[pd.DataFrame, list[object]]:
    """The Region page's table as the pack prints it (shares as percentages), and its total row: the region's
    beds against what it is counted against."""
    frame = tables.region_table(data.now.side_by_side)
    for share in ("Open, % of target", "In-house, % of beds"):
        frame[share] = [None if pd.isna(value) else f"{value}%" for value in frame[share]]
    if "Forecast need at" in frame.columns:
        frame["Forecast need at"] = [
            None if pd.isna(value) else f"{value:%b %Y}" for value in frame["Forecast need at"]
        ]
    totals = data.totals
    late = int(data.now.side_by_side["late_properties"].sum())
    total: list[object] = ["The region", totals.target, totals.open, totals.registered, totals.secured]
    total += [totals.pipeline, totals.still_to_find, f"{totals.share(totals.open):.0%}", late]
    total += [""] * (len(frame.columns) - len(total))
    return frame, total


def bars_alt(data: RegionBriefingData) -> str:
    side = data.now.side_by_side
    each = "; ".join(
        f"{row.council} {row.open} open, {row.secured} secured, {row.pipeline} in the pipeline, target {row.target}"
        for row in side.itertuples(index=False)
    )
    return f"Bar chart of each council's beds against its own target: {each}."


def total_alt(data: RegionBriefingData) -> str:
    totals = data.totals
    return (
        f"Bar of the region's {totals.target} beds: {totals.open} open, {totals.registered} registered, "
        f"{totals.secured} secured, {totals.pipeline} more in the pipeline and {totals.still_to_find} still to find."
    )


def map_alt(data: RegionBriefingData, drawn: pd.DataFrame) -> str:
    councils = drawn.groupby("council", sort=False)["secured"].sum()
    each = ", ".join(f"{council} {plural(int(beds), 'bed')}" for council, beds in councils.items())
    top = drawn.sort_values(["secured", "name"], ascending=[False, True]).head(5)
    most = ", ".join(f"{row.name} ({row.council}) {int(row.secured)}" for row in top.itertuples() if row.secured)
    return f"Map of the region's districts shaded by beds secured. By council: {each}. Most: {most or 'none yet'}."


def banner_note(data: RegionBriefingData) -> str | None:
    """The footer's note on every page, where any council's figures are not its records."""
    kinds = {banner.kind for banner in data.now.banners}
    return SYNTHETIC_NOTE if SYNTHETIC in kinds else ILLUSTRATIVE_NOTE if ILLUSTRATIVE in kinds else None


def banner_markup(banner: Banner) -> str:
    """A page's banner as the PDF's paragraph markup: its title in bold, its text without markdown's code marks."""
    return f"<b>{escape(banner.title)}.</b> {escape(banner.text.replace('`', ''))}"


# ---------------------------------------------------------------- the PDF


def _page_one(data: RegionBriefingData) -> list[Flowable]:
    side = data.now.side_by_side
    frame, total = councils_table(data)
    numeric = [column for column in frame.columns if column not in ("Council", "Target open by (forecast)")]
    kicker = data.name or "The region"
    story: list[Flowable] = [
        Paragraph(escape(f"{kicker} · the councils' children's homes programmes").upper(), STYLES["kicker"]),
        Paragraph(escape(region_headline(data)), STYLES["title"]),
        Paragraph(
            escape(
                f"Regional briefing. Data as at {long_date(data.as_at)}; {plural(len(side), 'council')}' "
                f"programmes, counted against {data.against}. Programme-level figures only: each council's "
                "properties are in its own pack."
            ),
            STYLES["subtitle"],
        ),
        numbers_panel(level_numbers(data.totals)),
    ]
    story += [Paragraph(banner_markup(banner), STYLES["small"]) for banner in data.now.banners]
    story += [
        Paragraph(escape(f"What moved since {long_date(data.since)}"), STYLES["h2"]),
        *[Paragraph(escape(line), STYLES["body"]) for line in movement_lines(data)],
        Paragraph("Councils side by side", STYLES["h2"]),
        data_table(frame, widths_to_fit(frame), numeric, total),
        Spacer(1, 4),
        Paragraph(
            escape(
                "Properties late: those behind their plan on the as-at date. Target open by: when each council's "
                "beds open reach its target, if every property keeps its current delay. The region's row counts "
                f"its beds against {data.against}."
            ),
            STYLES["small"],
        ),
    ]
    if note := region.need_note(side):
        story.append(Paragraph(escape(note), STYLES["small"]))
    return story


def _map_section(data: RegionBriefingData, mapped: region.DistrictMap) -> list[Flowable]:
    """The region's districts on their installed boundaries, with what the map leaves out; a sentence alone where no
    council's boundaries are installed."""
    # A pack is read away from the store: the command that installs boundaries is the app's to say.
    said = region.boundaries_caption(mapped.without, len(data.now.side_by_side), hint=False)
    story: list[Flowable] = [Paragraph("Districts across the region", STYLES["h2"])]
    if mapped.boundaries is not None:
        story.insert(0, PageBreak())  # a map takes a page of its own; the sentence alone follows the charts
        figure = charts.region_choropleth(mapped.districts, mapped.boundaries)
        story.append(chart_image(figure, map_alt(data, mapped.districts), max_height=170 * mm))
    if said:
        story.append(Paragraph(escape(said), STYLES["small"]))
    return story


def build_region_briefing(
    engine: Engine,
    actor: Actor,
    as_at: date,
    since: date,
    classification: str | None,
    out: Path,
    on_progress: ProgressCallback | None = None,
) -> Path:
    """Write the region's briefing pack as at `as_at`, with what moved since `since`, to `out` (an A4 PDF)."""
    if classification is not None and classification not in CLASSIFICATIONS:
        raise ValueError(f"classification must be one of {', '.join(CLASSIFICATIONS)}, not '{classification}'")
    report = on_progress or (lambda _done, _total, _step: None)
    total = 3
    report(0, total, "Reading the councils' programmes")
    start_chart_browser()  # Chromium starts while the store is read
    data = gather_region(engine, actor, as_at, since)
    report(1, total, "Drawing the charts")
    bars = chart_image(charts.region_bars(data.now.side_by_side), bars_alt(data))
    target = chart_image(charts.target_bar(data.totals), total_alt(data))
    mapped = region.district_map(data.now.districts, data.boundaries)
    report(2, total, "Writing the PDF")
    story = [
        *_page_one(data),
        PageBreak(),
        Paragraph("Beds against each target", STYLES["h2"]),
        Paragraph(
            escape(
                f"The region's beds at each level, against {data.against}; then each council's beds against its "
                "own target (the line across its bar)."
            ),
            STYLES["body"],
        ),
        target,
        Spacer(1, 6),
        bars,
        *_map_section(data, mapped),
    ]
    write_pack(
        out,
        story,
        title=f"{data.title} as at {long_date(as_at)}",
        author=data.name or ", ".join(data.now.side_by_side["council"]),
        subject="Regional briefing" + (f". {classification}" if classification else ""),
        draw=furniture(f"{data.title}. Data as at {long_date(as_at)}", banner_note(data), classification),
    )
    report(total, total, "Done")
    return out
