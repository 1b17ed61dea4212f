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

import json
from collections.abc import Callable
from dataclasses import dataclass, field
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
HOME_DISTRICT_COLUMNS = ["period_end", "district", "children"]
# Shares a Series of home postcodes' outward codes out over districts: rows of (row: the code's position, district,
# share), each position's shares adding up to 1; "" for a district not known.
HomeDistrict = Callable[[pd.Series], pd.DataFrame]


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
class Basis:
    """What a forecast is made from, as aggregates only (no child, date of birth or episode): every month-to-month
    step of the data counted, so that rates can be fitted on any reference window inside it later, without the files.

    Step i runs from period_ends[i] to period_ends[i + 1]. `homes_by_district` is the children in children's homes at
    each period end by the district of their home postcode (dashboard.demand reads it to share need out)."""

    period_ends: tuple[date, ...]
    moves: np.ndarray  # [step, band, group, group or OUT]: children counted making each move
    entries: np.ndarray  # [step, age in months, group entered]
    stock: np.ndarray  # [age in months, group]: the children looked after on the last period end
    without_birth: int  # children looked after in the data left out for want of a date of birth
    homes_by_district: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HOME_DISTRICT_COLUMNS))

    @property
    def last_day(self) -> date:
        return self.period_ends[-1]

    def default_reference(self) -> tuple[date, date]:
        """The last REFERENCE_YEARS of the data (all of it when shorter)."""
        first = (pd.Timestamp(self.last_day) - pd.DateOffset(years=REFERENCE_YEARS) + pd.Timedelta(days=1)).date()
        return max(first, self.period_ends[0].replace(day=1)), self.last_day

    def starting_stock(self) -> Stock:
        ages, groups = np.nonzero(self.stock)
        counts = self.stock[ages, groups]
        return Stock(
            ages=np.repeat(ages, counts).astype(np.int16),
            groups=np.repeat(groups, counts).astype(np.int8),
            without_birth=self.without_birth,
        )

    def to_json(self) -> str:
        """The basis as JSON (sparse where most cells are empty), for the store."""
        entries = np.argwhere(self.entries)
        return json.dumps(
            {
                "period_ends": [day.isoformat() for day in self.period_ends],
                "moves": self.moves.astype(int).tolist(),
                "entries": [[*map(int, cell), int(self.entries[tuple(cell)])] for cell in entries],
                "stock": [[*map(int, cell), int(self.stock[tuple(cell)])] for cell in np.argwhere(self.stock)],
                "without_birth": self.without_birth,
                "homes_by_district": [
                    [row.period_end.isoformat(), row.district, float(row.children)]
                    for row in self.homes_by_district.itertuples()
                ],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Basis:
        data = json.loads(text)
        period_ends = tuple(date.fromisoformat(day) for day in data["period_ends"])
        entries = np.zeros((max(len(period_ends) - 1, 0), LEAVING_MONTHS, len(GROUPS)), dtype=np.int64)
        for step, age, group, count in data["entries"]:
            entries[step, age, group] = count
        stock = np.zeros((LEAVING_MONTHS, len(GROUPS)), dtype=np.int64)
        for age, group, count in data["stock"]:
            stock[age, group] = count
        moves = np.array(data["moves"], dtype=np.int64).reshape(-1, len(AGE_BANDS), len(GROUPS), len(GROUPS) + 1)
        homes = pd.DataFrame(data["homes_by_district"], columns=HOME_DISTRICT_COLUMNS)
        homes["period_end"] = [date.fromisoformat(day) for day in homes["period_end"]]
        return cls(period_ends, moves, entries, stock, int(data["without_birth"]), homes.astype({"children": float}))


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


def _open_at(episodes: pd.DataFrame, periods: pd.DatetimeIndex, extra: list[str] | None = None) -> pd.DataFrame:
    """Per period end, each child looked after on it (short breaks left out) with the episode that started last."""
    frame = prepared(episodes)
    care = frame[~frame["ls"].isin(m.SHORT_BREAKS)]
    return latest_open(spread_over(care, periods, periods))[["period", "child", "place", *(extra or [])]]


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


def basis(
    episodes: pd.DataFrame,
    births: pd.Series,
    data: tuple[date, date],
    home_district: HomeDistrict | None = None,
) -> Basis:
    """Every month-to-month step between the month ends of `data` (its first and last day) counted.

    `episodes` has dashboard.episodes.EPISODE_COLUMNS; `births` maps a child's ID to their date of birth. A move
    is counted in the band of the child's age at the month end it starts from; a child turning 18 by the next month
    end leaves by age, so that step is not counted (the simulation makes them leave). `home_district` shares a
    Series of home postcodes' outward codes out over districts (rows: the code's position, district, share); without
    it no district is counted."""
    periods = _month_ends(*data)
    if len(periods) < 2:
        raise ValueError(
            f"The days {data[0]:%d %B %Y} to {data[1]:%d %B %Y} hold fewer than two month ends: a forecast needs at "
            "least two."
        )
    states, ages, missing = _states(episodes, births, periods)
    before, after = states[:, :-1], states[:, 1:]
    age_before, age_after = ages[:, :-1], ages[:, 1:]
    steps = np.broadcast_to(np.arange(len(periods) - 1), before.shape)
    stays = (before < OUT) & (age_before >= 0) & (age_after < LEAVING_MONTHS)
    moves = np.zeros((len(periods) - 1, len(AGE_BANDS), len(GROUPS), len(GROUPS) + 1), dtype=np.int64)
    np.add.at(moves, (steps[stays], BAND_BY_MONTH[age_before[stays]], before[stays], after[stays]), 1)
    enters = (before == OUT) & (after < OUT) & (age_after >= 0) & (age_after < LEAVING_MONTHS)
    entries = np.zeros((len(periods) - 1, LEAVING_MONTHS, len(GROUPS)), dtype=np.int64)
    np.add.at(entries, (steps[enters], age_after[enters], after[enters]), 1)
    last, last_age = states[:, -1], ages[:, -1]
    inside = (last < OUT) & (last_age >= 0) & (last_age < LEAVING_MONTHS)
    stock = np.zeros((LEAVING_MONTHS, len(GROUPS)), dtype=np.int64)
    np.add.at(stock, (last_age[inside], last[inside]), 1)
    return Basis(
        period_ends=tuple(stamp.date() for stamp in periods),
        moves=moves,
        entries=entries,
        stock=stock,
        without_birth=missing,
        homes_by_district=_homes_by_district(episodes, periods, home_district),
    )


def _homes_by_district(
    episodes: pd.DataFrame, periods: pd.DatetimeIndex, home_district: HomeDistrict | None
) -> pd.DataFrame:
    """The children in children's homes at each period end by home district (shares summed), every child counted
    whether or not they have a date of birth; "" for a home postcode the lookup cannot place."""
    if home_district is None:
        return pd.DataFrame(columns=HOME_DISTRICT_COLUMNS)
    now = _open_at(episodes, periods, ["home"])
    homes = now[now["place"] == m.CHILDRENS_HOME].reset_index(drop=True)
    shares = home_district(homes["home"])
    shares["period_end"] = homes["period"].to_numpy()[shares["row"].to_numpy()]
    counted = shares.groupby(["period_end", "district"], as_index=False)["share"].sum()
    counted["period_end"] = [stamp.date() for stamp in counted["period_end"]]
    return counted.rename(columns={"share": "children"})[HOME_DISTRICT_COLUMNS]


def rates_over(made_from: Basis, reference: tuple[date, date]) -> Rates:
    """The monthly rates of the months whose month end lies in `reference` (its first and last day): the moves each
    month made from the month end before. A band and group with no child-months takes the rates of that group in all
    bands, and a group seen nowhere stays put."""
    ends = np.array(made_from.period_ends, dtype="datetime64[D]")
    steps = (ends[1:] >= np.datetime64(reference[0])) & (ends[1:] <= np.datetime64(reference[1]))
    if not steps.any():
        raise ValueError(
            f"The reference window {reference[0]:%d %B %Y} to {reference[1]:%d %B %Y} holds no month end of the data "
            f"after its first ({made_from.period_ends[0]:%B %Y} to {made_from.last_day:%B %Y}): a forecast needs a "
            "month's moves at least."
        )
    counts = made_from.moves[steps].sum(axis=0).astype(float)
    return Rates(
        transitions=_probabilities(counts),
        exposure=counts.sum(axis=-1),
        entry_counts=made_from.entries[steps].sum(axis=0).astype(float),
        months=int(steps.sum()),
        reference=reference,
        without_birth=made_from.without_birth,
    )


def fit(episodes: pd.DataFrame, births: pd.Series, reference: tuple[date, date]) -> Rates:
    """The monthly rates of the months whose month end lies in `reference` (first and last day, inside the days the
    files cover; the month end before it too)."""
    before = (pd.Timestamp(reference[0]) - pd.DateOffset(months=1)).date()
    return rates_over(basis(episodes, births, (before, reference[1])), reference)


def _probabilities(counts: np.ndarray) -> np.ndarray:
    """[band, group, to]: each row of counts over its total; an empty row takes its group's rates over all bands, or
    staying put when the group was never seen."""
    pooled = counts.sum(axis=0, keepdims=True)
    stay = np.eye(len(GROUPS), len(GROUPS) + 1)[None, :, :]
    pooled = np.where(pooled.sum(axis=-1, keepdims=True) > 0, pooled, stay)
    filled = np.where(counts.sum(axis=-1, keepdims=True) > 0, counts, np.broadcast_to(pooled, counts.shape))
    return filled / filled.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------- simulation


def simulate(
    stock: Stock,
    rates: Rates,
    start: date,
    months: int = 36,
    runs: int = 500,
    seed: int = 0,
    entry_factor: float = 1.0,
) -> pd.DataFrame:
    """The forecast at each of the `months` month ends after `start`, long (FORECAST_COLUMNS): looked_after, each
    group, and each group by band ("childrens_home:10-15"); the mean of `runs` simulations and their 5th and 95th
    percentiles. Each run draws its own rates from what the window's counts allow (so the interval holds the
    uncertainty of the rates as well as chance); then each month every child moves by the rates of their band, ages
    a month (leaving at 18), and the month's entries (Poisson, at the run's rate times `entry_factor`) arrive at
    ages and groups drawn from the window's entries."""
    rng = np.random.default_rng(seed)
    arrival_month, arrival_age, arrival_group = _arrivals(rates, months, runs, rng, entry_factor)
    group = np.full((runs, len(stock.ages) + arrival_month.shape[1]), OUT, dtype=np.int8)
    age = np.zeros(group.shape, dtype=np.int16)
    group[:, : len(stock.ages)] = stock.groups
    age[:, : len(stock.ages)] = stock.ages
    newcomers = np.s_[:, len(stock.ages) :]  # the slots kept for entries (views: assigning through them writes)
    thresholds = _thresholds(_drawn_transitions(rates, runs, rng))
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


def _arrivals(
    rates: Rates, months: int, runs: int, rng: np.random.Generator, factor: float = 1.0
) -> tuple[np.ndarray, ...]:
    """[run, slot] the month (1..months; months + 1 for a slot unused in that run), age and group of every entry:
    Poisson counts a month at the run's rate, each entry's age and group drawn from those seen."""
    seen = rates.entry_counts.ravel()
    # Each run's own rate, drawn from what the window's count allows (Gamma), then that run's months' entries.
    rate = rng.standard_gamma(np.full(runs, seen.sum())) / max(rates.months, 1)
    per_month = rng.poisson(factor * rate[:, None], size=(runs, months))
    width = int(per_month.sum(axis=1).max()) if per_month.size else 0
    # Slot j of a run arrives in the month after the last whose running total is j or less: one bisection over all
    # runs at once, each run's totals lifted above the one before's.
    run = np.arange(runs)[:, None]
    totals = (np.cumsum(per_month, axis=1) + run * (width + 1)).ravel()
    slots = (np.arange(width)[None, :] + run * (width + 1)).ravel()
    month = np.searchsorted(totals, slots, side="right").reshape(runs, width) - run * months + 1
    drawn = rng.choice(len(seen), size=(runs, width), p=seen / seen.sum()) if width else np.zeros((runs, 0), int)
    return month, (drawn // len(GROUPS)).astype(np.int16), (drawn % len(GROUPS)).astype(np.int8)


def _drawn_transitions(rates: Rates, runs: int, rng: np.random.Generator) -> np.ndarray:
    """[run, band, group, to]: each run's own transition probabilities, drawn from what the window's counts allow
    (a Dirichlet over each row's counts), so the interval holds the uncertainty of the rates as well as of the
    children's moves. A row filled from its group's other bands draws on their counts; a group seen nowhere stays."""
    pooled = rates.exposure.sum(axis=0, keepdims=True)
    seen = np.where(rates.exposure > 0, rates.exposure, np.broadcast_to(pooled, rates.exposure.shape))
    counts = rates.transitions * seen[..., None]  # a group seen nowhere has none: it stays put in every run
    drawn = rng.standard_gamma(np.broadcast_to(counts, (runs, *counts.shape)))
    totals = drawn.sum(axis=-1, keepdims=True)
    drawn = np.divide(drawn, totals, out=np.zeros_like(drawn), where=totals > 0)
    return np.where(totals > 0, drawn, rates.transitions[None])


def _thresholds(transitions: np.ndarray) -> np.ndarray:
    """[k, (run * bands + band) * (OUT + 1) + group]: a uniform draw at or above row k moves a child past state k
    (each run's cumulative transition probabilities); the entries of OUT are 0, so a child out of care stays out."""
    runs = transitions.shape[0]
    table = np.zeros((runs, len(AGE_BANDS), OUT + 1, OUT), dtype=np.float32)
    table[:, :, :OUT, :] = np.cumsum(transitions, axis=-1)[..., :OUT]
    return np.ascontiguousarray(table.reshape(runs * len(AGE_BANDS) * (OUT + 1), OUT).T)


STATES_PER_RUN = len(AGE_BANDS) * (OUT + 1)


def _state(group: np.ndarray, age: np.ndarray) -> np.ndarray:
    """[run, slot] (run * bands + band) * (OUT + 1) + group: the column of `_thresholds` and the key `_counts`
    counts by (one flat index over every run, so a lookup is a plain `take`)."""
    # The narrowest integer that holds every key: the lookups each month move less memory.
    kind = np.int16 if group.shape[0] * STATES_PER_RUN <= np.iinfo(np.int16).max else np.int32
    runs = (np.arange(group.shape[0]) * STATES_PER_RUN).astype(kind)[:, None]
    return runs + (BAND_BY_MONTH[age] * (OUT + 1) + group).astype(kind)


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
    counts = np.bincount(state.ravel(), minlength=runs * STATES_PER_RUN).reshape(runs, len(AGE_BANDS), OUT + 1)
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


def backtest(
    episodes: pd.DataFrame,
    births: pd.Series,
    last_day: date,
    runs: int = 500,
    seed: int = 0,
    first_day: date | None = None,
) -> Backtest:
    """Fit on the REFERENCE_YEARS ending a year before `last_day` (from `first_day`, the data's first, when that is
    later), forecast the year to `last_day` from the children looked after then, and set the expected children in
    children's homes beside the actual month-end counts (every child in a children's home, with a date of birth or
    not: the objectives' measure)."""
    cut = (pd.Timestamp(last_day) - pd.DateOffset(years=1)).date()
    start = (pd.Timestamp(cut) - pd.DateOffset(years=REFERENCE_YEARS) + pd.Timedelta(days=1)).date()
    reference = (max(start, first_day or start), cut)
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
