"""Reading plotly figures in tests: plotly writes numeric arrays as base64 typed arrays ({"dtype", "bdata"})."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd


def _decode_arrays(node):
    if isinstance(node, dict):
        if set(node) >= {"dtype", "bdata"}:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            if "shape" in node:
                values = values.reshape([int(n) for n in str(node["shape"]).split(",")])
            return values.tolist()
        return {key: _decode_arrays(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_decode_arrays(value) for value in node]
    return node


def figure_json(spec: str) -> dict:
    """A chart's figure as plain JSON (arrays as lists), from AppTest's proto spec or fig.to_json()."""
    return _decode_arrays(json.loads(spec))


# ---------------------------------------------------------------- where labels land
# Plotly computes text sizes only when it draws, in a browser. These estimate each label's box from the figure's JSON
# (its position, anchors and shifts, its text's length times its font size) at a given width, closely enough to find
# labels that collide; the browser test measures the drawn boxes.

# Measured in Chromium: labels 0.41 to 0.49 em a character (digits and capitals are wide), bold 18 px titles 0.43 em;
# a line 1.15 em high. Each rounded up.
CHAR_EM, TITLE_EM, LINE_EM = 0.52, 0.47, 1.2
TICK_LABEL_PX = 22  # an axis's ticks and their labels, across it


@dataclass(frozen=True)
class Box:
    name: str
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box, slack: float = 1.0) -> bool:
        return (
            self.left < other.right - slack
            and other.left < self.right - slack
            and self.top < other.bottom - slack
            and other.top < self.bottom - slack
        )

    def inside(self, left: float, top: float, right: float, bottom: float, slack: float = 1.0) -> bool:
        return (
            self.left >= left - slack
            and self.right <= right + slack
            and self.top >= top - slack
            and self.bottom <= bottom + slack
        )


def _plain(text: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", line) for line in re.split(r"<br\s*/?>", text or "")]


def text_size(text: str, size: float, em: float = CHAR_EM) -> tuple[float, float]:
    lines = _plain(text)
    return max(len(line) for line in lines) * size * em, len(lines) * size * LINE_EM


def _number(value) -> float:
    """A data value on a linear or date axis, as plotly places it (dates as milliseconds)."""
    if isinstance(value, str):
        return pd.Timestamp(value).value / 1e6
    return float(value)


@dataclass
class Axis:
    low: float
    high: float
    categories: list | None = None
    reversed_: bool = False

    def fraction(self, value) -> float:
        position = self.categories.index(value) if self.categories is not None and value in self.categories else value
        share = (_number(position) - self.low) / (self.high - self.low)
        return 1 - share if self.reversed_ else share


def _trace_values(fig: dict, letter: str) -> list:
    values = []
    for trace in fig["data"]:
        points = [v for v in (trace.get(letter) or []) if v is not None]
        if trace.get("type") == "bar" and trace.get("orientation") == "h" and letter == "x":
            bases = trace.get("base") or [0] * len(points)
            bases = bases if isinstance(bases, list) else [bases] * len(points)
            values += [_number(b) + _number(p) for b, p in zip(bases, points, strict=False)] + [
                _number(b) for b in bases
            ]
        else:
            values += points
    return values


def _axis(fig: dict, letter: str) -> Axis:
    layout = fig["layout"].get(f"{letter}axis", {})
    reversed_ = layout.get("autorange") == "reversed"
    values = _trace_values(fig, letter)
    if layout.get("type") == "category" or (
        values
        and isinstance(values[0], str)
        and layout.get("type") != "date"
        and not re.match(r"\d{4}-\d\d-\d\d", values[0])
    ):
        categories = list(dict.fromkeys(values))
        return Axis(-0.5, len(categories) - 0.5, categories, reversed_)
    if layout.get("range"):
        low, high = (_number(v) for v in layout["range"])
        return Axis(low, high, None, reversed_)
    numbers = [_number(v) for v in values] or [0.0, 1.0]
    low, high = min(numbers), max(numbers)
    pad = (high - low) * 0.05 or 1.0
    return Axis(low - pad, high + pad, None, reversed_)


def _legend_rows(fig: dict, width: float) -> tuple[int, float]:
    """How many rows a horizontal legend takes at `width`, and its height."""
    legend = fig["layout"].get("legend", {})
    shown = [t for t in fig["data"] if t.get("showlegend", True) is not False and t.get("name")]
    if not fig["layout"].get("showlegend") or not shown:
        return 0, 0.0
    size = legend.get("font", {}).get("size", fig["layout"].get("font", {}).get("size", 13))
    entries = [legend.get("entrywidth") or (text_size(t["name"], size)[0] + 45) for t in shown]
    # All in a row if they fit; otherwise plotly lines them up in columns as wide as the widest entry.
    per_row = len(entries) if sum(entries) <= width - 10 else max(1, int((width - 10) // max(entries)))
    rows = -(-len(entries) // per_row)
    return rows, rows * size * 1.5 + 6


class Layout:
    """The plot area of `fig` drawn `width` px wide, as plotly's automargin would leave it (estimated)."""

    def __init__(self, fig: dict, width: float) -> None:
        layout = fig["layout"]
        self.fig, self.width, self.height = fig, width, float(layout.get("height") or 450)
        margin = {"l": 80, "r": 80, "t": 100, "b": 80, **layout.get("margin", {})}
        self.x, self.y = _axis(fig, "x"), _axis(fig, "y")
        xaxis, yaxis = layout.get("xaxis", {}), layout.get("yaxis", {})
        left = margin["l"]
        if yaxis.get("visible", True):
            labels = [str(c) for c in self.y.categories] if self.y.categories else [str(int(self.y.high))]
            left += max(len(label) for label in labels) * 12 * CHAR_EM + 12 + (22 if yaxis.get("title") else 0)
        self.legend_rows, legend_px = _legend_rows(fig, width)
        legend = layout.get("legend", {})
        bottom = margin["b"]
        ticks_below = xaxis.get("visible", True) and xaxis.get("side") != "top"
        if legend_px and (legend.get("yref") == "container" or legend.get("y", 1) <= 0):
            bottom = max(bottom, TICK_LABEL_PX * ticks_below + legend_px + 10)  # the legend pushes the margin
        elif ticks_below:
            bottom = max(bottom, TICK_LABEL_PX + 5)
        self.left, self.right = left, width - margin["r"]
        self.top, self.bottom = margin["t"], self.height - bottom
        self.ticks_below = ticks_below
        self.ticks_above = xaxis.get("visible", True) and xaxis.get("side") == "top"

    def px(self, value, ref: str, letter: str) -> float:
        """A position given in `ref` (an axis's data, its domain or the paper) as px from the figure's left or top."""
        axis = self.x if letter == "x" else self.y
        fraction = float(value) if ref in ("paper", f"{letter} domain") else axis.fraction(value)
        if letter == "x":
            return self.left + fraction * (self.right - self.left)
        return self.bottom - fraction * (self.bottom - self.top)


