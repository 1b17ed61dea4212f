"""The briefing pack as an A4 PDF: its tables, sections and page furniture laid out with reportlab, the charts drawn
as images, the whole tagged; `build_briefing` writes it."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
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
from sqlalchemy import Engine

from dashboard import changes, charts, metrics, tables
from dashboard.briefing.browser import start_chart_browser
from dashboard.briefing.content import (
    CLASSIFICATIONS,
    ILLUSTRATIVE_NOTE,
    SYNTHETIC_NOTE,
    BriefingData,
    Rating,
    bed_numbers,
    changes_heading,
    changes_scope,
    forecast_sentence,
    gather,
    headline,
    long_date,
    need_sentence,
    objective_ratings,
    risk_sentence,
    uninformed_sentence,
)
from dashboard.briefing.images import (
    chart_image,
    gantt_alt,
    gantt_figures,
    gantt_rows_fitting,
    map_alt,
    phases_alt,
    progress_alt,
    target_alt,
)
from dashboard.briefing.page import (
    BLUE,
    BOLD,
    BOTTOM_MARGIN,
    EXPORT_WIDTH,
    FONT,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    GREY,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PALE,
    PROGRESS_HEIGHT,
    RULE,
    STYLES,
    TEXT,
    TIMELINE_INTRO,
    TOP_MARGIN,
)
from dashboard.briefing.tagging import LANGUAGE, _numbered_canvas, tag_story
from dashboard.roles import Actor
from dashboard.wording import listed, plural

RISKS_LISTED = 6  # properties named on page 1
UNINFORMED_LISTED = 30  # procured properties with no record of councillors informed, listed in the pack
MAP_MEASURE = "Beds secured"  # every district with a bought property shows; open beds are in the table beside it

ProgressCallback = Callable[[int, int, str], None]  # (steps done, steps in all, what is being done now)

# Streams are written as binary, not as ASCII text: reportlab's ASCII encoder is pure Python, and took seconds over a
# pack's charts. The pages are the same.
rl_config.useA85 = 0


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


def widths_to_fit(frame: pd.DataFrame) -> list[float]:
    """Column widths (in proportion, for data_table) that keep each header's longest word and each value on one
    line where the frame's width allows: a word broken across lines is hard to read."""
    padding = 10  # the cell's own, both sides, and a little to spare

    def widest(column: str) -> float:
        words = [stringWidth(word, BOLD, STYLES["th"].fontSize) for word in str(column).split()]
        values = [stringWidth(_cell(value).text, FONT, STYLES["td"].fontSize) for value in frame[column]]
        return max([*words, *values]) + padding

    return [widest(column) for column in frame.columns]


