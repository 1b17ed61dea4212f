"""What every page starts from: the filters in force, the data version and the strategy (the filtered programme is
read from them only when something must be built from it); and `per_view`, which builds a page's charts and tables
once per view rather than on every rerun."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import NamedTuple, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from dashboard.queries import Filters, StrategyInfo
from dashboard_ui import store
from dashboard_ui.filters import current_filters

P = ParamSpec("P")
T = TypeVar("T")


class View(NamedTuple):
    filters: Filters
    version: store.DataVersion  # of the data: the key for cached reads
    strategy: StrategyInfo
    today: date  # whether a property not yet started counts as in the programme depends on it

    def status(self) -> pd.DataFrame:
        """One row per property in the filtered programme, as at the filters' date (a copy, from the cache)."""
        return store.property_status(self.filters, self.today, self.version)

    def key(self) -> tuple[Filters, store.DataVersion, date]:
        """All a view depends on: the strategy and status are read from the store for exactly these."""
        return self.filters, self.version, self.today


def current_view() -> View:
    filters = current_filters()
    version = store.version()
    today = date.today()
    return View(filters, version, store.strategy(version), today)


def per_view(build: Callable[P, T]) -> Callable[P, T]:
    """Cache what `build` makes from a view (and any other arguments): a rerun (a widget touched, an expander opened)
    shows the same figures and tables without building them again, and every session looking at the same filters
    and data shares them. The result is shared, not copied: pages lay it out and never change it. A view is keyed
    by its filters, data version and day, not by hashing its frames.

    One cache serves every build, keyed by the build's code: a page defines its builds again on every run, and
    Streamlit's own decorator would read and tokenise their source each time (a few milliseconds a rerun)."""
    code = build.__code__
    # Equal code compares and hashes equal across a page's runs; an edited build is a new key, so a new cache.
    key = f"{code.co_filename}:{build.__qualname__}:{hash(code)}"

    @functools.wraps(build)
    def cached(*args: P.args, **kwargs: P.kwargs) -> T:
        return _built(key, build, args, kwargs)

    return cached


@st.cache_resource(show_spinner=False, max_entries=128, hash_funcs={View: View.key})
def _built(build_key: str, _build: Callable[..., T], args: tuple, kwargs: dict) -> T:
    return _build(*args, **kwargs)
