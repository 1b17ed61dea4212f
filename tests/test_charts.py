"""Figures are checked through their JSON: the message in the title, the series, the labels people read."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts, metrics
from dashboard.boundaries import validate_boundaries
from dashboard.roles import SYSTEM
from tests.conftest import SHARED_DATA
from tests.plotly_json import collisions, figure_json, struck_labels
from tests.test_metrics import AS_AT, PROGRAMME, T, _status
from tests.test_seed import HERTFORDSHIRE_DISTRICTS

DISTRICTS = pd.DataFrame(
    {
        "ons_code": ["E07000096", "E07000103", "E07000099"],
        "name": ["Dacorum", "Watford", "North Hertfordshire"],
        "short_name": [None, None, "North Herts"],
        "tile_x": [0.5, 2.0, 2.5],
        "tile_row": [2, 3, 0],
    }
)


def _json(fig) -> dict:
    return figure_json(fig.to_json())


def test_target_bar_states_the_message_and_fills_the_target():
    totals = metrics.bed_totals(PROGRAMME, target=20)
    fig = _json(charts.target_bar(totals))
    assert fig["layout"]["title"]["text"] == "3 of 20 beds open; 8 secured"
    assert sum(trace["x"][0] for trace in fig["data"]) == 20
    assert [trace["name"] for trace in fig["data"]][-1] == "Still to find: 10"
    # Every segment named with its number in the key (a narrow one's number cannot fit inside it), never sideways.
    assert all(
        trace["name"].endswith(f": {trace['x'][0]}")
        and trace["text"] == [str(trace["x"][0])]
        and trace["textangle"] == 0
        for trace in fig["data"]
    )


@pytest.mark.parametrize("target", [20, 70, 6])
def test_target_bar_marks_the_target_from_the_data(target):
    """The mark and its label move with the target (6: fewer than the beds in the programme, inside the bar)."""
    fig = _json(charts.target_bar(metrics.bed_totals(PROGRAMME, target=target)))
    (mark,) = fig["layout"]["shapes"]
    assert mark["x0"] == mark["x1"] == target
    (label,) = fig["layout"]["annotations"]
    assert label["text"] == f"<b>Target {target}</b>" and label["x"] == target
    assert fig["layout"]["xaxis"]["range"][1] > target  # the mark is drawn inside the plot, not on its edge


@pytest.mark.parametrize(
    ("target", "anchors"),
    [
        # The target's mark inside the secured segment (172 to 209), left of its middle: its number goes right.
        (190, {"Open": "middle", "Registered, not open": "middle", "Secured, not registered": "end"}),
        # Right of the open segment's middle: its number goes left, away from the mark.
        (150, {"Open": "start", "Registered, not open": "middle", "Secured, not registered": "middle"}),
        # On a segment's edge: no number is struck through, every one in its middle.
        (172, {"Open": "middle", "Registered, not open": "middle", "Secured, not registered": "middle"}),
    ],
)
def test_target_bar_keeps_a_segments_number_off_the_targets_mark(target, anchors):
    totals = metrics.BedTotals(target=target, open=166, registered=172, secured=209, pipeline=16)
    fig = _json(charts.target_bar(totals))
    shown = {trace["name"].split(":")[0]: trace["insidetextanchor"] for trace in fig["data"]}
    assert {name: shown[name] for name in anchors} == anchors
    assert shown["In the pipeline"] == "middle"


def test_target_bar_of_a_part_marks_its_planned_beds():
    fig = _json(charts.target_bar(metrics.bed_totals(PROGRAMME, target=70, part=True)))
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["<b>Planned 10</b>"]


def test_progress_chart_has_target_line_dashed_forecast_and_gap_label():
    totals = metrics.bed_totals(PROGRAMME, target=20)
    phases = pd.DataFrame({"name": ["Phase 1"], "starts_on": [pd.Timestamp("2024-01-01")]})
    fig = _json(charts.progress_chart(metrics.cumulative_beds(PROGRAMME, AS_AT), phases, AS_AT, totals))
    assert fig["layout"]["title"]["text"] == "3 of 20 beds open: 17 to go"
    names = {trace.get("name") for trace in fig["data"]}
    assert {"Open (actual)", "Open (forecast)", "Open", "Actual", "Forecast"} <= names
    forecast = next(trace for trace in fig["data"] if trace.get("name") == "Open (forecast)")
    assert forecast["line"]["dash"] == "dash" and forecast["line"]["shape"] == "hv"
    assert forecast["showlegend"] is False  # the key's "Forecast" says it once for every level
    annotations = [a["text"] for a in fig["layout"]["annotations"]]
    assert "<b>17 beds to go</b>" in annotations and "Phase 1" in annotations
    assert {"Secured: 8", "Registered: 5", "Open: 3"} <= set(annotations)


def test_tile_map_draws_a_labelled_hexagon_per_district():
    frame = metrics.by_district(PROGRAMME, DISTRICTS, target=20)
    fig = _json(charts.district_tile_map(frame, "secured", "Beds secured"))
    assert len([trace for trace in fig["data"] if trace.get("fill") == "toself"]) == 3
    labels = [a["text"] for a in fig["layout"]["annotations"]]
    assert "Dacorum<br><b>8</b>" in labels and "North<br>Hertfordshire<br><b>0</b>" in labels
    # Wrapped where a phone would cut it off.
    assert fig["layout"]["title"]["text"] == "Beds secured: most in Dacorum (8); none in<br>2 districts"


def test_choropleth_uses_installed_boundaries_and_labels_values():
    import json

    raw = json.loads((SHARED_DATA / "hertfordshire_districts.geojson").read_text())
    names = HERTFORDSHIRE_DISTRICTS
    boundaries = validate_boundaries(raw, names, {})
    frame = metrics.by_district(PROGRAMME, DISTRICTS, target=20)
    fig = _json(charts.district_choropleth(frame, boundaries, "share_of_target", "Share of the target"))
    choropleth, labels = fig["data"]
    assert choropleth["type"] == "choropleth" and choropleth["featureidkey"] == "properties.ons_code"
    assert fig["layout"]["geo"]["fitbounds"] == "geojson"
    assert "Dacorum<br><b>40%</b>" in labels["text"]


def _late_survey_gantt() -> dict:
    """The Gantt of one property whose survey took 28 days longer than planned and is now waiting on it."""
    from tests.test_metrics import _milestones

    frame = _milestones("X", [("2025-01-01", "2025-01-01"), ("2025-02-01", "2025-03-01"), ("2025-03-01", None)])
    segments = metrics.gantt_segments(frame, date(2025, 4, 1))
    status = _status(
        {"reference": "X", "reached_position": 2, "next_stage": "survey", "next_planned_on": T("2025-03-01")}
    )
    return _json(charts.gantt(segments, metrics.lateness(status, date(2025, 4, 1)), date(2025, 4, 1), "T"))


def test_gantt_marks_stages_that_took_longer_and_labels_lateness():
    fig = _late_survey_gantt()
    longer = next(trace for trace in fig["data"] if trace.get("name") == "Stage took longer")
    assert longer["marker"]["pattern"]["shape"] == "/" and "+28d" in longer["text"]
    ends = next(trace for trace in fig["data"] if trace.get("mode") == "text")
    assert ends["text"] == ["  <b>31 days late</b>"]


# ---------------------------------------------------------------- labels that fit
# Widths the charts are drawn at: a phone (390 px window), the briefing pack, a laptop (1366 px window), a wide print.
WIDTHS = [358, 700, 906, 1400]


@pytest.fixture(scope="module")
def seeded(shared_engine):
    """The seeded programme's figures as its pages draw them (from the pack's reading of the store)."""
    from dashboard.briefing import content, images

    as_at = date(2026, 11, 30)
    data = content.gather(shared_engine, SYSTEM, as_at, date(2026, 11, 2), today=as_at)
    return data, images.gantt_figures(shared_engine, SYSTEM, data)


def _seeded_figures(data, gantts) -> dict:
    return {
        "target": charts.target_bar(data.totals),
        "progress": charts.progress_chart(
            metrics.cumulative_beds(data.status, data.as_at), data.phases, data.as_at, data.totals
        ),
        "phases": charts.phase_chart(metrics.phase_spans(data.phases, data.status, data.as_at), data.as_at),
        **{f"gantt {n}": fig for n, fig in enumerate(gantts)},
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_no_label_of_a_seeded_chart_overlaps_another_or_leaves_the_figure(seeded, width):
    for name, fig in _seeded_figures(*seeded).items():
        spec = _json(fig)
        assert collisions(spec, width) == [], name
        assert struck_labels(spec, width) == [], name


def _progress(phases: list[tuple[str, str]], target: int, **totals: int):
    frame = pd.DataFrame({"name": [n for n, _ in phases], "starts_on": [pd.Timestamp(d) for _, d in phases]})
    status = metrics.bed_totals(PROGRAMME, target=target)
    totals = metrics.BedTotals(**{**status.__dict__, **totals})
    return _json(charts.progress_chart(metrics.cumulative_beds(PROGRAMME, AS_AT), frame, AS_AT, totals))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "phases, target, totals",
    [
        ([("Phase 1", "2024-01-01"), ("Phase 2", "2024-03-01"), ("Phase 3", "2024-05-01")], 20, {}),
        ([("Phase 1", "2024-01-01")], 9, {}),  # secured (8) next to the target: the gap's label is pushed clear
        ([("Phase 1", "2024-01-01")], 20, {"open": 5, "registered": 5}),  # two levels at one figure
        ([("Phase 1", "2024-01-01")], 3, {}),  # the target reached
        ([("Early", "2020-01-01"), ("Late one with a long name", "2025-12-01")], 20, {}),  # a name at the right edge
    ],
)
def test_progress_labels_clear_each_other_and_the_lines(phases, target, totals, width):
    fig = _progress(phases, target, **totals)
    assert collisions(fig, width) == []
    assert struck_labels(fig, width) == []


def test_progress_phase_names_that_would_need_too_many_rows_are_left_off():
    crowded = [(f"Phase {n}", f"2024-0{n}-01") for n in range(1, 9)]
    fig = _progress(crowded, 20)
    assert not any(a["text"].startswith("Phase") for a in fig["layout"]["annotations"])
    assert len([s for s in fig["layout"]["shapes"] if s.get("yref") == "paper"]) == 8  # their starts still drawn


def test_progress_lines_end_inside_the_plot():
    """The x axis runs past the last forecast date: no line is cut off at the plot's right edge."""
    fig = _progress([("Phase 1", "2024-01-01")], 20)
    last = max(pd.Timestamp(x) for trace in fig["data"] for x in (trace.get("x") or []) if x is not None)
    assert pd.Timestamp(fig["layout"]["xaxis"]["range"][1]) - last >= pd.Timedelta(days=30)


