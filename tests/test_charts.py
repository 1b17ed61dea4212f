"""Figures are checked through their JSON: the message in the title, the series, the labels people read."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import charts, metrics
from dashboard.boundaries import validate_boundaries
from tests.conftest import SHARED_DATA
from tests.plotly_json import figure_json
from tests.test_metrics import AS_AT, PROGRAMME, T, _status

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
    assert [trace["name"] for trace in fig["data"]][-1] == "Still to find"
    assert all(trace["text"][0].endswith(str(trace["x"][0])) for trace in fig["data"])


def test_progress_chart_has_target_line_dashed_forecast_and_gap_label():
    totals = metrics.bed_totals(PROGRAMME, target=20)
    phases = pd.DataFrame({"name": ["Phase 1"], "starts_on": [pd.Timestamp("2024-01-01")]})
    fig = _json(charts.progress_chart(metrics.cumulative_beds(PROGRAMME, AS_AT), phases, AS_AT, totals))
    assert fig["layout"]["title"]["text"] == "3 of 20 beds open: 17 to go"
    assert {"Open (actual)", "Open (forecast)"} <= {trace.get("name") for trace in fig["data"]}
    forecast = next(trace for trace in fig["data"] if trace.get("name") == "Open (forecast)")
    assert forecast["line"]["dash"] == "dash" and forecast["line"]["shape"] == "hv"
    annotations = [a["text"] for a in fig["layout"]["annotations"]]
    assert "<b>17 beds to go</b>" in annotations and "Phase 1" in annotations


def test_tile_map_draws_a_labelled_hexagon_per_district():
    frame = metrics.by_district(PROGRAMME, DISTRICTS, target=20)
    fig = _json(charts.district_tile_map(frame, "secured", "Beds secured"))
    assert len([trace for trace in fig["data"] if trace.get("fill") == "toself"]) == 3
    labels = [a["text"] for a in fig["layout"]["annotations"]]
    assert "Dacorum<br><b>8</b>" in labels and "North<br>Herts<br><b>0</b>" in labels
    assert fig["layout"]["title"]["text"] == "Beds secured: most in Dacorum (8); none in 2 districts"


def test_choropleth_uses_installed_boundaries_and_labels_values():
    import json

    raw = json.loads((SHARED_DATA / "hertfordshire_districts.geojson").read_text())
    names = {
        "E07000095": "Broxbourne",
        "E07000096": "Dacorum",
        "E07000242": "East Hertfordshire",
        "E07000098": "Hertsmere",
        "E07000099": "North Hertfordshire",
        "E07000240": "St Albans",
        "E07000243": "Stevenage",
        "E07000102": "Three Rivers",
        "E07000103": "Watford",
        "E07000241": "Welwyn Hatfield",
    }
    boundaries = validate_boundaries(raw, names, {})
    frame = metrics.by_district(PROGRAMME, DISTRICTS, target=20)
    fig = _json(charts.district_choropleth(frame, boundaries, "share_of_target", "Share of the target"))
    choropleth, labels = fig["data"]
    assert choropleth["type"] == "choropleth" and choropleth["featureidkey"] == "properties.ons_code"
    assert fig["layout"]["geo"]["fitbounds"] == "geojson"
    assert "Dacorum<br><b>40%</b>" in labels["text"]


def test_gantt_marks_stages_that_took_longer_and_labels_lateness():
    from tests.test_metrics import _milestones

    frame = _milestones("X", [("2025-01-01", "2025-01-01"), ("2025-02-01", "2025-03-01"), ("2025-03-01", None)])
    segments = metrics.gantt_segments(frame, date(2025, 4, 1))
    status = _status(
        {"reference": "X", "reached_position": 2, "next_stage": "survey", "next_planned_on": T("2025-03-01")}
    )
    fig = _json(charts.gantt(segments, metrics.lateness(status, date(2025, 4, 1)), date(2025, 4, 1), "T"))
    longer = next(trace for trace in fig["data"] if trace.get("name") == "Stage took longer")
    assert longer["marker"]["pattern"]["shape"] == "/" and "+28d" in longer["text"]
    ends = next(trace for trace in fig["data"] if trace.get("mode") == "text")
    assert ends["text"] == ["  <b>31 days late</b>"]
