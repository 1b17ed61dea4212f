"""The Objectives page through AppTest, on a store with the synthetic SSDA903 samples of three years (with their header
files), a lookup of their postcode districts, Ofsted's 2024 file and a property linked to an own home by its URN: the
figures on screen equal those computed independently from the files (tests/independent_903.py, not the project's
code), and the settings and their sources are an editor's."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from dashboard import lookup, market, placements
from dashboard.models import OfstedHome, Property
from dashboard.objectives import NAO_SOURCE
from dashboard.roles import Actor, Role
from tests import independent_903 as independent
from tests.apptest import assert_charts_described, assert_page_ok, open_app, open_data_tables
from tests.conftest import SHARED_DATA
from tests.plotly_json import figure_json
from tests.test_seed import HERTFORDSHIRE_DISTRICTS

OFSTED = SHARED_DATA / "ofsted" / "ofsted_csc_providers_at_31march2024.csv"
SSDA903 = SHARED_DATA / "ssda903"
YEARS = (2017, 2018, 2019)  # each file runs from 1 April of its year to 31 March of the next
EPISODES = {year: SSDA903 / f"demandmodel_{year}-episodes.csv" for year in YEARS}
HEADERS = [SSDA903 / f"demandmodel_{year}-header.csv" for year in YEARS]
EDITOR = Actor("ed@herts.gov.uk", "test", Role.EDITOR)
COUNCIL = "Hertfordshire"
LATEST, BEFORE = date(2020, 3, 31), date(2019, 3, 31)
BEDS = 4


def outward_codes() -> list[str]:
    codes = set()
    for path in EPISODES.values():
        for row in independent.read_rows(path):
            codes |= {independent.outward(row[column]) for column in ("HOME_POST", "PL_POST") if row[column]}
    return sorted(code for code in codes if lookup.POSTCODE_DISTRICT.fullmatch(code))  # the samples' are made up


def lookup_rows() -> list[dict[str, object]]:
    """Every district the samples name, alternately in the county and out, each with a centroid spread over some
    60 miles, so inside / outside and distance are all measured."""
    rows = []
    for number, code in enumerate(outward_codes()):
        authority = COUNCIL if number % 2 else "Luton"
        latitude, longitude = 51.5 + (number % 9) * 0.1, -0.9 + (number % 7) * 0.15
        rows.append(
            {
                "outward_code": code,
                "local_authority": authority,
                "share": None,
                "latitude": latitude,
                "longitude": longitude,
            }
        )
    return rows


def council_districts() -> dict[str, str]:
    """The council's postcode districts of `lookup_rows` each placed in one of its ten districts (ONS code), in turn:
    the lookup's optional column, for the forecast's need by home district (the independent recount ignores it)."""
    ours = [row["outward_code"] for row in lookup_rows() if row["local_authority"] == COUNCIL]
    districts = sorted(HERTFORDSHIRE_DISTRICTS)
    return {str(code): districts[number % len(districts)] for number, code in enumerate(ours)}


def write_lookup(folder: Path) -> Path:
    path = folder / "lookup.csv"
    placed = council_districts()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Postcode district", "Local authority", "Share", "Latitude", "Longitude", "Council district"])
        for row in lookup_rows():
            code = row["outward_code"]
            cells = [code, row["local_authority"], "", row["latitude"], row["longitude"], placed.get(str(code), "")]
            writer.writerow(cells)
    return path


def busiest_own_home() -> str:
    """The URN of the own children's home (K2, PR1) with the most children at the latest 31 March."""
    homes = independent._home_children(independent.read_episodes(EPISODES), LATEST)
    return max(sorted(homes), key=lambda urn: homes[urn])


