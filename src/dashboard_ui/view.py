"""What every page starts from: the filters in force, the data version, the strategy and the filtered programme."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import pandas as pd

from dashboard.queries import Filters, StrategyInfo
from dashboard_ui import store
from dashboard_ui.filters import current_filters


class View(NamedTuple):
    filters: Filters
    version: store.DataVersion  # of the data: the key for cached reads
    strategy: StrategyInfo
    status: pd.DataFrame  # one row per property in the filtered programme, as at the filters' date


def current_view() -> View:
    filters = current_filters()
    version = store.version()
    return View(filters, version, store.strategy(version), store.property_status(filters, date.today(), version))