def test_the_checks_find_the_labels_that_collided_before():
    """The checks are not vacuous: the labels as the Progress chart placed them before (the level's figure on its
    own line, "As at" on the gap's bar, two phase names a month apart on a phone) are found."""
    fig = _progress([("Phase 1", "2024-01-01"), ("Phase 2", "2024-02-01")], 20)
    layout = fig["layout"]
    layout["annotations"] = [
        {**a, "bgcolor": None}
        if a["text"] == "Open: 3"
        else {**a, "y": 20, "yref": "y", "yshift": -14, "xanchor": "left", "xshift": 0}
        if a["text"].startswith("As at")
        else {**a, "yshift": 0}
        if a["text"].startswith("Phase")
        else a
        for a in layout["annotations"]
    ]
    found = collisions(fig, 358)
    assert "'Phase 1' overlaps 'Phase 2'" in found
    assert any(problem.startswith("'As at") and "marker line" in problem for problem in found), found
    assert any(problem.startswith("'Open: 3' is struck through") for problem in struck_labels(fig, 358))


@pytest.mark.parametrize("width", WIDTHS)
def test_phase_chart_states_its_message_and_its_labels_fit(width):
    spans = pd.DataFrame(
        {
            "phase": ["Phase 1", "Phase 2"],
            "planned_start": [T("2024-01-01"), T("2025-01-01")],
            "planned_end": [T("2025-01-01"), T("2026-06-01")],
            "actual_start": [T("2024-02-01"), pd.NaT],
            "actual_end": [T("2025-03-01"), pd.NaT],
            "properties": [3, 0],
        }
    )
    fig = _json(charts.phase_chart(spans, AS_AT))
    assert fig["layout"]["title"]["text"] == "1 of 2 phases past its planned end"
    assert [trace["name"] for trace in fig["data"]] == ["Planned", "Actual work"] and fig["layout"]["showlegend"]
    assert collisions(fig, width) == []