def home_days(urn: str) -> dict[date, int]:
    """Each day's children in the home (K2, PR1, by URN) over the files' years: a child counts once a day."""
    stays = [
        e
        for episodes in independent.read_episodes(EPISODES).values()
        for e in episodes
        if e.urn == urn and e.place == "K2" and e.provider == "PR1"
    ]
    days, day = {}, date(YEARS[0], 4, 1)
    while day <= LATEST:
        days[day] = len({e.child for e in stays if independent.is_open(e, day)})
        day += timedelta(days=1)
    return days


def load(engine, folder: Path) -> str:
    """The files imported as a council would, and a property linked to its home by URN; returns the URN."""
    placed = lookup.import_lookup(engine, write_lookup(folder), EDITOR)
    assert placed.written and placed.placed == len(council_districts()), placed.summary()
    report = placements.import_episodes(
        engine, list(EPISODES.values()), EDITOR, today=date(2026, 11, 26), headers=HEADERS
    )
    assert report.written, report.summary()
    assert market.import_ofsted(engine, OFSTED, EDITOR).written
    urn = busiest_own_home()
    with engine.begin() as connection:
        connection.execute(
            update(Property).where(Property.reference == "RS-P1-01").values(ofsted_urn=urn, registered_beds=BEDS)
        )
        # The samples' URNs are made up, so Ofsted's file has none of them: the home's row as Ofsted's import keeps it.
        home = {"urn": urn, "local_authority": COUNCIL, "sector": "Local authority", "rating": "Good"}
        connection.execute(insert(OfstedHome).values(as_at=date(2023, 3, 31), places=3, **home))
        connection.execute(
            insert(OfstedHome).values(as_at=date(2024, 3, 31), places=5, **{**home, "rating": "Outstanding"})
        )
    return urn


def text(value: float | None, share: bool) -> str:
    return "" if value is None else (f"{value:.1%}" if share else f"{value:,.0f}")


def test_an_empty_store_says_what_to_import(app):
    app.switch_page("pages/objectives.py").run()
    assert_page_ok(app)
    assert any("import-903" in info.value for info in app.info)
    assert any("import-ofsted" in info.value for info in app.info)


@pytest.fixture
def loaded(engine, tmp_path) -> str:
    return load(engine, tmp_path)


def test_the_page_shows_dfe_measures_as_computed_independently_from_the_files(monkeypatch, store_url, loaded):
    at = open_app(monkeypatch, store_url, role="viewer")
    at.switch_page("pages/objectives.py").run()
    assert_page_ok(at)
    headers = [header.value for header in at.header]
    first_objective = headers.index("1. Better outcomes and placement stability")
    assert headers.index("At 31 March: the Department for Education's measures") < first_objective
    assert assert_charts_described(at) >= 8
    # DfE's measures at 31 March 2020, 31 March 2019 beside them, as the plain recount from the files gives them.
    table = at.dataframe[0].value.set_index("Measure")
    lookup_list = lookup_rows()
    now = independent.reference_measures(EPISODES, HEADERS, lookup_list, COUNCIL, LATEST)
    then = independent.reference_measures(EPISODES, HEADERS, lookup_list, COUNCIL, BEFORE)
    from dashboard.measures import MEASURES

    compared, differ = 0, []
    for measure in (measure for measure in MEASURES if measure.dfe):
        row = table.loc[measure.label]
        if (measure.name, "") not in now:
            assert row["31 March 2020"] == "not measured" and row["Note"], measure.name
            continue
        numerator, denominator = now[(measure.name, "")]
        value = numerator if denominator is None else numerator / denominator
        expected = [text(value, measure.share), text(numerator, False), text(denominator, False)]
        if (measure.name, "") in then:
            numerator, denominator = then[(measure.name, "")]
            expected.append(text(numerator if denominator is None else numerator / denominator, measure.share))
        shown = [row["31 March 2020"], row["Counted"], row["Out of"], row["31 March 2019"]][: len(expected)]
        if shown != expected:
            differ.append((measure.name, shown, expected))
        compared += 1
    assert differ == [], "shown, and as recounted from the files"
    assert compared >= 12  # every DfE measure but those the samples cannot give
    assert set(table["Definition"]) == {"help#dfe-measures"}
    assert table.loc["Placed more than 20 miles from home (approximate)", "31 March 2020"] != "not measured"
    # The headline figure under objective 1 is DfE's, at 31 March.
    metrics = {metric.label: metric.value for metric in at.metric}
    three, looked_after = now[("three_or_more_placements", "")]
    assert metrics["Three or more placements in the year, 31 Mar 2020"] == f"{three / looked_after:.0%}"
    # Objective 2 says plainly what the return cannot measure.
    assert any("does not record the specialism a child needed" in md.value for md in at.markdown)


