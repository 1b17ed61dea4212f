"""The objectives' measures (dashboard.measures) computed from SSDA903 episodes, in memory, at each period end.

The caller reads and checks the files and passes their episodes here, one row per episode, merged across the years
imported together; what comes back is only aggregates (measure, category, period end, numerator, denominator): no
child, episode or postcode leaves this module. No database here: the import writes the rows.

Conventions every measure shares:
- An episode is open on day P when it started on or before P and has not ended by P (an episode ending on P is not
  open on P, the next one is).
- Short breaks (legal status V3 or V4) are left out of every measure of the children looked after, episode by
  episode; they are counted only in the council's own homes' occupancy, where a short break takes a bed.
- A child counts once per measure however many episodes are open on the day. Where a measure splits children into
  parts (provider, inside or outside, distance, age band), a child with two episodes open on the day (overlapping
  dates, an error in the return) is put by the one that started last, so the parts always add up to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from dashboard import measures as m

EPISODE_COLUMNS = (
    "child",  # the child's ID (str): compared only, never returned
    "start",  # DECOM (datetime64)
    "end",  # DEC (datetime64, NaT while the episode is open)
    "rne",  # reason for new episode
    "ls",  # legal status
    "place",  # placement type
    "provider",  # placement provider ("" when blank)
    "urn",  # the placement's Ofsted URN ("" when blank)
    "home",  # outward code of HOME_POST, or None
    "placed",  # outward code of PL_POST, or None
    "placement_key",  # names the placement (place, provider, URN, full postcode): only compared
)
MEASURE_COLUMNS = ["measure", "category", "period_end", "numerator", "denominator"]
EARTH_RADIUS_MILES = 3958.8
_OTHER_PROVIDER = ""  # the key of HOMES_BY_PROVIDER for any provider it does not name


def measure_rows(
    episodes: pd.DataFrame,
    births: pd.Series | None,
    lookup: pd.DataFrame,
    council: str,
    period_ends: Sequence[date],
    covered: Sequence[tuple[date, date]],
) -> pd.DataFrame:
    """Every measure at every period end, long (MEASURE_COLUMNS; denominator NaN for a count).

    `episodes` has EPISODE_COLUMNS; `births` maps a child's ID to their date of birth (None without the header file:
    no measure needing an age is written); `lookup` is the postcode-district lookup (outward_code, local_authority,
    share, latitude, longitude; no rows: no location is written); `council` is the council's name as the lookup's
    authorities spell it (case aside); `covered` holds the first and last day each file covers.

    At a period end with no child looked after, only looked_after (0) and the own homes' figures are written: a
    share of no children is no figure. Which other measures are written depends on what was given (see each)."""
    periods = pd.DatetimeIndex(sorted({pd.Timestamp(day) for day in period_ends})).as_unit("ns")
    frame = prepared(episodes)
    care = _with_chains(frame[~frame["ls"].isin(m.SHORT_BREAKS)])
    open_care = spread_over(care, periods, periods)
    looked_after = open_care.groupby("period")["child"].nunique().reindex(periods, fill_value=0)
    counted = pd.DatetimeIndex(looked_after.index[looked_after > 0])
    current = latest_open(open_care)
    places = _districts(lookup, council)
    parts = [
        _rows(m.LOOKED_AFTER, looked_after, periods),
        _in_homes(open_care, looked_after, counted),
        _three_or_more(care, current, looked_after, counted, covered),
        _own_homes(frame, periods),
    ]
    if births is not None:
        parts.append(_stability(current, births, counted, _earliest(frame, covered)))
    if not places.empty:
        parts.append(_location(current, places, looked_after, counted))
        parts.append(_distance(current, lookup, looked_after, counted))
    if births is not None and not places.empty:
        parts.append(_homes_outside_by_age(open_care, births, places, counted))
    rows = pd.concat([part for part in parts if not part.empty] or [_rows(m.LOOKED_AFTER, looked_after, periods)])
    rows = rows.reset_index(drop=True)
    rows["period_end"] = [stamp.date() for stamp in rows["period_end"]]
    return rows[MEASURE_COLUMNS]


# ---------------------------------------------------------------- the episodes, spread over the period ends


def prepared(episodes: pd.DataFrame) -> pd.DataFrame:
    """The episodes with an `order` (their place in the frame) to break ties between equal start dates."""
    frame = episodes.loc[:, list(EPISODE_COLUMNS)].reset_index(drop=True)
    frame["start"] = pd.to_datetime(frame["start"]).astype("datetime64[ns]")
    frame["end"] = pd.to_datetime(frame["end"]).astype("datetime64[ns]")
    frame["order"] = np.arange(len(frame))
    return frame


def spread_over(episodes: pd.DataFrame, periods: pd.DatetimeIndex, firsts: pd.DatetimeIndex) -> pd.DataFrame:
    """Each episode once for every period end P it touches, with P as `period`: it started on or before P and had
    not ended by the matching day of `firsts` (P itself: open on P; the first day of a window or month ending P: open
    at some time in it). `firsts` rises with `periods`, so an episode's period ends are one run of them, found by
    bisection rather than by pairing every episode with every period end."""
    low = np.searchsorted(_nanoseconds(periods), _nanoseconds(episodes["start"]), side="left")
    ends = _nanoseconds(episodes["end"])
    ends[episodes["end"].isna().to_numpy()] = np.iinfo(np.int64).max  # open: not ended by any day
    high = np.searchsorted(_nanoseconds(firsts), ends, side="left")
    runs = np.clip(high - low, 0, None)
    taken = np.repeat(np.arange(len(episodes)), runs)
    offsets = np.arange(runs.sum()) - np.repeat(np.cumsum(runs) - runs, runs)
    spread = episodes.iloc[taken].reset_index(drop=True)
    spread["period"] = periods[np.repeat(low, runs) + offsets]
    return spread


def _nanoseconds(days: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Dates as int64 nanoseconds, whatever unit they came in, so that they compare with one another."""
    return np.asarray(pd.DatetimeIndex(days).as_unit("ns").asi8).copy()


