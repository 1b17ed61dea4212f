"""The objectives' measures at a 31 March computed a second time, the plain way, straight from SSDA903 CSVs and from
the definitions in words (dashboard.measures): loops over each child's episodes, written without the project's
import, so a test can hold the project's stored figures against them. Clarity over speed: the samples are small.

Rules, as the definitions give them:
- Episodes of several years' files are one history: an episode is a child and its start date (DECOM), and the row
  from the latest year's file wins (a later file may close an episode an earlier one left open).
- A child is looked after on a day P when an episode of theirs is open on it: start <= P and (no end or end > P).
  A child counts once, by their current episode. Excluding short breaks leaves out short-break episodes (legal
  status V3/V4), so a child is left out when every episode open on the day is a short break.
- Three or more placements, long-term stability, location and distance: as each function below says.

Where the words do not settle it, this script chooses, and says so (the synthetic samples have children with
overlapping episodes, which a valid return does not):
- a child's current episode is the open one that started last;
- the care chain links an episode to the one before it (by start) when that one ended the day it started, and
  leaves short-break (V3/V4) episodes out, as every measure here does (measures.LONG_TERM_STABILITY says so);
- "the placement held at the window's start" counts once, however many episodes were open then."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

SHORT_BREAKS = {"V3", "V4"}
TEMPORARY = {"T0", "T1", "T2", "T3", "T4"}
ADOPTION = {"A3", "A4", "A5", "A6"}
NEW_CARER = {"S", "P", "B"}  # reasons for a new episode that start a placement with a new carer
SAME_PLACEMENT = {"L", "T", "U"}  # reasons that carry the placement on
PROVIDERS = {"PR1": "homes_own_provision", "PR2": "homes_other_authority", "PR4": "homes_private"}
PROVIDERS["PR5"] = "homes_voluntary"
OTHER_PROVIDER = "homes_other_provider"  # PR0, PR3 or blank
EARTH_RADIUS_MILES = 3958.8
NO_URN = "XXXXXXX"  # the return's "not applicable"

Figures = dict[tuple[str, str], tuple[float, float | None]]  # (measure, category) -> (numerator, denominator)


@dataclass(frozen=True)
class Episode:
    child: str
    start: date
    end: date | None
    rne: str
    legal_status: str
    place: str
    provider: str
    home_postcode: str
    placement_postcode: str
    urn: str


@dataclass(frozen=True)
class District:
    """One row of the postcode-district lookup."""

    outward_code: str
    local_authority: str
    share: float | None
    latitude: float | None
    longitude: float | None


# ------------------------------------------------------------------------------------------------ reading the files


def read_rows(path: Path) -> list[dict[str, str]]:
    """The CSV's rows by upper-case header, cells stripped."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [
            {key.strip().upper(): (value or "").strip() for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


def read_date(text: str) -> date | None:
    """A date written dd/mm/yyyy or yyyy-mm-dd; None when blank."""
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def read_episodes(paths: Mapping[int, Path]) -> dict[str, list[Episode]]:
    """Each child's episodes from the files of several collection years, oldest first; on a child and start date
    given by several files, the latest year's row wins."""
    latest: dict[tuple[str, date], Episode] = {}
    for year in sorted(paths):
        for row in read_rows(paths[year]):
            start = read_date(row["DECOM"])
            assert start is not None
            latest[(row["CHILD"], start)] = Episode(
                child=row["CHILD"],
                start=start,
                end=read_date(row["DEC"]),
                rne=row["RNE"].upper(),
                legal_status=row["LS"].upper(),
                place=row["PLACE"].upper(),
                provider=row["PLACE_PROVIDER"].upper(),
                home_postcode=row["HOME_POST"],
                placement_postcode=row["PL_POST"],
                urn="" if row["URN"].upper() == NO_URN else row["URN"],
            )
    by_child: dict[str, list[Episode]] = defaultdict(list)
    for episode in sorted(latest.values(), key=lambda e: (e.child, e.start)):
        by_child[episode.child].append(episode)
    return dict(by_child)


def read_births(paths: Iterable[Path]) -> dict[str, date]:
    """Each child's date of birth from the header files (a later file's wins)."""
    births: dict[str, date] = {}
    for path in paths:
        for row in read_rows(path):
            born = read_date(row["DOB"])
            if born is not None:
                births[row["CHILD"]] = born
    return births


# ------------------------------------------------------------------------------------------------ days and ages


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    days_in_month = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31]
    days_in_month += [31, 30, 31, 30, 31]
    return date(year, month, min(day.day, days_in_month[month - 1]))


