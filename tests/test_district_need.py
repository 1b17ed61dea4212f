"""The demand forecast's need on the Districts map: the central scenario's beds needed at the end of its forecast,
shared over the districts (dashboard.need.need_by_district), beside the beds secured there; drawn on a diverging
scale centred on 0, with the share the map cannot draw said under it; the page offers these measures only once an
import has made a forecast."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from dashboard import charts, demand, lookup, metrics, need, placements, tables
from dashboard import district_need as dn
from dashboard import forecast as f
from dashboard.boundaries import validate_boundaries
from dashboard.models import PostcodeDistrict
from tests.apptest import assert_charts_described, assert_page_ok, open_app, open_data_tables
from tests.conftest import SHARED_DATA, plain_sql
from tests.plotly_json import figure_json
from tests.test_objectives_page import COUNCIL, EDITOR, EPISODES, HEADERS, write_lookup
from tests.test_seed import HERTFORDSHIRE_DISTRICTS

CODES = sorted(HERTFORDSHIRE_DISTRICTS)
REFERENCE = (date(2018, 4, 1), date(2020, 3, 31))
MONTH_ENDS = [d.date() for d in pd.date_range("2017-04-30", "2020-03-31", freq="ME")]
FORECAST_ENDS = [d.date() for d in pd.date_range("2020-04-30", "2023-03-31", freq="ME")]


def basis_with(homes: pd.DataFrame) -> f.Basis:
    """A basis whose children in children's homes by home district are `homes` (the rest is never read here)."""
    bands, groups = len(f.AGE_BANDS), len(f.GROUPS)
    return f.Basis(
        period_ends=tuple(MONTH_ENDS),
        moves=np.zeros((len(MONTH_ENDS) - 1, bands, groups, groups + 1), dtype=np.int64),
        entries=np.zeros((len(MONTH_ENDS) - 1, f.LEAVING_MONTHS, groups), dtype=np.int64),
        stock=np.zeros((f.LEAVING_MONTHS, groups), dtype=np.int64),
        without_birth=0,
        homes_by_district=homes,
    )


def forecasts_ending(central: float, other: float) -> pd.DataFrame:
    """demand.forecasts' frame: the central scenario's beds needed ending at `central`, another scenario's at
    `other`, and children in children's homes beside (neither of which is the need)."""
    rows = []
    for scenario, end in ((demand.CENTRAL, central), ("Fewer entries", other)):
        for n, day in enumerate(FORECAST_ENDS):
            value = end + (len(FORECAST_ENDS) - 1 - n) * 0.1
            rows.append((scenario, day, demand.BEDS_NEEDED, value, value * 0.8, value * 1.2))
            rows.append((scenario, day, demand.CHILDRENS_HOMES, value * 9, value * 8, value * 10))
    return pd.DataFrame(rows, columns=demand.EXPORT_COLUMNS)


def runs_with(reference: tuple[date, date]) -> pd.DataFrame:
    return pd.DataFrame(
        [[demand.CENTRAL, reference[0], reference[1]], ["Fewer entries", MONTH_ENDS[0], MONTH_ENDS[-1]]],
        columns=["scenario", "reference_first", "reference_last"],
    )