def latest_open(spread: pd.DataFrame) -> pd.DataFrame:
    """Per period end and child, the episode that started last (the later in the file on the same day)."""
    ordered = spread.sort_values(["period", "child", "start", "order"])
    return ordered.drop_duplicates(["period", "child"], keep="last")


def _rows(
    measure: m.Measure, numerator: pd.Series, index: pd.Index, denominator: pd.Series | None = None
) -> pd.DataFrame:
    """A measure's rows at `index` (period ends, or (period end, category) pairs), 0 where the numerator has none;
    the denominator is by period end."""
    values = numerator.reindex(index, fill_value=0).astype(float)
    if isinstance(index, pd.MultiIndex):
        period, category = index.get_level_values(0), index.get_level_values(1).astype(str)
    else:
        period, category = index, pd.Index([""] * len(index))
    below = denominator.reindex(period).to_numpy(dtype=float) if denominator is not None else np.nan
    return pd.DataFrame(
        {
            "measure": measure.name,
            "category": category,
            "period_end": period,
            "numerator": values.to_numpy(),
            "denominator": below,
        }
    )


# ---------------------------------------------------------------- children's homes by provider


def _in_homes(open_care: pd.DataFrame, looked_after: pd.Series, counted: pd.DatetimeIndex) -> pd.DataFrame:
    """in_childrens_homes over looked_after, and each provider's share of the children in children's homes (every
    provider written, 0 included); a child in two homes on the day counts by the one they moved into last."""
    in_homes = open_care[open_care["place"] == m.CHILDRENS_HOME]
    homes = in_homes.groupby("period")["child"].nunique().reindex(counted, fill_value=0)
    current = latest_open(in_homes)
    provider = current["provider"].where(current["provider"].isin(m.HOMES_BY_PROVIDER), _OTHER_PROVIDER)
    by_provider = pd.crosstab(current["period"], provider).reindex(columns=list(m.HOMES_BY_PROVIDER), fill_value=0)
    parts = [_rows(m.IN_CHILDRENS_HOMES, homes, counted, looked_after)]
    parts += [_rows(measure, by_provider[key], counted, homes) for key, measure in m.HOMES_BY_PROVIDER.items()]
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------- placements: chains of episodes