def age_on(born: date, day: date) -> int:
    """Whole years from birth to the day."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def age_band(age: int) -> str | None:
    if 0 <= age <= 4:
        return "0-4"
    if 5 <= age <= 9:
        return "5-9"
    if 10 <= age <= 15:
        return "10-15"
    if 16 <= age <= 17:
        return "16-17"
    return None


def is_open(episode: Episode, day: date) -> bool:
    return episode.start <= day and (episode.end is None or episode.end > day)


def current_episode(episodes: list[Episode], day: date) -> Episode | None:
    """The child's episode open on the day that started last, if any."""
    open_ones = [episode for episode in episodes if is_open(episode, day)]
    return max(open_ones, key=lambda e: e.start) if open_ones else None


def without_short_breaks(episodes: list[Episode]) -> list[Episode]:
    return [episode for episode in episodes if episode.legal_status not in SHORT_BREAKS]


def looked_after(by_child: Mapping[str, list[Episode]], day: date, short_breaks: bool = False) -> dict[str, Episode]:
    """Each child looked after on the day and their current episode; short-break episodes left out unless asked."""
    found = {}
    for child, episodes in by_child.items():
        episode = current_episode(episodes if short_breaks else without_short_breaks(episodes), day)
        if episode is not None:
            found[child] = episode
    return found


# ------------------------------------------------------------------------------------------------ placements


def same_placement(one: Episode, other: Episode) -> bool:
    return (one.place, one.provider, one.urn, one.placement_postcode) == (
        other.place,
        other.provider,
        other.urn,
        other.placement_postcode,
    )


def is_return_from_temporary(history: list[Episode], at: int) -> bool:
    """Whether history[at] follows one or more temporary placements (T0-T4) and goes back to the placement held just
    before them."""
    before = at - 1
    if before < 0 or history[before].place not in TEMPORARY:
        return False
    while before >= 0 and history[before].place in TEMPORARY:
        before -= 1
    return before >= 0 and same_placement(history[before], history[at])


def placements_in_year(episodes: list[Episode], day: date) -> int:
    """The child's placements in the twelve months to `day` (1 April to 31 March): 1 for the placement held at the
    start (or the first episode starting in the window), plus each later episode in the window starting a placement
    with a new carer (S, P or B), except a temporary placement and the return from one. Short breaks left out."""
    window_start = months_before(day, 12) + timedelta(days=1)  # 31 March -> 1 April
    history = [episode for episode in episodes if episode.legal_status not in SHORT_BREAKS]
    in_window = [at for at, e in enumerate(history) if e.start <= day and (e.end is None or e.end > window_start)]
    if not in_window:
        return 0
    held_at_start = [at for at in in_window if history[at].start <= window_start]
    later = [at for at in in_window if history[at].start > window_start]
    if not held_at_start:
        later = later[1:]  # the first episode in the window is the first placement
    count = 1
    for at in later:
        episode = history[at]
        if episode.rne not in NEW_CARER or episode.place in TEMPORARY:
            continue
        if is_return_from_temporary(history, at):
            continue
        count += 1
    return count


# ------------------------------------------------------------------------------------------------ long-term stability


def predecessor(episode: Episode, episodes: list[Episode]) -> Episode | None:
    """The child's episode just before this one (by start), when it ended the day this one started: the unbroken
    chain's previous link, if any."""
    at = episodes.index(episode)
    before = episodes[at - 1] if at > 0 else None
    return before if before is not None and before.end == episode.start else None


def care_chain(current: Episode, episodes: list[Episode]) -> list[Episode]:
    """The unbroken chain of episodes back from the current one to the latest that started care (RNE S) or to where
    the chain breaks, oldest first."""
    chain = [current]
    while chain[-1].rne != "S":
        previous = predecessor(chain[-1], episodes)
        if previous is None or previous in chain:
            break
        chain.append(previous)
    return chain[::-1]


