"""Frames as people read them: labelled columns in a sensible order, dates as dates. Pure DataFrame -> DataFrame; the
same tables are shown under each chart and downloaded as CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from dashboard import history, provenance
from dashboard.consultation import RULES, mark_inferred, with_requirements
from dashboard.district_need import NEED, SECURED_LESS_NEED, SHARE_OF_NEED
from dashboard.metrics import (
    LEVEL_LABELS,
    BedTotals,
    beds_at_levels,
    current_stage_label,
    forecast_dates,
    lateness,
    ledger,
    slippage,
)
from dashboard.reading import Problem
from dashboard.roles import MINIMUM_ROLE, Role
from dashboard.stages import STAGE_BY_KEY, STAGES

if TYPE_CHECKING:
    from dashboard.importing import ImportReport
    from dashboard.objectives import AtYearEnd


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    """datetime64 columns as plain dates (no midnight times in a table or CSV), and text columns' missing values as
    blank text (a table shows a missing value as "None")."""
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.date
        elif _is_text(frame[column]):
            frame[column] = frame[column].fillna("")
    return frame


def _is_text(column: pd.Series) -> bool:
    """A column of text with something missing (a date or number column is left as it is: blank there is NaT)."""
    if not column.isna().any() or not pd.api.types.is_string_dtype(column):
        return False
    present = column.dropna()  # an object column is "string" to pandas when its values are, or when it is empty
    return len(present) > 0 and all(isinstance(value, str) for value in present)


# The provision models as people read them; the store keeps its own values ("in-house", "commissioned").
PROVISION_LABELS = {"in-house": "In-house", "commissioned": "Commissioned"}


def provision_label(model: str) -> str:
    return PROVISION_LABELS.get(model, model)


def bed_levels_table(totals: BedTotals) -> pd.DataFrame:
    """The ledger's beds at each level, each as a share of the target (of a part's own planned beds, for a part of
    the programme, which has nothing "still to find": the target is the whole programme's)."""
    rows = [
        ("Open", totals.open),
        ("Registered", totals.registered),
        ("Secured (procured)", totals.secured),
        ("In the pipeline", totals.pipeline),
        *([] if totals.part else [("Still to find", totals.still_to_find)]),
    ]
    frame = pd.DataFrame(rows, columns=["Level", "Beds"])
    share = "Share of planned beds" if totals.part else "Share of target"
    frame[share] = (frame["Beds"] / totals.goal).round(3) if totals.goal else 0.0
    return frame


def stage_table(by_stage: pd.DataFrame) -> pd.DataFrame:
    return by_stage.drop(columns="short_stage").rename(
        columns={"stage": "Furthest stage reached", "properties": "Properties", "beds": "Beds"}
    )


STATUS_NOTE = "Status note"


def status_notes(status: pd.DataFrame) -> dict[str, str]:
    """Each property's status note, by reference, for every reader (never its notes, which are for analysts); a
    property with none is left out."""
    noted = status.dropna(subset=["status_note"])
    return dict(zip(noted["reference"], noted["status_note"], strict=True))


def _with_status_notes(table: pd.DataFrame, notes: dict[str, str]) -> pd.DataFrame:
    """`table` (a row per property or per one of its bars) with each row's status note beside it: blank text where
    there is none, never "None"."""
    return table.assign(**{STATUS_NOTE: [notes.get(reference, "") for reference in table["Property"]]})


def late_table(status: pd.DataFrame, as_at) -> pd.DataFrame:
    """The properties behind plan (metrics.slippage), most late first, each with its status note: what is next."""
    late = slippage(status, as_at)
    named = _dates(
        late.rename(
            columns={
                "reference": "Property",
                "phase": "Phase",
                "district": "District",
                "beds": "Beds",
                "waiting_on": "Waiting on",
                "planned_for": "Planned for",
                "days_late": "Days late",
                "forecast_open": "Forecast opening",
            }
        )
    )
    return _with_status_notes(named, status_notes(status))


