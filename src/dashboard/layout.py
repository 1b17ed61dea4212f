"""The spreadsheet layouts analysts keep: one per importable table. Import, export, the template and the data dictionary
all read them from here, so a column is named and described once; and the one rule for text a spreadsheet would run
as a formula, which export guards and import unguards."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dashboard.reference import normalise_name
from dashboard.stages import STAGES

# What a spreadsheet takes for the start of a formula. Export guards such text and import takes the guard off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def needs_formula_guard(text: str) -> bool:
    """Text a spreadsheet would run as a formula, or text that looks like one already guarded ("'=A1" as typed):
    the second is guarded again, so that taking one apostrophe off on import gives back what was written."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def unformula(text: str) -> str:
    """Takes off the apostrophe an export puts before text a spreadsheet would run as a formula, so an exported
    file imports back as it was ("'=A1" -> "=A1", "''=A1" -> "'=A1")."""
    return text[1:] if text.startswith("'") and needs_formula_guard(text[1:]) else text


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str  # what a cell holds, in words, for the data dictionary
    description: str
    required: bool = False


@dataclass(frozen=True)
class Layout:
    name: str  # also the file (or sheet) name: decisions.csv, phases.csv, properties.csv
    description: str
    columns: tuple[Column, ...]
    key: str = ""  # the field that identifies a row: importing upserts by it
    # For the data dictionary: how an exported file is read back, or why it is not ("" for the layouts `import`
    # reads, which say "yes").
    read_back: str = ""

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @property
    def key_column(self) -> Column:
        return next(column for column in self.columns if column.field == self.key)

    def header_for(self, field: str) -> str:
        """The column header of a field ("planned_beds" -> "Planned beds"); the field itself if it has none."""
        return next((column.header for column in self.columns if column.field == field), field)

    def column_for(self, header: str) -> Column | None:
        """The column a header means, ignoring case, spacing and punctuation ("Planned Beds", "planned_beds")."""
        wanted = normalise_name(header)
        for column in self.columns:
            if wanted in (normalise_name(column.header), normalise_name(column.field)):
                return column
        return None


DATE = "date (YYYY-MM-DD or DD/MM/YYYY)"
PROVENANCE = Column(
    "Provenance",
    "provenance",
    "text",
    "Where each value comes from, as 'source: columns; source: columns', e.g. 'decision record B147/24: phase, "
    "district; illustrative: beds, dates, costs' (groups: dates, costs, beds); a source with no columns covers the "
    "rest ('illustrative'); blank means this file.",
)

DECISIONS = Layout(
    name="decisions",
    description="Decisions that govern the programme, one row each.",
    key="reference",
    columns=(
        Column("Reference", "reference", "text", "Decision reference, e.g. B147/24.", required=True),
        Column("Title", "title", "text", "Subject of the decision.", required=True),
        Column("Type", "decision_type", "Executive / Non-executive", "Type of decision.", required=True),
        Column("Key decision", "key_decision", "yes / no", "Whether it is a Key Decision.", required=True),
        Column("Date", "decided_on", DATE, "Date the decision was signed."),
        Column("Executive member", "executive_member", "text", "Executive Member or Committee Chairman."),
        Column("Portfolio", "portfolio", "text", "Portfolio, for executive functions."),
        Column(
            "Significance",
            "significance",
            "Technical/Professional/Routine / Local / General or County-wide",
            "Significance of the proposed action, as in the record's consultation summary.",
        ),
        Column("Controversial", "controversial", "yes / no", "Whether the action is controversial."),
        PROVENANCE,
    ),
)

PHASES = Layout(
    name="phases",
    description="Phases of the strategy, one row each.",
    key="name",
    columns=(
        Column("Name", "name", "text", "Phase name, e.g. Phase 2.", required=True),
        Column("Starts", "starts_on", DATE, "Start of the phase."),
        Column("Planned end", "planned_end_on", DATE, "Planned end of the phase."),
        Column("Decision reference", "decision_reference", "text", "Reference of the decision behind the phase."),
        PROVENANCE,
    ),
)

STAGE_COLUMNS: tuple[Column, ...] = tuple(
    Column(f"{stage.column} {which}", f"{which}.{stage.key}", DATE, f"{stage.label}: {which} date.")
    for stage in STAGES
    for which in ("planned", "actual")
)