def placement_start(chain: list[Episode], at: int) -> int:
    """Where the placement of chain[at] began: back over episodes that carry the placement on (L, T, U), temporary
    placements and returns from them."""
    while at > 0:
        episode = chain[at]
        carries_on = episode.rne in SAME_PLACEMENT or episode.place in TEMPORARY
        if not (carries_on or is_return_from_temporary(chain, at)):
            break
        at -= 1
    return at


@dataclass(frozen=True)
class Stability:
    determined: bool
    long_in_care: bool = False  # looked after for 30 months or more
    stable: bool = False  # and in the same placement for 24 months or more


def stability(current: Episode, episodes: list[Episode], day: date, first_day: date) -> Stability:
    """Long-term stability of a child looked after on the day (under 16, not a short break: the caller checks)."""
    chain = care_chain(current, episodes)
    earliest = chain[0]
    care_cutoff = months_before(day, 30)
    if earliest.rne != "S" and care_cutoff < earliest.start <= first_day:
        return Stability(determined=False)  # care began before the files, maybe long enough ago: not known
    at = placement_start(chain, len(chain) - 1)
    if current.place in ADOPTION and at > 0:
        at = placement_start(chain, at - 1)  # the adoptive placement and the one before it together
    long_in_care = earliest.start <= care_cutoff
    stable = long_in_care and chain[at].start <= months_before(day, 24)
    return Stability(True, long_in_care, stable)


# ------------------------------------------------------------------------------------------------ location


def outward(postcode: str) -> str:
    """A postcode's outward code ("H8 7NR" -> "H8"), in capitals; blank for none."""
    postcode = postcode.strip().upper()
    if not postcode:
        return ""
    return postcode.split()[0] if " " in postcode else postcode[:-3]


def placed(code: str, lookup: list[District], council: str) -> tuple[float, float, float, bool]:
    """(inside, outside, unknown, split without share) fractions of one child placed in the district `code`."""
    rows = [row for row in lookup if row.outward_code == code] if code else []
    if not rows:
        return 0.0, 0.0, 1.0, False
    if len(rows) == 1:
        inside = rows[0].local_authority.lower() == council.lower()
        return (1.0, 0.0, 0.0, False) if inside else (0.0, 1.0, 0.0, False)
    if any(row.share is None for row in rows):
        return 0.0, 0.0, 1.0, True
    inside_share = sum(row.share or 0.0 for row in rows if row.local_authority.lower() == council.lower())
    return inside_share, 1.0 - inside_share, 0.0, False


def centroid(code: str, lookup: list[District]) -> tuple[float, float] | None:
    for row in lookup:
        if code and row.outward_code == code and row.latitude is not None and row.longitude is not None:
            return row.latitude, row.longitude
    return None


