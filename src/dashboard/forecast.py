"""A demand forecast of children looked after, by age band and placement group, from SSDA903 episodes.

The model is a monthly Markov chain on (age band, placement group), fitted on month-end snapshots of a reference
window: each child's group at consecutive month ends gives the monthly probabilities of moving between groups or out
of care; children in care at a month end who were not at the one before are the entries. The forecast simulates the
children month by month (ageing, moves, leaving at 18, Poisson entries at the ages seen in the window) many times and
gives the mean and the 5th and 95th percentiles of every count.

The conventions are dashboard.episodes': an episode ending on a day is not open on it, short breaks (V3/V4) are left
out, and a child with two episodes open on one day is placed by the one that started last. Children without a date of
birth cannot be put in an age band: they are left out and counted. Only aggregates leave this module: counts, rates
and ages, never a child's ID."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard import measures as m
from dashboard.episodes import latest_open, prepared, spread_over

AGE_BANDS = m.AGE_BANDS
GROUPS = ("childrens_home", "fostering", "other")
FOSTERING = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
OUT = len(GROUPS)  # the state of a child not looked after (after the groups in every array)
LEAVING_MONTHS = 18 * 12  # a child leaves care on their 18th birthday
# The band of each age in months; 18 (a child who has just left) takes the last band, read only for a slot out of care.
BAND_BY_MONTH = (
    np.searchsorted(
        [low for low, _, _ in AGE_BANDS],
        np.minimum(np.arange(LEAVING_MONTHS + 1) // 12, AGE_BANDS[-1][1]),
        side="right",
    )
    - 1
).astype(np.int8)
BAND_NAMES = tuple(name for _, _, name in AGE_BANDS)
LOWER_PERCENTILE, UPPER_PERCENTILE = 5, 95
FORECAST_COLUMNS = ["period_end", "measure", "expected", "lower", "upper"]
BACKTEST_COLUMNS = ["period_end", "actual", "expected", "lower", "upper"]
REFERENCE_YEARS = 2  # the default reference window: the last two years of data


@dataclass(frozen=True, eq=False)
class Rates:
    """What `fit` learnt from a reference window; arrays indexed by age band (AGE_BANDS) and group (GROUPS, then
    OUT for out of care)."""

    transitions: np.ndarray  # [band, group, group or OUT]: the probability of being there a month later
    exposure: np.ndarray  # [band, group]: child-months seen (the transitions' denominators)
    entry_counts: np.ndarray  # [age in months, group entered]: the entries seen in the window
    months: int  # month-to-month steps in the window
    reference: tuple[date, date]
    without_birth: int  # children looked after in the window left out for want of a date of birth

    @property
    def entries(self) -> np.ndarray:
        """[band, group entered]: the mean entries a month."""
        by_band = np.zeros((len(AGE_BANDS), len(GROUPS)))
        np.add.at(by_band, BAND_BY_MONTH[:LEAVING_MONTHS], self.entry_counts)
        return by_band / max(self.months, 1)


@dataclass(frozen=True, eq=False)
class Stock:
    """The children looked after on a day, as parallel arrays (no IDs): age in whole months and group (GROUPS)."""

    ages: np.ndarray
    groups: np.ndarray
    without_birth: int = 0  # children looked after on the day left out for want of a date of birth


@dataclass(frozen=True, eq=False)
class Backtest:
    """A forecast of a year already seen, beside what happened: `series` (BACKTEST_COLUMNS) is the month-end count
    of children in children's homes; `mape` the mean absolute percentage error of the expected count, in per cent,
    over the months with a child in a children's home (NaN when none had)."""

    mape: float
    series: pd.DataFrame
    reference: tuple[date, date]


# ---------------------------------------------------------------- snapshots


def _month_ends(first: date, last: date) -> pd.DatetimeIndex:
    """The month ends from `first` to `last`, both included."""
    return pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="ME").as_unit("ns")


def _groups(place: pd.Series) -> np.ndarray:
    """The group (an index into GROUPS) of each placement type."""
    codes = np.full(len(place), GROUPS.index("other"), dtype=np.int8)
    codes[place.isin(FOSTERING).to_numpy()] = GROUPS.index("fostering")
    codes[(place == m.CHILDRENS_HOME).to_numpy()] = GROUPS.index("childrens_home")
    return codes