def test_the_own_home_linked_by_urn_shows_its_occupancy_and_the_estimate_its_formula(monkeypatch, store_url, loaded):
    at = open_app(monkeypatch, store_url, role="viewer")
    at.switch_page("pages/objectives.py").run()
    assert_page_ok(at)
    homes = next(frame.value for frame in at.dataframe if "Ofsted URN" in frame.value.columns)
    [home] = homes.to_dict("records")
    assert (home["Property"], home["Ofsted URN"], home["Registered beds"]) == ("RS-P1-01", loaded, BEDS)
    assert (home["Ofsted rating"], home["Ofsted places"]) == ("Outstanding", 5)  # Ofsted's latest year
    assert "address" not in " ".join(homes.columns).lower()
    children = independent._home_children(independent.read_episodes(EPISODES), LATEST)[loaded]
    assert home["Children, end of March 2020"] == children
    days = home_days(loaded)
    in_march = sum(count for day, count in days.items() if day >= date(2020, 3, 1))
    assert home["Occupancy, March 2020 (%)"] == pytest.approx(round(in_march / (BEDS * 31) * 100, 1))
    # The estimate: every place from the home's first month with children, over the twelve months to March 2020.
    first_child = min(day for day, count in days.items() if count)
    start = max(first_child.replace(day=1), date(2019, 4, 1))
    child_days = sum(count for day, count in days.items() if day >= start)
    place_days = BEDS * ((LATEST - start).days + 1)
    metrics = {metric.label: metric.value for metric in at.metric}
    estimate = (child_days - place_days) / 7 * 6100
    assert metrics[f"Estimate, {start:%B %Y} to March 2020"] == f"−£{-estimate:,.0f}"  # empty beds cost: below nothing
    formula = next(md.value for md in at.markdown if md.value.startswith("**Estimate** ="))
    assert "child-weeks" in formula and "£6,100" in formula
    assert not any("Cost avoided: £" in md.value for md in at.markdown)
    assumed = next(md.value for md in at.markdown if md.value.startswith("**The costs assumed"))
    assert assumed.count("**£6,100**. Source: National Audit Office (2025)") == 2, assumed
    assert any("Competition and Markets Authority (2021)" in caption.value for caption in at.caption)
    # A viewer sees the settings, cannot change them.
    assert not at.get("form")
    assert NAO_SOURCE in at.dataframe[-1].value["Source"].tolist()
    open_data_tables(at)
    assert_page_ok(at)


def test_an_editor_sets_a_target_and_a_cost_with_its_source(monkeypatch, store_url, loaded):
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/objectives.py").run()
    at.number_input(key="setting-three_or_more_target").set_value(10.0)
    at.number_input(key="setting-own_weekly_cost").set_value(5000.0)
    at.text_area(key="source-own_weekly_cost").set_value("Council budget 2025/26")
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    assert at.success[0].value == "Saved 2 setting(s)."
    figure = figure_json(at.get("plotly_chart")[0].proto.spec)
    assert any(shape.get("y0") == 0.1 for shape in figure["layout"].get("shapes", []))
    assert at.text_area(key="source-own_weekly_cost").value == "Council budget 2025/26"
    formula = next(md.value for md in at.markdown if md.value.startswith("**Estimate** ="))
    assert "£5,000" in formula