def progress_table(cumulative: pd.DataFrame) -> pd.DataFrame:
    frame = cumulative.assign(level=cumulative["level"].map(LEVEL_LABELS))
    frame = frame.rename(columns={"level": "Level", "basis": "Actual or forecast", "date": "Date", "beds": "Beds"})
    return _dates(frame)


DISTRICT_COLUMNS = {
    "name": "District",
    "ons_code": "ONS code",
    "properties": "Properties",
    "pipeline": "Beds in the pipeline",
    "secured": "Beds secured",
    "registered": "Beds registered",
    "open": "Beds open",
    "share_of_target": "Share of target (beds secured)",
}
# dashboard.district_need's columns, when a forecast is held: need to a hundredth of a bed, as the map shows tenths.
DISTRICT_NEED_COLUMNS = {
    SHARE_OF_NEED: "Share of forecast need",
    NEED: "Forecast need (beds)",
    SECURED_LESS_NEED: "Beds secured less forecast need",
}


def district_table(by_district: pd.DataFrame) -> pd.DataFrame:
    named = {**DISTRICT_COLUMNS, **{k: v for k, v in DISTRICT_NEED_COLUMNS.items() if k in by_district.columns}}
    return (
        by_district[list(named)]
        .rename(columns=named)
        .round(
            {
                "Share of target (beds secured)": 3,
                "Share of forecast need": 3,
                "Forecast need (beds)": 2,
                "Beds secured less forecast need": 2,
            }
        )
    )


def phase_table(spans: pd.DataFrame) -> pd.DataFrame:
    return _dates(
        spans.rename(
            columns={
                "phase": "Phase",
                "planned_start": "Planned start",
                "planned_end": "Planned end",
                "actual_start": "Work started",
                "actual_end": "Work to",
                "properties": "Properties",
            }
        )
    )


def gantt_table(segments: pd.DataFrame, notes: dict[str, str]) -> pd.DataFrame:
    """The Gantt chart's bars, a row each, with their property's status note (`notes`, from status_notes)."""
    frame = segments[["row", "stage", "basis", "start", "end", "under_way", "days_late", "days_added"]]
    named = _dates(
        frame.rename(
            columns={
                "row": "Property",
                "stage": "Stage",
                "basis": "Planned or actual",
                "start": "From",
                "end": "To",
                "under_way": "Under way",
                "days_late": "Days late",
                "days_added": "Days longer than planned",
            }
        )
    )
    return _with_status_notes(named, notes)


REGISTER_COLUMNS = {
    "reference": "Property",
    "district": "District",
    "stage": "Stage reached",
    "waiting_on": "Waiting on",
    "days_late": "Days late",
    "opened_after_plan": "Opened days after plan",
    "beds": "Beds",
    "planned_beds": "Planned beds",
    "registered_beds": "Registered beds",
    "secured_actual_on": "Procured",
    "registered_actual_on": "Registered",
    "open_actual_on": "Opened",
    "forecast_open": "Forecast opening",
    "phase": "Phase",
    "provision_model": "Provision",
    "specialism": "Specialism",
    "ofsted_urn": "Ofsted URN",
}


def register_table(status: pd.DataFrame, as_at) -> pd.DataFrame:
    """The property register: one row per property, with its stage, the ledger's beds, key dates, and how late it
    is (metrics.lateness: days late while not open; for an open home, days it opened after plan)."""
    frame = status.copy()
    frame["stage"] = frame["reached_position"].map(current_stage_label)
    frame["waiting_on"] = frame["next_stage"].map(lambda key: STAGE_BY_KEY[key].column if isinstance(key, str) else "")
    late = lateness(frame, as_at)
    # An open home is not late: its row says how its opening compared with plan instead.
    frame["days_late"] = late["days_late"].astype("Int64").mask(frame["open_actual_on"].notna())
    frame["opened_after_plan"] = late["opened_after_plan"]
    frame["beds"] = ledger(frame)["beds"]
    frame["forecast_open"] = frame["open_actual_on"].fillna(forecast_dates(frame, "open", as_at))
    frame["forecast_open"] = frame["forecast_open"].where(frame["open_actual_on"].isna())
    frame["provision_model"] = frame["provision_model"].map(provision_label, na_action="ignore")
    frame["ofsted_urn"] = frame["ofsted_urn"].fillna("")  # text even when no home has one yet: blank, not "None"
    return _dates(frame[list(REGISTER_COLUMNS)].rename(columns=REGISTER_COLUMNS))


