"""The objectives from stored measures, computed by hand: DfE's measures at 31 March with the year before, why one is
missing, the own homes' occupancy and the cost estimate's arithmetic; settings and their sources set by an editor
only, with cited defaults."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard import measures, objectives
from dashboard.models import ObjectiveMeasure
from dashboard.roles import SYSTEM, AccessDenied, Actor, Role
from tests.conftest import FIRST_COUNCIL, dump

EDITOR = Actor("ed@herts.gov.uk", "app", Role.EDITOR)
MEASURE_COLUMNS = ["measure", "category", "period_end", "numerator", "denominator"]  # as stored_measures gives them
COSTS = {"independent_weekly_cost": 7000.0, "own_weekly_cost": 6000.0}


def row(measure: str, day: str, numerator: float, denominator: float | None = None, category: str = "") -> dict:
    return {
        "measure": measure,
        "category": category,
        "period_end": date.fromisoformat(day),
        "numerator": float(numerator),
        "denominator": float("nan") if denominator is None else float(denominator),
    }


def stored(*rows: dict) -> pd.DataFrame:
    return objectives.with_values(pd.DataFrame(list(rows), columns=MEASURE_COLUMNS))


def write_measures(engine: Engine, *rows: dict) -> None:
    """Measures as the SSDA903 import stores them."""
    with Session(engine) as session, session.begin():
        session.add_all(
            ObjectiveMeasure(
                **{**r, "denominator": None if pd.isna(r["denominator"]) else r["denominator"]},
                council_id=FIRST_COUNCIL,
            )
            for r in rows
        )


YEAR = (
    row("looked_after", "2018-03-31", 90),
    row("looked_after", "2019-02-28", 98),
    row("looked_after", "2019-03-31", 100),
    row("in_childrens_homes", "2018-03-31", 9, 90),
    row("in_childrens_homes", "2019-03-31", 12, 100),
    row("long_term_stability", "2019-03-31", 30, 40),
    row("stability_undetermined", "2019-03-31", 12),
    row("placed_location_unknown", "2019-03-31", 5, 100),
    row("placed_split_district", "2019-03-31", 3),
)


def test_dfe_measures_at_the_latest_31_march_beside_the_year_before_and_why_one_is_missing():
    found = objectives.at_year_end(stored(*YEAR))
    assert found is not None and found.day == pd.Timestamp("2019-03-31")
    assert found.previous == pd.Timestamp("2018-03-31")
    table = found.rows.set_index("measure")
    assert list(table.index) == [measure.name for measure in measures.MEASURES if measure.dfe]
    homes = table.loc["in_childrens_homes"]
    assert (homes["value"], homes["numerator"], homes["denominator"]) == (0.12, 12, 100)
    assert homes["previous_value"] == pytest.approx(0.1)
    assert table.loc["looked_after", "value"] == 100 and pd.isna(table.loc["looked_after", "denominator"])
    assert table.loc["long_term_stability", "value"] == 0.75
    assert table.loc["long_term_stability", "note"].startswith("12 children's histories began before the files")
    assert table.loc["placed_location_unknown", "note"].startswith("3 children placed in postcode districts")
    assert pd.isna(table.loc["three_or_more_placements", "value"])
    assert "whole twelve months" in table.loc["three_or_more_placements", "note"]
    assert "postcode-district lookup" in table.loc["placed_inside", "note"]
    assert "centroid" in table.loc["placed_over_20_miles", "note"]
    assert table.loc["placed_over_20_miles", "label"].endswith("(approximate)")
    assert table.loc["placed_over_20_miles", "approximate"]


def test_no_31_march_no_table_and_the_headline_falls_back_to_the_latest_month():
    frame = stored(row("in_childrens_homes", "2019-01-31", 1, 4), row("in_childrens_homes", "2019-02-28", 1, 5))
    assert objectives.at_year_end(frame) is None
    latest = objectives.headline(frame, "in_childrens_homes")
    assert latest is not None and (latest.month_end, latest.value, latest.year_end) == (
        pd.Timestamp("2019-02-28"),
        0.2,
        False,
    )
    # With a 31 March stored, that is the headline even when later months follow.
    after = stored(*YEAR, row("in_childrens_homes", "2019-04-30", 50, 100))
    latest = objectives.headline(after, "in_childrens_homes")
    assert latest is not None and latest.year_end and latest.value == 0.12


def test_a_share_over_nobody_is_blank_not_zero():
    frame = stored(row("in_childrens_homes", "2019-03-31", 0, 0))
    assert frame["value"].isna().all()


MONTHS = ("2019-01-31", "2019-02-28", "2019-03-31")
HOMES = pd.DataFrame(
    {
        "reference": ["RS-1", "RS-2", "RS-3"],
        "district": ["Stevenage", "Dacorum", "Watford"],
        "urn": ["SC000001", "SC000002", "SC000003"],
        "registered_beds": [3, None, None],
    }
)
OFSTED = pd.DataFrame(
    {
        "urn": ["SC000002", "SC000009", "SC000008", "SC000007"],
        "as_at": [date(2019, 3, 31)] * 4,
        "places": [4, 2, 5, 6],
        "rating": ["Good", "Outstanding", "Good", "Good"],
    }
)


def home_rows() -> list[dict]:
    rows = [row("looked_after", day, 100) for day in MONTHS]
    rows += [row("home_child_days", "2019-01-31", 62, category="SC000001")]  # February: no row, an empty month
    rows += [row("home_child_days", "2019-03-31", 93, category="SC000001")]
    rows += [row("home_children", "2019-03-31", 3, category="SC000001")]
    rows += [row("home_child_days", day, days, category="SC000002") for day, days in ((MONTHS[1], 28), (MONTHS[2], 31))]
    rows += [row("home_children", "2019-03-31", 1, category="SC000002")]
    rows += [row("home_child_days", "2019-03-31", 31, category=urn) for urn in ("SC000003", "SC000009", "SC000008")]
    return rows


def test_occupancy_by_home_and_for_the_programme_by_hand():
    frame = stored(*home_rows())
    counted = objectives.homes_counted(HOMES, OFSTED, frame, all_own=False)
    assert counted["places"].tolist()[:2] == [3, 4] and pd.isna(
        counted["places"].iloc[2]
    )  # registered beds, else Ofsted's; RS-3's not known
    by_home = objectives.occupancy(counted, frame).set_index(["urn", "period_end"])
    assert by_home.loc[("SC000001", pd.Timestamp("2019-01-31")), "place_days"] == 3 * 31
    assert by_home.loc[("SC000001", pd.Timestamp("2019-02-28")), "child_days"] == 0  # empty, but its places count
    assert ("SC000002", pd.Timestamp("2019-01-31")) not in by_home.index  # before its first child
    assert "SC000003" not in by_home.index.get_level_values("urn")  # no places known: not counted
    programme = objectives.programme_occupancy(by_home.reset_index()).set_index("period_end")["value"]
    assert programme[pd.Timestamp("2019-01-31")] == pytest.approx(62 / 93)
    assert programme[pd.Timestamp("2019-02-28")] == pytest.approx(28 / (3 * 28 + 4 * 28))
    assert programme[pd.Timestamp("2019-03-31")] == pytest.approx((93 + 31) / (3 * 31 + 4 * 31))
    table = objectives.own_homes_table(counted, by_home.reset_index(), pd.Timestamp("2019-03-31")).set_index("urn")
    assert table.loc["SC000001", "occupancy"] == pytest.approx(1.0) and table.loc["SC000001", "children"] == 3
    assert table.loc["SC000002", "occupancy"] == pytest.approx(0.25) and table.loc["SC000002", "rating"] == "Good"
    assert pd.isna(table.loc["SC000003", "occupancy"])


def test_the_cost_estimate_by_hand():
    frame = stored(*home_rows())
    counted = objectives.homes_counted(HOMES, OFSTED, frame, all_own=False)
    found = objectives.estimate(objectives.occupancy(counted, frame), COSTS)
    child_days = 62 + 0 + 93 + 28 + 31
    place_days = 3 * (31 + 28 + 31) + 4 * (28 + 31)
    assert found is not None and (found.child_days, found.place_days, found.homes) == (child_days, place_days, 2)
    assert found.amount == pytest.approx(child_days / 7 * 7000 - place_days / 7 * 6000)
    assert (found.first, found.last) == (pd.Timestamp("2019-01-31"), pd.Timestamp("2019-03-31"))
    # The same weekly cost on both sides: every empty bed is a cost, so the estimate is below nothing.
    same = objectives.estimate(
        objectives.occupancy(counted, frame), {"independent_weekly_cost": 6100, "own_weekly_cost": 6100}
    )
    assert same is not None and same.amount == pytest.approx((child_days - place_days) / 7 * 6100)


def test_every_own_home_counts_when_the_editor_says_so():
    frame = stored(*home_rows())
    assert objectives.linked_urns(HOMES, frame) == ["SC000001", "SC000002", "SC000003", "SC000008", "SC000009"]
    counted = objectives.homes_counted(HOMES, OFSTED, frame, all_own=True)
    # The return's own homes (PR1) beyond the strategy's, places from Ofsted; SC000007 has no children placed.
    assert counted["urn"].tolist() == ["SC000001", "SC000002", "SC000003", "SC000008", "SC000009"]
    assert counted["places"].tolist()[3:] == [5, 2] and pd.isna(counted["reference"].iloc[3])
    found = objectives.estimate(objectives.occupancy(counted, frame), COSTS)
    assert found is not None and found.homes == 4 and found.place_days == 3 * 90 + 4 * 59 + 5 * 31 + 2 * 31


def test_the_estimate_keeps_the_last_twelve_months():
    days = pd.date_range("2018-01-31", periods=15, freq="ME")
    frame = stored(
        *[row("looked_after", f"{day:%Y-%m-%d}", 10) for day in days],
        *[row("home_child_days", f"{day:%Y-%m-%d}", 1, category="SC000001") for day in days],
    )
    counted = objectives.homes_counted(HOMES.iloc[:1], OFSTED, frame, all_own=False)
    found = objectives.estimate(objectives.occupancy(counted, frame), COSTS)
    assert found is not None and found.first == days[3] and found.last == days[-1] and found.child_days == 12


def test_stored_measures_read_back_as_written(engine):
    from dashboard import placements

    write_measures(engine, *YEAR)
    found = objectives.at_year_end(objectives.with_values(placements.stored_measures(engine)))
    assert found is not None and found.day == pd.Timestamp("2019-03-31")
    assert found.rows.set_index("measure").loc["in_childrens_homes", "value"] == pytest.approx(0.12)


def test_settings_default_to_a_cited_figure_then_saved_with_a_source_by_an_editor_and_audited(engine):
    chosen, cited = objectives.settings(engine), objectives.sources(engine)
    assert chosen["independent_weekly_cost"] == chosen["own_weekly_cost"] == 6100
    assert (
        cited["own_weekly_cost"] == objectives.NAO_SOURCE and "National Audit Office (2025)" in cited["own_weekly_cost"]
    )
    assert chosen["own_share_target"] is None and chosen["cost_counts_all_own_homes"] == 0
    message = objectives.save_settings(
        engine,
        EDITOR,
        {"own_share_target": 40, "own_weekly_cost": 6000, "independent_weekly_cost": 6100},
        {"own_weekly_cost": " Budget book 2025/26, p. 12 ", "independent_weekly_cost": objectives.NAO_SOURCE},
    )
    assert message == "Saved 2 setting(s)."
    assert objectives.sources(engine)["own_weekly_cost"] == "Budget book 2025/26, p. 12"
    # Only the source changes: still a change, audited.
    assert objectives.save_settings(engine, EDITOR, {}, {"independent_weekly_cost": "Ofsted survey"}) == (
        "Saved 1 setting(s)."
    )
    assert objectives.settings(engine)["independent_weekly_cost"] == 6100
    assert objectives.sources(engine)["independent_weekly_cost"] == "Ofsted survey"
    from dashboard.audit import AuditQuery
    from dashboard.queries import audit_log

    rows = audit_log(engine, SYSTEM, AuditQuery(users=(EDITOR.user,)))
    assert set(rows["entity"]) == {"objective_setting"} and len(rows) == 3


def test_bad_settings_and_other_roles_are_refused_with_nothing_written(engine):
    before = dump(engine)
    with pytest.raises(objectives.InvalidSetting, match="outside 0 to 100"):
        objectives.save_settings(engine, EDITOR, {"own_share_target": 140})
    with pytest.raises(objectives.InvalidSetting, match="is required"):
        objectives.save_settings(engine, EDITOR, {"own_weekly_cost": None})
    with pytest.raises(objectives.InvalidSetting, match="not 0 .no. or 1 .yes."):
        objectives.save_settings(engine, EDITOR, {"cost_counts_all_own_homes": 0.5})
    with pytest.raises(objectives.InvalidSetting, match="source: is 301 characters; at most 300"):
        objectives.save_settings(engine, EDITOR, {"own_weekly_cost": 5000}, {"own_weekly_cost": "x" * 301})
    with pytest.raises(AccessDenied):
        objectives.save_settings(engine, Actor("ann@herts.gov.uk", "app", Role.ANALYST), {"own_share_target": 40})
    assert dump(engine) == before
