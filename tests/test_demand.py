"""The demand forecast as the store keeps it (dashboard.demand): made on import with every input recorded, beds
needed by its definition (checked by independent SQL), scenarios saved, refused and deleted, only aggregates kept."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from dashboard import demand, objectives, placements
from dashboard import forecast as f
from dashboard.db import make_engine
from dashboard.roles import AccessDenied, Actor, Role
from tests.conftest import dump, examples, new_store
from tests.test_objectives_page import EDITOR, EPISODES, HEADERS, load

VIEWER = Actor("viewer@herts.gov.uk", "test", Role.VIEWER)
DATA = (date(2017, 4, 1), date(2020, 3, 31))
TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, seeded_template: str) -> Iterator[Engine]:
    """One store with the samples imported, for the tests that read it or leave it as they found it."""
    folder = tmp_path_factory.mktemp("demand")
    with new_store(folder, "loaded", template=seeded_template) as url:
        engine = make_engine(url)
        load(engine, folder)
        yield engine
        engine.dispose()


def central(engine: Engine) -> pd.DataFrame:
    frame = demand.forecasts(engine)
    return frame[frame["scenario"] == demand.CENTRAL].reset_index(drop=True)


def at(frame: pd.DataFrame, measure: str) -> pd.Series:
    return frame[frame["measure"] == measure].set_index("period_end")["expected"]


# ---------------------------------------------------------------- made on import


def test_an_import_with_headers_makes_the_central_forecast_and_records_its_inputs(loaded: Engine) -> None:
    runs = demand.runs(loaded)
    assert list(runs.columns) == demand.RUN_COLUMNS and list(runs["scenario"]) == [demand.CENTRAL]
    run = runs.iloc[0]
    assert (run["data_first"], run["data_last"]) == DATA
    assert (run["reference_first"], run["reference_last"]) == (date(2018, 4, 1), date(2020, 3, 31))
    assert run["occupancy"] == demand.DEFAULT_OCCUPANCY and run["entry_change"] == 0 and run["runs"] == demand.RUNS
    with loaded.connect() as connection:
        numerator, denominator = connection.execute(
            text(
                "SELECT numerator, denominator FROM objective_measure WHERE measure = 'homes_own_provision' "
                "AND category = '' AND period_end = :day"
            ),
            {"day": DATA[1]},
        ).one()
    assert run["own_share"] == pytest.approx(numerator / denominator)
    assert run["own_share_source"] == "own provision's share on 31/03/2020"
    frame = central(loaded)
    assert list(frame.columns) == demand.EXPORT_COLUMNS
    ends = sorted(frame["period_end"].unique())
    assert len(ends) == demand.HORIZON_MONTHS and (ends[0], ends[-1]) == (date(2020, 4, 30), date(2023, 3, 31))
    groups = {f"{group}:{band}" for group in f.GROUPS for band in f.BAND_NAMES}
    assert set(frame["measure"]) == {"looked_after", *f.GROUPS, *groups, demand.BEDS_NEEDED}
    assert (frame["lower"] <= frame["upper"]).all()
    # The mean of a rare count (a child in a few runs of 500) may lie above its 95th percentile (0); of a common one
    # never outside the interval.
    common = frame[frame["expected"] >= 5]
    assert ((common["lower"] <= common["expected"]) & (common["expected"] <= common["upper"])).all()


def test_beds_needed_is_children_in_homes_times_the_share_over_occupancy_by_independent_sql(loaded: Engine) -> None:
    query = text(
        "SELECT needed.expected, needed.lower, needed.upper, homes.expected, homes.lower, homes.upper, "
        "run.own_share, run.occupancy FROM forecast_point AS needed "
        "JOIN forecast_point AS homes ON homes.run_id = needed.run_id AND homes.period_end = needed.period_end "
        "AND homes.measure = 'childrens_home' JOIN forecast_run AS run ON run.id = needed.run_id "
        "WHERE needed.measure = 'beds_needed'"
    )
    with loaded.connect() as connection:
        rows = connection.execute(query).all()
    assert len(rows) == demand.HORIZON_MONTHS
    for row in rows:
        share, occupancy = row[6], row[7]
        for needed, homes in zip(row[0:3], row[3:6], strict=True):
            assert needed == pytest.approx(homes * share / occupancy)


def test_the_groups_add_up_to_children_looked_after_and_the_bands_to_their_group(loaded: Engine) -> None:
    frame = central(loaded)
    looked_after = at(frame, "looked_after")
    assert looked_after.min() > 0
    assert np.allclose(sum(at(frame, group) for group in f.GROUPS), looked_after)
    for group in f.GROUPS:
        assert np.allclose(sum(at(frame, f"{group}:{band}") for band in f.BAND_NAMES), at(frame, group))


def test_the_backtest_is_kept_beside_the_measure_it_forecasts_with_its_error(loaded: Engine) -> None:
    held = demand.held_basis(loaded)
    assert held is not None and held.data == DATA
    assert held.backtest_reference == (date(2017, 4, 1), date(2019, 3, 31))
    tested = held.backtest
    assert list(tested["period_end"]) == list(pd.date_range("2019-04-30", "2020-03-31", freq="ME").date)
    # The actual counts are the objectives' measure of children in children's homes: one definition.
    with loaded.connect() as connection:
        measured = dict(
            connection.execute(
                text(
                    "SELECT period_end, numerator FROM objective_measure WHERE measure = 'in_childrens_homes' "
                    "AND category = '' AND period_end BETWEEN :first AND :last"
                ),
                {"first": date(2019, 4, 30), "last": date(2020, 3, 31)},
            ).all()
        )
    measured = {pd.Timestamp(day).date(): count for day, count in measured.items()}  # SQLite's text or a date
    assert dict(zip(tested["period_end"], tested["actual"], strict=True)) == measured
    error = ((tested["expected"] - tested["actual"]).abs() / tested["actual"]).mean() * 100
    assert held.backtest_mape == pytest.approx(error) and 0 < error < 50


def test_only_aggregates_are_kept(loaded: Engine) -> None:
    episodes = pd.concat(pd.read_csv(path, dtype=str) for path in EPISODES.values())
    headers = pd.concat(pd.read_csv(path, dtype=str) for path in HEADERS)
    with loaded.connect() as connection:
        kept = " ".join(
            str(value)
            for table in ("forecast_basis", "forecast_backtest", "forecast_run", "forecast_point")
            for row in connection.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 (the names above)
            for value in row
        )
    assert not any(f'"{child}"' in kept or f" {child} " in kept for child in set(episodes["CHILD"]))
    assert not any(postcode in kept for postcode in set(episodes["HOME_POST"].dropna()))
    assert not any(born in kept for born in set(headers["DOB"]))


def test_an_import_without_headers_keeps_the_forecast_held(loaded: Engine) -> None:
    before = demand.forecasts(loaded)
    report = placements.import_episodes(loaded, list(EPISODES.values()), EDITOR, dry_run=True, today=TODAY)
    assert report.forecast_from is None and "header files" in report.outcome()
    pd.testing.assert_frame_equal(demand.forecasts(loaded), before)


# ---------------------------------------------------------------- scenarios


def test_a_saved_scenario_is_forecast_with_its_inputs_audited_and_deleted(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path)
    wanted = demand.Scenario(
        "More entries", entry_change=50, own_share=0.5, occupancy=0.9, reference=(date(2019, 4, 1), DATA[1])
    )
    assert demand.save_scenario(engine, wanted, EDITOR) == "Saved scenario More entries."
    assert demand.saved_scenarios(engine) == [wanted]
    run = demand.runs(engine).set_index("scenario").loc["More entries"]
    assert (run["entry_change"], run["own_share"], run["occupancy"]) == (50, 0.5, 0.9)
    assert run["own_share_source"] == "scenario More entries"
    assert (run["reference_first"], run["reference_last"]) == (date(2019, 4, 1), DATA[1])
    frame = demand.forecasts(engine)
    more = frame[frame["scenario"] == "More entries"]
    homes, needed = at(more, "childrens_home"), at(more, demand.BEDS_NEEDED)
    assert np.allclose(needed, homes * 0.5 / 0.9)
    assert at(more, "looked_after").iloc[-1] > at(central(engine), "looked_after").iloc[-1]
    assert list(frame["scenario"].unique()) == [demand.CENTRAL, "More entries"]  # the central one first
    with engine.connect() as connection:
        audited = connection.execute(
            text("SELECT action FROM audit_log WHERE entity = 'forecast_scenario' ORDER BY id")
        ).scalars()
        assert list(audited) == ["create"]
    # An import forecasts every saved scenario again, with its own inputs.
    placements.import_episodes(engine, list(EPISODES.values()), EDITOR, today=TODAY, headers=HEADERS)
    assert list(demand.runs(engine)["scenario"]) == [demand.CENTRAL, "More entries"]
    assert demand.delete_scenario(engine, "More entries", EDITOR) == "Deleted scenario More entries."
    assert list(demand.forecasts(engine)["scenario"].unique()) == [demand.CENTRAL]
    with engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT COUNT(*) FROM forecast_point WHERE run_id NOT IN (SELECT id FROM forecast_run)")
            ).scalar()
            == 0
        )


def test_the_strategys_aim_becomes_the_share_and_the_forecasts_follow_it(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path)
    objectives.save_settings(engine, EDITOR, {demand.OWN_SHARE_TARGET: 40.0})
    run = demand.runs(engine).iloc[0]
    assert run["own_share"] == 0.4 and run["own_share_source"].startswith("the strategy's aim")
    frame = central(engine)
    assert np.allclose(at(frame, demand.BEDS_NEEDED), at(frame, "childrens_home") * 0.4 / 0.85)


REFUSED = [
    (demand.Scenario(" "), "Name"),
    (demand.Scenario("central"), "Name"),
    (demand.Scenario("x" * 61), "Name"),
    (demand.Scenario("Boom", entry_change=500), "Entries into care"),
    (demand.Scenario("None of it", own_share=0.0), "Own homes' share"),
    (demand.Scenario("Too much", own_share=1.5), "Own homes' share"),
    (demand.Scenario("Empty homes", occupancy=0.05), "Occupancy"),
    (demand.Scenario("Backwards", reference=(date(2020, 3, 31), date(2019, 4, 1))), "Reference window"),
    (demand.Scenario("Before the data", reference=(date(2010, 4, 1), date(2019, 3, 31))), "Reference window"),
    (demand.Scenario("No month end", reference=(date(2019, 4, 2), date(2019, 4, 29))), "Reference window"),
]


@pytest.mark.parametrize(
    ("scenario", "field"), REFUSED, ids=[scenario.name.strip() or "blank" for scenario, _ in REFUSED]
)
def test_a_scenario_that_cannot_be_forecast_is_refused_naming_the_field(
    loaded: Engine, scenario: demand.Scenario, field: str
) -> None:
    before = dump(loaded)
    with pytest.raises(demand.InvalidScenario) as refused:
        demand.save_scenario(loaded, scenario, EDITOR)
    assert [name for name, _ in refused.value.problems] == [field]
    assert all(problem for _, problem in refused.value.problems)
    assert dump(loaded) == before


def test_every_problem_of_a_scenario_is_named_at_once(loaded: Engine) -> None:
    with pytest.raises(demand.InvalidScenario) as refused:
        demand.save_scenario(loaded, demand.Scenario("", entry_change=-90, occupancy=2.0), EDITOR)
    assert [name for name, _ in refused.value.problems] == ["Name", "Entries into care", "Occupancy"]


def test_a_viewer_cannot_save_or_delete_a_scenario(loaded: Engine) -> None:
    before = dump(loaded)
    with pytest.raises(AccessDenied):
        demand.save_scenario(loaded, demand.Scenario("Mine"), VIEWER)
    with pytest.raises(AccessDenied):
        demand.delete_scenario(loaded, demand.CENTRAL, VIEWER)
    assert dump(loaded) == before


def test_a_scenario_saved_before_any_import_waits_for_one(engine: Engine) -> None:
    message = demand.save_scenario(engine, demand.Scenario("Later", entry_change=10), EDITOR)
    assert message == "Saved scenario Later. It is forecast when SSDA903 files are imported."
    assert demand.runs(engine).empty and demand.held_basis(engine) is None


# ---------------------------------------------------------------- pure parts


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 500), st.floats(0, 50), st.floats(0, 50)), min_size=1, max_size=12),
    st.floats(0.01, 1),
    st.floats(0.1, 1),
)
def test_beds_needed_scales_each_point_and_keeps_the_interval_in_order(
    points: list[tuple[float, float, float]], share: float, occupancy: float
) -> None:
    expected = np.array([point[0] for point in points])
    frame = pd.DataFrame(
        {
            "period_end": pd.date_range("2020-04-30", periods=len(points), freq="ME").date,
            "measure": "childrens_home",
            "expected": expected,
            "lower": expected - [point[1] for point in points],
            "upper": expected + [point[2] for point in points],
        }
    )
    other = frame.assign(measure="fostering", expected=frame["expected"] + 7)
    needed = demand.beds_needed(pd.concat([frame, other], ignore_index=True), share, occupancy)
    assert list(needed.columns) == f.FORECAST_COLUMNS and set(needed["measure"]) == {demand.BEDS_NEEDED}
    for column in ("expected", "lower", "upper"):
        assert np.allclose(needed[column], frame[column] * share / occupancy)
    assert (needed["lower"] <= needed["expected"] + 1e-9).all() and (needed["expected"] <= needed["upper"] + 1e-9).all()


def lookup(rows: list[tuple[str, str, float | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(code, authority, share, math.nan, math.nan, district) for code, authority, share, district in rows],
        columns=["outward_code", "local_authority", "share", "latitude", "longitude", "council_district"],
    )


def test_home_districts_share_each_code_out_by_the_lookup() -> None:
    shared = demand.home_districts(
        lookup(
            [
                ("SG1", "Hertfordshire", None, "E07000243"),  # wholly in one district
                ("AL1", "Hertfordshire", 0.75, "E07000240"),  # split with shares
                ("AL1", "Central Bedfordshire", 0.25, None),
                ("LU1", "Hertfordshire", None, "E07000099"),  # split, shares not known
                ("LU1", "Luton", None, None),
                ("N1", "Islington", None, None),  # another authority
                ("CB1", "Cambridgeshire", None, "E07000008"),  # another council's district, in a region's lookup
            ]
        ),
        {"E07000243", "E07000240", "E07000099"},  # the council's districts
    )
    got = shared(pd.Series(["SG1", "AL1", "LU1", "N1", "ZZ9", None, "CB1"]))
    by_row = got.groupby("row")["share"].sum()
    assert np.allclose(by_row, 1.0) and list(by_row.index) == [0, 1, 2, 3, 4, 5, 6]
    pairs = {(row, district): share for row, district, share in got.itertuples(index=False)}
    assert pairs == {
        (0, "E07000243"): 1.0,
        (1, "E07000240"): 0.75,
        (1, ""): 0.25,
        (2, ""): 1.0,
        (3, ""): 1.0,
        (4, ""): 1.0,
        (5, ""): 1.0,
        (6, ""): 1.0,  # not one of the council's districts
    }


def test_a_single_years_import_is_forecast_without_a_backtest(engine: Engine) -> None:
    folder = Path("../shared/data/ssda903")
    files = [folder / "demandmodel_2021-episodes.csv", folder / "demandmodel_2021-header.csv"]
    report = placements.import_episodes(engine, files, EDITOR, today=TODAY)
    assert report.written, report.summary()
    assert "no backtest: that needs more than a year of data" in report.outcome()
    held = demand.held_basis(engine)
    assert held is not None and held.backtest_mape is None and held.backtest.empty
    run = demand.runs(engine).iloc[0]
    assert (run["reference_first"], run["reference_last"]) == (date(2021, 4, 1), date(2022, 3, 31))
    assert len(central(engine)) > 0