PROPERTIES = Layout(
    name="properties",
    description="The property tracker: one row per property, with the planned and actual date of each stage.",
    key="reference",
    columns=(
        Column("Reference", "reference", "text", "Property reference code. Never an address.", required=True),
        Column("Phase", "phase", "text", "Name of the phase (as in phases).", required=True),
        Column(
            "District",
            "district",
            "district name or ONS code",
            "District of Hertfordshire: a name ('North Herts'), a current or former ONS code.",
            required=True,
        ),
        Column("Provision model", "provision_model", "in-house / commissioned", "Who runs the home.", required=True),
        Column("Specialism", "specialism", "text", "e.g. solo/emergency, disabilities, step-down, therapeutic, 16+."),
        Column("Planned beds", "planned_beds", "whole number 1-12", "Beds planned for the property.", required=True),
        Column("Registered beds", "registered_beds", "whole number 1-12", "Places registered by Ofsted."),
        Column("Purchase budget (£)", "purchase_budget", "whole pounds", "Budget for buying the property."),
        Column("Purchase cost (£)", "purchase_cost", "whole pounds", "What buying it cost, to date."),
        Column("Refurbishment budget (£)", "refurbishment_budget", "whole pounds", "Budget for the works."),
        Column("Refurbishment cost (£)", "refurbishment_cost", "whole pounds", "What the works cost, to date."),
        Column("Councillors informed", "councillors_informed_on", DATE, "When local councillors were informed."),
        Column("Notes", "notes", "text", "Free text, for analysts. No addresses, postcodes or anything about a child."),
        Column(
            "Status note",
            "status_note",
            "text, at most 200 characters",
            "The next step or what blocks it, in a line, shown to everyone who reads the dashboard and in the "
            "briefing pack. No names, addresses, postcodes or anything about a child. A file without this column "
            "leaves each property's status note as it is.",
        ),
        Column(
            "Ofsted URN",
            "ofsted_urn",
            "SC and 6 digits, or 6 or 7 digits",
            "The home's Ofsted unique reference number (e.g. SC123456), once it has one: public, and does not locate "
            "the home. It links the home to Ofsted's ratings and places and to the SSDA903 return's placements. One "
            "URN, one property. A file without this column leaves each property's URN as it is.",
        ),
        PROVENANCE,
        *STAGE_COLUMNS,
    ),
)

LAYOUTS: tuple[Layout, ...] = (DECISIONS, PHASES, PROPERTIES)  # in the order they must be imported
LAYOUT_BY_NAME: dict[str, Layout] = {layout.name: layout for layout in LAYOUTS}

# Whose each row is, first in the files of a store of several councils (dashboard.exporting.COUNCIL_OF): phase names
# repeat across councils ("Phase 1"), and an analyst groups by council. The name reads as in strategy.csv and
# districts.csv; the ONS code beside it is what no other council shares. Import reads either or both: each row's
# must be the council imported into.
COUNCIL_COLUMNS: tuple[Column, ...] = (
    Column(
        "Council",
        "council",
        "council name or ONS code",
        "The council whose row it is. Written where the store holds several councils. Where import reads the file, "
        "optional: every row names the council imported into (a file is one council's).",
    ),
    Column(
        "Council ONS code",
        "council_code",
        "ONS code",
        "The same council's ONS code (E10000015), which no other council shares. Written where the store holds "
        "several councils. On import, optional, as Council.",
    ),
)
COUNCIL_FIELDS = frozenset(column.field for column in COUNCIL_COLUMNS)


def with_council(layout: Layout) -> Layout:
    """The layout with whose each row is first, as a store of several councils writes it."""
    return replace(layout, columns=(*COUNCIL_COLUMNS, *layout.columns))


# The import template's sheet of guidance (export writes it; import passes over it).
TEMPLATE_GUIDE_SHEET = "guide"