def numbers_panel(numbers: list[tuple[str, int, str]]) -> Table:
    """The headline figures (content.level_numbers) as five big numbers, each with its level and share of the
    target in words."""
    cells = [
        [
            Paragraph(str(beds), STYLES["number"]),
            Paragraph(f"beds {label.lower()}" if label != "Still to find" else "beds still to find", STYLES["label"]),
            Paragraph(share, STYLES["share"]),
        ]
        for label, beds, share in numbers
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
    Rating.GREEN: ("#CCE2D8", "#005A30"),
    Rating.AMBER: ("#FFF7BF", "#594D00"),
    Rating.RED: ("#F4CDC6", "#942514"),
    Rating.NOT_RATED: ("#F3F2F1", "#383F43"),
    Rating.NOT_MEASURED: ("#F3F2F1", "#383F43"),
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


RISK_COLUMNS = ["Property", "District", "Waiting on", "Days late", "Forecast opening"]
RISK_WIDTHS: list[float] = [14, 22, 38, 11, 15]
NOTED_WIDTHS: list[float] = [12, 16, 24, 8, 12, 34]  # the same, and each property's status note


def _risks_table(late: pd.DataFrame, most: int, room: float) -> tuple[Table, int]:
    """The `most` properties furthest behind, and how many it lists. When any has a status note, the notes are
    beside them, for as many properties as fit in `room` (points: page 1 stays one page), each with its whole note."""
    top = late.head(most)
    if not top[tables.STATUS_NOTE].any():
        return data_table(top[RISK_COLUMNS], RISK_WIDTHS, numeric={"Days late"}), len(top)
    count = len(top)
    while True:  # the furthest behind is listed whatever its note
        noted = data_table(top[[*RISK_COLUMNS, tables.STATUS_NOTE]].head(count), NOTED_WIDTHS, numeric={"Days late"})
        if count == 1 or noted.wrap(FRAME_WIDTH, FRAME_HEIGHT)[1] <= room:
            return noted, count
        count -= 1


FRAME_PADDING = 6  # reportlab's frame pads its content by this, above and below
# The frame's own padding and a little to spare, off the room page 1 has left.
PAGE_ONE_SPARE = 16


def _height(flowables: list[Flowable]) -> float:
    """The points `flowables` take down the page, as the frame lays them out: a flowable's space before is what it
    asks beyond the space after the one above it. Laid out on a scratch canvas (a list needs one to measure itself)."""
    scratch, total, above = Canvas(BytesIO()), 0.0, 0.0
    for flowable in flowables:
        height = flowable.wrapOn(scratch, FRAME_WIDTH, FRAME_HEIGHT)[1]
        total += height + max(flowable.getSpaceBefore() - above, 0) + flowable.getSpaceAfter()
        above = flowable.getSpaceAfter()
    return total


def _more_behind(count: int) -> list[Flowable]:
    return [Spacer(1, 3), Paragraph(f"and {count} more behind plan: see the timeline.", STYLES["small"])]


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
        numbers_panel(bed_numbers(data)),
        Paragraph(escape(forecast_sentence(data)), STYLES["lead"]),
        *([Paragraph(escape(said), STYLES["body"])] if (said := need_sentence(data)) else []),
        Paragraph("Objectives", STYLES["h2"]),
        _ratings_table(data),
        Paragraph(escape(changes_heading(data)), STYLES["h2"]),
        Paragraph(escape(changes_scope(data)), STYLES["small"]),
        _bullets(changes.change_lines(data.changes, limit=4)),
    ]
    if in_detail(data.changes):
        story.append(Paragraph("Every change is listed at the end of this pack.", STYLES["small"]))
    story += [Paragraph("Main risks", STYLES["h2"]), Paragraph(escape(risk_sentence(data)), STYLES["body"])]
    late = tables.late_table(data.status, data.as_at)
    uninformed = uninformed_sentence(data)
    after = [Spacer(1, 4), Paragraph(escape(uninformed), STYLES["body"])] if uninformed else []
    if not late.empty:
        # Each objective rated beyond two takes a risk's row: page 1 stays one page.
        listed_risks = RISKS_LISTED - max(0, len(objective_ratings(data)) - 2)
        room = FRAME_HEIGHT - PAGE_ONE_SPARE - _height([*story, *_more_behind(len(late)), *after])
        risks, listed = _risks_table(late, listed_risks, room)
        story.append(risks)
        if len(late) > listed:
            story += _more_behind(len(late) - listed)
    return story + after


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
    as_at = f"{data.strategy.name} briefing. Data as at {long_date(data.as_at)}"
    note = SYNTHETIC_NOTE if data.synthetic else ILLUSTRATIVE_NOTE if data.illustrative else None
    return furniture(as_at, note, classification)


def furniture(footer: str, note: str | None, classification: str | None) -> Callable[[Canvas, int, int], None]:
    """Draws the marking at the top and bottom and the footer (what the pack is, and a note on data that is no
    council's records) on a page, once the page count is known."""

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
        canvas.drawString(MARGIN, 16.5 * mm, footer)
        canvas.setFont(BOLD, 8.5)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 16.5 * mm, f"Page {number} of {total}")
        if note:
            canvas.setFillColor(TEXT)
            canvas.drawString(MARGIN, 12.5 * mm, note)
        canvas.restoreState()

    return draw