def test_long_titles_wrap_to_fit_a_phone():
    assert charts.wrap_title("39 of 70 beds open: 31 to go") == "39 of 70 beds open: 31 to go"
    wrapped = charts.wrap_title("Beds secured: most in North Hertfordshire (12); none in 3 districts")
    assert wrapped.replace("<br>", " ") == "Beds secured: most in North Hertfordshire (12); none in 3 districts"
    assert all(len(line) <= charts.TITLE_LINE_CHARS for line in wrapped.split("<br>")) and "<br>" in wrapped


def test_a_title_is_wrapped_again_for_the_packs_wider_page():
    title = "Beds secured: most in North Hertfordshire (12); none in 3 districts"
    fig = charts.styled(go.Figure(), title)
    top, pad = fig.layout.margin.t, fig.layout.title.pad.t
    assert charts.fit_title(go.Figure(fig), charts.PHONE_WIDTH_PX).layout.title.text == charts.wrap_title(title)
    wide = charts.fit_title(fig, 700)
    assert wide.layout.title.text == title  # one line: a phone's two lines broke it mid-thought on A4
    assert (wide.layout.margin.t, wide.layout.title.pad.t) == (top - charts.TITLE_LINE_PX, pad - charts.TITLE_LINE_PX)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_gantt_days_added_are_dark_on_light_and_the_as_at_label_clears_the_year_labels():
    """ "+28d" on a stage that took longer reads at WCAG AA (4.5:1) against the bar's fill and its hatching."""
    fig = _late_survey_gantt()
    longer = next(trace for trace in fig["data"] if trace.get("name") == "Stage took longer")
    text = longer["textfont"]["color"]
    assert _contrast(text, longer["marker"]["color"]) >= 4.5
    assert _contrast(text, longer["marker"]["pattern"]["fgcolor"]) >= 4.5
    for width in WIDTHS:
        assert collisions(fig, width) == [], width


