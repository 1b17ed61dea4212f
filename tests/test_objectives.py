"""The objectives' measures from monthly aggregates, computed by hand; settings set by an editor only, with defaults."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import objectives
from dashboard.roles import AccessDenied, Actor, Role
from tests.conftest import dump

EDITOR = Actor("ed@herts.gov.uk", "app", Role.EDITOR)


def test_measures_by_hand():
    figures = pd.DataFrame(
        {
            "month_end": pd.to_datetime(["2024-01-31", "2024-02-29"]),
            "children_in_homes:PR1": [2, 3],
            "children_in_homes:PR4": [6, 5],
            "children_in_homes:PR5": [2, 2],
            "homes_location:inside": [3, 4],
            "homes_location:outside": [6, 5],
            "homes_location:unknown": [1, 1],
            "placement_changes:all": [4, 6],
            "children_looked_after:all": [100, 100],
        }
    )
    chosen = {"independent_weekly_cost": 7000, "own_weekly_cost": 6400}
    frame = objectives.measures(figures, chosen).set_index("month_end")
    jan, feb = frame.loc["2024-01-31"], frame.loc["2024-02-29"]
    assert jan["own_share"] == pytest.approx(2 / 10) and feb["own_share"] == pytest.approx(3 / 10)
    assert jan["inside_share"] == pytest.approx(3 / 9)  # unknown locations are left out of the share
    assert jan["changes_per_child_12m"] == pytest.approx(4 * 12 / 100)  # a year at January's rate
    assert feb["changes_per_child_12m"] == pytest.approx((4 + 6) / 2 * 12 / 100)
    assert jan["cost_avoided"] == pytest.approx(2 * 31 / 7 * 600)
    assert feb["cost_avoided_to_date"] == pytest.approx(2 * 31 / 7 * 600 + 3 * 29 / 7 * 600)


def test_without_location_figures_the_share_is_blank_not_zero():
    figures = pd.DataFrame({"month_end": pd.to_datetime(["2024-01-31"]), "children_in_homes:PR1": [1]})
    frame = objectives.measures(figures, {"independent_weekly_cost": 7000, "own_weekly_cost": 6400})
    assert frame["inside_share"].isna().all() and frame["own_share"].iloc[0] == 1


def test_settings_default_then_saved_by_an_editor_and_audited(engine):
    assert objectives.settings(engine)["independent_weekly_cost"] == 7000
    assert objectives.settings(engine)["own_share_target"] is None
    message = objectives.save_settings(engine, EDITOR, {"own_share_target": 40, "own_weekly_cost": 6000})
    assert message == "Saved 2 setting(s)."
    chosen = objectives.settings(engine)
    assert (chosen["own_share_target"], chosen["own_weekly_cost"]) == (40, 6000)
    from dashboard.audit import AuditQuery
    from dashboard.queries import audit_log

    rows = audit_log(engine, AuditQuery(users=(EDITOR.user,)))
    assert set(rows["entity"]) == {"objective_setting"} and len(rows) == 2


def test_bad_settings_and_other_roles_are_refused_with_nothing_written(engine):
    before = dump(engine)
    with pytest.raises(objectives.InvalidSetting, match="outside 0 to 100"):
        objectives.save_settings(engine, EDITOR, {"own_share_target": 140})
    with pytest.raises(objectives.InvalidSetting, match="is required"):
        objectives.save_settings(engine, EDITOR, {"own_weekly_cost": None})
    with pytest.raises(AccessDenied):
        objectives.save_settings(engine, Actor("ann@herts.gov.uk", "app", Role.ANALYST), {"own_share_target": 40})
    assert dump(engine) == before
