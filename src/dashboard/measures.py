"""The objectives' measures, each defined once: its name in the store and the export, what it counts, over what, and
where the definition comes from. The SSDA903 import computes them (dashboard.episodes); every page, CSV and the
briefing reads their definitions from here.

Each measure is kept at period ends: every month's last day the files cover, 31 March among them. At 31 March a
measure is the figure the Department for Education publishes for the year ending then ("Children looked after in
England including adoptions"); the other month ends give the same measure as a trend. A count has no denominator; a
share is its numerator over its denominator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DFE_METHODOLOGY = (
    'Department for Education, "Children looked after in England including adoptions": methodology and the '
    "SSDA903 guide to the collection"
)
DFE_METHODOLOGY_URL = (
    "https://explore-education-statistics.service.gov.uk/methodology/"
    "children-looked-after-in-england-including-adoptions"
)
SHORT_BREAKS = frozenset({"V3", "V4"})  # legal statuses of an agreed series of short-term placements
CHILDRENS_HOME = "K2"
TEMPORARY_PLACEMENTS = frozenset({"T0", "T1", "T2", "T3", "T4"})
ADOPTION_PLACEMENTS = frozenset({"A3", "A4", "A5", "A6"})
# The reasons for a new episode that start a new placement with a new carer (S: started to be looked after; P: a
# change of placement and carer; B: of legal status, placement and carer). L (legal status only) and T/U (placement
# with the same carer) continue the placement for these measures.
NEW_PLACEMENT_REASONS = frozenset({"S", "P", "B"})
MILES_FROM_HOME = 20
STABILITY_AGE_UNDER = 16
STABILITY_CARE_MONTHS = 30  # two and a half years
STABILITY_PLACEMENT_MONTHS = 24
# Age bands of children looked after, for the measures by age and the demand forecast.
AGE_BANDS = ((0, 4, "0-4"), (5, 9, "5-9"), (10, 15, "10-15"), (16, 17, "16-17"))


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    definition: str  # what the numerator counts, and over what
    share: bool  # a share (numerator / denominator) or a count
    dfe: bool = True  # DfE publishes it at 31 March; False: the dashboard's own, said so where it is shown
    approximate: bool = False  # estimated from district centroids, not full postcodes
    by: str = ""  # what its category is: "" (none), "urn" or "age band"


LOOKED_AFTER = Measure(
    "looked_after",
    "Children looked after",
    "Children looked after on the day, excluding those looked after under an agreed series of short-term "
    "placements (legal status V3 or V4): a child counts when an episode other than a short break is open on the day. "
    "A child with two episodes open on one day (which a valid return does not have) counts once, by the one that "
    "started last.",
    share=False,
)
IN_CHILDRENS_HOMES = Measure(
    "in_childrens_homes",
    "In children's homes",
    "Children looked after on the day (excluding V3/V4) placed in a children's home (placement type K2), as a "
    "share of all children looked after.",
    share=True,
)
HOMES_BY_PROVIDER = {
    provider: Measure(
        f"homes_{key}",
        f"Children's homes: {label}",
        f"Children in children's homes (K2) on the day whose placement provider is {label.lower()} "
        f"({provider or 'PR0, PR3 or blank'}), as a share of all children in children's homes.",
        share=True,
    )
    for provider, key, label in (
        ("PR1", "own_provision", "Own provision"),
        ("PR2", "other_authority", "Other local authority"),
        ("PR4", "private", "Private"),
        ("PR5", "voluntary", "Voluntary"),
        ("", "other_provider", "Other"),
    )
}
OWN_PROVISION = HOMES_BY_PROVIDER["PR1"]
THREE_OR_MORE_PLACEMENTS = Measure(
    "three_or_more_placements",
    "Three or more placements in the year",
    "Children looked after on the day (excluding V3/V4) who had three or more placements in the twelve months "
    "to it, as a share of all children looked after on the day. The placement held at the start of the twelve "
    "months counts as one; each later episode counts when it starts a placement with a new carer (reason S, P or "
    "B), except a temporary placement (T0-T4) and the return from one to the same placement. Short-break episodes "
    "(V3/V4) are left out. Measured only where the files imported together cover the whole twelve months.",
    share=True,
)
LONG_TERM_STABILITY = Measure(
    "long_term_stability",
    "Long-term placement stability",
    "Children under 16 on the day who had been looked after continuously for at least two and a half years and "
    "were living in the same placement for at least two years (or were placed for adoption, and their adoptive "
    "placement and the placement before it together lasted at least two years), as a share of children under 16 "
    "looked after continuously for at least two and a half years. Continuous: each episode (short breaks left "
    "out) starting the day the one before it ended. Needs the header file (dates of birth) and, for children whose "
    "time in care began before the file's year, earlier years' files imported together.",
    share=True,
)
STABILITY_UNDETERMINED = Measure(
    "stability_undetermined",
    "Long-term stability: history not in the files",
    "Children under 16 on the day whose time in care or in their placement began before the earliest episode in "
    "the files given, so whether they count cannot be told; left out of long-term stability until earlier years' "
    "files are imported with this one.",
    share=False,
    dfe=False,
)
PLACED_INSIDE = Measure(
    "placed_inside",
    "Placed inside the council's boundary",
    "Children looked after on the day (excluding V3/V4) whose placement's postcode district lies in the council's "
    "area (the postcode-district lookup), as a share of all children looked after. A district crossing the "
    "boundary counts by its share where the lookup gives one.",
    share=True,
)
PLACED_OUTSIDE = Measure(
    "placed_outside",
    "Placed outside the council's boundary",
    "Children looked after on the day (excluding V3/V4) whose placement's postcode district lies outside the "
    "council's area, as a share of all children looked after.",
    share=True,
)
LOCATION_UNKNOWN = Measure(
    "placed_location_unknown",
    "Placement location not known",
    "Children looked after on the day (excluding V3/V4) whose placement postcode is missing, not in the lookup, "
    "or in a district crossing the boundary with no share given, as a share of all children looked after.",
    share=True,
)
SPLIT_DISTRICT = Measure(
    "placed_split_district",
    "In a district crossing the boundary (no share)",
    "Children looked after on the day (excluding V3/V4) placed in a postcode district the lookup marks as "
    "crossing the boundary without a share: counted as location not known.",
    share=False,
    dfe=False,
)
OVER_20_MILES = Measure(
    "placed_over_20_miles",
    "Placed more than 20 miles from home (approximate)",
    "Children looked after on the day (excluding V3/V4) whose home and placement postcode districts' centroids are "
    "more than 20 miles apart in a straight line, as a share of all children looked after. Approximate: DfE "
    "measures between full postcodes; the dashboard keeps only districts.",
    share=True,
    approximate=True,
)
DISTANCE_UNKNOWN = Measure(
    "distance_unknown",
    "Distance from home not known",
    "Children looked after on the day (excluding V3/V4) whose home or placement postcode district has no centroid "
    "in the lookup (or no postcode), as a share of all children looked after.",
    share=True,
)
HOMES_OUTSIDE_BY_AGE = Measure(
    "homes_outside_by_age",
    "In children's homes outside the boundary, by age",
    "Children looked after on the day (excluding V3/V4) in children's homes (K2) whose placement lies outside "
    "the council's area, by age on the day; the need the council's own homes could meet nearer home.",
    share=False,
    dfe=False,
    by="age band",
)
HOME_CHILDREN = Measure(
    "home_children",
    "Children placed in the home",
    "Children placed in the children's home with this Ofsted URN (SSDA903 URN, placement type K2) on the day.",
    share=False,
    dfe=False,
    by="urn",
)
HOME_CHILD_DAYS = Measure(
    "home_child_days",
    "Child-days in the home",
    "Days children spent placed in the children's home with this Ofsted URN in the month to the day: the "
    "occupied beds behind occupancy and the cost estimate.",
    share=False,
    dfe=False,
    by="urn",
)

MEASURES: tuple[Measure, ...] = (
    LOOKED_AFTER,
    IN_CHILDRENS_HOMES,
    *HOMES_BY_PROVIDER.values(),
    THREE_OR_MORE_PLACEMENTS,
    LONG_TERM_STABILITY,
    STABILITY_UNDETERMINED,
    PLACED_INSIDE,
    PLACED_OUTSIDE,
    LOCATION_UNKNOWN,
    SPLIT_DISTRICT,
    OVER_20_MILES,
    DISTANCE_UNKNOWN,
    HOMES_OUTSIDE_BY_AGE,
    HOME_CHILDREN,
    HOME_CHILD_DAYS,
)
MEASURE_BY_NAME = {measure.name: measure for measure in MEASURES}


def is_year_end(day: date) -> bool:
    """31 March: the end of the year DfE publishes."""
    return (day.month, day.day) == (3, 31)


def age_band(age: int) -> str | None:
    """The band of an age in whole years, or None for 18 and over."""
    return next((band for low, high, band in AGE_BANDS if low <= age <= high), None)