def _anchored(start: float, size: float, anchor: str) -> float:
    return {
        "left": start,
        "top": start,
        "center": start - size / 2,
        "middle": start - size / 2,
        "right": start - size,
        "bottom": start - size,
    }[anchor]


def _annotation_box(plot: Layout, note: dict, font_size: float) -> Box:
    width, height = text_size(note.get("text", ""), note.get("font", {}).get("size", font_size))
    pad = note.get("borderpad", 1)
    width, height = width + 2 * pad, height + 2 * pad
    xref, yref = note.get("xref", "x"), note.get("yref", "y")
    x = plot.px(note.get("x", 0.5), xref, "x") + note.get("xshift", 0)
    y = plot.px(note.get("y", 0.5), yref, "y") - note.get("yshift", 0)
    xanchor, yanchor = note.get("xanchor", "auto"), note.get("yanchor", "auto")
    if xanchor == "auto":
        fraction = float(note.get("x", 0.5)) if xref == "paper" else 0.5
        xanchor = "left" if fraction <= 1 / 3 else "right" if fraction >= 2 / 3 else "center"
    yanchor = "middle" if yanchor == "auto" else yanchor
    left, top = _anchored(x, width, xanchor), _anchored(y, height, yanchor)
    return Box(note.get("text", ""), left, top, left + width, top + height)


def _point_text_boxes(plot: Layout, trace: dict, font_size: float) -> list[Box]:
    size = (trace.get("textfont") or {}).get("size", font_size)
    vertical, _, horizontal = (trace.get("textposition") or "middle center").partition(" ")
    gap = ((trace.get("marker") or {}).get("size", 6) / 2 + 3) if "markers" in trace.get("mode", "") else 3
    boxes = []
    for x, y, text in zip(trace.get("x") or [], trace.get("y") or [], trace.get("text") or [], strict=False):
        if x is None or y is None or not text:
            continue
        width, height = text_size(text, size)
        cx, cy = plot.px(x, "x", "x"), plot.px(y, "y", "y")
        left = {"left": cx - gap - width, "center": cx - width / 2, "right": cx + gap}[horizontal or "center"]
        top = {"top": cy - gap - height, "middle": cy - height / 2, "bottom": cy + gap}[vertical]
        boxes.append(Box(text, left, top, left + width, top + height))
    return boxes


