"""Figures: pure functions from the frames of dashboard.metrics to plotly figures, styled by one helper.

Colours are the Government Analysis Function's; colour is never the only signal (every series is labelled on the
chart, and forecast lines are dashed, slipped bars hatched)."""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Mapping
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from dashboard.district_need import NEED, SECURED_LESS_NEED
from dashboard.metrics import LEVEL_LABELS, PROGRESS_LEVELS, BedTotals, row_ends
from dashboard.wording import plural

DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE = (
    "#12436D",
    "#28A197",
    "#801650",
    "#F46A25",
    "#3D3D3D",
    "#A285D1",
)
PALE_GREY = "#D9DBDD"
LIGHT_ORANGE = "#FCD5C0"  # a tint of ORANGE that dark text reads on
TEXT = "#0B0C0C"
LEVEL_COLOURS = {"open": DARK_BLUE, "registered": TURQUOISE, "secured": DARK_PINK, "pipeline": LIGHT_PURPLE}
LEVEL_SYMBOLS = {"open": "circle", "registered": "square", "secured": "diamond"}
PHASE_ROW_PX, TARGET_LABEL_PX = 17, 20
MAX_PHASE_ROWS = 3  # phase names needing more rows than this (to clear each other on a phone) are left off
FONT = "Arial, Helvetica, sans-serif"
# Label geometry. A chart does not know the width it will be drawn at (a phone gives it about 360 px, a laptop about
# 900, the briefing pack 700), so labels are placed to fit the narrowest: a phone's plot area.
PHONE_WIDTH_PX = 360
TITLE_LINE_CHARS = 42  # a bold 18 px title line that fits a phone's 360 px
TITLE_PAD, TITLE_LINE_PX = 10, 22
CHAR_EM = 0.55  # an Arial character's mean width, in ems (digits and capitals run wider than lower case)
PHONE_PLOT_PX = 280  # the plot area's width on a phone


def wrap_title(title: str, line_chars: int = TITLE_LINE_CHARS) -> str:
    """The title broken into lines (plotly's <br>) at spaces, none longer than `line_chars` where words allow:
    plotly never wraps a title, and a phone would cut it off mid-message."""
    lines: list[str] = []
    for word in title.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= line_chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def fit_title(fig: go.Figure, width_px: int) -> go.Figure:
    """The title wrapped again for a known width wider than a phone's (the briefing pack's 700 px): one line where a
    phone needs two, the margin above the plot shrunk by the lines saved."""
    wrapped = fig.layout.title.text or ""
    refitted = wrap_title(wrapped.replace("<br>", " "), TITLE_LINE_CHARS * width_px // PHONE_WIDTH_PX)
    saved = TITLE_LINE_PX * (wrapped.count("<br>") - refitted.count("<br>"))
    if saved:
        fig.update_layout(
            title={"text": refitted, "pad": {"t": fig.layout.title.pad.t - saved}},
            margin={"t": fig.layout.margin.t - saved},
        )
    return fig


def styled(fig: go.Figure, title: str, height: int | None = None, top: int = 60) -> go.Figure:
    """The house style, applied once per figure. The title sits at the very top, so the top margin below it (`top`
    for a one-line title, a line more for each further line) can hold labels placed above the plot."""
    wrapped = wrap_title(title)
    fig.update_layout(
        title={
            "text": wrapped,
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            # plotly lifts a title anchored at its top by its lines after the first: the pad puts them back.
            "pad": {"t": TITLE_PAD + TITLE_LINE_PX * wrapped.count("<br>")},
            "font": {"size": 18, "color": TEXT},
        },
        font={"family": FONT, "size": 13, "color": TEXT},
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": top + TITLE_LINE_PX * wrapped.count("<br>"), "b": 10},
        showlegend=False,
        hoverlabel={"font": {"family": FONT}},
    )
    if height:
        fig.update_layout(height=height)
    fig.update_xaxes(showgrid=False, linecolor=DARK_GREY, ticks="outside", automargin=True)
    fig.update_yaxes(gridcolor="#E5E6E7", zeroline=False, automargin=True)
    return fig


KEY_ROW_PX, TICKS_PX = 20, 30


def key_at_bottom(fig: go.Figure) -> go.Figure:
    """The key (legend) at the foot of the figure, below the x axis's labels whatever the plot's height. A key
    placed relative to the plot lands on the axis's labels when a phone makes the plot short; at the foot, plotly
    widens the bottom margin for as many rows as the key wraps to."""
    legend = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "traceorder": "normal"}
    return fig.update_layout(showlegend=True, legend=legend, margin={"b": TICKS_PX + KEY_ROW_PX + 6})


# ---------------------------------------------------------------- overview


def text_px(text: str, size: float) -> float:
    """About how wide `text` is drawn in Arial at `size` px (markup such as <b> not counted)."""
    plain = text.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "")
    return len(plain) * size * CHAR_EM


def _anchor_at(fraction: float) -> str:
    """How to anchor a label at `fraction` across the plot so it stays inside: away from the nearer edge."""
    return "right" if fraction > 0.85 else "left" if fraction < 0.15 else "center"


