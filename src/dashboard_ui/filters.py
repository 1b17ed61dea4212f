"""The sidebar's global filters. They live in app.py's frame, so every page honours them; each is bound to the URL,
so a view can be shared as a link."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.queries import Filters
from dashboard_ui import store


def sidebar_filters() -> Filters:
    options = store.filter_options(store.version())
    with st.sidebar:
        st.header("Filters")
        as_at = st.date_input(
            "As at",
            value=date.today(),
            max_value=date.today(),
            min_value=date(2015, 1, 1),
            key="as_at",
            bind="query-params",
            format="DD/MM/YYYY",
            help="Show the programme exactly as it stood on this date.",
        )
        phases = st.multiselect(
            "Phase", options.phases, key="phase", bind="query-params", placeholder="All phases"
        )
        districts = st.multiselect(
            "District",
            list(options.districts),
            format_func=options.districts.get,
            key="district",
            bind="query-params",
            placeholder="All districts",
        )
        models = st.multiselect(
            "Provision model",
            options.provision_models,
            key="model",
            bind="query-params",
            placeholder="In-house and commissioned",
        )
    return Filters(
        as_at=as_at if isinstance(as_at, date) else date.today(),
        phases=tuple(phases),
        districts=tuple(districts),
        provision_models=tuple(models),
    )


def current_filters() -> Filters:
    """The filters app.py read for this run."""
    return st.session_state["filters"]