def _with_chains(care: pd.DataFrame) -> pd.DataFrame:
    """The episodes (short breaks already left out) by child and start, each with what the placement measures need:
    `new_placement` (it starts a placement with a new carer), `care_start` and `care_from_s` (when the unbroken run of
    episodes it belongs to began, and whether with reason S), and `placed_since` (when its placement began)."""
    frame = care.sort_values(["child", "start", "order"]).reset_index(drop=True)
    by_child = frame.groupby("child", sort=False)
    temporary = frame["place"].isin(m.TEMPORARY_PLACEMENTS)
    # The placement held before a run of temporary placements: the last settled placement's key before each episode.
    settled_key = frame["placement_key"].where(~temporary)
    held_before = settled_key.groupby(frame["child"]).ffill().groupby(frame["child"]).shift()
    after_temporary = temporary.groupby(frame["child"]).shift(fill_value=False).astype(bool)
    returning = after_temporary & ~temporary & (frame["placement_key"] == held_before)
    frame["new_placement"] = frame["rne"].isin(m.NEW_PLACEMENT_REASONS) & ~temporary & ~returning
    # A run of care breaks where an episode does not start the day the one before it ended, or starts with S.
    first = by_child.cumcount() == 0
    breaks = first | (frame["start"] != by_child["end"].shift()) | (frame["rne"] == "S")
    frame["care"] = breaks.cumsum()
    frame["care_start"] = frame.groupby("care")["start"].transform("first")
    frame["care_from_s"] = frame.groupby("care")["rne"].transform("first") == "S"
    frame["placed_since"] = _placed_since(frame, breaks | frame["new_placement"])
    return frame


def _placed_since(frame: pd.DataFrame, starts: pd.Series) -> pd.Series:
    """When each episode's placement began: the start of the latest episode starting a placement. For an adoption
    placement, the start of the placement before it in the same run of care (when there is one): DfE counts an
    adoptive placement together with the placement before it."""
    placement = starts.cumsum()
    began = frame.groupby(placement)["start"].transform("first")
    firsts = frame.loc[starts, ["care", "start"]].assign(placement=placement[starts])
    before = firsts.groupby("care")["start"].shift()  # the previous placement's start, in the same run of care
    previous_start = pd.Series(before.to_numpy(), index=firsts["placement"].to_numpy())
    # reindex, not map: a placement with no placement before it stays NaT (map would go through floats)
    previous = pd.Series(previous_start.reindex(placement.to_numpy()).to_numpy(), index=frame.index)
    adoption = frame["place"].isin(m.ADOPTION_PLACEMENTS) & previous.notna()
    return began.where(~adoption, previous)


def _covered_windows(periods: pd.DatetimeIndex, covered: Sequence[tuple[date, date]]) -> pd.DatetimeIndex:
    """The period ends whose twelve months lie wholly inside the days the files cover (joined where they meet)."""
    spans: list[list[pd.Timestamp]] = []
    for first, last in sorted((pd.Timestamp(a), pd.Timestamp(b)) for a, b in covered):
        if spans and first <= spans[-1][1] + pd.Timedelta(days=1):
            spans[-1][1] = max(spans[-1][1], last)
        else:
            spans.append([first, last])
    starts = _window_starts(periods)
    inside = [any(a <= start and end <= b for a, b in spans) for start, end in zip(starts, periods, strict=True)]
    return periods[np.array(inside, dtype=bool)]