# Written by export for analysts' own work; not read back by import.
MILESTONES = Layout(
    name="milestones",
    description="Every stage of every property, one row each (the tracker's dates, in long form).",
    columns=(
        Column("Reference", "reference", "text", "Property reference code."),
        Column("Stage order", "position", "whole number", "Position of the stage, 1 = property identified."),
        Column("Stage", "stage", "text", "Stage key."),
        Column("Stage name", "label", "text", "Stage, in words."),
        Column("Planned", "planned_on", "date (YYYY-MM-DD)", "Planned date."),
        Column("Actual", "actual_on", "date (YYYY-MM-DD)", "Actual date, once it has happened."),
    ),
    read_back="no: import reads the stages' dates from properties",
)
DISTRICTS = Layout(
    name="districts",
    description="The council's districts and the other ways people write them.",
    columns=(
        Column("ONS code", "ons_code", "text", "Current ONS (GSS) code."),
        Column("Name", "name", "text", "District name."),
        Column("Council", "council", "text", "Council the district belongs to."),
        Column("Also written", "aliases", "text", "Former codes and common names, separated by '; '."),
    ),
    read_back="no: reference data, part of every new store",
)
STRATEGY = Layout(
    name="strategy",
    description="The strategy and its bed target.",
    columns=(
        Column("Name", "name", "text", "Strategy name."),
        Column("Council", "council", "text", "Council."),
        Column("Bed target", "bed_target", "whole number", "Beds the strategy aims to provide."),
        PROVENANCE,
    ),
    read_back="no: reference data, part of every new store",
)
AUDIT_LOG = Layout(
    name="audit_log",
    description="Every change to the data: who, when, through what, and the values before and after.",
    columns=(
        Column("At (UTC)", "at", "date and time (ISO 8601, UTC)", "When the change was made."),
        Column("User", "user", "text", "Who made it."),
        Column("Source", "source", "text", "Through what: seed, cli, import of a file, app."),
        Column("Action", "action", "create / update / delete", "What was done."),
        Column("Table", "entity", "text", "Which table."),
        Column("Row", "entity_ref", "text", "Which row, by its reference (property/stage for a milestone)."),
        Column("Before", "before", "JSON", "Changed values before."),
        Column("After", "after", "JSON", "Changed values after."),
    ),
    read_back="no: written by the store itself as the data changes",
)
RECORDED_AT = Column("Recorded at (UTC)", "recorded_at", "date and time (ISO 8601, UTC)", "When it was recorded.")
PROPERTY_RECORDS = Layout(
    name="property_records",
    description="Each property's plan as recorded over time: a row each time it was created or its phase, district, "
    "provision model, specialism or planned beds changed. Not imported: the store records it as the tracker changes.",
    columns=(
        Column("Reference", "reference", "text", "Property reference code."),
        RECORDED_AT,
        Column("Phase", "phase", "text", "Name of the phase (as in phases)."),
        Column("District (ONS code)", "district", "text", "Current ONS (GSS) code of the district (as in districts)."),
        Column("Provision model", "provision_model", "in-house / commissioned", "Who runs the home."),
        Column("Specialism", "specialism", "text", "e.g. solo/emergency, disabilities, step-down, therapeutic, 16+."),
        Column("Planned beds", "planned_beds", "whole number", "Beds planned for the property."),
        PROVENANCE,
    ),
    read_back="no: recorded by the store as the tracker changes",
)
MILESTONE_RECORDS = Layout(
    name="milestone_records",
    description="Each stage's planned date as recorded over time, so a past view's lateness stays as it was. "
    "Not imported: the store records it as the tracker changes.",
    columns=(
        Column("Reference", "reference", "text", "Property reference code."),
        Column("Stage", "stage", "text", "Stage key (as in milestones)."),
        RECORDED_AT,
        Column("Planned", "planned_on", "date (YYYY-MM-DD)", "Planned date from then on; blank for none."),
    ),
    read_back="no: recorded by the store as the tracker changes",
)
OBJECTIVE_SETTINGS = Layout(
    name="objective_settings",
    description="The targets and weekly costs set for the objectives; a setting not listed has its default. "
    "Not imported: set on the Objectives page.",
    columns=(
        Column(
            "Setting",
            "key",
            "text",
            "Which setting: three_or_more_target (%, at most), own_share_target, inside_target (%), "
            "independent_weekly_cost, own_weekly_cost (£ a week), cost_counts_all_own_homes (0 or 1).",
        ),
        Column("Value", "value", "number", "The value set."),
        Column("Source", "source", "text", "Where an assumed weekly cost comes from, as the editor recorded it."),
    ),
    read_back="no: set on the Objectives page",
)
POSTCODE_DISTRICTS = Layout(
    name="postcode_districts",
    description="The postcode-district lookup: the local authority each postcode district lies in, a row per "
    "district and authority (a district crossing a boundary has a row for each). "
    "Imported back by import-lookup, which replaces the lookup held.",
    columns=(
        Column(
            "Postcode district",
            "outward_code",
            "text",
            "Outward code, the first half of a postcode (SG1).",
            required=True,
        ),
        Column(
            "Local authority",
            "local_authority",
            "text",
            "Local authority the postcode district lies in.",
            required=True,
        ),
        Column(
            "Share",
            "share",
            "number from 0 to 1 (or a percentage, 60%), or blank",
            "The share of the district in this authority. Blank (or 1) for a district wholly in one authority. A "
            "district crossing a boundary has a share on each of its rows, adding up to 1, or on none: then the "
            "split is not known and children placed there count as location not known.",
        ),
        Column(
            "Latitude",
            "latitude",
            "decimal degrees (49 to 61), or blank",
            "Latitude of the district's centroid, the same on each of its rows; given with Longitude or not at all. "
            "Centroids make the measure of children placed more than 20 miles from home possible: approximate, as "
            "it measures between district centroids, not full postcodes.",
        ),
        Column(
            "Longitude",
            "longitude",
            "decimal degrees (-9 to 2.5), or blank",
            "Longitude of the district's centroid (west negative), the same on each of its rows; given with Latitude "
            "or not at all.",
        ),
        Column(
            "Council district",
            "council_district",
            "ONS code of one of the council's districts (its name or short name is read too), or blank",
            "The council's district the postcode district (mostly) lies in, on the council's row only: the "
            "forecast shares the children whose home is there out to that district, for its need by home district "
            "on the Districts map. Blank: not known.",
        ),
    ),
    read_back="yes, by import-lookup (which replaces the lookup held)",
)
PLACEMENT_FIGURES = Layout(
    name="placement_figures",
    description="Monthly counts from SSDA903 episodes imported before the objectives were measured as DfE measures "
    "them (objective_measures.csv now): kept as they were counted, no longer written or shown. No child, episode or "
    "postcode.",
    columns=(
        Column("Month end", "month_end", "date (YYYY-MM-DD)", "Last day of the month counted."),
        Column(
            "Measure",
            "measure",
            "text",
            "children_in_homes (by provider), homes_location (inside / outside the county / unknown), "
            "children_looked_after, placement_changes.",
        ),
        Column(
            "Category",
            "category",
            "text",
            "Provider (PR1 own provision, PR2, PR4, PR5, other), location (inside, outside, unknown), or all.",
        ),
        Column("Value", "value", "whole number", "The count."),
    ),
    read_back="no: kept from earlier imports",
)
OBJECTIVE_MEASURES = Layout(
    name="objective_measures",
    description="The objectives' measures from the SSDA903 return, at each month end the files imported cover: at "
    '31 March, DfE\'s published definitions ("Children looked after in England including adoptions"); the other '
    "month ends, the same measures as a trend. A count has no denominator. No child, episode or postcode. Not "
    "imported: replaced by importing SSDA903 files (import-903).",
    columns=(
        Column("measure", "measure", "text", "The measure's name (its definition is in the definition column)."),
        Column(
            "category",
            "category",
            "text",
            "Blank, or what the measure is split by: a children's home's Ofsted URN, or an age band (0-4, 5-9, "
            "10-15, 16-17).",
        ),
        Column(
            "period_end",
            "period_end",
            "date (YYYY-MM-DD)",
            "The day measured: a month's last day; 31 March is the year DfE publishes.",
        ),
        Column("value", "value", "number", "numerator / denominator for a share (0 to 1), the numerator for a count."),
        Column(
            "numerator",
            "numerator",
            "number",
            "The count (a fraction only where a postcode district crossing the boundary is counted by its share).",
        ),
        Column("denominator", "denominator", "number", "What a share is of; blank for a count."),
        Column("definition", "definition", "text", "What the measure counts, and over what (dashboard.measures)."),
    ),
    read_back="no: replaced by importing SSDA903 files (import-903)",
)
MARKET_FIGURES = Layout(
    name="market_figures",
    description="Ofsted's children's homes per local authority and year: homes and places by sector, homes by "
    "latest overall rating. No provider is kept. Not imported: replaced by importing an Ofsted file (import-ofsted).",
    columns=(
        Column("As at", "as_at", "date (YYYY-MM-DD)", "31 March of the data's year."),
        Column("Local authority", "local_authority", "text", "Local authority the homes are in."),
        Column("Measure", "measure", "homes / places / homes_by_rating", "What is counted."),
        Column("Category", "category", "text", "Sector (Local authority, Private, Voluntary, Other) or rating."),
        Column("Value", "value", "whole number", "The count."),
    ),
    read_back="no: replaced by importing an Ofsted file (import-ofsted)",
)
OFSTED_HOMES = Layout(
    name="ofsted_homes",
    description="Each children's home in Ofsted's provider-level data by year, by its URN: places and latest overall "
    "rating, so the council's own homes can be linked to it. No name or address. Not imported: replaced by "
    "importing an Ofsted file (import-ofsted).",
    columns=(
        Column("As at", "as_at", "date (YYYY-MM-DD)", "31 March of the data's year."),
        Column("URN", "urn", "text", "Ofsted's unique reference number for the home (SC123456)."),
        Column("Local authority", "local_authority", "text", "Local authority the home is in."),
        Column(
            "Sector",
            "sector",
            "text",
            "Local authority, Private, Voluntary or Other, as the market figures group them.",
        ),
        Column("Places", "places", "whole number", "Places Ofsted registered."),
        Column(
            "Latest overall rating",
            "rating",
            "text",
            "The latest full inspection's overall rating, or Not yet inspected.",
        ),
    ),
    read_back="no: replaced by importing an Ofsted file (import-ofsted)",
)
BRIEFING_PACKS = Layout(
    name="briefing_packs",
    description="Each briefing pack made: when, by whom, through what, and what it covered. "
    "Not imported: a row is recorded each time a pack is made. Where the store holds several councils, the region's "
    "packs (every council side by side) name no council.",
    columns=(
        Column("Made at (UTC)", "made_at", "date and time (ISO 8601, UTC)", "When the pack was made."),
        Column("Made by", "made_by", "text", "Who made it."),
        Column("Source", "source", "text", "Through what: app, cli."),
        Column("As at", "as_at", "date (YYYY-MM-DD)", "The date the programme was shown as at."),
        Column("Since", "since", "date (YYYY-MM-DD)", "Changes were listed from after this date."),
        Column("Classification", "classification", "text", "Protective marking, e.g. OFFICIAL; blank for none."),
    ),
    read_back="no: recorded each time a pack is made",
)
# The forecast's files (dashboard.demand). The numbers below are dashboard.demand.RUNS and forecast.LOWER_PERCENTILE /
# UPPER_PERCENTILE, written out so that this module stays light; tests/test_forecast_export.py holds them equal.
FORECAST_EXPECTED = "The mean of the 500 simulations."
FORECAST_LOWER = "The 5th percentile of the 500 simulations: the interval's lower end."
FORECAST_UPPER = "The 95th percentile of the 500 simulations: the interval's upper end."
FORECAST_PERIOD_END = Column(
    "period_end", "period_end", "date (YYYY-MM-DD)", "The month end forecast (a month's last day)."
)
FORECAST = Layout(
    name="forecast",
    description="The demand forecast of children looked after, month by month for three years after the SSDA903 "
    "data's last month end, for the central scenario and every saved one: the mean of the simulations and a 5th to "
    "95th percentile interval. Aggregates only: no child, episode or postcode. Not imported: made again on every "
    "SSDA903 import (import-903) and when a scenario is saved.",
    columns=(
        Column("scenario", "scenario", "text", "Central (the defaults), or the name of a saved scenario."),
        FORECAST_PERIOD_END,
        Column(
            "measure",
            "measure",
            "text",
            "What is forecast: looked_after (children looked after, short breaks left out), childrens_home "
            "(in children's homes, placement K2), fostering (U1-U6), other (any other placement); a group and an "
            "age band as 'group:band' (e.g. childrens_home:10-15; bands 0-4, 5-9, 10-15, 16-17); beds_needed (the "
            "beds the council's own homes need: childrens_home x the own homes' share / the target occupancy, in "
            "forecast_runs.csv).",
        ),
        Column("expected", "expected", "number", FORECAST_EXPECTED),
        Column("lower", "lower", "number", FORECAST_LOWER),
        Column("upper", "upper", "number", FORECAST_UPPER),
    ),
    read_back="no: made again on every SSDA903 import (import-903) and when a scenario is saved",
)
FORECAST_RUNS = Layout(
    name="forecast_runs",
    description="Each forecast in forecast.csv as it was made: its scenario and every input it used, resolved. "
    "Not imported: made again on every SSDA903 import (import-903) and when a scenario is saved.",
    columns=(
        Column("scenario", "scenario", "text", "Central (the defaults), or the name of a saved scenario."),
        Column("made_at", "made_at", "date and time (ISO 8601, UTC)", "When the forecast was made."),
        Column(
            "entry_change", "entry_change", "number (per cent)", "The change on entries into care a month (0: as seen)."
        ),
        Column(
            "own_share",
            "own_share",
            "number (0 to 1)",
            "The share of children in children's homes the council aims to meet in its own homes.",
        ),
        Column(
            "own_share_source",
            "own_share_source",
            "text",
            "Where the share comes from: the scenario, the strategy's aim, or own provision's share at a month end.",
        ),
        Column("occupancy", "occupancy", "number (0 to 1)", "The target occupancy of the own homes' beds."),
        Column(
            "reference_first",
            "reference_first",
            "date (YYYY-MM-DD)",
            "The first day of the reference window the rates were fitted on.",
        ),
        Column("reference_last", "reference_last", "date (YYYY-MM-DD)", "The last day of the reference window."),
        Column("data_first", "data_first", "date (YYYY-MM-DD)", "The first day of the SSDA903 data imported."),
        Column(
            "data_last",
            "data_last",
            "date (YYYY-MM-DD)",
            "The data's last month end: the forecast starts from the children looked after then.",
        ),
        Column("runs", "runs", "whole number", "How many simulations the forecast's mean and interval are taken over."),
    ),
    read_back="no: made again on every SSDA903 import (import-903) and when a scenario is saved",
)
FORECAST_BACKTEST = Layout(
    name="forecast_backtest",
    description="How far to trust the forecast: rates fitted on the two years before the data's last year, the last "
    "year forecast from the children looked after at its start, month by month beside the children in children's "
    "homes actually counted. Not imported: made again on every SSDA903 import (import-903).",
    columns=(
        FORECAST_PERIOD_END,
        Column("actual", "actual", "number", "Children in children's homes (K2) on the day, short breaks left out."),
        Column("expected", "expected", "number", FORECAST_EXPECTED),
        Column("lower", "lower", "number", FORECAST_LOWER),
        Column("upper", "upper", "number", FORECAST_UPPER),
    ),
    read_back="no: made again on every SSDA903 import (import-903)",
)
FORECAST_SCENARIOS = Layout(
    name="forecast_scenarios",
    description="The scenarios editors saved: how each forecast's inputs differ from the central one; a blank takes "
    "the default. Not imported: saved on the Forecast page or by `forecast save`.",
    columns=(
        Column("name", "name", "text", "The scenario's name."),
        Column("entry_change", "entry_change", "number (per cent)", "The change on entries into care a month."),
        Column(
            "own_share",
            "own_share",
            "number (0 to 1)",
            "The own homes' share; blank: the strategy's aim, else own provision's share at the data's last month end.",
        ),
        Column("occupancy", "occupancy", "number (0 to 1)", "The target occupancy; blank: 85%."),
        Column(
            "reference_first",
            "reference_first",
            "date (YYYY-MM-DD)",
            "The reference window's first day; blank: the last two years of data.",
        ),
        Column(
            "reference_last",
            "reference_last",
            "date (YYYY-MM-DD)",
            "The reference window's last day; blank: the data's last month end.",
        ),
        Column("saved_by", "saved_by", "text", "Who saved it last."),
        Column("saved_at", "saved_at", "date and time (ISO 8601, UTC)", "When it was saved last."),
    ),
    read_back="no: saved on the Forecast page or by forecast save",
)
EXPORT_LAYOUTS: tuple[Layout, ...] = (
    STRATEGY,
    DISTRICTS,
    *LAYOUTS,
    MILESTONES,
    PROPERTY_RECORDS,
    MILESTONE_RECORDS,
    OBJECTIVE_SETTINGS,
    POSTCODE_DISTRICTS,
    OBJECTIVE_MEASURES,
    FORECAST,
    FORECAST_RUNS,
    FORECAST_BACKTEST,
    FORECAST_SCENARIOS,
    PLACEMENT_FIGURES,
    MARKET_FIGURES,
    OFSTED_HOMES,
    BRIEFING_PACKS,
    AUDIT_LOG,
)
# The data dictionary describes every exported file, itself included.
DATA_DICTIONARY = Layout(
    name="data_dictionary",
    description="Every exported file's columns: their type, whether import requires and reads them, and their meaning.",
    columns=(
        Column("File", "file", "text", "The exported file."),
        Column("Column", "column", "text", "Column header, as written in the file."),
        Column("Type", "kind", "text", "What a cell holds."),
        Column("Required on import", "required", "yes / no", "Whether import refuses a file without it."),
        Column(
            "Read by import",
            "imported",
            "yes / no, and how or why",
            "Whether the file imports back: 'yes' by import, else the command that reads it, or why it is not read.",
        ),
        Column("Description", "description", "text", "What the column means."),
    ),
    read_back="no: it describes the files",
)
