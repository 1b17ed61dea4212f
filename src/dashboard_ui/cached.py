"""Cached access to the store. The engine is a resource (one per process); frames are cached per data version (an
argument, so part of the cache key): a write anywhere (app, import, CLI) shows on the next rerun."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

if TYPE_CHECKING:
    from dashboard.briefing.content import PageOne
    from dashboard.briefing.pdf import ProgressCallback

from dashboard import boundaries as district_boundaries
from dashboard import demand, market, objectives, placements, queries, region
from dashboard.audit import AuditQuery, LastChange, last_change
from dashboard.bootstrap import ensure_store
from dashboard.config import boundaries_file, database_url
from dashboard.db import make_engine
from dashboard.roles import Actor

P = ParamSpec("P")
T = TypeVar("T")


@st.cache_resource(show_spinner="Opening the store…")
def _engine_for(url: str) -> Engine:
    store = make_engine(url)
    ensure_store(store)
    return store


def engine() -> Engine:
    """The engine for DATABASE_URL (or the embedded default), created, migrated and seeded on first use."""
    return _engine_for(database_url())


# Which store, and its newest audit row: changes whenever the data does, and differs between two stores (a process
# that opens another DATABASE_URL, as the tests do, never reads the first store's cached frames).
DataVersion = tuple[str, int]


RUN_VERSION_KEY = "data_version_of_this_run"


def version() -> DataVersion:
    """The store's data version, asked of the store once a run (the shell forgets it as the run ends): every read of
    the run is keyed by the same version, however many widgets need it. A write is followed by a rerun (done), which
    asks again."""
    held = st.session_state.get(RUN_VERSION_KEY)
    if held is None or held[0] != database_url():
        held = st.session_state[RUN_VERSION_KEY] = (database_url(), queries.store_version(engine()))
    return held


def by_scope(**options: Any) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """st.cache_data for a read that takes the actor: keyed by what the actor may read (Actor.scope), not who it is,
    so everyone with the same grants shares the frames; the domain asks the actor on every miss, and a hit is only
    ever for an actor of the same scope."""
    return st.cache_data(show_spinner=False, hash_funcs={Actor: Actor.scope}, **options)


@st.cache_data(show_spinner=False)
def last_changed(data_version: DataVersion) -> LastChange | None:
    """When the data last changed and through what: the newest audit row, which is also what the version counts."""
    return last_change(engine())


@st.cache_data(show_spinner=False)
def strategy(data_version: DataVersion, council: str | None = None) -> queries.StrategyInfo:
    return queries.strategy_info(engine(), council)


@st.cache_data(show_spinner=False)
def councils(data_version: DataVersion) -> dict[str, str]:
    return queries.councils(engine())


@st.cache_data(show_spinner=False)
def filter_options(data_version: DataVersion, council: str | None = None) -> queries.FilterOptions:
    return queries.filter_options(engine(), council)


@by_scope(max_entries=64)
def property_status(actor: Actor, filters: queries.Filters, today: date, data_version: DataVersion) -> pd.DataFrame:
    return queries.property_status(engine(), actor, filters, today)


@by_scope(max_entries=32)
def milestones(
    actor: Actor, filters: queries.Filters, references: tuple[str, ...], today: date, data_version: DataVersion
) -> pd.DataFrame:
    return queries.milestones(engine(), actor, filters, references, today)


@st.cache_data(show_spinner=False)
def phases(data_version: DataVersion, council: str | None = None) -> pd.DataFrame:
    return queries.phases(engine(), council)


@st.cache_data(show_spinner=False)
def districts(data_version: DataVersion, council: str | None = None) -> pd.DataFrame:
    return queries.districts(engine(), council)


@by_scope()
def decisions(actor: Actor, data_version: DataVersion, council: str | None = None) -> pd.DataFrame:
    return queries.decisions(engine(), actor, council)


@by_scope(max_entries=32)
def audit_log(actor: Actor, query: AuditQuery, limit: int, offset: int, data_version: DataVersion) -> pd.DataFrame:
    return queries.audit_log(engine(), actor, query, limit, offset)


@by_scope(max_entries=32)
def audit_count(actor: Actor, query: AuditQuery, data_version: DataVersion) -> int:
    return queries.audit_count(engine(), actor, query)


@by_scope()
def audit_users(actor: Actor, data_version: DataVersion) -> list[str]:
    return queries.audit_users(engine(), actor)


@by_scope()
def property_references(actor: Actor, data_version: DataVersion, council: str | None = None) -> list[str]:
    return queries.property_references(engine(), actor, council)


@by_scope(max_entries=32)
def property_history(actor: Actor, reference: str, data_version: DataVersion) -> pd.DataFrame:
    return queries.property_history(engine(), actor, reference)


@by_scope(max_entries=64)
def property_details(actor: Actor, reference: str, data_version: DataVersion) -> dict | None:
    return queries.property_details(engine(), actor, reference)


@st.cache_data(show_spinner=False)
def objective_measures(data_version: DataVersion, council: str | None) -> pd.DataFrame:
    """The council's stored measures with their values (objectives.with_values)."""
    return objectives.with_values(placements.stored_measures(engine(), council))


@st.cache_data(show_spinner=False)
def objective_settings(data_version: DataVersion, council: str | None) -> dict[str, float | None]:
    return objectives.settings(engine(), council)


@st.cache_data(show_spinner=False)
def objective_sources(data_version: DataVersion, council: str | None) -> dict[str, str | None]:
    return objectives.sources(engine(), council)


@by_scope()
def strategy_homes(actor: Actor, data_version: DataVersion, council: str | None) -> pd.DataFrame:
    return objectives.strategy_homes(engine(), actor, council)