def _open_at(episodes: pd.DataFrame, periods: pd.DatetimeIndex) -> pd.DataFrame:
    """Per period end, each child looked after on it (short breaks left out) with the episode that started last."""
    frame = prepared(episodes)
    care = frame[~frame["ls"].isin(m.SHORT_BREAKS)]
    return latest_open(spread_over(care, periods, periods))[["period", "child", "place"]]


def _age_months(born: pd.Series, periods: pd.DatetimeIndex) -> np.ndarray:
    """[child, period]: age in whole months on each period end (a month counts from the birthday's day)."""
    born = pd.to_datetime(born)
    years = periods.year.to_numpy()[None, :] - born.dt.year.to_numpy()[:, None]
    months = periods.month.to_numpy()[None, :] - born.dt.month.to_numpy()[:, None]
    early = periods.day.to_numpy()[None, :] < born.dt.day.to_numpy()[:, None]
    return years * 12 + months - early.astype(int)


def _states(episodes: pd.DataFrame, births: pd.Series, periods: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, int]:
    """[child, period] group (OUT when not looked after) and age in months of the children looked after on any of
    the period ends who have a date of birth (in no particular order), and how many had none."""
    now = _open_at(episodes, periods)
    children = pd.Index(now["child"].unique())
    born = births.reindex(children)
    known = born.notna().to_numpy()
    states = np.full((len(children), len(periods)), OUT, dtype=np.int8)
    states[children.get_indexer(now["child"]), periods.get_indexer(now["period"])] = _groups(now["place"])
    if not known.any():
        return states[:0], np.zeros((0, len(periods)), dtype=int), int((~known).sum())
    return states[known], _age_months(born[known], periods), int((~known).sum())


def stock_at(episodes: pd.DataFrame, births: pd.Series, day: date) -> Stock:
    """The children under 18 looked after on `day`, by age in months and group."""
    states, ages, missing = _states(episodes, births, pd.DatetimeIndex([pd.Timestamp(day)]).as_unit("ns"))
    inside = (states[:, 0] < OUT) & (ages[:, 0] >= 0) & (ages[:, 0] < LEAVING_MONTHS)
    return Stock(ages=ages[inside, 0].astype(np.int16), groups=states[inside, 0], without_birth=missing)


# ---------------------------------------------------------------- fitting


def fit(episodes: pd.DataFrame, births: pd.Series, reference: tuple[date, date]) -> Rates:
    """The monthly rates of the month ends in `reference` (first and last day, inside the days the files cover).

    `episodes` has dashboard.episodes.EPISODE_COLUMNS; `births` maps a child's ID to their date of birth. A move
    is counted in the band of the child's age at the month end it starts from; a child turning 18 by the next month
    end leaves by age, so that month is left out of the rates (the simulation makes them leave). A band and group
    with no child-months takes the rates of that group in all bands, and a group seen nowhere stays put."""
    periods = _month_ends(*reference)
    if len(periods) < 2:
        raise ValueError(
            f"The reference window {reference[0]:%d %B %Y} to {reference[1]:%d %B %Y} holds fewer than two month "
            "ends: a forecast needs at least two."
        )
    states, ages, missing = _states(episodes, births, periods)
    before, after = states[:, :-1], states[:, 1:]
    age_before, age_after = ages[:, :-1], ages[:, 1:]
    stays = (before < OUT) & (age_before >= 0) & (age_after < LEAVING_MONTHS)
    counts = np.zeros((len(AGE_BANDS), len(GROUPS), len(GROUPS) + 1))
    np.add.at(counts, (BAND_BY_MONTH[age_before[stays]], before[stays], after[stays]), 1)
    enters = (before == OUT) & (after < OUT) & (age_after >= 0) & (age_after < LEAVING_MONTHS)
    entry_counts = np.zeros((LEAVING_MONTHS, len(GROUPS)))
    np.add.at(entry_counts, (age_after[enters], after[enters]), 1)
    return Rates(
        transitions=_probabilities(counts),
        exposure=counts.sum(axis=-1),
        entry_counts=entry_counts,
        months=len(periods) - 1,
        reference=reference,
        without_birth=missing,
    )