def districts_frame(secured: list[int]) -> pd.DataFrame:
    """metrics.by_district's frame for the council's ten districts, with `secured` beds in each."""
    names = [HERTFORDSHIRE_DISTRICTS[code] for code in CODES]
    return pd.DataFrame(
        {
            "ons_code": CODES,
            "name": names,
            "short_name": [None] * len(CODES),
            "tile_x": [float(n % 4) for n in range(len(CODES))],
            "tile_row": [float(n // 4) for n in range(len(CODES))],
            "properties": [1] * len(CODES),
            "pipeline": secured,
            "secured": secured,
            "registered": [0] * len(CODES),
            "open": [0] * len(CODES),
            "share_of_target": [s / 70 for s in secured],
        }
    )


# ---------------------------------------------------------------- the frame


children = st.lists(
    st.tuples(st.sampled_from(MONTH_ENDS), st.sampled_from([*CODES, need.NOT_KNOWN]), st.integers(0, 30)),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=children,
    needed=st.floats(0, 200, allow_nan=False),
    secured=st.lists(st.integers(0, 12), min_size=10, max_size=10),
)
def test_the_districts_need_adds_up_with_not_known_to_the_beds_needed(rows, needed, secured):
    homes = pd.DataFrame(rows, columns=f.HOME_DISTRICT_COLUMNS).astype({"children": float})
    made = dn.with_need(
        districts_frame(secured), basis_with(homes), forecasts_ending(needed, needed + 5), runs_with(REFERENCE)
    )
    assert made is not None
    assert made.needed == pytest.approx(needed) and made.at == FORECAST_ENDS[-1]
    # Counted by hand: the children in the reference window, by district.
    inside = [(code, count) for day, code, count in rows if REFERENCE[0] <= day <= REFERENCE[1]]
    total = sum(count for _, count in inside)
    frame = made.frame.set_index("ons_code")
    if total == 0:
        assert not made.shared and frame[dn.NEED].sum() == 0 and made.not_known == 0
        assert "not shared out" in made.caption()
        return
    assert made.shared
    assert frame[dn.NEED].sum() + made.not_known == pytest.approx(needed)
    assert frame[dn.SHARE_OF_NEED].sum() + made.not_known_share == pytest.approx(1.0)
    for code in CODES:
        counted = sum(count for where, count in inside if where == code)
        assert frame.loc[code, dn.NEED] == pytest.approx(needed * counted / total)
    assert (frame[dn.SECURED_LESS_NEED] == frame["secured"] - frame[dn.NEED]).all()
    # Every district stays, with its beds as they were.
    assert frame["secured"].tolist() == secured and len(frame) == len(CODES)


def test_the_need_is_the_central_scenarios_at_the_end_of_its_forecast_over_its_reference_window():
    homes = pd.DataFrame(
        [
            [date(2017, 6, 30), CODES[0], 50.0],  # before the central reference window: not counted
            [date(2019, 3, 31), CODES[1], 3.0],
            [date(2020, 3, 31), CODES[2], 1.0],
            [date(2020, 3, 31), need.NOT_KNOWN, 4.0],
        ],
        columns=f.HOME_DISTRICT_COLUMNS,
    )
    made = dn.with_need(districts_frame([2] * 10), basis_with(homes), forecasts_ending(8.0, 80.0), runs_with(REFERENCE))
    assert made is not None
    need_of = made.frame.set_index("ons_code")[dn.NEED]
    assert need_of[CODES[0]] == 0 and need_of[CODES[1]] == pytest.approx(3.0) and need_of[CODES[2]] == 1.0
    assert made.not_known == pytest.approx(4.0) and made.not_known_share == pytest.approx(0.5)
    caption = made.caption()
    assert "March 2023 (8.0 beds)" in caption and "April 2018 to March 2020" in caption
    assert "50% of the need (4.0 beds)" in caption and "not known or is outside" in caption


def test_no_central_forecast_gives_no_need():
    homes = pd.DataFrame(columns=f.HOME_DISTRICT_COLUMNS)
    others = forecasts_ending(3.0, 4.0)
    others = others[others["scenario"] != demand.CENTRAL]
    assert dn.with_need(districts_frame([0] * 10), basis_with(homes), others, runs_with(REFERENCE)) is None


# ---------------------------------------------------------------- drawn


def with_differences() -> dn.DistrictNeed:
    """Need 4 in the first district (2 secured: 2 short), 1 in the second (3 secured: 2 over), none elsewhere."""
    homes = pd.DataFrame(
        [[date(2019, 6, 30), CODES[0], 4.0], [date(2019, 6, 30), CODES[1], 1.0]], columns=f.HOME_DISTRICT_COLUMNS
    )
    secured = [2, 3, 0, 0, 0, 0, 0, 0, 0, 0]
    made = dn.with_need(districts_frame(secured), basis_with(homes), forecasts_ending(5.0, 9.0), runs_with(REFERENCE))
    assert made is not None
    return made


def _rgb(fill: str) -> tuple[int, int, int]:
    return int(fill[1:3], 16), int(fill[3:5], 16), int(fill[5:7], 16)


def test_the_difference_is_drawn_on_a_scale_diverging_from_zero_with_signed_labels():
    frame = with_differences().frame
    label = "Beds secured less forecast need"
    fig = figure_json(charts.district_tile_map(frame, dn.SECURED_LESS_NEED, label).to_json())
    fills = {trace["hovertext"].split(":")[0]: trace["fillcolor"] for trace in fig["data"]}
    short, over = HERTFORDSHIRE_DISTRICTS[CODES[0]], HERTFORDSHIRE_DISTRICTS[CODES[1]]
    red, _, blue = _rgb(fills[short])
    assert red > blue  # fewer beds than need: orange
    red, _, blue = _rgb(fills[over])
    assert blue > red  # more: blue
    # Equal gaps either way are equally deep; no gap is neutral.
    assert sum(_rgb(fills[short])) == pytest.approx(sum(_rgb(fills[over])), abs=200)
    assert fills[HERTFORDSHIRE_DISTRICTS[CODES[2]]] == charts.EMPTY_FILL
    labels = {a["text"].rsplit("<br><b>", 1)[0].replace("<br>", " "): a["text"] for a in fig["layout"]["annotations"]}
    assert labels[short].endswith("<b>\u22122.0</b>") and labels[over].endswith("<b>+2.0</b>")
    assert labels[HERTFORDSHIRE_DISTRICTS[CODES[2]]].endswith("<b>0.0</b>")
    assert fig["layout"]["title"]["text"].replace("<br>", " ") == (
        f"{label}: 1 district short of need, {short} the most (\u22122.0)"
    )
    bars = figure_json(charts.district_bars(frame, dn.SECURED_LESS_NEED, label).to_json())["data"][0]
    colours = dict(zip(bars["y"], bars["marker"]["color"], strict=True))
    assert colours[short] == charts.ORANGE and colours[over] == charts.DARK_BLUE


def test_the_boundary_map_draws_the_difference_as_the_tile_map_does():
    frame = with_differences().frame
    raw = json.loads((SHARED_DATA / "hertfordshire_districts.geojson").read_text())
    boundaries = validate_boundaries(raw, HERTFORDSHIRE_DISTRICTS, {})
    label = "Beds secured less forecast need"
    tiles = figure_json(charts.district_tile_map(frame, dn.SECURED_LESS_NEED, label).to_json())
    shapes = figure_json(charts.district_choropleth(frame, boundaries, dn.SECURED_LESS_NEED, label).to_json())
    choropleth, labels = shapes["data"]
    tile_fills = {trace["hovertext"]: trace["fillcolor"] for trace in tiles["data"]}
    # Each district its own colour: the scale's stop at the district's position is the tile map's fill.
    stops = [colour for _, colour in choropleth["colorscale"]]
    assert dict(zip(choropleth["hovertext"], stops, strict=True)) == tile_fills
    assert sorted(labels["text"]) == sorted(a["text"] for a in tiles["layout"]["annotations"])
    assert shapes["layout"]["title"]["text"] == tiles["layout"]["title"]["text"]


def test_the_need_is_labelled_to_a_tenth_of_a_bed():
    frame = with_differences().frame
    fig = figure_json(charts.district_tile_map(frame, dn.NEED, "Forecast need (beds)").to_json())
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert any(text.endswith("<b>4.0</b>") for text in texts) and any(text.endswith("<b>1.0</b>") for text in texts)
    title = fig["layout"]["title"]["text"].replace("<br>", " ")
    assert title == f"Forecast need (beds): most in {HERTFORDSHIRE_DISTRICTS[CODES[0]]} (4.0); none in 8 districts"


def test_the_table_has_the_need_columns_only_when_a_forecast_is_held():
    made = with_differences()
    table = tables.district_table(made.frame)
    assert list(table.columns[-3:]) == [
        "Share of forecast need",
        "Forecast need (beds)",
        "Beds secured less forecast need",
    ]
    assert table["Forecast need (beds)"].sum() == pytest.approx(5.0)
    plain = tables.district_table(made.frame.drop(columns=[dn.NEED, dn.SHARE_OF_NEED, dn.SECURED_LESS_NEED]))
    assert "Forecast need (beds)" not in plain.columns and len(plain.columns) == 8


# ---------------------------------------------------------------- the page


def test_the_page_without_a_forecast_offers_the_beds_alone(monkeypatch, store_url, engine):
    # A link made where a forecast was held, opened on a store without one, shows the beds open.
    app = open_app(monkeypatch, store_url, measure="Forecast need (beds)")
    app.switch_page("pages/districts.py").run()
    assert_page_ok(app)
    control = app.segmented_control(key="measure")
    assert control.options == list(metrics.DISTRICT_MEASURES) and control.value == "Beds open"
    assert not [c for c in app.caption if "Forecast need" in c.value]


def load_with_home_districts(engine, folder: Path) -> dict[str, str]:
    """The samples imported with a lookup that names each county postcode district's council district (every
    district in turn); returns outward code -> district."""
    assert lookup.import_lookup(engine, write_lookup(folder), EDITOR).written
    with engine.begin() as connection:
        inside = connection.execute(
            PostcodeDistrict.__table__.select().where(PostcodeDistrict.local_authority == COUNCIL)
        ).all()
        placed = {row.outward_code: CODES[n % len(CODES)] for n, row in enumerate(sorted(inside))}
        for code, district in placed.items():
            connection.execute(
                update(PostcodeDistrict).where(PostcodeDistrict.outward_code == code).values(council_district=district)
            )
    report = placements.import_episodes(
        engine, list(EPISODES.values()), EDITOR, today=date(2026, 11, 26), headers=HEADERS
    )
    assert report.written and report.forecast_from is not None, report.summary()
    return placed


def test_the_page_with_a_forecast_shows_need_beside_the_beds(monkeypatch, store_url, engine, tmp_path):
    load_with_home_districts(engine, tmp_path)
    at = open_app(monkeypatch, store_url, role="viewer", measure="Beds secured less forecast need")
    at.switch_page("pages/districts.py").run()
    assert_page_ok(at)
    control = at.segmented_control(key="measure")
    assert control.options == [*metrics.DISTRICT_MEASURES, *dn.NEED_MEASURES]
    assert control.value == "Beds secured less forecast need"
    assert_charts_described(at)
    # The central scenario's beds needed at its last month end, by hand-written SQL.
    [(needed,)] = plain_sql(
        store_url,
        "SELECT p.expected FROM forecast_point p JOIN forecast_run r ON p.run_id = r.id "
        "WHERE r.scenario = ? AND p.measure = ? ORDER BY p.period_end DESC LIMIT 1",
        (demand.CENTRAL, demand.BEDS_NEEDED),
    )
    (caption,) = [c.value for c in at.caption if c.value.startswith("Forecast need is")]
    assert f"({needed:.1f} beds)" in caption
    open_data_tables(at)
    (table,) = [e.dataframe[0].value for e in at.expander if e.label == "Data: Districts"]
    not_known = float(caption.split("of the need (")[1].split(" beds)")[0])
    assert table["Forecast need (beds)"].sum() + not_known == pytest.approx(needed, abs=0.1)
    assert table["Forecast need (beds)"].gt(0).sum() > 1  # shared over several districts, not all "not known"
    difference = table["Beds secured"] - table["Forecast need (beds)"]
    assert (table["Beds secured less forecast need"] - difference).abs().max() <= 0.011  # each rounded to 0.01
    # The map is the difference, labelled with signs.
    figure = figure_json(at.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["title"]["text"].startswith("Beds secured less forecast need")