def milestone_table(milestones: pd.DataFrame) -> pd.DataFrame:
    frame = milestones.copy()
    frame["Days late"] = (frame["actual_on"] - frame["planned_on"]).dt.days
    frame = frame[["position", "stage_label", "planned_on", "actual_on", "Days late"]]
    return _dates(
        frame.rename(columns={"position": "#", "stage_label": "Stage", "planned_on": "Planned", "actual_on": "Actual"})
    )


def audit_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Audit rows for people: who changed what, when, through what, and the change in words."""
    return pd.DataFrame(
        {
            "When (UTC)": rows["at"],
            "Who": rows["user"],
            "Through": rows["source"],
            "What": [history.subject(row.entity, row.entity_ref) for row in rows.itertuples()],
            "Change": [
                history.describe(row.entity, row.entity_ref, row.action, row.before, row.after)
                for row in rows.itertuples()
            ],
        }
    )


def costs_table(details: dict) -> pd.DataFrame:
    """Budget against cost to date, for the purchase and the works."""
    rows = []
    for item in ("purchase", "refurbishment"):
        budget, cost = details[f"{item}_budget"], details[f"{item}_cost"]
        remaining = budget - cost if budget is not None and cost is not None else None
        rows.append(
            {"Item": item.capitalize(), "Budget (£)": budget, "Cost to date (£)": cost, "Remaining (£)": remaining}
        )
    return pd.DataFrame(rows).astype({"Budget (£)": "Int64", "Cost to date (£)": "Int64", "Remaining (£)": "Int64"})


def beds_by_property(status: pd.DataFrame) -> pd.DataFrame:
    beds = beds_at_levels(status).rename(columns=LEVEL_LABELS)
    return pd.concat(
        [status[["reference", "district"]].rename(columns={"reference": "Property", "district": "District"}), beds],
        axis=1,
    )


def matching(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows in which any cell contains `text` (ignoring case); all rows when `text` is blank."""
    if not text or not text.strip():
        return frame
    hits = frame.astype(str).apply(lambda column: column.str.contains(text.strip(), case=False, regex=False))
    return frame[hits.any(axis=1)]


NOT_RECORDED = "Not recorded"


def _yes_no(value) -> str:
    return NOT_RECORDED if value is None or pd.isna(value) else ("Yes" if value else "No")


DECISION_COLUMNS = {
    "reference": "Reference",
    "decided_on": "Date",
    "consultation": "Councillors to inform or consult",  # before the title: on a phone, seen without scrolling
    "title": "Title",
    "decision_type": "Type",
    "key_decision": "Key decision",
    "significance": "Significance",
    "controversial": "Controversial",
    "executive_member": "Executive member",
    "portfolio": "Portfolio",
    "phases": "Phases",
    "properties": "Properties",
    "property_references": "Property references",
    "provenance": "Provenance",
}


def decisions_table(decisions: pd.DataFrame) -> pd.DataFrame:
    """The decisions register: each decision, who the decision record's summary says must be informed or consulted
    about it, and the phases and properties it governs."""
    frame = with_requirements(decisions)
    frame["key_decision"] = frame["key_decision"].map(_yes_no)
    frame["controversial"] = frame["controversial"].map(_yes_no)
    frame["significance"] = frame["significance"].fillna(NOT_RECORDED)
    frame = mark_inferred(frame)  # where the consultation rule was read from values its source does not state
    return _dates(frame[list(DECISION_COLUMNS)].rename(columns=DECISION_COLUMNS))