@st.cache_data(show_spinner=False)
def home_ratings(urns: tuple[str, ...], data_version: DataVersion) -> pd.DataFrame:
    return market.home_ratings(engine(), urns)


@st.cache_data(show_spinner=False)
def council_market(council: str, data_version: DataVersion) -> pd.DataFrame:
    return market.council_market(engine(), council)


@st.cache_data(show_spinner=False)
def council_ratings(council: str, data_version: DataVersion) -> pd.DataFrame:
    return market.council_ratings(engine(), council)


@st.cache_data(show_spinner=False)
def market_ranking(data_version: DataVersion) -> pd.DataFrame:
    return market.council_ranking(engine())


@st.cache_data(show_spinner=False)
def forecasts(data_version: DataVersion, council: str | None) -> pd.DataFrame:
    """Every scenario's forecast of the council, long (demand.EXPORT_COLUMNS)."""
    return demand.forecasts(engine(), council)


@st.cache_data(show_spinner=False)
def forecast_runs(data_version: DataVersion, council: str | None) -> pd.DataFrame:
    """Each of the council's forecasts' inputs as made (demand.RUN_COLUMNS)."""
    return demand.runs(engine(), council)


@st.cache_data(show_spinner=False)
def forecast_basis(data_version: DataVersion, council: str | None) -> demand.HeldBasis | None:
    """The council's forecast basis and backtest, or None before an import made one."""
    return demand.held_basis(engine(), council)


@st.cache_data(show_spinner=False)
def forecast_scenarios(data_version: DataVersion, council: str | None) -> list[demand.Scenario]:
    return demand.saved_scenarios(engine(), council)


def boundaries() -> dict | None:
    """Installed district boundaries, re-read only when the file changes."""
    return _boundaries(str(boundaries_file()), boundaries_stamp())


def council_boundaries(districts: Iterable[str]) -> dict | None:
    """The installed boundaries of one council's `districts` (ONS codes); None unless all of them are installed."""
    return district_boundaries.council_boundaries(boundaries(), districts)


def boundaries_stamp() -> float:
    """Changes when boundaries are installed or replaced: what is drawn from them is keyed by it."""
    path = boundaries_file()
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(show_spinner=False, max_entries=2)
def _boundaries(path: str, modified: float) -> dict | None:
    return district_boundaries.load_boundaries(Path(path))


# ---------------------------------------------------------------- the briefing pack (built only when asked)


def briefing_preview(
    actor: Actor, as_at: date, since: date, data_version: DataVersion, council: str | None = None
) -> PageOne:
    """Page 1 of the council's pack as text (dashboard.briefing.content.preview)."""
    return _briefing_preview(actor, as_at, since, data_version, boundaries_stamp(), council)


@by_scope(max_entries=16)
def _briefing_preview(
    actor: Actor, as_at: date, since: date, data_version: DataVersion, boundaries_stamp: float, council: str | None
) -> PageOne:
    from dashboard.briefing import content  # here: only the Briefing page needs it

    return content.preview(content.gather(engine(), actor, as_at, since, council=council))


def briefing_pdf(
    actor: Actor,
    as_at: date,
    since: date,
    classification: str | None,
    data_version: DataVersion,
    on_progress: ProgressCallback | None = None,
    council: str | None = None,
) -> bytes:
    """The council's pack as a PDF, made once per council, dates, classification, data version and boundaries (it
    takes seconds)."""
    return _briefing_pdf(actor, as_at, since, classification, data_version, boundaries_stamp(), council, on_progress)


@by_scope(max_entries=8)
def _briefing_pdf(
    actor: Actor,
    as_at: date,
    since: date,
    classification: str | None,
    data_version: DataVersion,
    boundaries_stamp: float,
    council: str | None,
    _on_progress: ProgressCallback | None = None,
) -> bytes:
    # The leading underscore keeps the callback out of the cache key; a cached pack needs no progress shown.
    from dashboard.briefing import pdf  # reportlab and kaleido load only when a pack is wanted

    return _pdf_bytes(
        lambda out: pdf.build_briefing(
            engine(), actor, as_at, since, classification, out, on_progress=_on_progress, council=council
        )
    )


def _pdf_bytes(write: Callable[[Path], Path]) -> bytes:
    """What `write` writes to a file of its own (a pack's builder takes a path), read back."""
    with tempfile.TemporaryDirectory() as folder:
        return write(Path(folder) / "pack.pdf").read_bytes()


def region_briefing_pdf(
    actor: Actor,
    as_at: date,
    since: date,
    classification: str | None,
    data_version: DataVersion,
    on_progress: ProgressCallback | None = None,
) -> bytes:
    """The region's pack as a PDF, made once per dates, classification, data version and boundaries (it takes
    seconds)."""
    return _region_briefing_pdf(actor, as_at, since, classification, data_version, boundaries_stamp(), on_progress)


@by_scope(max_entries=4)
def _region_briefing_pdf(
    actor: Actor,
    as_at: date,
    since: date,
    classification: str | None,
    data_version: DataVersion,
    boundaries_stamp: float,
    _on_progress: ProgressCallback | None = None,
) -> bytes:
    from dashboard.briefing import region_pack  # reportlab and kaleido load only when a pack is wanted

    return _pdf_bytes(
        lambda out: region_pack.build_region_briefing(
            engine(), actor, as_at, since, classification, out, on_progress=_on_progress
        )
    )


@st.cache_data(show_spinner=False, max_entries=8)
def region_info(data_version: DataVersion) -> queries.RegionInfo | None:
    return queries.region_info(engine())


@by_scope(max_entries=8)
def region_figures(actor: Actor, as_at: date, today: date, data_version: DataVersion) -> region.RegionFigures:
    return region.region_figures(engine(), actor, as_at, today)