def _probabilities(counts: np.ndarray) -> np.ndarray:
    """[band, group, to]: each row of counts over its total; an empty row takes its group's rates over all bands, or
    staying put when the group was never seen."""
    pooled = counts.sum(axis=0, keepdims=True)
    stay = np.eye(len(GROUPS), len(GROUPS) + 1)[None, :, :]
    pooled = np.where(pooled.sum(axis=-1, keepdims=True) > 0, pooled, stay)
    filled = np.where(counts.sum(axis=-1, keepdims=True) > 0, counts, np.broadcast_to(pooled, counts.shape))
    return filled / filled.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------- simulation


def simulate(stock: Stock, rates: Rates, start: date, months: int = 36, runs: int = 500, seed: int = 0) -> pd.DataFrame:
    """The forecast at each of the `months` month ends after `start`, long (FORECAST_COLUMNS): looked_after, each
    group, and each group by band ("childrens_home:10-15"); the mean of `runs` simulations and their 5th and 95th
    percentiles. Each month every child moves by the rates of their band, then ages a month (leaving at 18), then
    the month's entries (Poisson, at the rate of the window) arrive at ages and groups drawn from its entries."""
    rng = np.random.default_rng(seed)
    arrival_month, arrival_age, arrival_group = _arrivals(rates, months, runs, rng)
    group = np.full((runs, len(stock.ages) + arrival_month.shape[1]), OUT, dtype=np.int8)
    age = np.zeros(group.shape, dtype=np.int16)
    group[:, : len(stock.ages)] = stock.groups
    age[:, : len(stock.ages)] = stock.ages
    newcomers = np.s_[:, len(stock.ages) :]  # the slots kept for entries (views: assigning through them writes)
    thresholds = _thresholds(rates)
    state = _state(group, age)
    counts = np.zeros((months, runs, len(AGE_BANDS), len(GROUPS)))
    for month in range(1, months + 1):
        _step(group, age, state, thresholds, rng)
        arriving = arrival_month == month
        group[newcomers][arriving] = arrival_group[arriving]
        age[newcomers][arriving] = arrival_age[arriving]
        state = _state(group, age)
        counts[month - 1] = _counts(state)
    ends = pd.date_range(pd.Timestamp(start) + pd.Timedelta(days=1), periods=months, freq="ME")
    return _summary(counts, ends)