def target_bar(totals: BedTotals) -> go.Figure:
    """The target as one bar: open, registered but not open, secured but not registered, pipeline, still to find;
    each segment's number inside it where it fits, and named with its number in the key below (a narrow segment's
    number cannot fit); the target marked across the bar."""
    segments = [
        ("Open", totals.open, DARK_BLUE, ""),
        ("Registered, not open", totals.registered - totals.open, TURQUOISE, ""),
        ("Secured, not registered", totals.secured - totals.registered, DARK_PINK, ""),
        ("In the pipeline", totals.pipeline, LIGHT_PURPLE, "/"),
        ("Still to find", totals.still_to_find, PALE_GREY, "x"),
    ]
    fig = go.Figure()
    start = 0
    for label, beds, colour, pattern in segments:
        if beds <= 0:
            continue
        dark = colour in (DARK_BLUE, DARK_PINK, TURQUOISE)
        anchor = _number_anchor(start, start + beds, totals.goal)
        start += beds
        fig.add_trace(
            go.Bar(
                x=[beds],
                y=[0],
                width=0.6,
                orientation="h",
                name=f"{label}: {beds}",
                marker={
                    "color": colour,
                    "pattern": {"shape": pattern, "fgcolor": "white", "solidity": 0.25, "fillmode": "overlay"},
                },
                text=[str(beds)],
                textposition="inside",
                textangle=0,  # never sideways: a number that does not fit is left to the key
                insidetextanchor=anchor,
                textfont={"color": "white" if dark else TEXT},
                hovertemplate=f"{label}: %{{x}} beds<extra></extra>",
            )
        )
    planned = " planned" if totals.part else ""
    styled(fig, f"{totals.open} of {totals.goal}{planned} beds open; {totals.secured} secured", height=270)
    end = max(totals.goal, totals.in_programme, 1) * 1.03  # room past the bar for the target mark
    goal_name = "Planned" if totals.part else "Target"
    fig.add_shape(type="line", x0=totals.goal, x1=totals.goal, y0=-0.38, y1=0.42, line={"color": TEXT, "width": 3})
    fig.add_annotation(
        x=totals.goal,
        y=0.42,
        yanchor="bottom",
        yshift=3,
        xanchor=_anchor_at(totals.goal / end),
        showarrow=False,
        text=f"<b>{goal_name} {totals.goal}</b>",
        font={"size": 13, "color": TEXT},
    )
    fig.update_layout(barmode="stack", uniformtext={"minsize": 11, "mode": "hide"})
    key_at_bottom(fig)
    # The bar in the lower part of the plot, the target's label above it.
    fig.update_yaxes(visible=False, range=[-0.4, 0.8])
    fig.update_xaxes(range=[0, end], title=None, ticksuffix=" beds")
    return fig


def _number_anchor(start: float, end: float, goal: float) -> str:
    """Where a target bar segment's number goes: its middle, or the end farther from the target's mark where the mark
    crosses the segment (a number in the middle would be struck through)."""
    if not start < goal < end:
        return "middle"
    return "start" if goal > (start + end) / 2 else "end"


def stage_chart(by_stage: pd.DataFrame) -> go.Figure:
    """Properties by the furthest stage each has reached, stages in order from the top."""
    total = int(by_stage["properties"].sum())
    opened = int(by_stage["properties"].iloc[-1]) if total else 0
    if not total:
        title = "No properties match the filters"
    else:
        title = f"{opened} of {plural(total, 'property', 'properties')} open; {total - opened} on the way"
    fig = go.Figure(
        go.Bar(
            x=by_stage["properties"],
            y=by_stage["short_stage"],
            customdata=by_stage[["stage"]],
            orientation="h",
            marker_color=DARK_BLUE,
            text=by_stage["properties"],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{customdata[0]}: %{x} properties<extra></extra>",
        )
    )
    styled(fig, title, height=420)
    fig.update_yaxes(autorange="reversed", gridcolor="white")
    fig.update_xaxes(title="Properties (furthest stage reached)", dtick=1 if total <= 12 else None, showgrid=True)
    return fig


# ---------------------------------------------------------------- progress


LEVEL_LABEL_PX = 19  # the height of a level's label on the Progress chart, with its white box


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions as near `wanted` (ascending) as they can be while at least `gap` apart and within [low, high]."""
    placed: list[float] = []
    for value in wanted:  # upwards, each clear of the one below
        placed.append(max(value, low, placed[-1] + gap if placed else low))
    for index in range(len(placed) - 1, -1, -1):  # then down from the top, each clear of the one above
        ceiling = high if index == len(placed) - 1 else placed[index + 1] - gap
        placed[index] = min(placed[index], ceiling)
    return placed


def _phase_rows(fractions: list[float], names: list[str]) -> list[tuple[int, str]] | None:
    """The row (0 the top) and anchor each phase's name takes so that no two names overlap on a phone: after its
    start line, or before it where the name would run off the plot's right edge. None if that needs more than
    MAX_PHASE_ROWS rows."""
    ends: list[float] = []  # per row, where its last name ends (as a fraction of the plot's width)
    placed = []
    for fraction, name in zip(fractions, names, strict=False):
        width = (text_px(name, 11) + 8) / PHONE_PLOT_PX
        anchor = "right" if fraction + width > 1 else "left"
        begins, finishes = (fraction - width, fraction) if anchor == "right" else (fraction, fraction + width)
        row = next((n for n, end in enumerate(ends) if end <= begins), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = finishes
        placed.append((row, anchor))
    return placed if not placed or max(row for row, _ in placed) < MAX_PHASE_ROWS else None


def _level_traces(fig: go.Figure, cumulative: pd.DataFrame) -> None:
    """Each level's actual line (solid) and forecast (dashed), one key entry per level, and its point at as-at."""
    for level in PROGRESS_LEVELS:
        for basis, dash in (("actual", "solid"), ("forecast", "dash")):
            series = cumulative[(cumulative["level"] == level) & (cumulative["basis"] == basis)]
            if series.empty:
                continue
            fig.add_trace(
                go.Scatter(
                    x=series["date"],
                    y=series["beds"],
                    mode="lines",
                    line={
                        "shape": "hv",
                        "color": LEVEL_COLOURS[level],
                        "width": 3 if basis == "actual" else 2,
                        "dash": dash,
                    },
                    name=f"{LEVEL_LABELS[level]} ({basis})",
                    legendgroup=level,
                    showlegend=False,
                    hovertemplate=f"{LEVEL_LABELS[level]} ({basis}) %{{x|%d %b %Y}}: %{{y}} beds<extra></extra>",
                )
            )
        actual = cumulative[(cumulative["level"] == level) & (cumulative["basis"] == "actual")]
        if not actual.empty:
            now = actual.iloc[-1]
            fig.add_trace(
                go.Scatter(
                    x=[now["date"]],
                    y=[now["beds"]],
                    mode="markers",
                    hoverinfo="skip",
                    showlegend=False,
                    marker={"symbol": LEVEL_SYMBOLS[level], "size": 10, "color": LEVEL_COLOURS[level]},
                )
            )
    # The key: one entry a level (clicking it shows or hides both its lines), then which lines are forecast, said
    # once rather than once a level: short entries that take two rows on a phone, not six.
    for level in PROGRESS_LEVELS:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=LEVEL_LABELS[level],
                legendgroup=level,
                hoverinfo="skip",
                line={"color": LEVEL_COLOURS[level], "width": 3},
            )
        )
    for name, dash in (("Actual", "solid"), ("Forecast", "dash")):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=name,
                hoverinfo="skip",
                line={"color": DARK_GREY, "width": 2, "dash": dash},
            )
        )