def _marker_box(plot: Layout, shape: dict) -> Box | None:
    """A line drawn as a mark between data values (such as the bar marking a gap), as a box as wide as the line;
    None for a line across the whole plot (a reference line labels may cross)."""
    if (
        shape.get("type") != "line"
        or "paper" in (shape.get("xref"), shape.get("yref"))
        or "domain" in (shape.get("xref", "") + shape.get("yref", ""))
    ):
        return None
    half = (shape.get("line") or {}).get("width", 2) / 2
    xs = [plot.px(shape[k], "x", "x") for k in ("x0", "x1")]
    ys = [plot.px(shape[k], "y", "y") for k in ("y0", "y1")]
    return Box("a marker line", min(xs) - half, min(ys) - half, max(xs) + half, max(ys) + half)


def _line_points(plot: Layout, trace: dict) -> list[tuple[float, float]]:
    """A line trace's path in px, its steps drawn as plotly draws shape "hv" (across, then up)."""
    pairs = zip(trace.get("x") or [], trace.get("y") or [], strict=False)
    points = [(plot.px(x, "x", "x"), plot.px(y, "y", "y")) for x, y in pairs if x is not None and y is not None]
    if (trace.get("line") or {}).get("shape") != "hv":
        return points
    path = points[:1]
    for x, y in points[1:]:
        path += [(x, path[-1][1]), (x, y)]
    return path


def struck_labels(fig: dict, width: float) -> list[str]:
    """Labels drawn without a box of their own that a line of the chart runs through, at `width` px."""
    plot = Layout(fig, width)
    font_size = fig["layout"].get("font", {}).get("size", 12)
    bare = [
        _annotation_box(plot, note, font_size)
        for note in fig["layout"].get("annotations", [])
        if not note.get("bgcolor") or note.get("bgcolor") == "rgba(0,0,0,0)"
    ]
    for trace in fig["data"]:
        if "text" in (trace.get("mode") or "") and trace.get("type", "scatter") == "scatter":
            bare += _point_text_boxes(plot, trace, font_size)
    struck = []
    for trace in fig["data"]:
        if trace.get("type", "scatter") != "scatter" or "lines" not in (trace.get("mode") or ""):
            continue
        path = _line_points(plot, trace)
        for (x0, y0), (x1, y1) in zip(path, path[1:], strict=False):
            steps = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) / 2))
            samples = [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps) for k in range(steps + 1)]
            struck += [
                f"{box.name!r} is struck through by {trace.get('name')!r}"
                for box in bare
                if any(
                    Box("", x, y, x, y).inside(box.left, box.top, box.right, box.bottom, slack=-2) for x, y in samples
                )
            ]
    return sorted(set(struck))


def label_boxes(fig: dict, width: float) -> tuple[Layout, list[Box]]:
    """The plot area, and the boxes of the title, every annotation, every point's text, the bands of the x axis's
    tick labels and the legend, at `width` px."""
    plot = Layout(fig, width)
    layout = fig["layout"]
    font_size = layout.get("font", {}).get("size", 12)
    title = layout.get("title", {})
    boxes = []
    if title.get("text"):
        title_width, title_height = text_size(title["text"], title.get("font", {}).get("size", 17), TITLE_EM)
        # plotly lifts a title anchored at its top by its lines after the first
        extra_lines = title["text"].count("<br>")
        top = title.get("pad", {}).get("t", 0) - extra_lines * title_height / (extra_lines + 1)
        boxes.append(Box("title", 0, top, title_width, top + title_height))
    boxes += [_annotation_box(plot, note, font_size) for note in layout.get("annotations", [])]
    for trace in fig["data"]:
        if "text" in (trace.get("mode") or "") and trace.get("type", "scatter") == "scatter":
            boxes += _point_text_boxes(plot, trace, font_size)
    if plot.ticks_below:
        boxes.append(Box("x tick labels", plot.left, plot.bottom + 4, plot.right, plot.bottom + TICK_LABEL_PX))
    if plot.ticks_above:
        boxes.append(Box("x tick labels", plot.left, plot.top - TICK_LABEL_PX, plot.right, plot.top - 4))
    boxes += [box for shape in layout.get("shapes", []) if (box := _marker_box(plot, shape))]
    rows, legend_px = _legend_rows(fig, width)
    legend = layout.get("legend", {})
    if rows and legend.get("yref") == "container":
        boxes.append(Box("legend", 0, plot.height - legend_px, width, plot.height))
    elif rows:
        top = plot.bottom - legend.get("y", 1) * (plot.bottom - plot.top)
        boxes.append(Box("legend", 0, top, width, top + legend_px))
    return plot, boxes


def collisions(fig: dict, width: float) -> list[str]:
    """Every pair of labels that overlap at `width` px, and every label outside the figure, in words."""
    plot, boxes = label_boxes(fig, width)
    found = [f"{a.name!r} overlaps {b.name!r}" for n, a in enumerate(boxes) for b in boxes[n + 1 :] if a.overlaps(b)]
    found += [f"{box.name!r} is outside the figure" for box in boxes if not box.inside(0, 0, plot.width, plot.height)]
    return found
