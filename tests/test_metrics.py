"""The metrics on small frames whose answers are worked out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard import metrics
from dashboard.stages import STAGE_POSITION

AS_AT = date(2026, 1, 1)
T = pd.Timestamp


def _status(*rows: dict) -> pd.DataFrame:
    """Status rows as dashboard.queries.property_status returns them; unnamed dates are missing."""
    columns = {
        "reference": None,
        "phase": "Phase 1",
        "district": "Dacorum",
        "district_code": "E07000096",
        "planned_beds": 3,
        "registered_beds": pd.NA,
        "reached_position": 0,
        "next_stage": None,
        "next_planned_on": pd.NaT,
        "started_on": pd.NaT,
        "provenance": "test",
        **{
            f"{level}_{kind}_on": pd.NaT
            for level in ("secured", "registered", "open")
            for kind in ("planned", "actual")
        },
    }
    frame = pd.DataFrame([{**columns, **row} for row in rows])
    frame["registered_beds"] = frame["registered_beds"].astype("Int64")
    for column in frame.columns:
        if column.endswith("_on"):
            frame[column] = pd.to_datetime(frame[column])
    return frame


OPEN = _status(
    {
        "reference": "A",
        "planned_beds": 4,
        "registered_beds": 3,
        "reached_position": STAGE_POSITION["opened"],
        "secured_actual_on": T("2024-01-10"),
        "registered_actual_on": T("2025-01-10"),
        "open_actual_on": T("2025-02-01"),
    },
)
REGISTERED = _status(
    {
        "reference": "B",
        "planned_beds": 2,
        "reached_position": STAGE_POSITION["ofsted_registration"],
        "next_stage": "opened",
        "next_planned_on": T("2025-11-01"),
        "secured_actual_on": T("2024-06-01"),
        "registered_actual_on": T("2025-10-01"),
        "open_planned_on": T("2025-11-01"),
    },
)
SECURED = _status(
    {
        "reference": "C",
        "planned_beds": 3,
        "reached_position": STAGE_POSITION["planning"],
        "next_stage": "refurbishment",
        "next_planned_on": T("2026-03-01"),
        "secured_actual_on": T("2025-08-01"),
        "registered_planned_on": T("2026-09-01"),
        "open_planned_on": T("2026-10-01"),
    },
)
PIPELINE = _status(
    {
        "reference": "D",
        "planned_beds": 2,
        "reached_position": STAGE_POSITION["survey"],
        "next_stage": "legal",
        "next_planned_on": T("2025-12-02"),
        "secured_planned_on": T("2026-02-01"),
        "registered_planned_on": T("2026-12-01"),
        "open_planned_on": T("2027-01-01"),
    },
)
PROGRAMME = pd.concat([OPEN, REGISTERED, SECURED, PIPELINE], ignore_index=True)


def test_bed_totals_count_each_level():
    totals = metrics.bed_totals(PROGRAMME, target=20)
    # Registered places (3, not the 4 planned) count at every level once Ofsted registers them: secured too.
    assert (totals.open, totals.registered, totals.secured, totals.pipeline) == (3, 5, 3 + 2 + 3, 2)
    assert totals.still_to_find == 20 - 8 - 2


def test_the_ledger_counts_planned_beds_until_registration_and_places_from_it():
    # Registered places recorded ahead of the registration itself do not count yet.
    ahead = _status(
        {
            "reference": "E",
            "planned_beds": 4,
            "registered_beds": 2,
            "reached_position": 5,
            "secured_actual_on": T("2025-01-01"),
        }
    )
    book = metrics.ledger(pd.concat([PROGRAMME, ahead], ignore_index=True)).set_index("reference")
    assert book["beds"].to_dict() == {"A": 3, "B": 2, "C": 3, "D": 2, "E": 4}
    assert book["level"].to_dict() == {"A": "open", "B": "registered", "C": "secured", "D": "pipeline", "E": "secured"}


def test_a_part_of_the_programme_is_measured_against_its_own_beds():
    part = metrics.bed_totals(PROGRAMME[PROGRAMME["reference"].isin(["A", "C"])], target=20, part=True)
    assert (part.open, part.secured, part.goal, part.still_to_find) == (3, 6, 6, 0)
    assert part.share(part.open) == pytest.approx(3 / 6)


def test_slippage_lists_properties_past_their_planned_date():
    late = metrics.slippage(PROGRAMME, AS_AT)
    assert late["reference"].tolist() == ["B", "D"]  # most late first; C's next stage is not due yet
    assert late["days_late"].tolist() == [(AS_AT - date(2025, 11, 1)).days, (AS_AT - date(2025, 12, 2)).days]
    assert late.loc[0, "waiting_on"] == "Home open, first child placed"


def test_forecast_pushes_plans_back_by_the_current_delay():
    forecast = metrics.forecast_dates(PROGRAMME, "open", AS_AT)
    assert pd.isna(forecast[0])  # already open
    assert forecast[1] == T(AS_AT) + pd.Timedelta(days=1)  # planned date passed: as soon as possible
    assert forecast[2] == T("2026-10-01")  # on time so far
    assert forecast[3] == T("2027-01-01") + pd.Timedelta(days=30)  # 30 days late at its current stage


def test_target_forecast_finds_the_date_or_the_shortfall():
    reached = metrics.target_forecast(PROGRAMME, metrics.bed_totals(PROGRAMME, target=8), as_at=AS_AT)
    assert reached.reached_on == date(2026, 10, 1)  # 3 open + 2 + 3 = 8
    totals = metrics.bed_totals(PROGRAMME, target=20)
    short = metrics.target_forecast(PROGRAMME, totals, as_at=AS_AT)
    assert short.reached_on is None and short.in_programme == 10
    assert short.shortfall == totals.still_to_find == 20 - 10


def test_cumulative_beds_join_actual_and_forecast_at_as_at():
    series = metrics.cumulative_beds(PROGRAMME, AS_AT)
    open_actual = series[(series["level"] == "open") & (series["basis"] == "actual")]
    assert open_actual["beds"].tolist() == [3, 3] and open_actual["date"].iloc[-1] == T(AS_AT)
    secured_actual = series[(series["level"] == "secured") & (series["basis"] == "actual")]
    # A's 4 planned beds from completion, its 3 registered places from registration: the line steps down by one.
    assert secured_actual["beds"].tolist() == [4, 6, 5, 8, 8]
    assert secured_actual["date"].iloc[2] == T("2025-01-10")
    open_forecast = series[(series["level"] == "open") & (series["basis"] == "forecast")]
    assert open_forecast["beds"].tolist() == [3, 5, 8, 10]
    assert (open_forecast["date"].diff().dropna() > pd.Timedelta(0)).all()


def test_by_district_lists_every_district():
    districts = pd.DataFrame(
        {
            "ons_code": ["E07000096", "E07000103"],
            "name": ["Dacorum", "Watford"],
            "short_name": [None, None],
            "tile_x": [0.5, 2],
            "tile_row": [2, 3],
        }
    )
    frame = metrics.by_district(PROGRAMME, districts, target=20).set_index("name")
    assert frame.loc["Dacorum", "properties"] == 4 and frame.loc["Dacorum", "secured"] == 8
    assert frame.loc["Watford", "properties"] == 0 and frame.loc["Watford", "share_of_target"] == 0
    assert frame.loc["Dacorum", "share_of_target"] == pytest.approx(8 / 20)


def _milestones(reference: str, dates: list[tuple[str | None, str | None]]) -> pd.DataFrame:
    from dashboard.stages import STAGES

    # `dates` may stop before the last stage: later stages have no row.
    rows = [
        {
            "reference": reference,
            "phase": "P",
            "district": "D",
            "position": i,
            "stage": s.key,
            "stage_label": s.label,
            "planned_on": pd.to_datetime(p),
            "actual_on": pd.to_datetime(a),
        }
        for i, (s, (p, a)) in enumerate(zip(STAGES, dates, strict=False), start=1)
    ]
    return pd.DataFrame(rows)


def test_gantt_segments_separate_inherited_delay_from_added_delay():
    frame = _milestones(
        "X",
        [
            ("2025-01-01", "2025-01-01"),
            ("2025-02-01", "2025-03-01"),
            ("2025-03-01", "2025-03-29"),
            ("2025-04-01", None),
        ],
    )
    segments = metrics.gantt_segments(frame, as_at=date(2025, 4, 15))
    actual = segments[segments["basis"] == "actual"].set_index("stage")
    # Offer accepted took 59 days against 31 planned: it added 28 and ended 28 days late.
    assert actual.loc["Offer accepted", ["days_added", "days_late"]].tolist() == [28, 28]
    # The survey took 28 days as planned: it added nothing but ended 28 days late.
    assert actual.loc["Survey", ["days_added", "days_late"]].tolist() == [0, 28]
    # Legal is under way: its bar runs to as-at, 14 days past its planned date.
    legal = actual.loc["Legal / conveyancing"]
    assert bool(legal["under_way"]) and legal["end"] == T("2025-04-15") and legal["days_late"] == 14
    assert metrics.row_ends(segments).loc[0, "end"] == T("2025-04-15")


def test_one_definition_of_late_an_open_home_is_not_late():
    late = metrics.lateness(PROGRAMME, AS_AT).set_index("reference")
    slipped = metrics.slippage(PROGRAMME, AS_AT).set_index("reference")["days_late"]
    assert late.loc[late["days_late"] > 0, "days_late"].to_dict() == slipped.to_dict()
    # A opened on 1 February 2025 with no planned opening recorded in this frame: no words; B waits 61 days late.
    assert late.loc["B", "label"] == "61 days late" and late.loc["A", "days_late"] == 0
    opened = metrics.lateness(OPEN.assign(open_planned_on=T("2024-12-01")), AS_AT).iloc[0]
    assert opened["days_late"] == 0 and opened["label"] == "opened 62 days after plan"


def test_illustrative_rows_are_counted():
    frame = pd.DataFrame({"provenance": ["illustrative", "decision record B147/24", "B147/24; costs illustrative"]})
    assert metrics.illustrative_rows(frame) == 2


def test_properties_by_stage_lists_every_stage_in_order():
    not_started = _status({"reference": "E", "planned_beds": 2, "reached_position": 0})
    by_stage = metrics.properties_by_stage(pd.concat([PROGRAMME, not_started], ignore_index=True))
    assert by_stage["stage"].iloc[0] == "Not started" and by_stage["properties"].iloc[0] == 1
    assert by_stage["short_stage"].iloc[-1] == "Opened" and by_stage["properties"].iloc[-1] == 1
    assert by_stage["properties"].sum() == 5 and len(by_stage) == 13
    assert "Not started" not in metrics.properties_by_stage(PROGRAMME)["stage"].tolist()