def progress_chart(cumulative: pd.DataFrame, phases: pd.DataFrame, as_at: date, totals: BedTotals) -> go.Figure:
    """Cumulative beds at each level as step lines (actual solid, forecast dashed) against the target line (for a
    part of the programme, against its own planned beds). The labels are placed to clear each other and the lines
    at a phone's width: each level's figure beside its point at as-at on a white box (never struck through by a
    line), the gap to the target beside the bar that marks it, the as-at date above the plot, and the phase names
    along its top, where a cumulative chart has no lines (they rise over time), in rows where they would overlap."""
    target = totals.goal
    goal_name = "Planned" if totals.part else "Target"
    gap = max(0, target - totals.open)
    if gap:
        title = f"{totals.open} of {target}{' planned' if totals.part else ''} beds open: {gap} to go"
    else:
        title = f"All {target} planned beds open" if totals.part else f"Target of {target} beds reached"
    fig = go.Figure()
    _level_traces(fig, cumulative)
    as_at_ts = pd.Timestamp(as_at)
    starts = phases.dropna(subset=["starts_on"]).sort_values("starts_on")
    # The x axis: every date drawn, with a margin so no line ends on the plot's edge.
    dates = pd.concat([cumulative["date"], starts["starts_on"], pd.Series([as_at_ts])])
    first, last = dates.min(), dates.max()
    pad = max((last - first) * 0.03, pd.Timedelta(days=30))
    x_range = [first - pad, last + pad]

    def across(day: pd.Timestamp) -> float:
        return (day - x_range[0]) / (x_range[1] - x_range[0])

    rows = _phase_rows([across(day) for day in starts["starts_on"]], starts["name"].tolist())
    # The y axis: room above the highest line for the target's label and the phase names above it (on the shortest
    # plot the chart is drawn in).
    highest = max(target, int(cumulative["beds"].max()) if not cumulative.empty else 0, 1)
    reserved_px = TARGET_LABEL_PX + (PHASE_ROW_PX * (max(row for row, _ in rows) + 1) + 4 if rows else 0)
    top = math.ceil(max(highest * 1.1, highest / (1 - reserved_px / PROGRESS_PLOT_PX)))
    left = across(as_at_ts) > 0.35  # the level labels' column: left of the as-at line unless as-at is early on
    fig.add_hline(  # its label on the side away from the level labels
        y=target,
        line={"color": ORANGE, "width": 2},
        annotation_text=f"{goal_name}: {target} beds",
        annotation_position="top right" if left else "top left",
        annotation_font={"color": TEXT},
        annotation={"bgcolor": "white", "yshift": 2},  # clear of the gap's bar, which ends on the line
    )
    fig.add_vline(x=as_at_ts, line={"color": DARK_GREY, "width": 1, "dash": "dot"})
    fig.add_annotation(
        x=as_at_ts,
        y=1,
        yref="paper",
        yanchor="bottom",
        yshift=2,
        text=f"As at {as_at:%d %b %Y}",
        showarrow=False,
        xanchor="right" if across(as_at_ts) > 0.5 else "left",
        font={"size": 12, "color": DARK_GREY},
    )
    if gap:
        fig.add_shape(
            type="line",
            x0=as_at_ts,
            x1=as_at_ts,
            y0=totals.open,
            y1=target,
            line={"color": DARK_BLUE, "width": 3},
        )
    _label_levels(fig, totals, gap, as_at_ts, top, left)
    fig.update_layout(
        # Phase starts in one layout update: adding shapes one by one is slow when a programme has many phases.
        shapes=[
            *fig.layout.shapes,
            *(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": day,
                    "x1": day,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": PALE_GREY, "width": 1},
                    "layer": "below",
                }
                for day in starts["starts_on"]
            ),
        ],
        annotations=[
            *fig.layout.annotations,
            *(
                {
                    "x": day,
                    "y": 1,
                    "yref": "paper",
                    "yanchor": "top",
                    "yshift": -PHASE_ROW_PX * row,
                    "text": name,
                    "showarrow": False,
                    "xanchor": anchor,
                    "bgcolor": "white",
                    "font": {"size": 11, "color": DARK_GREY},
                }
                for day, name, (row, anchor) in zip(starts["starts_on"], starts["name"], rows or [], strict=False)
                if rows
            ),
        ],
    )
    styled(fig, title, height=480)
    fig.update_yaxes(title="Beds", range=[0, top])
    fig.update_xaxes(title=None, range=x_range)
    fig.update_layout(
        showlegend=True, legend={"orientation": "h", "y": -0.08, "yanchor": "top", "x": 0, "font": {"size": 12}}
    )
    return fig


PROGRESS_PLOT_PX = 300  # the Progress chart's plot height on a phone, under its key


def _label_levels(fig: go.Figure, totals: BedTotals, gap: int, as_at: pd.Timestamp, top: int, left: bool) -> None:
    """Each level's figure at as-at, and the gap to the target, in a column beside the as-at line (left of it unless
    as-at is near the start), each as near its point as the others allow."""
    labels: list[tuple[str, float, str, int]] = [
        (f"{LEVEL_LABELS[level]}: {beds}", beds, LEVEL_COLOURS[level], 13)
        for level, beds in (("open", totals.open), ("registered", totals.registered), ("secured", totals.secured))
    ]
    if gap:  # between the highest level and the target: the blue bar it names
        labels.append((f"<b>{gap} beds to go</b>", (totals.goal + max(totals.open, totals.secured)) / 2, DARK_BLUE, 14))
    beds_per_label = LEVEL_LABEL_PX * top / PROGRESS_PLOT_PX
    order = sorted(range(len(labels)), key=lambda n: labels[n][1])
    placed = _spread([labels[n][1] for n in order], beds_per_label, beds_per_label / 2, top - beds_per_label / 2)
    for index, y in zip(order, placed, strict=False):
        text, _, colour, size = labels[index]
        fig.add_annotation(
            x=as_at,
            y=y,
            text=text,
            showarrow=False,
            xanchor="right" if left else "left",
            xshift=-9 if left else 9,
            bgcolor="white",
            borderpad=1,
            font={"size": size, "color": colour},
        )


# ---------------------------------------------------------------- districts

HEX_RADIUS = 0.56  # in tile-x units; rows are 0.866 apart so neighbours touch with a small gap


def _hexagon(cx: float, cy: float) -> tuple[list[float], list[float]]:
    """A pointy-topped hexagon around (cx, cy), closed."""
    angles = [math.radians(90 + 60 * k) for k in range(7)]
    xs = [cx + HEX_RADIUS * math.cos(a) * 1.0 for a in angles]
    ys = [cy + HEX_RADIUS * math.sin(a) * 1.0 for a in angles]
    return xs, ys