# ---------------------------------------------------------------- objectives


def test_an_objective_trend_marks_each_31_march_as_dfes_figure_and_draws_the_target():
    trend = pd.DataFrame(
        {
            "period_end": pd.to_datetime(["2019-02-28", "2019-03-31", "2019-04-30"]),
            "value": [0.2, 0.25, None],
            "year_end": [False, True, False],
        }
    )
    fig = charts.objective_chart(trend, "Own provision: month by month", 0.3, as_percent=True)
    line, marked = fig.data
    assert list(line.y) == [0.2, 0.25]  # a month with no value is not drawn as nothing
    assert marked.name == "31 March (DfE's figure)" and list(marked.y) == [0.25]
    assert [shape.y0 for shape in fig.layout.shapes] == [0.3]
    assert [a.text for a in fig.layout.annotations] == ["25%", "Target 30%"]
    # The dashboard's own measure (occupancy): no 31 March is DfE's figure.
    assert len(charts.objective_chart(trend, "Occupancy", None, as_percent=True, dfe=False).data) == 1


def test_the_cost_estimate_shows_a_month_below_nothing_in_another_colour():
    monthly = pd.DataFrame({"period_end": pd.to_datetime(["2019-02-28", "2019-03-31"]), "estimate": [-500.0, 800.0]})
    [bars] = charts.cost_chart(monthly, "The estimate month by month").data
    assert list(bars.marker.color) == [charts.ORANGE, charts.TURQUOISE] and "estimate" in bars.hovertemplate