def miles(one: tuple[float, float], other: tuple[float, float]) -> float:
    """The great-circle distance (haversine) in miles."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*one, *other))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


# ------------------------------------------------------------------------------------------------ the measures


def measures_at(
    by_child: Mapping[str, list[Episode]],
    births: Mapping[str, date],
    lookup: list[District],
    council: str,
    day: date,
    years: Collection[int],
) -> Figures:
    """Every measure on 31 March `day` from the files of collection `years` (each 1 April to 31 March):
    {(measure, category): (numerator, denominator)}; a count's denominator is None; a share with nothing to share is
    left out, and so is three or more placements when no file covers the year to `day`."""
    assert (day.month, day.day) == (3, 31)
    first_day = date(min(years), 4, 1)
    children = looked_after(by_child, day)
    total = len(children)
    counts: dict[tuple[str, str], float] = defaultdict(float)
    for child, episode in children.items():
        _count_child(counts, child, episode, by_child[child], births, lookup, council, day, first_day)
    for urn, number in _home_children(by_child, day).items():
        counts[("home_children", urn)] = number

    figures: Figures = {("looked_after", ""): (total, None)}
    homes = counts[("k2", "")]
    shares_of_all = ("placed_inside", "placed_outside", "placed_location_unknown", "placed_over_20_miles")
    shares_of_all += ("distance_unknown",)
    if day.year - 1 in years:  # the file of the year to `day` is given
        shares_of_all += ("three_or_more_placements",)
    for name in ("in_childrens_homes", *shares_of_all):
        _share(figures, name, counts[(name, "")], total)
    for name in (*PROVIDERS.values(), OTHER_PROVIDER):
        _share(figures, name, counts[(name, "")], homes)
    _share(figures, "long_term_stability", counts[("stable", "")], counts[("long_in_care", "")])
    figures[("stability_undetermined", "")] = (counts[("stability_undetermined", "")], None)
    figures[("placed_split_district", "")] = (counts[("placed_split_district", "")], None)
    for band in ("0-4", "5-9", "10-15", "16-17"):
        figures[("homes_outside_by_age", band)] = (counts[("homes_outside_by_age", band)], None)
    for (name, category), number in counts.items():
        if name == "home_children":
            figures[(name, category)] = (number, None)
    return figures


def _share(figures: Figures, name: str, numerator: float, denominator: float) -> None:
    if denominator:
        figures[(name, "")] = (numerator, denominator)


def _count_child(
    counts: dict[tuple[str, str], float],
    child: str,
    episode: Episode,
    episodes: list[Episode],
    births: Mapping[str, date],
    lookup: list[District],
    council: str,
    day: date,
    first_day: date,
) -> None:
    """Add one child looked after on the day (not a short break) to every count it belongs to."""
    inside, outside, unknown, split = placed(outward(episode.placement_postcode), lookup, council)
    counts[("placed_inside", "")] += inside
    counts[("placed_outside", "")] += outside
    counts[("placed_location_unknown", "")] += unknown
    counts[("placed_split_district", "")] += split
    home = centroid(outward(episode.home_postcode), lookup)
    placement = centroid(outward(episode.placement_postcode), lookup)
    if home is None or placement is None:
        counts[("distance_unknown", "")] += 1
    elif miles(home, placement) > 20:
        counts[("placed_over_20_miles", "")] += 1
    if placements_in_year(episodes, day) >= 3:
        counts[("three_or_more_placements", "")] += 1
    born = births.get(child)
    age = age_on(born, day) if born else None
    if episode.place == "K2":
        counts[("k2", "")] += 1
        counts[("in_childrens_homes", "")] += 1
        counts[(PROVIDERS.get(episode.provider, OTHER_PROVIDER), "")] += 1
        band = age_band(age) if age is not None else None
        if band:
            counts[("homes_outside_by_age", band)] += outside
    if age is not None and age < 16:
        outcome = stability(episode, without_short_breaks(episodes), day, first_day)
        if not outcome.determined:
            counts[("stability_undetermined", "")] += 1
        counts[("long_in_care", "")] += outcome.long_in_care
        counts[("stable", "")] += outcome.stable


def _home_children(by_child: Mapping[str, list[Episode]], day: date) -> dict[str, int]:
    """Children in each council-run children's home (K2, PR1) by URN on the day, short breaks included; a home
    that has had a child placed in it by the day has its count from then on, zero included."""
    homes: dict[str, int] = defaultdict(int)
    for episodes in by_child.values():
        for episode in episodes:
            if episode.place == "K2" and episode.provider == "PR1" and episode.urn and episode.start <= day:
                homes[episode.urn] += 0
    for episode in looked_after(by_child, day, short_breaks=True).values():
        if episode.place == "K2" and episode.provider == "PR1" and episode.urn:
            homes[episode.urn] += 1
    return dict(homes)


def reference_measures(
    episode_paths: Mapping[int, Path],
    header_paths: Sequence[Path],
    lookup: Sequence[Mapping[str, object]],
    council: str,
    day: date,
) -> Figures:
    """The measures on `day` from the episodes files of several collection years ({year whose 1 April starts the
    file: path}) and their header files, with the lookup as a list of dicts (outward_code, local_authority, share,
    latitude, longitude)."""
    districts = [District(**row) for row in lookup]  # type: ignore[arg-type]
    by_child, births = read_episodes(episode_paths), read_births(header_paths)
    return measures_at(by_child, births, districts, council, day, set(episode_paths))