SHADE_FROM, SHADE_TO = (0xDE, 0xEB, 0xF7), (0x12, 0x43, 0x6D)
EMPTY_FILL = "#F3F2F1"


def _mix(fraction: float) -> str:
    rgb = [round(a + (b - a) * fraction) for a, b in zip(SHADE_FROM, SHADE_TO, strict=False)]
    return "#" + "".join(f"{c:02X}" for c in rgb)


def _shade(value: float, maximum: float) -> str:
    """A sequential shade from pale to dark blue (the smallest non-zero value still clearly tinted); 0 is pale grey."""
    if maximum <= 0 or value <= 0:
        return EMPTY_FILL
    return _mix(0.25 + 0.75 * value / maximum)


SHORT_FROM, SHORT_TO = (0xFC, 0xE1, 0xD2), (0x9C, 0x37, 0x0A)  # ORANGE's tints and shades: fewer beds than need


def _diverging(value: float, extent: float) -> str:
    """Blue for more beds than need, orange for fewer, darker the further from 0 (scaled on the largest either
    way, so equal gaps get equal depth); 0 is pale grey. The labels carry the sign: colour is never alone."""
    if extent <= 0 or abs(value) < 0.05:  # what rounds to 0.0 in the label
        return EMPTY_FILL
    if value > 0:
        return _mix(0.25 + 0.75 * value / extent)
    fraction = 0.25 + 0.75 * -value / extent
    rgb = [round(a + (b - a) * fraction) for a, b in zip(SHORT_FROM, SHORT_TO, strict=True)]
    return "#" + "".join(f"{c:02X}" for c in rgb)


def _fills(frame: pd.DataFrame, measure: str) -> list[str]:
    """Each district's fill: diverging about 0 for a difference, else sequential."""
    values = frame[measure].fillna(0.0)
    if measure == SECURED_LESS_NEED:
        extent = float(values.abs().max()) if not frame.empty else 0.0
        return [_diverging(v, extent) for v in values]
    maximum = float(values.max()) if not frame.empty else 0.0
    return [_shade(v, maximum) for v in values]


def _label_colour(fill: str) -> str:
    """White on dark fills, near-black on light ones (by relative luminance), so labels keep their contrast."""
    red, green, blue = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "white" if luminance < 0.18 else TEXT


def _format(value: float, measure: str) -> str:
    """A district's value as labelled: a share in per cent, forecast need to a tenth of a bed (a district's share of
    a few beds), the difference signed, else whole numbers."""
    if measure == "share_of_target":
        return f"{value:.0%}"
    if measure == NEED:
        return "<0.1" if 0 < value < 0.05 else f"{value:.1f}"  # some need, if less than a tenth: not "0.0"
    if measure == SECURED_LESS_NEED:
        rounded = round(value, 1) + 0.0  # no "-0.0"
        return f"{rounded:+.1f}".replace("-", "\u2212") if rounded else "0.0"
    return f"{int(value)}"


def _district_label(name: str, value: str) -> str:
    """The district's name, as every table and filter gives it, over its value: a long name on two lines, so it
    fits its hexagon at a phone's width too (tests/test_browser.py measures it)."""
    return f"{name.replace(' ', '<br>', 1) if len(name) > 10 else name}<br><b>{value}</b>"


def _district_hover(name: str, short_name: object, value: str, label: str) -> str:
    """The tooltip: the name, with the shorter one people also write ("North Hertfordshire (North Herts)")."""
    also = f" ({short_name})" if isinstance(short_name, str) and short_name else ""
    return f"{name}{also}: {value} ({label.lower()})"


def district_tile_map(frame: pd.DataFrame, measure: str, label: str) -> go.Figure:
    """The districts as hexagonal tiles placed roughly where each lies, shaded and labelled by `measure`."""
    fig = go.Figure()
    for row, fill in zip(frame.itertuples(), _fills(frame, measure), strict=True):
        if pd.isna(row.tile_x) or pd.isna(row.tile_row):
            continue
        cx, cy = float(row.tile_x), -float(row.tile_row) * 0.866 * 1.15
        xs, ys = _hexagon(cx, cy)
        value = getattr(row, measure)
        hover = _district_hover(row.name, row.short_name, _format(value, measure), label)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                mode="lines",
                fillcolor=fill,
                line={"color": "white", "width": 3},
                hoverinfo="text",
                hovertext=hover,
            )
        )
        fig.add_annotation(
            x=cx,
            y=cy,
            showarrow=False,
            text=_district_label(row.name, _format(value, measure)),
            hovertext=hover,  # the label covers the tile's middle: it carries the tile's tooltip
            # 12 px: "Hertfordshire" keeps a margin inside its hexagon at a laptop's and a phone's width.
            font={"size": 12, "color": _label_colour(fill)},
        )
    styled(fig, _district_title(frame, measure, label), height=460)
    fig.update_xaxes(visible=False, scaleanchor="y", scaleratio=1)
    fig.update_yaxes(visible=False)
    return fig


def _district_title(frame: pd.DataFrame, measure: str, label: str) -> str:
    if measure == SECURED_LESS_NEED:
        return _difference_title(frame, label)
    if frame.empty or frame[measure].max() <= 0:
        return f"{label}: none {'' if measure == NEED else 'yet '}in any district"
    top = frame.sort_values([measure, "name"], ascending=[False, True]).iloc[0]
    without = int((frame[measure] <= 0).sum())
    value = _format(top[measure], measure)
    title = f"{label}: most in {top['name']} ({value})"
    return title + (f"; none in {plural(without, 'district')}" if without else "")


def _difference_title(frame: pd.DataFrame, label: str) -> str:
    """How many districts have fewer beds secured than their forecast need, and the furthest short."""
    short = frame[frame[SECURED_LESS_NEED].round(1) < 0].sort_values([SECURED_LESS_NEED, "name"])
    if short.empty:
        return f"{label}: no district has fewer beds than its need"
    worst = short.iloc[0]
    return (
        f"{label}: {plural(len(short), 'district')} short of need, {worst['name']} the most "
        f"({_format(worst[SECURED_LESS_NEED], SECURED_LESS_NEED)})"
    )


