"""A large authority's SSDA903 episodes, generated for the forecast's benchmark: about `children` looked after at any
time, three collection years (1 April 2017 to 31 March 2020) of monthly moves between children's homes, fostering and
other placements, leaving care (and at 18), and entries at every age. Synthetic: no real child is in it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dashboard.episodes import EPISODE_COLUMNS

FIRST, LAST = date(2017, 4, 1), date(2020, 3, 31)
PLACES = ("K2", "U4", "P1")  # a placement type of each group: children's home, fostering, other
SHARES = (0.12, 0.70, 0.18)  # of the children looked after on the first day
MOVE, LEAVE = 0.03, 0.025  # a month
ADULT_DAYS = int(18 * 365.25)


def generated(children: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Episodes (dashboard.episodes.EPISODE_COLUMNS) and dates of birth (by child) of the generated authority. Moves
    on the 15th, entries on the 20th; entries a month replace those leaving, so the number looked after holds."""
    rng = np.random.default_rng(seed)
    start = np.datetime64(FIRST, "D")
    birth_of = start - rng.integers(30, ADULT_DAYS - 30, children)  # by child ID, every child ever looked after
    child = np.arange(children)
    group = rng.choice(len(PLACES), children, p=SHARES)
    # Those looked after on the first day came into care before it, as a real return's episodes did.
    opened = np.maximum(birth_of, start - rng.integers(1, 3 * 365, children))
    closed: list[tuple[np.ndarray, ...]] = []
    entries_a_month = children * (LEAVE + 1 / (18 * 12))
    for month_end in pd.date_range(FIRST, LAST, freq="ME"):
        day = np.datetime64(month_end.replace(day=15).date(), "D")
        draw = rng.random(len(child))
        leaves = ((day - birth_of[child]).astype(int) >= ADULT_DAYS) | (draw < LEAVE)
        moves = ~leaves & (draw < LEAVE + MOVE)
        ending = leaves | moves
        closed.append((child[ending], opened[ending], np.full(ending.sum(), day), group[ending]))
        group = np.where(moves, (group + rng.integers(1, len(PLACES), len(group))) % len(PLACES), group)
        opened = np.where(moves, day, opened)
        count = rng.poisson(entries_a_month)
        arrival = day + 5
        new = np.arange(len(birth_of), len(birth_of) + count)
        birth_of = np.concatenate([birth_of, arrival - rng.integers(0, ADULT_DAYS - 60, count)])
        child = np.concatenate([child[~leaves], new])
        group = np.concatenate([group[~leaves], rng.choice(len(PLACES), count, p=SHARES)])
        opened = np.concatenate([opened[~leaves], np.full(count, arrival)])
    closed.append((child, opened, np.full(len(child), np.datetime64("NaT", "D")), group))
    ids, starts, ends, groups = (np.concatenate(parts) for parts in zip(*closed, strict=True))
    place = np.array(PLACES)[groups]
    episodes = pd.DataFrame(
        {
            "child": np.char.add("C", ids.astype(str)),
            "start": pd.to_datetime(starts),
            "end": pd.to_datetime(ends),
            "rne": "P",
            "ls": "C2",
            "place": place,
            "provider": "PR4",
            "urn": "",
            "home": None,
            "placed": None,
            "placement_key": place,
        }
    )[list(EPISODE_COLUMNS)]
    births = pd.Series(pd.to_datetime(birth_of), index=np.char.add("C", np.arange(len(birth_of)).astype(str)))
    return episodes, births
