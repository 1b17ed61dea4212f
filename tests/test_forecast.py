"""The demand forecast (dashboard.forecast): rates recovered from episodes generated at known rates, the simulation
against answers worked out by hand, and a run on the shared samples."""

from __future__ import annotations

import itertools
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard import forecast as f
from dashboard.episodes import EPISODE_COLUMNS
from tests.test_episodes import sample

HOME, FOSTERING, OTHER = (f.GROUPS.index(name) for name in ("childrens_home", "fostering", "other"))
REFERENCE = (date(2018, 4, 1), date(2020, 3, 31))
# The rates the generated authority runs at, a month.
TO_HOME, TO_FOSTERING, LEAVING = 0.02, 0.05, 0.03
ENTRIES = {HOME: 4, FOSTERING: 16}  # 20 a month


# ---------------------------------------------------------------- an authority generated from known rates


def generated(children: int = 2000, seed: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    """Episodes of an authority whose children move at TO_HOME, TO_FOSTERING and LEAVING a month and enter at
    ENTRIES a month through REFERENCE: moves on the 15th, entries on the 20th (after the month's moves), so that each
    month end sees exactly one month's chances. Ages stay between 1 and 17, so no one leaves by age."""
    rng = np.random.default_rng(seed)
    made = itertools.count()

    def newcomers(count: int, group: int, day: pd.Timestamp, youngest: float, oldest: float) -> pd.DataFrame:
        years = rng.uniform(youngest, oldest, count)
        return pd.DataFrame(
            {
                "child": [f"C{next(made):06d}" for _ in range(count)],
                "start": day,
                "place": "K2" if group == HOME else "U4",
                "born": [day - pd.Timedelta(days=int(age * 365.25)) for age in years],
            }
        )

    first = pd.Timestamp("2017-01-01")
    current = pd.concat(
        [newcomers(children // 5, HOME, first, 5, 13), newcomers(children - children // 5, FOSTERING, first, 5, 13)],
        ignore_index=True,
    )
    everyone, closed = [current], []
    for month_end in pd.date_range(REFERENCE[0], REFERENCE[1], freq="ME"):
        day = month_end.replace(day=15)
        draw = rng.random(len(current))
        home = (current["place"] == "K2").to_numpy()
        leaves = draw < LEAVING
        moves = ~leaves & (draw < LEAVING + np.where(home, TO_FOSTERING, TO_HOME))
        closed.append(current[leaves | moves].assign(end=day))
        current.loc[moves, "place"] = np.where(home[moves], "U4", "K2")
        current.loc[moves, "start"] = day
        arrivals = [
            newcomers(rng.poisson(rate), group, month_end.replace(day=20), 1, 14) for group, rate in ENTRIES.items()
        ]
        everyone += arrivals
        current = pd.concat([current[~leaves], *arrivals], ignore_index=True)
    rows = pd.concat([*closed, current.assign(end=pd.NaT)], ignore_index=True)
    people = pd.concat(everyone)
    return _episodes(rows), pd.Series(people["born"].to_numpy(), index=people["child"])


def _episodes(rows: pd.DataFrame) -> pd.DataFrame:
    """The episodes frame (EPISODE_COLUMNS) of rows with child, start, end and place."""
    return pd.DataFrame(
        {
            "child": rows["child"],
            "start": pd.to_datetime(rows["start"]),
            "end": pd.to_datetime(rows["end"]),
            "rne": "P",
            "ls": "C2",
            "place": rows["place"],
            "provider": "PR4",
            "urn": "",
            "home": None,
            "placed": None,
            "placement_key": rows["place"],
        }
    )[list(EPISODE_COLUMNS)]


@pytest.fixture(scope="module")
def authority() -> tuple[pd.DataFrame, pd.Series]:
    return generated()


@pytest.fixture(scope="module")
def rates(authority: tuple[pd.DataFrame, pd.Series]) -> f.Rates:
    return f.fit(*authority, REFERENCE)


def pooled(rates: f.Rates, source: int, target: int) -> tuple[float, float]:
    """The probability of moving from `source` to `target` over every band, and the child-months behind it."""
    exposure = rates.exposure[:, source]
    return float((rates.transitions[:, source, target] * exposure).sum() / exposure.sum()), float(exposure.sum())


def within_four_errors(estimate: float, truth: float, trials: float) -> bool:
    """The estimate lies within four binomial standard errors of the truth (about 1 in 16,000 by chance)."""
    return abs(estimate - truth) <= 4 * math.sqrt(truth * (1 - truth) / trials)


# ---------------------------------------------------------------- fitting


@pytest.mark.parametrize(
    ("source", "target", "truth"),
    [
        (FOSTERING, HOME, TO_HOME),
        (HOME, FOSTERING, TO_FOSTERING),
        (FOSTERING, f.OUT, LEAVING),
        (HOME, f.OUT, LEAVING),
        (FOSTERING, FOSTERING, 1 - TO_HOME - LEAVING),
        (HOME, HOME, 1 - TO_FOSTERING - LEAVING),
        (FOSTERING, OTHER, 0.0),
    ],
)
def test_known_rates_are_recovered(rates: f.Rates, source: int, target: int, truth: float) -> None:
    estimate, trials = pooled(rates, source, target)
    assert trials > 5000
    if truth == 0.0:
        assert estimate == 0.0
    else:
        assert within_four_errors(estimate, truth, trials), (estimate, truth, trials)


def test_each_band_with_enough_children_recovers_the_rates(rates: f.Rates) -> None:
    for band in range(len(f.AGE_BANDS)):
        trials = rates.exposure[band, FOSTERING]
        if trials >= 2000:
            assert within_four_errors(rates.transitions[band, FOSTERING, HOME], TO_HOME, trials)
            assert within_four_errors(rates.transitions[band, FOSTERING, f.OUT], LEAVING, trials)
    assert (rates.exposure[:, FOSTERING] >= 2000).sum() >= 2  # the check above ran on at least two bands


def test_entries_are_recovered_by_group_entered(rates: f.Rates) -> None:
    assert rates.months == 24  # April 2018 to March 2020: each month's moves from the month end before
    by_group = rates.entries.sum(axis=0)
    for group, rate in ENTRIES.items():
        assert abs(by_group[group] - rate) <= 4 * math.sqrt(rate / rates.months), (group, by_group[group])
    assert by_group[OTHER] == 0.0
    assert rates.entry_counts.sum() == pytest.approx(rates.entries.sum() * rates.months)


def test_transitions_are_probabilities(rates: f.Rates) -> None:
    assert np.allclose(rates.transitions.sum(axis=-1), 1.0)
    assert (rates.transitions >= 0).all()


def test_children_without_a_date_of_birth_are_left_out_and_counted(authority: tuple[pd.DataFrame, pd.Series]) -> None:
    episodes, births = authority
    first = pd.Timestamp("2018-04-30")  # the window's first month end
    open_then = (episodes["start"] <= first) & ~(episodes["end"] <= first)
    dropped = episodes.loc[open_then, "child"].unique()[:25]
    rates = f.fit(episodes, births.drop(dropped), REFERENCE)
    full = f.fit(episodes, births, REFERENCE)
    assert rates.without_birth == 25
    assert full.without_birth == 0
    assert rates.exposure.sum() < full.exposure.sum()
    stock = f.stock_at(episodes, births.drop(dropped), first.date())
    assert stock.without_birth == 25
    assert len(stock.ages) == len(f.stock_at(episodes, births, first.date()).ages) - 25


def test_short_breaks_are_left_out() -> None:
    rows = pd.DataFrame(
        {"child": ["A", "B"], "start": ["2019-01-01", "2019-01-01"], "end": [None, None], "place": ["K2", "K2"]}
    )
    episodes = _episodes(rows)
    episodes.loc[1, "ls"] = "V3"
    births = pd.Series({"A": pd.Timestamp("2010-06-01"), "B": pd.Timestamp("2010-06-01")})
    stock = f.stock_at(episodes, births, date(2019, 3, 31))
    assert list(stock.groups) == [HOME]
    assert list(stock.ages) == [8 * 12 + 9]  # 8 years and 9 months on 31 March 2019


def test_a_window_without_a_month_end_is_refused(authority: tuple[pd.DataFrame, pd.Series]) -> None:
    with pytest.raises(ValueError, match="month end"):
        f.fit(*authority, (date(2019, 4, 2), date(2019, 4, 29)))
    assert f.fit(*authority, (date(2019, 4, 1), date(2019, 4, 30))).months == 1


# ---------------------------------------------------------------- simulation


def by_hand(transitions: np.ndarray, entries: np.ndarray | None = None) -> f.Rates:
    """Rates given directly: the same transitions [group, to] in every band, and entries [age in months, group]
    seen over twelve months (none by default)."""
    return f.Rates(
        transitions=np.broadcast_to(transitions, (len(f.AGE_BANDS), *transitions.shape)).copy(),
        exposure=np.full((len(f.AGE_BANDS), len(f.GROUPS)), 1e12),  # so many child-months the rates are exact
        entry_counts=entries if entries is not None else np.zeros((f.LEAVING_MONTHS, len(f.GROUPS))),
        months=12,
        reference=REFERENCE,
        without_birth=0,
    )


def leaving_only(p: float) -> f.Rates:
    stay = np.eye(len(f.GROUPS), len(f.GROUPS) + 1) * (1 - p)
    stay[:, f.OUT] = p
    return by_hand(stay)


def series(forecast: pd.DataFrame, measure: str) -> pd.DataFrame:
    return forecast[forecast["measure"] == measure].reset_index(drop=True)


def test_leaving_alone_follows_the_geometric_decline() -> None:
    stock = f.Stock(ages=np.arange(2000, dtype=np.int16) % 48, groups=np.full(2000, FOSTERING, dtype=np.int8))
    forecast = f.simulate(stock, leaving_only(0.03), date(2020, 3, 31), months=24, runs=400, seed=3)
    looked_after = series(forecast, "looked_after")
    expected = 2000 * 0.97 ** np.arange(1, 25)
    assert np.allclose(looked_after["expected"], expected, rtol=0.01)
    assert (looked_after["lower"] < looked_after["expected"]).all()
    assert (looked_after["expected"] < looked_after["upper"]).all()
    assert (series(forecast, "childrens_home")["upper"] == 0).all()
    assert list(looked_after["period_end"][:2]) == [date(2020, 4, 30), date(2020, 5, 31)]


def test_a_child_leaves_at_18_and_moves_band_on_their_birthday_month() -> None:
    stay = np.eye(len(f.GROUPS), len(f.GROUPS) + 1)
    stock = f.Stock(ages=np.array([215, 59], dtype=np.int16), groups=np.array([HOME, FOSTERING], dtype=np.int8))
    forecast = f.simulate(stock, by_hand(stay), date(2020, 3, 31), months=2, runs=5)
    first = forecast[forecast["period_end"] == date(2020, 4, 30)].set_index("measure")["expected"]
    assert first["childrens_home"] == 0  # 18 at the first month end: left
    assert first["fostering:5-9"] == 1 and first["fostering:0-4"] == 0
    assert first["looked_after"] == 1


def test_entries_arrive_at_the_rate_and_ages_seen() -> None:
    entries = np.zeros((f.LEAVING_MONTHS, len(f.GROUPS)))
    entries[130, HOME] = 12 * 10  # ten a month into children's homes, all at 10 years 10 months
    stay = np.eye(len(f.GROUPS), len(f.GROUPS) + 1)
    empty = f.Stock(ages=np.zeros(0, dtype=np.int16), groups=np.zeros(0, dtype=np.int8))
    forecast = f.simulate(empty, by_hand(stay, entries), date(2020, 3, 31), months=12, runs=300, seed=5)
    homes = series(forecast, "childrens_home:10-15")
    assert np.allclose(homes["expected"], 10 * np.arange(1, 13), rtol=0.05)
    assert (series(forecast, "childrens_home:16-17")["upper"] == 0).all()


def test_intervals_widen_with_the_horizon(authority: tuple[pd.DataFrame, pd.Series], rates: f.Rates) -> None:
    """Over the first year the interval widens; later it stays wider than the first month's (a group near its
    steady state stops widening: its children's moves in and out balance)."""
    stock = f.stock_at(*authority, REFERENCE[1])
    forecast = f.simulate(stock, rates, REFERENCE[1], months=36, runs=300, seed=7)
    for measure in ("looked_after", "childrens_home"):
        width = (series(forecast, measure)["upper"] - series(forecast, measure)["lower"]).to_numpy()
        assert width[0] < width[2] < width[5] < width[11], (measure, width[:12])
        assert (width[12:] > 1.5 * width[0]).all(), (measure, width)
    looked_after = series(forecast, "looked_after")
    assert (looked_after["upper"] - looked_after["lower"]).iloc[35] > (
        looked_after["upper"] - looked_after["lower"]
    ).iloc[11]


def test_the_same_seed_gives_the_same_forecast(authority: tuple[pd.DataFrame, pd.Series], rates: f.Rates) -> None:
    stock = f.stock_at(*authority, REFERENCE[1])
    one = f.simulate(stock, rates, REFERENCE[1], months=6, runs=50, seed=11)
    pd.testing.assert_frame_equal(one, f.simulate(stock, rates, REFERENCE[1], months=6, runs=50, seed=11))


# ---------------------------------------------------------------- the shared samples


@pytest.fixture(scope="module")
def samples() -> tuple[pd.DataFrame, pd.Series]:
    return sample([2017, 2018, 2019])


def test_the_samples_fit_forecast_and_backtest(samples: tuple[pd.DataFrame, pd.Series]) -> None:
    episodes, births = samples
    last = date(2020, 3, 31)
    rates = f.fit(episodes, births, (date(2018, 4, 1), last))
    stock = f.stock_at(episodes, births, last)
    forecast = f.simulate(stock, rates, last, runs=200)
    assert len(stock.ages) > 0 and rates.exposure.sum() > 0
    assert list(forecast.columns) == f.FORECAST_COLUMNS
    assert forecast["period_end"].nunique() == 36
    assert forecast[["expected", "lower", "upper"]].notna().all().all()
    result = f.backtest(episodes, births, last, runs=200)
    assert math.isfinite(result.mape) and result.mape >= 0
    assert result.reference == (date(2017, 4, 1), date(2019, 3, 31))
    assert list(result.series.columns) == f.BACKTEST_COLUMNS
    assert len(result.series) == 12 and (result.series["actual"] > 0).all()
    ids = set(episodes["child"])
    for frame in (forecast, result.series):
        assert not {"child", "CHILD"} & set(frame.columns)
        assert not ids & set(frame.astype(str).to_numpy().ravel())


def test_the_backtest_compares_with_the_actual_counts() -> None:
    """Two children in a children's home all year, none moving: the forecast is exact, the error 0."""
    rows = pd.DataFrame(
        {"child": ["A", "B"], "start": ["2015-01-01", "2015-01-01"], "end": [None, None], "place": ["K2", "K2"]}
    )
    births = pd.Series({"A": pd.Timestamp("2008-06-01"), "B": pd.Timestamp("2009-06-01")})
    result = f.backtest(_episodes(rows), births, date(2020, 3, 31), runs=20)
    assert result.mape == 0.0
    assert list(result.series["actual"]) == [2.0] * 12


# ---------------------------------------------------------------- the basis kept in the store


def test_rates_over_a_window_of_a_longer_basis_equal_a_fit_on_the_window_alone(
    authority: tuple[pd.DataFrame, pd.Series],
) -> None:
    """The store keeps every step of the data, so a reference window chosen later fits what a fit on it would."""
    whole = f.basis(*authority, (date(2017, 1, 1), REFERENCE[1]))
    window = (date(2018, 10, 1), date(2019, 9, 30))
    later, alone = f.rates_over(whole, window), f.fit(*authority, window)
    assert np.array_equal(later.exposure, alone.exposure) and later.exposure.sum() > 0
    assert np.allclose(later.transitions, alone.transitions)
    assert np.array_equal(later.entry_counts, alone.entry_counts) and later.months == alone.months == 12
    assert f.rates_over(whole, REFERENCE).months == 24  # the moves of April 2018 are in a window from 1 April


def test_the_basis_survives_json_and_starts_from_the_children_on_its_last_day(
    authority: tuple[pd.DataFrame, pd.Series],
) -> None:
    made = f.basis(*authority, REFERENCE)
    back = f.Basis.from_json(made.to_json())
    assert back.period_ends == made.period_ends and back.without_birth == made.without_birth
    for name in ("moves", "entries", "stock"):
        assert np.array_equal(getattr(back, name), getattr(made, name)), name
    stock, direct = back.starting_stock(), f.stock_at(*authority, REFERENCE[1])
    assert sorted(zip(stock.ages, stock.groups, strict=True)) == sorted(zip(direct.ages, direct.groups, strict=True))
    assert made.default_reference() == REFERENCE  # the data's last two years
    text = made.to_json()
    assert not any(child in text for child in authority[0]["child"].head(50))


def test_a_window_outside_the_basis_is_refused_naming_the_data(authority: tuple[pd.DataFrame, pd.Series]) -> None:
    made = f.basis(*authority, REFERENCE)
    with pytest.raises(ValueError, match="April 2018 to March 2020"):
        f.rates_over(made, (date(2015, 1, 1), date(2015, 6, 30)))


def test_the_entry_factor_scales_the_entries() -> None:
    entries = np.zeros((f.LEAVING_MONTHS, len(f.GROUPS)))
    entries[130, HOME] = 12 * 10
    stay = np.eye(len(f.GROUPS), len(f.GROUPS) + 1)
    empty = f.Stock(ages=np.zeros(0, dtype=np.int16), groups=np.zeros(0, dtype=np.int8))
    more = f.simulate(empty, by_hand(stay, entries), date(2020, 3, 31), months=6, runs=300, seed=5, entry_factor=1.5)
    assert np.allclose(series(more, "childrens_home")["expected"], 15 * np.arange(1, 7), rtol=0.05)


def test_a_generated_authoritys_expected_path_lies_within_the_forecasts_interval(
    authority: tuple[pd.DataFrame, pd.Series],
) -> None:
    """Fitted on one year of an authority run at known rates, the forecast of the next year holds the path those
    rates give from the children in care at the cut (the truth's mean): the interval carries the uncertainty of the
    fitted rates (a year's counts put them some standard errors off), not only chance, and is no wider than it
    needs to be."""
    cut = date(2019, 3, 31)
    rates = f.fit(*authority, (date(2018, 4, 1), cut))
    stock = f.stock_at(*authority, cut)
    forecast = series(f.simulate(stock, rates, cut, months=12, runs=400, seed=2), "childrens_home")
    homes, fostering = float((stock.groups == HOME).sum()), float((stock.groups == FOSTERING).sum())
    truth = []
    for _ in range(12):
        homes, fostering = (
            homes * (1 - TO_FOSTERING - LEAVING) + fostering * TO_HOME + ENTRIES[HOME],
            fostering * (1 - TO_HOME - LEAVING) + homes * TO_FOSTERING + ENTRIES[FOSTERING],
        )
        truth.append(homes)
    table = forecast.assign(truth=truth)
    assert ((table["lower"] <= table["truth"]) & (table["truth"] <= table["upper"])).all(), table
    assert ((table["upper"] - table["lower"]) / table["expected"] < 0.25).all(), table