def councillors_table(informed: pd.DataFrame) -> pd.DataFrame:
    """Procured properties and when local councillors were informed (metrics.councillors_informed); a missing record
    is said in words, not shown by colour alone."""
    frame = informed.assign(record=informed["informed"].map({True: "Yes", False: NOT_RECORDED}))
    frame = frame[
        [
            "reference",
            "record",
            "informed_on",
            "days_to_inform",
            "procured_on",
            "days_since_procured",
            "district",
            "phase",
        ]
    ]
    return _dates(
        frame.rename(
            columns={
                "reference": "Property",
                "record": "Councillors informed",
                "informed_on": "Date informed",
                "days_to_inform": "Days after procurement",
                "procured_on": "Procured",
                "days_since_procured": "Days since procured",
                "district": "District",
                "phase": "Phase",
            }
        )
    )


ACTION_WORDS = {"none": "Neither", "inform": "Inform", "consult": "Consult", "unknown": NOT_RECORDED}


def consultation_rules_table() -> pd.DataFrame:
    """The decision record's Summary of Requirements to Inform/Consult Councillors, cell by cell, as the rule reads
    it."""
    rows = [
        (
            significance,
            "Yes" if controversial else "No",
            "Executive" if executive else "Non-executive",
            ACTION_WORDS[requirement.action],
            requirement.sentence,
        )
        for (significance, controversial, executive), requirement in RULES.items()
    ]
    return pd.DataFrame(rows, columns=["Significance", "Controversial", "Function", "Action", "Requirement"])


def import_problems_table(problems: list[Problem]) -> pd.DataFrame:
    """An import's problems, one row each, as a spreadsheet user finds them: file, row, column."""
    return pd.DataFrame(
        [(problem.source, problem.row, problem.column or "", problem.message) for problem in problems],
        columns=["File", "Row", "Column", "Problem"],
    ).astype({"Row": "Int64"})


def import_counts_table(report: ImportReport) -> pd.DataFrame:
    return pd.DataFrame(
        [(name.capitalize(), c.created, c.updated, c.unchanged) for name, c in report.counts.items()],
        columns=["Table", "New", "Changed", "Unchanged"],
    )


DFE_DEFINITION_LINK = "help#dfe-measures"  # the Help page's section citing DfE's methodology


def _measure_text(value: object, share: bool) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{value:.1%}" if share else f"{value:,.0f}"


def year_end_table(found: AtYearEnd) -> pd.DataFrame:
    """DfE's measures at the latest 31 March, the year before beside them: each value as DfE states it (a share in %),
    what it counts over what, why one is missing, and a link to its definition."""
    rows = found.rows
    this_year = f"31 March {found.day:%Y}"
    before = f"31 March {found.day.year - 1}"
    share = rows["share"].astype(bool)
    return pd.DataFrame(
        {
            "Measure": rows["label"],
            this_year: [_measure_text(v, s) or "not measured" for v, s in zip(rows["value"], share, strict=True)],
            "Counted": [_measure_text(v, False) for v in rows["numerator"]],
            "Out of": [_measure_text(v, False) for v in rows["denominator"]],
            before: [_measure_text(v, s) for v, s in zip(rows["previous_value"], share, strict=True)],
            "Definition": DFE_DEFINITION_LINK,
            "Note": rows["note"],
        }
    )


def trend_table(
    trend: pd.DataFrame, value: str, counted: str, out_of: str | None, share: bool, dfe: bool = True
) -> pd.DataFrame:
    """A measure month by month as the chart draws it: what it counts, over what, its value, and (`dfe`: a measure
    DfE publishes) which month ends are 31 March, DfE's figure."""
    frame = pd.DataFrame({"Month end": trend["period_end"], counted: trend["numerator"]})
    if out_of is not None:
        frame[out_of] = trend["denominator"]
    frame[f"{value} (%)" if share else value] = (trend["value"] * 100).round(1) if share else trend["value"]
    if dfe:
        frame["31 March (DfE's figure)"] = trend["year_end"].map({True: "Yes", False: ""})
    return _dates(frame)