def _arrivals(rates: Rates, months: int, runs: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """[run, slot] the month (1..months; months + 1 for a slot unused in that run), age and group of every entry:
    Poisson counts a month at the window's mean, each entry's age and group drawn from those seen."""
    seen = rates.entry_counts.ravel()
    per_month = rng.poisson(seen.sum() / max(rates.months, 1), size=(runs, months))
    width = int(per_month.sum(axis=1).max()) if per_month.size else 0
    # Slot j of a run arrives in the month after the last whose running total is j or less: one bisection over all
    # runs at once, each run's totals lifted above the one before's.
    run = np.arange(runs)[:, None]
    totals = (np.cumsum(per_month, axis=1) + run * (width + 1)).ravel()
    slots = (np.arange(width)[None, :] + run * (width + 1)).ravel()
    month = np.searchsorted(totals, slots, side="right").reshape(runs, width) - run * months + 1
    drawn = rng.choice(len(seen), size=(runs, width), p=seen / seen.sum()) if width else np.zeros((runs, 0), int)
    return month, (drawn // len(GROUPS)).astype(np.int16), (drawn % len(GROUPS)).astype(np.int8)


def _thresholds(rates: Rates) -> np.ndarray:
    """[k, band * (OUT + 1) + group]: a uniform draw at or above row k moves a child past state k (the
    cumulative transition probabilities); the entries of OUT are 0, so a child out of care stays out."""
    table = np.zeros((len(AGE_BANDS), OUT + 1, OUT), dtype=np.float32)
    table[:, :OUT, :] = np.cumsum(rates.transitions, axis=-1)[:, :, :OUT]
    return np.ascontiguousarray(table.reshape(len(AGE_BANDS) * (OUT + 1), OUT).T)


def _state(group: np.ndarray, age: np.ndarray) -> np.ndarray:
    """[run, slot] band * (OUT + 1) + group: the column of `_thresholds` and the key `_counts` counts by."""
    return BAND_BY_MONTH[age] * (OUT + 1) + group


def _step(
    group: np.ndarray, age: np.ndarray, state: np.ndarray, thresholds: np.ndarray, rng: np.random.Generator
) -> None:
    """One month, in place, over every slot at once (a slot out of care stays out): each child looked after moves
    (or leaves) by the rates of their band (`state`), then ages a month; a child reaching 18 leaves."""
    drawn = rng.random(group.shape, dtype=np.float32)
    moved = np.zeros(group.shape, dtype=np.int8)
    for column in thresholds:
        moved += drawn >= column.take(state)
    age += group < OUT
    moved[age >= LEAVING_MONTHS] = OUT
    group[...] = moved


def _counts(state: np.ndarray) -> np.ndarray:
    """[run, band, group]: the children looked after in each run."""
    runs = state.shape[0]
    per_run = len(AGE_BANDS) * (OUT + 1)
    key = state + (np.arange(runs) * per_run)[:, None]
    counts = np.bincount(key.ravel(), minlength=runs * per_run).reshape(runs, len(AGE_BANDS), OUT + 1)
    return counts[:, :, :OUT]


def _summary(counts: np.ndarray, ends: pd.DatetimeIndex) -> pd.DataFrame:
    """The long forecast from counts [month, run, band, group]."""
    series = {"looked_after": counts.sum(axis=(2, 3))}
    for g, name in enumerate(GROUPS):
        series[name] = counts[:, :, :, g].sum(axis=2)
    for g, name in enumerate(GROUPS):
        for b, band in enumerate(BAND_NAMES):
            series[f"{name}:{band}"] = counts[:, :, b, g]
    days = [stamp.date() for stamp in ends]
    parts = [
        pd.DataFrame(
            {
                "period_end": days,
                "measure": measure,
                "expected": values.mean(axis=1),
                "lower": np.percentile(values, LOWER_PERCENTILE, axis=1),
                "upper": np.percentile(values, UPPER_PERCENTILE, axis=1),
            }
        )
        for measure, values in series.items()
    ]
    return pd.concat(parts, ignore_index=True)[FORECAST_COLUMNS]


# ---------------------------------------------------------------- backtest


def backtest(episodes: pd.DataFrame, births: pd.Series, last_day: date, runs: int = 500, seed: int = 0) -> Backtest:
    """Fit on the REFERENCE_YEARS ending a year before `last_day`, forecast the year to `last_day` from the
    children looked after then, and set the expected children in children's homes beside the actual month-end
    counts (every child in a children's home, with a date of birth or not: the figure users know)."""
    cut = (pd.Timestamp(last_day) - pd.DateOffset(years=1)).date()
    reference = ((pd.Timestamp(cut) - pd.DateOffset(years=REFERENCE_YEARS) + pd.Timedelta(days=1)).date(), cut)
    rates = fit(episodes, births, reference)
    forecast = simulate(stock_at(episodes, births, cut), rates, cut, months=12, runs=runs, seed=seed)
    homes = forecast[forecast["measure"] == "childrens_home"].drop(columns="measure").reset_index(drop=True)
    homes.insert(1, "actual", _actual_homes(episodes, pd.DatetimeIndex(pd.to_datetime(homes["period_end"]))))
    homes = homes[homes["period_end"] <= last_day].reset_index(drop=True)
    seen = homes[homes["actual"] > 0]
    errors = (seen["expected"] - seen["actual"]).abs() / seen["actual"]
    mape = float(errors.mean() * 100) if len(seen) else float("nan")
    return Backtest(mape=mape, series=homes[BACKTEST_COLUMNS], reference=reference)


def _actual_homes(episodes: pd.DataFrame, periods: pd.DatetimeIndex) -> np.ndarray:
    """The children in children's homes on each period end (short breaks left out)."""
    now = _open_at(episodes, periods.as_unit("ns"))
    homes = now[now["place"] == m.CHILDRENS_HOME].groupby("period")["child"].nunique()
    return homes.reindex(periods.as_unit("ns"), fill_value=0).to_numpy(dtype=float)