def _window_starts(periods: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The first day of the twelve months ending on each period end."""
    return pd.DatetimeIndex(periods - pd.DateOffset(years=1) + pd.Timedelta(days=1))


def _three_or_more(
    care: pd.DataFrame,
    current: pd.DataFrame,
    looked_after: pd.Series,
    counted: pd.DatetimeIndex,
    covered: Sequence[tuple[date, date]],
) -> pd.DataFrame:
    """three_or_more_placements, only where the files cover the whole twelve months. The placement held at the
    window's start (or the first episode starting in it) counts one; each later episode in it starting a new
    placement (`new_placement`) counts one more."""
    periods = _covered_windows(counted, covered)
    if periods.empty:
        return pd.DataFrame()
    in_window = spread_over(care, periods, _window_starts(periods))
    in_window = in_window.merge(current[["period", "child"]], on=["period", "child"])
    in_window = in_window.sort_values(["period", "child", "start", "order"])
    # The placement held at the window's start is one, however many episodes were open then (a valid return has one).
    held_at_start = in_window["start"] < in_window["period"] - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    later = (in_window.groupby(["period", "child"]).cumcount() > 0) & ~held_at_start
    moves = (later & in_window["new_placement"]).groupby([in_window["period"], in_window["child"]]).sum()
    three = (moves + 1 >= 3).groupby(level="period").sum()
    return _rows(m.THREE_OR_MORE_PLACEMENTS, three, periods, looked_after)


# ---------------------------------------------------------------- long-term stability


def _earliest(frame: pd.DataFrame, covered: Sequence[tuple[date, date]]) -> pd.Timestamp:
    """The first day the files cover (or, with no span given, the earliest episode's start): an episode starting
    then or before may follow one the files do not hold."""
    if covered:
        return pd.Timestamp(min(first for first, _ in covered))
    return frame["start"].min()


def _ages(children: pd.Series, periods: pd.Series, births: pd.Series) -> pd.Series:
    """Each child's age in whole years on the matching day (NaN without a date of birth)."""
    born = pd.to_datetime(children.map(births))
    before_birthday = periods.dt.month * 100 + periods.dt.day < born.dt.month * 100 + born.dt.day
    return periods.dt.year - born.dt.year - before_birthday.astype(int)


def _stability(
    current: pd.DataFrame, births: pd.Series, counted: pd.DatetimeIndex, earliest: pd.Timestamp
) -> pd.DataFrame:
    """long_term_stability and stability_undetermined, of the children under 16 on the day. A child whose run of
    care begins, without reason S, on or before the first day the files cover and less than two and a half years
    before the day may have been in care longer than the files show: undetermined. Their placement lies inside that
    run of care, so whenever the run's start is known (or long enough ago), so is what the placement needs."""
    now = current[current["period"].isin(counted)]
    now = now[_ages(now["child"], now["period"], births) < m.STABILITY_AGE_UNDER]
    in_care_by = _months_before(now["period"], m.STABILITY_CARE_MONTHS)
    long_in_care = now["care_start"] <= in_care_by
    undetermined = ~now["care_from_s"] & ~long_in_care & (now["care_start"] <= earliest)
    stable = long_in_care & (now["placed_since"] <= _months_before(now["period"], m.STABILITY_PLACEMENT_MONTHS))
    flags = pd.DataFrame({"stable": stable, "long": long_in_care, "undetermined": undetermined})
    sums = flags.groupby(now["period"]).sum()
    return pd.concat(
        [
            _rows(m.LONG_TERM_STABILITY, sums["stable"], counted, sums["long"].reindex(counted, fill_value=0)),
            _rows(m.STABILITY_UNDETERMINED, sums["undetermined"], counted),
        ],
        ignore_index=True,
    )


def _months_before(periods: pd.Series, months: int) -> pd.Series:
    """The day `months` calendar months before each period end."""
    back = {period: period - pd.DateOffset(months=months) for period in periods.unique()}
    return periods.map(back).astype("datetime64[ns]")


# ---------------------------------------------------------------- where children are placed


def _districts(lookup: pd.DataFrame, council: str) -> pd.DataFrame:
    """Per postcode district: `inside` (the share of it in the council's area: 1 or 0 for a district in one
    authority, the council's rows' shares summed for one crossing the boundary) and `split` (it crosses the boundary
    and a share is missing, so where in it a child lives cannot be told: `inside` is NaN)."""
    if lookup.empty:
        return pd.DataFrame(columns=["inside", "split"])
    rows = lookup.assign(
        ours=lookup["local_authority"].str.casefold() == council.casefold(),
        share=pd.to_numeric(lookup["share"]),
        known=lookup["share"].notna(),
    )
    by_code = rows.groupby("outward_code")
    single = by_code["ours"].transform("size") == 1
    rows["part"] = np.where(single, rows["ours"].astype(float), np.where(rows["ours"], rows["share"], 0.0))
    districts = pd.DataFrame({"inside": by_code["part"].sum(), "split": ~by_code["known"].all()})
    districts["split"] &= by_code.size() > 1
    districts.loc[districts["split"], "inside"] = np.nan
    return districts


def _location(
    current: pd.DataFrame, places: pd.DataFrame, looked_after: pd.Series, counted: pd.DatetimeIndex
) -> pd.DataFrame:
    """placed_inside, placed_outside, placed_location_unknown (over looked_after) and placed_split_district: each
    child by their placement's district; inside + outside + unknown is every child looked after."""
    now = current[current["period"].isin(counted)]
    inside = now["placed"].map(places["inside"]).astype(float)
    split = now["placed"].map(places["split"]).eq(True)
    by_period = pd.DataFrame(
        {"inside": inside.fillna(0.0), "outside": 1.0 - inside.fillna(1.0), "unknown": inside.isna(), "split": split}
    ).groupby(now["period"].to_numpy())
    sums = by_period.sum()
    return pd.concat(
        [
            _rows(m.PLACED_INSIDE, sums["inside"], counted, looked_after),
            _rows(m.PLACED_OUTSIDE, sums["outside"], counted, looked_after),
            _rows(m.LOCATION_UNKNOWN, sums["unknown"], counted, looked_after),
            _rows(m.SPLIT_DISTRICT, sums["split"], counted),
        ],
        ignore_index=True,
    )


def _centroids(lookup: pd.DataFrame) -> pd.DataFrame:
    """Each district's centroid (latitude, longitude): its first row in the lookup that has one."""
    located = lookup.assign(
        latitude=pd.to_numeric(lookup["latitude"]), longitude=pd.to_numeric(lookup["longitude"])
    ).dropna(subset=["latitude", "longitude"])
    return located.drop_duplicates("outward_code").set_index("outward_code")[["latitude", "longitude"]]


def _miles(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in miles (haversine)."""
    phi1, phi2, dphi, dlambda = map(np.radians, (lat1, lat2, lat2 - lat1, lon2 - lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(a))


def _distance(
    current: pd.DataFrame, lookup: pd.DataFrame, looked_after: pd.Series, counted: pd.DatetimeIndex
) -> pd.DataFrame:
    """placed_over_20_miles and distance_unknown (over looked_after), between the home and placement districts'
    centroids; nothing when the lookup holds no centroid."""
    centroids = _centroids(lookup)
    if centroids.empty:
        return pd.DataFrame()
    now = current[current["period"].isin(counted)]
    home = centroids.reindex(now["home"].to_numpy()).to_numpy(dtype=float)
    placed = centroids.reindex(now["placed"].to_numpy()).to_numpy(dtype=float)
    miles = _miles(home[:, 0], home[:, 1], placed[:, 0], placed[:, 1])
    period = now["period"].to_numpy()
    over = pd.Series(miles > m.MILES_FROM_HOME).groupby(period).sum()
    unknown = pd.Series(np.isnan(miles)).groupby(period).sum()
    return pd.concat(
        [
            _rows(m.OVER_20_MILES, over, counted, looked_after),
            _rows(m.DISTANCE_UNKNOWN, unknown, counted, looked_after),
        ],
        ignore_index=True,
    )


def _homes_outside_by_age(
    open_care: pd.DataFrame, births: pd.Series, places: pd.DataFrame, counted: pd.DatetimeIndex
) -> pd.DataFrame:
    """homes_outside_by_age: children in children's homes outside the council's area on the day, by age band (a
    district crossing the boundary counts by its share outside; 18 and over left out; every band written)."""
    now = latest_open(open_care[open_care["place"] == m.CHILDRENS_HOME])
    now = now[now["period"].isin(counted)]
    outside = 1.0 - now["placed"].map(places["inside"]).astype(float).fillna(1.0)
    ages = _ages(now["child"], now["period"], births)
    band = ages.map({age: m.age_band(int(age)) for age in ages.dropna().unique()})
    sums = outside.groupby([now["period"], band]).sum()
    index = pd.MultiIndex.from_product([counted, [name for _, _, name in m.AGE_BANDS]])
    return _rows(m.HOMES_OUTSIDE_BY_AGE, sums, index)


# ---------------------------------------------------------------- the council's own homes, by URN


def _own_homes(frame: pd.DataFrame, periods: pd.DatetimeIndex) -> pd.DataFrame:
    """home_children and home_child_days per URN of the council's own children's homes (K2, PR1), short breaks
    included: a short break takes a bed. Written for each home from the month its first child arrived, 0 included
    (an empty month is no occupancy, not a missing figure)."""
    homes = frame[(frame["place"] == m.CHILDRENS_HOME) & (frame["provider"] == "PR1") & (frame["urn"] != "")]
    if homes.empty or periods.empty:
        return pd.DataFrame()
    firsts = pd.DatetimeIndex(periods.to_period("M").start_time)
    in_month = spread_over(homes, periods, firsts)
    first_day = pd.DatetimeIndex(in_month["period"].dt.to_period("M").dt.start_time)
    day_after = in_month["period"] + pd.Timedelta(days=1)
    until = in_month["end"].fillna(day_after).clip(upper=day_after)
    days = (until - in_month["start"].clip(lower=first_day)).dt.days.clip(lower=0)
    nights = days.groupby([in_month["period"], in_month["urn"]]).sum()
    open_now = in_month[in_month["end"].isna() | (in_month["end"] > in_month["period"])]
    children = open_now.groupby(["period", "urn"])["child"].nunique()
    opened = homes.groupby("urn")["start"].min()
    pairs = [(period, urn) for urn, since in opened.items() for period in periods[periods >= since]]
    if not pairs:
        return pd.DataFrame()
    index = pd.MultiIndex.from_tuples(pairs)
    return pd.concat(
        [_rows(m.HOME_CHILDREN, children, index), _rows(m.HOME_CHILD_DAYS, nights, index)], ignore_index=True
    )