def age_band_table(wide: pd.DataFrame) -> pd.DataFrame:
    frame = wide.rename(columns={"period_end": "Month end"})
    return _dates(frame.rename(columns={c: f"Aged {c}" for c in frame.columns if c != "Month end"}))


def own_homes_table(table: pd.DataFrame, month: pd.Timestamp | None) -> pd.DataFrame:
    """The council's own homes by reference and district (never an address): Ofsted's rating and places, the beds
    registered, children placed at the latest month end and the month's occupancy."""
    when = f"{month:%B %Y}" if month is not None else "the latest month"
    frame = pd.DataFrame(
        {
            "Property": table["reference"].fillna("not in the programme"),
            "District": table["district"].fillna(""),
            "Ofsted URN": table["urn"],
            "Ofsted rating": table["rating"].fillna("not in Ofsted's data loaded"),
            "Ofsted places": table["ofsted_places"].astype("Int64"),
            "Registered beds": pd.to_numeric(table["registered_beds"]).astype("Int64"),
            f"Children, end of {when}": table["children"].astype("Int64"),
            f"Occupancy, {when} (%)": (table["occupancy"] * 100).round(1),
        }
    )
    return _dates(frame)


def estimate_table(monthly: pd.DataFrame) -> pd.DataFrame:
    return _dates(
        pd.DataFrame(
            {
                "Month end": monthly["period_end"],
                "Child-days in the homes": monthly["child_days"],
                "Place-days": monthly["place_days"],
                "Estimate (£)": monthly["estimate"].round(),
            }
        )
    )


def market_table(market: pd.DataFrame) -> pd.DataFrame:
    frame = market.copy()
    frame["as_at"] = pd.to_datetime(frame["as_at"]).dt.date
    return frame.rename(columns={"as_at": "As at", "sector": "Run by", "homes": "Children's homes", "places": "Places"})


def ranking_table(ranking: pd.DataFrame) -> pd.DataFrame:
    frame = ranking.sort_values("rank")[["rank", "local_authority", "la_places", "total_places", "la_share"]].copy()
    frame["la_share"] = (frame["la_share"] * 100).round(1)
    return frame.rename(
        columns={
            "rank": "Rank",
            "local_authority": "Local authority",
            "la_places": "Council-run places",
            "total_places": "All places",
            "la_share": "Council-run share (%)",
        }
    )


def settings_table(settings: tuple, chosen: dict[str, float | None], sources: dict[str, str | None]) -> pd.DataFrame:
    """The objectives' targets and costs as set, with where each cost comes from (for those who may not change them)."""
    return pd.DataFrame(
        [
            (
                setting.label,
                "not set" if chosen[setting.key] is None else f"{chosen[setting.key]:,g}",
                setting.unit,
                sources.get(setting.key) or "",
            )
            for setting in settings
        ],
        columns=["Setting", "Value", "Unit", "Source"],
    )


def roles_table() -> pd.DataFrame:
    """What each role may do: a row per role, a column per permission, ticked where the role has it."""
    return pd.DataFrame(
        [
            {
                "Role": role.label,
                **{
                    permission.value[0].upper() + permission.value[1:]: "✓" if role >= needs else ""
                    for permission, needs in MINIMUM_ROLE.items()
                },
            }
            for role in Role
        ]
    )


# ---------------------------------------------------------------- where dates come from (dashboard.provenance)

DATES_SOURCE = "Source of dates"


def _kind_words(texts: pd.Series, names: tuple[str, ...]) -> pd.Series:
    """Each provenance's source of the named fields in a word (the least certain of them); each text read once."""
    texts = texts.fillna("")
    words = {
        text: provenance.KIND_WORDS[
            min((provenance.source_of(text, name) for name in names), key=provenance.CAUTION.index)
        ]
        for text in texts.unique()
    }
    return texts.map(words)