# ---------------------------------------------------------------- the pack


def build_briefing(
    engine: Engine,
    actor: Actor,
    as_at: date,
    since: date,
    classification: str | None,
    out: Path,
    on_progress: ProgressCallback | None = None,
    council: str | None = None,
) -> Path:
    """Write the council's briefing pack (None: the store's first council's) as at `as_at`, with the changes after
    `since`, to `out` (an A4 PDF)."""
    if classification is not None and classification not in CLASSIFICATIONS:
        raise ValueError(f"classification must be one of {', '.join(CLASSIFICATIONS)}, not '{classification}'")
    report = on_progress or (lambda _done, _total, _step: None)
    total = 6
    report(0, total, "Reading the store")
    start_chart_browser()  # Chromium starts while the store is read
    data = gather(engine, actor, as_at, since, council=council)
    phase_figure = charts.phase_chart(metrics.phase_spans(data.phases, data.status, as_at), as_at)
    # The first part of the property timeline goes under the phases, in the room they leave on the page.
    phases_height = FRAME_WIDTH * (phase_figure.layout.height or 480) / EXPORT_WIDTH
    gantts = gantt_figures(engine, actor, data, first=gantt_rows_fitting(FRAME_HEIGHT - TIMELINE_INTRO - phases_height))
    total = 5 + len(gantts)

    report(1, total, "Drawing the progress chart")
    cumulative = metrics.cumulative_beds(data.status, as_at)
    # Taller on paper than on screen: the page has the room, and the step lines separate.
    progress = chart_image(
        charts.progress_chart(cumulative, data.phases, as_at, data.totals), progress_alt(data), height=PROGRESS_HEIGHT
    )
    target = chart_image(charts.target_bar(data.totals), target_alt(data))
    report(2, total, "Drawing the district map")
    measure = metrics.DISTRICT_MEASURES[MAP_MEASURE]
    if data.boundaries:
        district_map = charts.district_choropleth(data.districts, data.boundaries, measure, MAP_MEASURE)
    else:
        district_map = charts.district_tile_map(data.districts, measure, MAP_MEASURE)
    # A real map is drawn taller than the page shows it: the county fills the width, its small districts readable.
    map_png = chart_image(district_map, map_alt(data), height=560 if data.boundaries else None, max_height=135 * mm)
    report(3, total, "Drawing the timeline")
    # Under the timeline page's heading: many phases make a tall chart, scaled down to the room left there.
    phases_png = chart_image(
        phase_figure, phases_alt(data), max_height=FRAME_HEIGHT - TIMELINE_INTRO - 2 * FRAME_PADDING
    )
    gantt_pngs = []
    for number, figure in enumerate(gantts):
        report(4 + number, total, f"Drawing the property timeline ({number + 1} of {len(gantts)})")
        gantt_pngs.append(chart_image(figure, gantt_alt(data, figure), max_height=FRAME_HEIGHT - 20 * mm))

    report(total - 1, total, "Writing the PDF")
    story = [
        *_page_one(data),
        *_progress_section(data, progress, target),
        *_district_section(data, map_png),
        *_timeline_section(data, phases_png, gantt_pngs),
        *_decisions_section(data),
        *_changes_section(data),
    ]
    write_pack(
        out,
        story,
        title=f"{data.strategy.name}: briefing as at {long_date(as_at)}",
        author=data.strategy.council,
        subject="Briefing for the Executive Member" + (f". {classification}" if classification else ""),
        draw=_furniture(data, classification),
    )
    report(total, total, "Done")
    return out


def write_pack(
    out: Path, story: list[Flowable], title: str, author: str, subject: str, draw: Callable[[Canvas, int, int], None]
) -> None:
    """Lay `story` out on A4 pages with `draw`'s furniture on each, tagged, and write the PDF to `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    document = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=author,
        subject=subject,
        lang=LANGUAGE,
    )
    document.build(tag_story(story), canvasmaker=_numbered_canvas(draw))