def district_choropleth(frame: pd.DataFrame, geojson: dict, measure: str, label: str) -> go.Figure:
    """The districts' real boundaries, shaded by `measure`, with values labelled (SVG; no tile server)."""
    fills = _fills(frame, measure)
    fig = go.Figure(
        go.Choropleth(
            geojson=geojson,
            featureidkey="properties.ons_code",
            locations=frame["ons_code"],
            # The tile map's shades exactly: each district gets its own colour.
            z=list(range(len(frame))),
            colorscale=[[i / max(len(frame) - 1, 1), fill] for i, fill in enumerate(fills)],
            marker_line_color="white",
            marker_line_width=1.5,
            showscale=False,
            hovertext=[
                _district_hover(n, s, _format(v, measure), label)
                for n, s, v in zip(frame["name"], frame["short_name"], frame[measure], strict=True)
            ],
            hoverinfo="text",
        )
    )
    centres = {f["properties"]["ons_code"]: f["properties"] for f in geojson["features"]}
    placed = frame["ons_code"].isin(centres).to_numpy()
    labelled = frame[placed]
    fig.add_trace(
        go.Scattergeo(
            lon=[centres[c]["label_lon"] for c in labelled["ons_code"]],
            lat=[centres[c]["label_lat"] for c in labelled["ons_code"]],
            mode="text",
            text=[
                _district_label(n, _format(v, measure))
                for n, v in zip(labelled["name"], labelled[measure], strict=True)
            ],
            textfont={
                "size": 12,
                "color": [_label_colour(fill) for fill, shown in zip(fills, placed, strict=True) if shown],
            },
            hoverinfo="skip",
        )
    )
    fig.update_geos(fitbounds="geojson", visible=False, projection_type="mercator")
    styled(fig, _district_title(frame, measure, label), height=520)
    return fig


REGION_MEASURE = "secured"
REGION_PLOT_PX = 460  # the region map's plot height: its 560 px less the title's lines and the margins
REGION_VALUE_PX = 11


def region_choropleth(districts: pd.DataFrame, geojson: dict) -> go.Figure:
    """The region's districts (region.district_map's) on their installed boundaries, shaded by beds secured on one
    scale for every council, each council's outline drawn heavier than its districts' edges and named above it with
    its beds secured (SVG; no tile server). A district's value is written in it where it fits at a phone's width;
    every value is in the hover and the table."""
    from dashboard.boundaries import outline  # shapely: loaded only when a region's map is drawn

    fills = _fills(districts, REGION_MEASURE)
    values = [_format(v, REGION_MEASURE) for v in districts[REGION_MEASURE]]
    fig = go.Figure(
        go.Choropleth(
            geojson=geojson,
            featureidkey="properties.ons_code",
            locations=districts["ons_code"],
            z=list(range(len(districts))),  # each district its own shade, as district_choropleth
            colorscale=[[i / max(len(districts) - 1, 1), fill] for i, fill in enumerate(fills)],
            marker_line_color="white",
            marker_line_width=1,
            showscale=False,
            hovertext=[
                f"{name} ({council}): {plural(int(value), 'bed')} secured"
                for name, council, value in zip(districts["name"], districts["council"], values, strict=True)
            ],
            hoverinfo="text",
        )
    )
    features = {f["properties"]["ons_code"]: f for f in geojson["features"]}
    fits = _values_fit(districts["ons_code"], values, features)
    written = districts["ons_code"][fits]
    fig.add_trace(
        go.Scattergeo(
            lon=[features[c]["properties"]["label_lon"] for c in written],
            lat=[features[c]["properties"]["label_lat"] for c in written],
            mode="text",
            text=[f"<b>{value}</b>" for value, fit in zip(values, fits, strict=True) if fit],
            textfont={
                "size": REGION_VALUE_PX,
                "color": [_label_colour(fill) for fill, fit in zip(fills, fits, strict=True) if fit],
            },
            hoverinfo="skip",
        )
    )
    for _, council in districts.groupby("council_code", sort=False):
        edge = outline([features[code] for code in council["ons_code"]])
        fig.add_trace(
            go.Scattergeo(
                lon=edge.lon, lat=edge.lat, mode="lines", line={"color": TEXT, "width": 2.5}, hoverinfo="skip"
            )
        )
        fig.add_trace(
            go.Scattergeo(
                lon=[edge.top[0]],
                lat=[edge.top[1]],
                mode="text",
                text=[f"<b>{council['council'].iloc[0]}</b>: {int(council[REGION_MEASURE].sum())}"],
                textposition="top center",
                textfont={"size": 14, "color": TEXT},
                hoverinfo="skip",
            )
        )
    fig.update_geos(fitbounds="geojson", visible=False, projection_type="mercator")
    styled(fig, _region_map_title(districts), height=560)
    return fig


def _values_fit(codes: pd.Series, values: list[str], features: dict[str, dict]) -> list[bool]:
    """Whether each district is wide enough, on the map as a phone draws it (Mercator, fitted to every district),
    to hold its value: the smallest districts of a region are a few pixels across there, and their values would be
    written over each other."""
    bounds = {code: _bounds(features[code]["geometry"]["coordinates"]) for code in codes}
    if not bounds:
        return []
    west = min(b[0] for b in bounds.values())
    east = max(b[2] for b in bounds.values())
    south = min(b[1] for b in bounds.values())
    north = max(b[3] for b in bounds.values())
    across = math.radians(east - west) or 1e-9
    up = (_mercator_y(north) - _mercator_y(south)) or 1e-9
    px_per_radian = min(PHONE_PLOT_PX / across, REGION_PLOT_PX / up)
    # A district is narrower than its bounding box where its label goes: two thirds of it, as a rule of thumb.
    return [
        math.radians(bounds[code][2] - bounds[code][0]) * px_per_radian * 2 / 3 >= text_px(value, REGION_VALUE_PX) + 4
        for code, value in zip(codes, values, strict=True)
    ]


def _bounds(coordinates: list) -> tuple[float, float, float, float]:
    """West, south, east, north of GeoJSON coordinates, however deeply nested."""
    points: list[list[float]] = []
    stack = [coordinates]
    while stack:
        item = stack.pop()
        if item and isinstance(item[0], (int, float)):
            points.append(item)
        else:
            stack.extend(item)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _region_map_title(districts: pd.DataFrame) -> str:
    if districts.empty or districts[REGION_MEASURE].max() <= 0:
        return "Where the region's secured beds are: none secured yet"
    top = districts.sort_values([REGION_MEASURE, "name"], ascending=[False, True]).iloc[0]
    value = _format(top[REGION_MEASURE], REGION_MEASURE)
    return f"Where the region's secured beds are: most in {top['name']} ({top['council']}, {value})"


