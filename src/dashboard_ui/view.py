"""What every page starts from: the filters in force, the data version and the strategy (the filtered programme is
read from them only when something must be built from it); and `per_view`, which builds a page's charts and tables
once per view rather than on every rerun."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple, ParamSpec, TypeVar

import pandas as pd

from dashboard import metrics
from dashboard.queries import Filters, StrategyInfo
from dashboard.roles import Actor
from dashboard_ui import cached
from dashboard_ui.filters import current_filters
from dashboard_ui.identity import current_actor

P = ParamSpec("P")
T = TypeVar("T")


class View(NamedTuple):
    filters: Filters
    version: cached.DataVersion  # of the data: the key for cached reads
    strategy: StrategyInfo
    today: date  # whether a property not yet started counts as in the programme depends on it
    actor: Actor  # who reads it: every read of the programme asks the domain whether they may

    def status(self) -> pd.DataFrame:
        """One row per property in the filtered programme, as at the filters' date (a copy, from the cache)."""
        return cached.property_status(self.actor, self.filters, self.today, self.version)

    def programme_status(self) -> pd.DataFrame:
        """The whole programme at the same date whatever the filters: a part of it is shown beside the whole."""
        whole = Filters(as_at=self.filters.as_at, council=self.filters.council)
        return cached.property_status(self.actor, whole, self.today, self.version)

    def totals(self) -> metrics.BedTotals:
        """The bed ledger's totals for the view: against the target, or for a part against its own beds."""
        return metrics.bed_totals(self.status(), self.strategy.bed_target, part=self.filters.narrowed)

    def programme_totals(self) -> metrics.BedTotals:
        return metrics.bed_totals(self.programme_status(), self.strategy.bed_target)

    def key(self) -> tuple[Filters, cached.DataVersion, date, object]:
        """All a view depends on: the strategy and status are read from the store for exactly these, by an actor
        who may read them (the same for every actor of its scope)."""
        return self.filters, self.version, self.today, self.actor.scope()


def current_view() -> View:
    actor = current_actor()
    filters = current_filters()
    version = cached.version()
    today = date.today()
    return View(filters, version, cached.strategy(version, filters.council), today, actor)


# The read path has three caches in a row, and each earns its place. Measured at 10,000 properties on 2 cores
# (`python -m bench.caches`) against a warm rerun of about 25 ms (bench/results.md): `cached.property_status` saves
# the query (about 300 ms) for every build and page reading the same filters; `per_view` saves a page's builds (the
# register's table alone 60 to 110 ms); `widgets.on_screen` saves converting a built table to Arrow on every rerun
# (5 to 8 ms for the register, a quarter of the rerun).
def per_view(build: Callable[P, T]) -> Callable[P, T]:
    """Cache what `build` makes from a view (and any other arguments): a rerun (a widget touched, an expander opened)
    shows the same figures and tables without building them again, and every session looking at the same filters
    and data shares them. The result is shared, not copied: pages lay it out and never change it. A view is keyed
    by its filters, data version and day, not by hashing its frames.

    One cache serves every build, keyed by the build's code: a page defines its builds again on every run. The key is
    Python's own hash of plain values; Streamlit's caches would hash each argument through their own hasher, and read
    and tokenise the build's source, on every rerun (a few milliseconds a chart page)."""
    code = build.__code__
    # Equal code compares and hashes equal across a page's runs; an edited build is a new key, so a new cache.
    key = f"{code.co_filename}:{build.__qualname__}:{hash(code)}"

    @functools.wraps(build)
    def cached(*args: P.args, **kwargs: P.kwargs) -> T:
        return _built(_Call(key, build, args, kwargs))

    return cached


class _Call:
    """A call of a build: equal to another call of the same code with equal arguments, a view compared by its key."""

    __slots__ = ("build", "args", "kwargs", "_key")

    def __init__(self, build_key: str, build: Callable, args: tuple, kwargs: dict) -> None:
        self.build: Callable | None = build
        self.args, self.kwargs = args, kwargs
        self._key = (
            build_key,
            tuple(map(_plain, args)),
            tuple((name, _plain(value)) for name, value in kwargs.items()),
        )

    def run(self) -> Any:
        """Run the build once, and let go of it: the cache keeps this call as its key, and the build's function would
        keep the whole namespace of the page run that defined it."""
        build, args, kwargs = self.build, self.args, self.kwargs
        self.build, self.args, self.kwargs = None, (), {}
        return build(*args, **kwargs)  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Call) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)


def _plain(argument: object) -> object:
    """A view by its key; an actor by what it may read (two of the same scope are shown the same builds)."""
    if isinstance(argument, View):
        return argument.key()
    return argument.scope() if isinstance(argument, Actor) else argument


@functools.lru_cache(maxsize=128)
def _built(call: _Call) -> Any:
    return call.run()


def forget_builds() -> None:
    """Build every view afresh (for tests that change what a build calls)."""
    _built.cache_clear()