def with_date_sources(table: pd.DataFrame, status: pd.DataFrame, names: tuple[str, ...] = ("dates",)) -> pd.DataFrame:
    """A table with a row per property ("Property") and where the dates it shows come from, beside them: a date that
    is illustrative, inferred or synthetic says so (`names`: the fields or groups shown, all stage dates unless
    given)."""
    words = dict(zip(status["reference"], _kind_words(status["provenance"], names), strict=False))
    unstated = provenance.KIND_WORDS[provenance.UNSTATED]
    return table.assign(**{DATES_SOURCE: table["Property"].map(words).fillna(unstated)})


def with_stage_date_sources(milestones: pd.DataFrame, status: pd.DataFrame, reference: str) -> pd.DataFrame:
    """A property's milestone_table, with where each stage's planned and actual date come from."""
    texts = status.loc[status["reference"] == reference, "provenance"]
    text = texts.iloc[0] if len(texts) else None
    keys = [STAGES[position - 1].key for position in milestones["#"]]
    return milestones.assign(**{DATES_SOURCE: [provenance.dates_word(text, key) for key in keys]})


# ---------------------------------------------------------------- the demand forecast (demand, need)

EXPECTED, LIKELY_FROM, LIKELY_TO = "Expected", "Likely from (5th percentile)", "Likely to (95th percentile)"
DISTRICT_SHARE = "Share of need (%)"


def _interval(frame: pd.DataFrame, expected: str = EXPECTED) -> dict[str, pd.Series]:
    """A forecast's expected value and interval, to a tenth: simulated means are fractions of a child."""
    return {
        expected: frame["expected"].round(1),
        LIKELY_FROM: frame["lower"].round(1),
        LIKELY_TO: frame["upper"].round(1),
    }


def beds_needed_table(compared: pd.DataFrame) -> pd.DataFrame:
    """dashboard.need.comparison as its chart draws it: beds needed beside the programme's beds and the target."""
    frame = pd.DataFrame(
        {
            "Month end": compared["period_end"],
            **_interval(compared, "Beds needed (expected)"),
            "The programme's beds": compared["programme_beds"],
            "Target": compared["target"],
        }
    )
    return _dates(frame)


def children_forecast_table(history: pd.DataFrame, forecast: pd.DataFrame) -> pd.DataFrame:
    """A count as it was (history: period_end, children), then as forecast (FORECAST_COLUMNS), a row a month end."""
    seen = pd.DataFrame({"Month end": history["period_end"], "As it was": history["children"]})
    ahead = pd.DataFrame({"Month end": forecast["period_end"], **_interval(forecast)})
    frame = pd.concat([seen, ahead], ignore_index=True)
    frame["Month end"] = pd.to_datetime(frame["Month end"])
    return _dates(frame)


def forecast_by_age_table(points: pd.DataFrame, group: str, every: int = 12) -> pd.DataFrame:
    """A group's forecast by age band (measures "group:band", FORECAST_COLUMNS) every `every` months of the
    forecast: a row a band, a column a month end, each "expected (likely from to to)"."""
    rows = points[points["measure"].str.startswith(f"{group}:")]
    ends = sorted(rows["period_end"].unique())[every - 1 :: every]
    shown = rows[rows["period_end"].isin(ends)]
    text = shown.assign(
        band=shown["measure"].str.split(":").str[1],
        month=pd.to_datetime(shown["period_end"]).dt.strftime("%B %Y"),
        value=[
            f"{e:,.1f} ({lo:,.0f} to {hi:,.0f})"
            for e, lo, hi in zip(shown["expected"], shown["lower"], shown["upper"], strict=True)
        ],
    )
    wide = text.pivot(index="band", columns="month", values="value")
    order = [pd.Timestamp(end).strftime("%B %Y") for end in ends]
    bands = sorted(wide.index, key=lambda band: int(band.split("-")[0]))
    return wide.loc[bands, order].rename_axis(index="Aged", columns=None).reset_index()