def district_bars(frame: pd.DataFrame, measure: str, label: str) -> go.Figure:
    as_share = measure == "share_of_target"
    ordered = frame.sort_values([measure, "name"], ascending=[True, False])
    # A difference's bars run either way from 0, coloured as the map's (the signed labels say it too).
    colour = [ORANGE if v < 0 else DARK_BLUE for v in ordered[measure]] if measure == SECURED_LESS_NEED else DARK_BLUE
    fig = go.Figure(
        go.Bar(
            x=ordered[measure],
            y=ordered["name"],
            orientation="h",
            marker_color=colour,
            text=[_format(v, measure) for v in ordered[measure]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    styled(fig, f"{label} by district", height=420)
    fig.update_xaxes(
        title=label,
        tickformat=".0%" if as_share else None,
        showgrid=True,
        gridcolor="#E5E6E7",
        zeroline=True,
        zerolinecolor=DARK_GREY,
    )
    if measure in (NEED, SECURED_LESS_NEED):
        fig.update_xaxes(range=_room_for_labels(ordered[measure]))
    fig.update_yaxes(gridcolor="white")
    return fig


def _room_for_labels(values: pd.Series) -> list[float]:
    """An axis with room beyond the longest bar each way for its label ("+11.9" runs wider than a count's "12"),
    which would otherwise be cut off at the chart's edge."""
    low, high = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    pad = 0.22 * ((high - low) or 1.0)
    return [low - pad if low < 0 else 0.0, high + pad if high > 0 or low == 0 else 0.0]


# ---------------------------------------------------------------- timeline


def _bar_trace(
    rows: pd.DataFrame,
    name: str,
    colour: str,
    pattern: str,
    offset: float,
    width: float,
    text_colour: str = "white",
    outline: str = "white",
) -> go.Bar:
    """Horizontal date bars from `start` to `end` (plotly draws a date bar as base + duration in milliseconds). A
    pattern is drawn in `outline` over `colour`."""
    duration = (rows["end"] - rows["start"]).dt.total_seconds() * 1000
    return go.Bar(
        base=rows["start"],
        x=duration,
        y=rows["row"],
        orientation="h",
        name=name,
        offset=offset,
        width=width,
        marker={
            "color": colour,
            "line": {"width": 0.5 if outline == "white" else 1, "color": outline},
            "pattern": {"shape": pattern, "fgcolor": outline, "solidity": 0.3, "fillmode": "overlay"},
        },
        text=rows.get("label"),
        textposition="inside",
        insidetextanchor="middle",
        textfont={"color": text_colour, "size": 11},
        customdata=rows[["hover"]] if "hover" in rows else None,
        hovertemplate="%{customdata[0]}<extra></extra>" if "hover" in rows else None,
    )


def _phases_title(spans: pd.DataFrame) -> str:
    """The phase chart's message: how many phases' work ran, or is running, past the planned end."""
    started = spans.dropna(subset=["actual_end", "planned_end"])
    if started.empty:
        return "No phase has work under way yet"
    late = int((started["actual_end"] > started["planned_end"]).sum())
    if not late:
        return "Every phase's work within its planned end"
    return f"{late} of {plural(len(spans), 'phase')} past {'its' if late == 1 else 'their'} planned end"


def phase_chart(phase_spans: pd.DataFrame, as_at: date) -> go.Figure:
    """Each phase: its planned span (grey, upper bar), and the span of its properties' actual work so far (blue,
    lower bar)."""
    rows = phase_spans.rename(columns={"phase": "row"})
    planned = rows.dropna(subset=["planned_start", "planned_end"]).rename(
        columns={"planned_start": "start", "planned_end": "end"}
    )
    planned = planned.assign(
        hover=[
            f"{r}: planned {s:%b %Y} to {e:%b %Y}"
            for r, s, e in zip(planned["row"], planned["start"], planned["end"], strict=False)
        ]
    )
    actual = rows.dropna(subset=["actual_start", "actual_end"]).rename(
        columns={"actual_start": "start", "actual_end": "end"}
    )
    actual = actual.assign(
        hover=[
            f"{r}: work from {s:%b %Y} to {e:%b %Y}"
            for r, s, e in zip(actual["row"], actual["start"], actual["end"], strict=False)
        ]
    )
    fig = go.Figure()
    fig.add_trace(_bar_trace(planned, "Planned", PALE_GREY, "", -0.4, 0.38))
    fig.add_trace(_bar_trace(actual, "Actual work", DARK_BLUE, "", 0.02, 0.38))
    fig.add_vline(x=pd.Timestamp(as_at), line={"color": ORANGE, "width": 2})
    ends = pd.concat(
        [
            rows["planned_start"],
            rows["planned_end"],
            rows["actual_start"],
            rows["actual_end"],
            pd.Series([pd.Timestamp(as_at)]),
        ]
    ).dropna()
    where = (pd.Timestamp(as_at) - ends.min()) / max(ends.max() - ends.min(), pd.Timedelta(days=1))
    # Above the plot, ending at the line (or starting at it, early on): clear of the bars and the title.
    fig.add_annotation(
        x=pd.Timestamp(as_at),
        y=1,
        yref="paper",
        yanchor="bottom",
        yshift=2,
        xanchor="right" if where > 0.5 else "left",
        text=f"As at {as_at:%d %b %Y}",
        showarrow=False,
        font={"color": TEXT, "size": 12},
    )
    styled(fig, _phases_title(phase_spans), height=150 + 60 * len(rows))
    key_at_bottom(fig)
    fig.update_yaxes(autorange="reversed", type="category", gridcolor="white")
    fig.update_xaxes(type="date", showgrid=True, gridcolor="#E5E6E7")
    return fig


GANTT_AS_AT_LIFT = 36  # px: the top axis's ticks and year labels


NOTE_LINE_CHARS = 48  # a status note in a hover box, wrapped to lines a phone's screen holds


def _with_status_notes(segments: pd.DataFrame, notes: Mapping[str, str]) -> pd.DataFrame:
    """Segments whose hover text ends with their property's status note (as text: plotly reads markup in it)."""
    if not notes:
        return segments

    def hover(row: str, text: str) -> str:
        note = notes.get(row)
        if not note:
            return text
        lines = textwrap.wrap(note, NOTE_LINE_CHARS, break_long_words=True) or [note]
        return f"{text}<br>Status note: " + "<br>".join(html.escape(line, quote=False) for line in lines)

    return segments.assign(hover=[hover(r, t) for r, t in zip(segments["row"], segments["hover"], strict=True)])


def gantt(
    segments: pd.DataFrame,
    lateness: pd.DataFrame,
    as_at: date,
    title: str,
    notes: Mapping[str, str] | None = None,
) -> go.Figure:
    """Each property's stages, planned (thin, grey, above) against actual (below): blue where a stage took no longer
    than planned, orange and hatched where it took longer (labelled with the days it added); each row ends with
    metrics.lateness's words: how late a property not yet open is (bold), or how an open home opened against plan
    (grey italic: an open home is not late). A bar's hover text ends with its property's status note (`notes`)."""
    segments = _with_status_notes(segments, notes or {})
    fig = go.Figure()
    fig.add_trace(_bar_trace(segments[segments["basis"] == "planned"], "Planned", PALE_GREY, "", -0.42, 0.3))
    actual = segments[segments["basis"] == "actual"]
    fig.add_trace(_bar_trace(actual[actual["days_added"] <= 0], "Stage to plan", DARK_BLUE, "", -0.08, 0.5))
    # Dark figures ("+60d") on a light orange, hatched in orange: readable, and still unlike the blue bars.
    fig.add_trace(
        _bar_trace(
            actual[actual["days_added"] > 0],
            "Stage took longer",
            LIGHT_ORANGE,
            "/",
            -0.08,
            0.5,
            text_colour=TEXT,
            outline=ORANGE,
        )
    )
    ends = row_ends(segments).merge(lateness, left_on="row", right_on="reference")
    ends = ends[ends["label"] != ""]
    opened = ends["opened_after_plan"].notna()
    for rows, text, font in (
        (ends[~opened], [f"  <b>{label}</b>" for label in ends.loc[~opened, "label"]], {"color": TEXT}),
        (ends[opened], [f"  <i>{label}</i>" for label in ends.loc[opened, "label"]], {"color": DARK_GREY}),
    ):
        fig.add_trace(
            go.Scatter(
                x=rows["end"],
                y=rows["row"],
                mode="text",
                text=text,
                textposition="middle right",
                textfont={"size": 11, **font},
                hoverinfo="skip",
                showlegend=False,
                cliponaxis=False,
            )
        )
    fig.add_vline(x=pd.Timestamp(as_at), line={"color": DARK_GREY, "width": 2, "dash": "dot"})
    # Above the top axis's year labels, clear of them and of the title.
    fig.add_annotation(
        x=pd.Timestamp(as_at),
        y=1.0,
        yref="paper",
        yanchor="bottom",
        yshift=GANTT_AS_AT_LIFT,
        text=f"As at {as_at:%d %b %Y}",
        showarrow=False,
        font={"color": TEXT, "size": 12},
    )
    rows = segments["row"].nunique()
    styled(fig, title, height=170 + 30 * max(rows, 3), top=90)
    fig.update_layout(
        barmode="overlay",
        showlegend=True,
        legend={"orientation": "h", "y": 0, "yanchor": "top", "x": 0},
        uniformtext={"minsize": 9, "mode": "hide"},
        margin={"r": 100},
        hoverlabel={"align": "left"},  # a status note's lines read as a paragraph
    )
    fig.update_yaxes(autorange="reversed", type="category", gridcolor="white", tickfont={"size": 12})
    fig.update_xaxes(type="date", showgrid=True, gridcolor="#E5E6E7", side="top")
    return fig


# ---------------------------------------------------------------- objectives


def _value_text(value: float, as_percent: bool, money: bool = False) -> str:
    if money:
        return f"£{value:,.0f}"
    return f"{value:.0%}" if as_percent else f"{value:.2f}"


def _month(month_ends: pd.Series) -> pd.Series:
    """A month's figures drawn at its first day, so they sit on the month's tick ("Feb 2022"), not the next one's."""
    return month_ends.dt.to_period("M").dt.to_timestamp()


def objective_chart(
    frame: pd.DataFrame, title: str, target: float | None, as_percent: bool, dfe: bool = True
) -> go.Figure:
    """A measure month by month (`frame`: period_end, value, year_end), each 31 March marked as DfE's figure (`dfe`:
    where DfE publishes the measure), the latest value labelled and the target (if set) a dashed line named as such."""
    shown = frame.dropna(subset=["value"]).assign(month=lambda f: _month(f["period_end"]))
    number = ":.0%" if as_percent else ":,.0f"
    fig = go.Figure(
        go.Scatter(
            x=shown["month"],
            y=shown["value"],
            mode="lines+markers",
            name="Month end",
            line={"color": DARK_BLUE, "width": 3},
            marker={"size": 6},
            hovertemplate="%{x|%B %Y}: %{y" + number + "}<extra></extra>",
        )
    )
    ends = shown[shown["year_end"].astype(bool) & dfe]
    if not ends.empty:
        fig.add_trace(
            go.Scatter(
                x=ends["month"],
                y=ends["value"],
                mode="markers",
                name="31 March (DfE's figure)",
                marker={"size": 13, "symbol": "diamond", "color": ORANGE, "line": {"color": TEXT, "width": 1}},
                hovertemplate="31 March %{x|%Y}: %{y" + number + "}<extra></extra>",
            )
        )
    if not shown.empty:
        last = shown.iloc[-1]
        fig.add_annotation(
            x=last["month"],
            y=last["value"],
            text=_value_text(last["value"], as_percent) if as_percent else f"{last['value']:,.0f}",
            showarrow=False,
            xanchor="left",
            xshift=8,
            font={"size": 14, "color": DARK_BLUE},
        )
    if target is not None:
        fig.add_hline(
            y=target,
            line={"color": ORANGE, "dash": "dash", "width": 2},
            annotation={
                "text": f"Target {_value_text(target, as_percent)}",
                "font": {"color": TEXT},
                "xanchor": "left",
                "x": 0,
                "yanchor": "bottom",
            },
        )
    fig.update_yaxes(tickformat=".0%" if as_percent else ",d", rangemode="tozero")
    fig.update_xaxes(tickformat="%b %Y")
    styled(fig, title, height=340)
    return key_at_bottom(fig) if not ends.empty else fig


AGE_BAND_COLOURS = (DARK_BLUE, ORANGE, TURQUOISE)
AGE_BAND_DASHES = ("solid", "dash", "dot")


def age_band_chart(wide: pd.DataFrame, title: str) -> go.Figure:
    """Counts by age band month by month (`wide`: period_end, a column per band), a line each, told apart by dash as
    well as colour."""
    fig = go.Figure()
    bands = [column for column in wide.columns if column != "period_end"]
    for band, colour, dash in zip(bands, AGE_BAND_COLOURS * 2, AGE_BAND_DASHES * 2, strict=False):
        fig.add_trace(
            go.Scatter(
                x=_month(wide["period_end"]),
                y=wide[band],
                mode="lines+markers",
                name=f"Aged {band}",
                line={"color": colour, "width": 3, "dash": dash},
                hovertemplate=f"Aged {band}, " + "%{x|%B %Y}: %{y}<extra></extra>",
            )
        )
    fig.update_yaxes(rangemode="tozero", tickformat=",d")
    fig.update_xaxes(tickformat="%b %Y")
    return key_at_bottom(styled(fig, title, 340))


def cost_chart(monthly: pd.DataFrame, title: str) -> go.Figure:
    """The cost estimate month by month (`monthly`: period_end, estimate): bars above nothing where the own homes'
    places cost less than the weeks children spent in them would have elsewhere, below where they cost more."""
    fig = go.Figure(
        go.Bar(
            x=_month(monthly["period_end"]),
            y=monthly["estimate"],
            marker={"color": [TURQUOISE if value >= 0 else ORANGE for value in monthly["estimate"]]},
            hovertemplate="%{x|%B %Y}: £%{y:,.0f} (estimate)<extra></extra>",
        )
    )
    fig.update_yaxes(tickprefix="£", tickformat=",.0f")
    fig.update_xaxes(tickformat="%b %Y")
    return styled(fig, title, 320)


SECTOR_COLOURS = {"Local authority": DARK_BLUE, "Private": ORANGE, "Voluntary": TURQUOISE, "Other": DARK_GREY}
SECTOR_PATTERNS = {"Local authority": "", "Private": "/", "Voluntary": ".", "Other": "x"}


def market_chart(market: pd.DataFrame, council: str, measure: str) -> go.Figure:
    """The council's children's homes (or places) by sector, year by year: grouped bars, each labelled."""
    fig = go.Figure()
    for sector, colour in SECTOR_COLOURS.items():
        rows = market[market["sector"] == sector]
        if rows.empty or not rows[measure].any():
            continue
        fig.add_trace(
            go.Bar(
                x=rows["as_at"].map(lambda day: f"March {day:%Y}"),
                y=rows[measure],
                name=sector,
                marker={
                    "color": colour,
                    "pattern": {
                        "shape": SECTOR_PATTERNS[sector],
                        "fgcolor": "white",
                        "solidity": 0.3,
                        "fillmode": "overlay",
                    },
                },
                text=[f"{sector}: {value}" for value in rows[measure]],
                textposition="outside",
                hovertemplate=f"{sector}: %{{y}} {measure}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", showlegend=True, legend={"orientation": "h", "y": -0.15})
    fig.update_yaxes(range=[0, max(1, market[measure].max()) * 1.25])  # room for the labels above the bars
    noun = "Homes" if measure == "homes" else "Places"
    return styled(fig, f"{noun} in {council} by who runs them", 360).update_layout(showlegend=True)


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def ranking_chart(ranking: pd.DataFrame, council: str) -> go.Figure:
    """Every authority's share of children's-home places that are council-run, highest first; the council picked out."""
    ordered = ranking.sort_values(["rank", "local_authority"]).reset_index(drop=True)
    ordered["position"] = ordered.index + 1  # one bar each, even where authorities tie for a rank
    ours = ordered["local_authority"] == council
    fig = go.Figure(
        go.Bar(
            x=ordered["position"],
            y=ordered["la_share"],
            marker={"color": [ORANGE if mine else PALE_GREY for mine in ours]},
            customdata=ordered[["local_authority", "rank"]],
            hovertemplate="%{customdata[0]}: %{y:.0%} (rank %{customdata[1]})<extra></extra>",
        )
    )
    title = "Council-run share of places, every authority"
    if ours.any():
        row = ordered[ours].iloc[0]
        fig.add_annotation(
            x=row["position"],
            y=row["la_share"],
            text=f"{council}: {row['la_share']:.0%}, {int(row['rank'])} of {len(ordered)}",
            showarrow=True,
            arrowhead=2,
            ax=40,
            ay=-40,
            font={"size": 14, "color": TEXT},
        )
        title = f"{council}: {_ordinal(int(row['rank']))} of {len(ordered)} for council-run places"
    fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(title="Authorities, highest share first")
    return styled(fig, title, 340)


# ---------------------------------------------------------------- region


def region_bars(side_by_side: pd.DataFrame) -> go.Figure:
    """Each council's beds as one bar, in the target bar's levels and colours, with its own target marked across
    it: which councils are furthest towards their targets, in one look."""
    councils = side_by_side["council"].tolist()
    levels = [
        ("Open", side_by_side["open"], DARK_BLUE, ""),
        ("Registered, not open", side_by_side["registered"] - side_by_side["open"], TURQUOISE, ""),
        ("Secured, not registered", side_by_side["secured"] - side_by_side["registered"], DARK_PINK, ""),
        ("In the pipeline", side_by_side["pipeline"], LIGHT_PURPLE, "/"),
    ]
    fig = go.Figure()
    for label, beds, colour, pattern in levels:
        fig.add_trace(
            go.Bar(
                x=beds.tolist(),
                y=councils,
                orientation="h",
                name=label,
                marker={
                    "color": colour,
                    "pattern": {"shape": pattern, "fgcolor": "white", "solidity": 0.25, "fillmode": "overlay"},
                },
                hovertemplate=f"%{{y}}: %{{x}} beds {label.lower()}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=side_by_side["target"].tolist(),
            y=councils,
            mode="markers",
            name="Target",
            marker={"symbol": "line-ns", "size": 30, "line": {"width": 3, "color": TEXT}},
            hovertemplate="%{y}: target %{x} beds<extra></extra>",
        )
    )
    furthest = side_by_side.loc[side_by_side["open_share"].idxmax()]
    title = f"Beds against each council's target: {furthest['council']} furthest, {furthest['open_share']:.0%} open"
    styled(fig, title, height=240 + 56 * len(councils))  # room for the key, which wraps to five rows on a phone
    fig.update_layout(barmode="stack")
    key_at_bottom(fig)
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=None, ticksuffix=" beds", rangemode="tozero")
    return fig
