"""The forecast's figures and tables, checked through their JSON: the message in the title, the series drawn from
exactly the frames given, the band round the expected line, and no label colliding at a phone's or a laptop's width."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard import forecast_charts as fc
from dashboard import need, tables
from tests.plotly_json import collisions, figure_json

ENDS = [d.date() for d in pd.date_range("2026-04-30", periods=12, freq="ME")]


def _compared(expected: list[float], beds: list[int], target: int = 70) -> pd.DataFrame:
    frame = pd.DataFrame({"period_end": ENDS[: len(expected)], "expected": expected})
    frame["lower"], frame["upper"] = frame["expected"] - 1, frame["expected"] + 2
    frame["programme_beds"], frame["target"] = beds, target
    return frame[need.COMPARISON_COLUMNS]


def _json(fig) -> dict:
    return figure_json(fig.to_json())


def _trace(fig: dict, name: str) -> dict:
    return next(trace for trace in fig["data"] if trace.get("name") == name)


@pytest.mark.parametrize(
    ("expected", "beds", "title"),
    [
        ([5.0, 6.2, 6.5], [0, 6, 8], "The programme's beds meet forecast need from June 2026"),
        ([5.0, 6.0, 6.5], [9, 9, 9], "The programme's beds meet forecast need to June 2026"),
        ([5.0, 6.0, 9.2], [2, 3, 4], "The programme's beds fall 6 beds short of need at June 2026"),
        ([5.0, 6.0, 4.5], [2, 3, 4], "The programme's beds fall 1 bed short of need at June 2026"),
    ],
)
def test_the_beds_chart_states_where_the_lines_cross(expected, beds, title):
    compared = _compared(expected, beds)
    fig = _json(fc.beds_chart(compared, need.crossing(compared)))
    assert fig["layout"]["title"]["text"].replace("<br>", " ") == title


def test_the_beds_chart_draws_the_frame_given():
    compared = _compared([5.0, 6.0, 6.5, 7.25], [0, 6, 6, 8], target=12)
    fig = _json(fc.beds_chart(compared, need.crossing(compared)))
    assert _trace(fig, "Beds needed (expected)")["y"] == [5.0, 6.0, 6.5, 7.25]
    band = _trace(fig, fc.BAND_NAME)
    lower = fig["data"][fig["data"].index(band) - 1]
    assert (lower["y"], band["y"], band["fill"]) == ([4.0, 5.0, 5.5, 6.25], [7.0, 8.0, 8.5, 9.25], "tonexty")
    beds = _trace(fig, "The programme's beds")
    assert (beds["y"], beds["line"]["shape"]) == ([0, 6, 6, 8], "hv")  # beds come in steps, not slopes
    assert _trace(fig, "Target (12 beds)")["y"] == [12] * 4
    # Told apart by more than colour: dashed expected need, solid beds, dotted target.
    assert _trace(fig, "Beds needed (expected)")["line"]["dash"] == "dash"
    assert _trace(fig, "Target (12 beds)")["line"]["dash"] == "dot"


@pytest.mark.parametrize("width", [360, 900])
def test_no_label_collides(width):
    compared = _compared([5.0, 6.0, 6.5, 7.25], [0, 6, 6, 8])
    history = pd.DataFrame({"period_end": pd.to_datetime(["2026-02-28", "2026-03-31"]), "children": [30.0, 28.0]})
    forecast = compared.drop(columns=["programme_beds", "target"])
    tested = forecast.assign(actual=[5, 7, 6, 8])
    for fig in (
        fc.beds_chart(compared, need.crossing(compared)),
        fc.children_chart("Children in children's homes", history, forecast),
        fc.backtest_chart(tested, 9.56),
    ):
        assert collisions(_json(fig), width) == []


def test_the_children_chart_carries_the_history_on_into_the_forecast():
    history = pd.DataFrame({"period_end": pd.to_datetime(["2026-02-28", "2026-03-31"]), "children": [30.0, 28.0]})
    forecast = pd.DataFrame(
        {"period_end": ENDS[:2], "expected": [27.4, 26.0], "lower": [24.0, 22.0], "upper": [31.0, 30.0]}
    )
    fig = _json(fc.children_chart("Children in children's homes", history, forecast))
    title = fig["layout"]["title"]["text"].replace("<br>", " ")
    assert title == "Children in children's homes: 28 in March 2026, about 26 forecast for May 2026"
    assert _trace(fig, "Month end, as it was")["y"] == [30.0, 28.0]
    line = _trace(fig, "Forecast (expected)")
    # The forecast starts from the last month seen, then is the forecast exactly.
    assert line["y"] == [28.0, 27.4, 26.0]
    assert [x[:10] for x in line["x"]] == ["2026-03-31", "2026-04-30", "2026-05-31"]
    assert _trace(fig, fc.BAND_NAME)["y"] == [28.0, 31.0, 30.0]


def test_the_children_chart_without_history_is_the_forecast_alone():
    forecast = pd.DataFrame({"period_end": ENDS[:1], "expected": [3.0], "lower": [1.0], "upper": [5.0]})
    empty = pd.DataFrame({"period_end": pd.Series(dtype="datetime64[ns]"), "children": pd.Series(dtype=float)})
    fig = _json(fc.children_chart("Children looked after", empty, forecast))
    assert (
        fig["layout"]["title"]["text"].replace("<br>", " ") == "Children looked after: about 3 forecast for April 2026"
    )
    assert _trace(fig, "Forecast (expected)")["y"] == [3.0]


@pytest.mark.parametrize(
    ("mape", "title"),
    [
        (9.5621, "A year ahead, the forecast was off by 9.6% on average"),
        (None, "The forecast a year ahead beside what happened"),
    ],
)
def test_the_backtest_chart_states_the_error(mape, title):
    tested = pd.DataFrame(
        {"period_end": ENDS[:2], "actual": [10.0, 12.0], "expected": [11.0, 11.5], "lower": [8.0, 8], "upper": [14, 15]}
    )
    fig = _json(fc.backtest_chart(tested, mape))
    assert fig["layout"]["title"]["text"].replace("<br>", " ") == title
    assert _trace(fig, "What happened")["y"] == [10.0, 12.0]
    assert _trace(fig, "Forecast a year ahead (expected)")["y"] == [11.0, 11.5]


def test_the_backtest_table_gives_each_month_s_error():
    tested = pd.DataFrame(
        {"period_end": ENDS[:3], "actual": [10.0, 0.0, 8.0], "expected": [11.0, 1.0, 6.0], "lower": 0, "upper": 20}
    )
    table = tables.backtest_table(tested)
    assert table["Off by (%)"].tolist()[::2] == [10.0, 25.0]
    assert pd.isna(table["Off by (%)"].iloc[1])  # no child: no percentage error, as the backtest's mean leaves it out


def test_the_table_by_age_band_gives_each_year_ahead():
    months = [d.date() for d in pd.date_range("2026-04-30", periods=36, freq="ME")]
    rows = [
        {"period_end": day, "measure": f"childrens_home:{band}", "expected": n + k, "lower": n, "upper": n + 2 * k}
        for n, day in enumerate(months)
        for k, band in enumerate(["10-15", "0-4", "16-17", "5-9"], start=1)
    ]
    rows.append({"period_end": months[-1], "measure": "fostering:0-4", "expected": 99, "lower": 0, "upper": 0})
    table = tables.forecast_by_age_table(pd.DataFrame(rows), "childrens_home")
    assert table.columns.tolist() == ["Aged", "March 2027", "March 2028", "March 2029"]
    assert table["Aged"].tolist() == ["0-4", "5-9", "10-15", "16-17"]
    assert table.loc[2, "March 2027"] == "12.0 (11 to 13)"  # month 12 (row 11), 10-15: expected 11 + 1
    assert table.loc[0, "March 2029"] == "37.0 (35 to 39)"


def test_the_scenarios_table_puts_need_beside_the_inputs():
    runs = pd.DataFrame(
        {
            "scenario": ["Central", "More entries"],
            "entry_change": [0.0, 20.0],
            "own_share": [0.26087, 0.5],
            "own_share_source": ["own provision's share on 31/03/2020", "scenario More entries"],
            "occupancy": [0.85, 0.9],
            "reference_first": [date(2018, 4, 1)] * 2,
            "reference_last": [date(2020, 3, 31)] * 2,
        }
    )
    ends = pd.DataFrame(
        {"scenario": ["More entries", "Central"], "expected": [5.04, 2.46], "lower": [3.0, 1.2], "upper": [7.0, 4.0]}
    )
    table = tables.scenarios_table(runs, ends, {"Central": "Met.", "More entries": "Short."})
    central, more = table.to_dict("records")
    assert (central["Scenario"], central["Beds needed (expected)"], central["Own homes' share (%)"]) == (
        "Central",
        2.5,
        26.1,
    )
    assert (more["Entries into care (change, %)"], more["Occupancy (%)"], more["Against the programme's beds"]) == (
        20.0,
        90.0,
        "Short.",
    )
    assert more["Reference window"] == "April 2018 to March 2020"


def test_the_district_table_puts_need_beside_the_beds():
    needs = pd.DataFrame(
        {
            "ons_code": ["E07000096", "E07000103", ""],
            "name": ["Dacorum", "Watford", "Not known or outside"],
            "share": [0.25, 0.5, 0.25],
            "need": [1.0, 2.0, 1.0],
        }
    )
    beds = pd.DataFrame({"ons_code": ["E07000103", "E07000096"], "name": ["W", "D"], "secured": [6, 4], "open": [2, 0]})
    table = tables.district_need_table(needs, beds, "March 2029")
    assert table.columns.tolist() == [
        "District",
        tables.DISTRICT_SHARE,
        "Beds needed, March 2029",
        "Beds secured",
        "Beds open",
    ]
    assert table["Beds secured"].tolist()[:2] == [4, 6]
    assert table[tables.DISTRICT_SHARE].tolist() == [25.0, 50.0, 25.0]
    assert pd.isna(table["Beds open"].iloc[2])  # no bed is in "not known"