def backtest_table(tested: pd.DataFrame) -> pd.DataFrame:
    """The backtest (BACKTEST_COLUMNS): what happened beside the forecast made a year before, and how far off."""
    error = ((tested["expected"] - tested["actual"]).abs() / tested["actual"].where(tested["actual"] > 0) * 100).round(
        1
    )
    frame = pd.DataFrame(
        {
            "Month end": tested["period_end"],
            "What happened": tested["actual"],
            **_interval(tested, "Forecast (expected)"),
            "Off by (%)": error,
        }
    )
    return _dates(frame)


def scenarios_table(runs: pd.DataFrame, ends: pd.DataFrame, sentences: dict[str, str]) -> pd.DataFrame:
    """Every scenario's inputs (dashboard.demand.RUN_COLUMNS) beside its beds needed at the end of the forecast
    (`ends`: scenario, period_end, expected, lower, upper) and where its need meets the programme's beds, in words."""
    at_end = runs.merge(ends, on="scenario", how="left")
    window = [
        f"{first:%B %Y} to {last:%B %Y}"
        for first, last in zip(at_end["reference_first"], at_end["reference_last"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Scenario": at_end["scenario"],
            "Beds needed (expected)": at_end["expected"].round(1),
            "Likely from": at_end["lower"].round(1),
            "Likely to": at_end["upper"].round(1),
            "Against the programme's beds": at_end["scenario"].map(sentences).fillna(""),
            "Entries into care (change, %)": at_end["entry_change"].round(1),
            "Own homes' share (%)": (at_end["own_share"] * 100).round(1),
            "Share taken from": at_end["own_share_source"],
            "Occupancy (%)": (at_end["occupancy"] * 100).round(1),
            "Reference window": window,
        }
    )


def district_need_table(needs: pd.DataFrame, by_district: pd.DataFrame, month: str) -> pd.DataFrame:
    """dashboard.need.need_by_district beside the programme's beds in each district (metrics.by_district); the row
    for children whose home district is not known has no beds."""
    beds = by_district.set_index("ons_code")[["secured", "open"]]
    frame = needs.join(beds, on="ons_code")
    return pd.DataFrame(
        {
            "District": frame["name"],
            DISTRICT_SHARE: (frame["share"] * 100).round(1),
            f"Beds needed, {month}": frame["need"].round(1),
            "Beds secured": frame["secured"].astype("Int64"),
            "Beds open": frame["open"].astype("Int64"),
        }
    )


REGION_LABELS = {
    "council": "Council",
    "target": "Target",
    "open": "Open",
    "registered": "Registered",
    "secured": "Secured",
    "pipeline": "In the pipeline",
    "still_to_find": "Still to find",
    "open_share": "Open, % of target",
    "late_properties": "Properties late",
    "in_house_share": "In-house, % of beds",
    "target_reached_on": "Target open by (forecast)",
    "need_at_end": "Forecast need (beds)",
    "need_by": "Forecast need at",
}


NEED_COLUMNS = ("need_at_end", "need_by")  # shown where a council has a demand forecast


def region_table(side_by_side: pd.DataFrame) -> pd.DataFrame:
    """The councils side by side as people read them: beds, shares in whole per cent, the forecasts' dates; the
    forecast need only where some council has one."""
    frame = side_by_side.copy()
    for share in ("open_share", "in_house_share"):
        frame[share] = (frame[share].astype(float) * 100).round().astype("Int64")
    for day in ("target_reached_on", "need_by"):
        frame[day] = pd.to_datetime(frame[day])
    frame["need_at_end"] = frame["need_at_end"].astype("Int64")
    shown = [column for column in REGION_LABELS if column not in NEED_COLUMNS or frame["need_at_end"].notna().any()]
    return frame.rename(columns=REGION_LABELS)[[REGION_LABELS[column] for column in shown]]


REGION_DISTRICT_LABELS = {"council": "Council", "name": "District", "ons_code": "ONS code", "secured": "Beds secured"}


def region_district_table(districts: pd.DataFrame) -> pd.DataFrame:
    """The region's districts (region.region_districts), council by council: the map's figures as a table."""
    return districts[list(REGION_DISTRICT_LABELS)].rename(columns=REGION_DISTRICT_LABELS)
