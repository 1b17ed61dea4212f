"""Provenance field by field: the written format read (and the older free text), what an import refuses, the banner
a page shows (illustrative, inferred, or a demo store's synthetic data) and the dates flagged where they are shown."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import metrics, provenance, tables
from dashboard.demo import DEMO_PROVENANCE
from dashboard.importing import import_path
from dashboard.layout import PROPERTIES
from dashboard.provenance import FACT, ILLUSTRATIVE, IMPORTED, INFERRED, SYNTHETIC, UNSTATED, source_of
from dashboard.roles import Actor, Role
from tests.apptest import assert_page_ok, open_app
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, synthetic_store, write_csv

PHASE_2 = (
    "decision record B147/24: phase, district; illustrative: reference, provision model, specialism, beds, "
    "costs, councillors informed, notes, dates"
)
# What the first seed wrote: older stores still hold it.
OLD_PHASE_2 = "decision record B147/24 (phase and district); beds, dates and costs illustrative"
OLD_DECISION = "decision record B147/24 (significance and controversial inferred from its consultation section)"


# ---------------------------------------------------------------- the format


def test_each_field_takes_the_source_of_the_clause_naming_it():
    assert source_of(PHASE_2, "Phase") == source_of(PHASE_2, "district") == FACT
    for name in (
        "Planned beds",
        "registered_beds",
        "Specialism",
        "Provision model",
        "Notes",
        "Reference",
        "Purchase cost (£)",
        "Completion actual",
        "Identified planned",
        "Councillors informed",
    ):
        assert source_of(PHASE_2, name) == ILLUSTRATIVE, name


def test_groups_stand_for_their_columns():
    text = "tracker March 2026: beds, planned dates; illustrative: costs; inferred: Completion"
    sources = provenance.parse(text)
    assert {sources.of(name) for name in ("Planned beds", "Registered beds", "Survey planned")} == {FACT}
    assert {sources.of(name) for name in ("Purchase budget (£)", "Refurbishment cost (£)")} == {ILLUSTRATIVE}
    assert sources.of("Completion planned") == sources.of("Completion actual") == INFERRED
    assert sources.of("Survey actual") == UNSTATED  # named by no clause, and there is no clause for the rest
    # A group asked about is as certain as its least certain member.
    assert sources.of("planned dates") == INFERRED and sources.of("beds") == FACT


def test_a_clause_without_columns_covers_the_rest():
    text = "finance system: costs; illustrative"
    assert source_of(text, "costs") == FACT
    assert source_of(text, "beds") == source_of(text, "dates") == ILLUSTRATIVE


def test_the_kind_of_source_is_read_from_its_words():
    assert source_of("illustrative", "beds") == ILLUSTRATIVE
    assert source_of(DEMO_PROVENANCE, "beds") == SYNTHETIC
    assert source_of("imported from tracker.xlsx", "beds") == IMPORTED
    assert source_of("entered in the app", "beds") == IMPORTED
    assert source_of("Ofsted registration letter", "beds") == FACT
    assert source_of("inferred from the record's consultation section: significance", "Significance") == INFERRED
    assert source_of(None, "beds") == source_of("", "beds") == UNSTATED


def test_a_field_named_twice_is_the_less_certain():
    assert source_of("decision record B147/24: beds; illustrative: beds", "beds") == ILLUSTRATIVE


def test_an_unknown_column_is_an_error_when_asked_for():
    with pytest.raises(ValueError, match="'bedz' is not a column"):
        source_of(PHASE_2, "bedz")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Property rows of the first seed: the record gave phase and district, said nothing of the rest.
        (
            OLD_PHASE_2,
            {
                "phase": FACT,
                "district": FACT,
                "beds": ILLUSTRATIVE,
                "dates": ILLUSTRATIVE,
                "costs": ILLUSTRATIVE,
                "specialism": UNSTATED,
                "provision model": UNSTATED,
            },
        ),
        (OLD_DECISION, {"significance": INFERRED, "controversial": INFERRED, "title": FACT, "date": FACT}),
        ("decision record B147/24 (planned end illustrative)", {"planned end": ILLUSTRATIVE, "starts": FACT}),
        ("B147/24; costs illustrative", {"costs": ILLUSTRATIVE, "beds": FACT}),
        ("illustrative", {"phase": ILLUSTRATIVE, "beds": ILLUSTRATIVE, "significance": ILLUSTRATIVE}),
        ("imported from properties.csv", {"beds": IMPORTED, "dates": IMPORTED}),
        # Free text with a colon is still free text: one source for the whole row.
        ("finance system: Nov 2026", {"costs": FACT, "dates": FACT}),
        ("![tracker](http://example.invalid/x.png) <b>bold</b>", {"beds": FACT}),
    ],
)
def test_older_free_text_still_reads_sensibly(text, expected):
    assert {name: source_of(text, name) for name in expected} == expected


def test_problems_name_a_misspelt_column_in_a_list_only():
    assert provenance.problems(PHASE_2) == []
    assert provenance.problems(OLD_PHASE_2) == []
    assert provenance.problems("finance system: Nov 2026") == []  # no column named: free text
    assert provenance.problems(r"imported from C:\tracker.xlsx") == []
    (problem,) = provenance.problems("decision record B147/24: phase, distrct")
    assert problem.startswith("'distrct' is not a column or group")
    assert provenance.problems("illustrative: bedz")  # a kind of source, then a list: meant as one


def test_a_rows_label_and_its_dates():
    assert provenance.label(PHASE_2) == "Illustrative except phase and district"
    assert provenance.label("illustrative") == "Illustrative"
    assert provenance.label("imported from tracker.xlsx") == "Imported"
    assert provenance.label(OLD_DECISION, provenance.DECISION_FIELDS) == "Inferred: significance and controversial"
    assert provenance.dates_word(PHASE_2) == provenance.dates_word(PHASE_2, "completion") == "Illustrative"
    mixed = "tracker: dates; illustrative: actual dates"
    assert provenance.dates_word(mixed) == "Planned fact, actual illustrative"


def test_illustrative_rows_are_those_with_any_illustrative_field():
    frame = pd.DataFrame(
        {
            "provenance": [
                PHASE_2,
                "illustrative",
                OLD_PHASE_2,
                "decision record B147/24",
                "imported from x.csv",
                DEMO_PROVENANCE,
                None,
                OLD_DECISION,
            ]
        }
    )
    assert metrics.illustrative_rows(frame) == 3
    assert provenance.rows_with(frame["provenance"], SYNTHETIC) == 1


# ---------------------------------------------------------------- what an import takes


def test_an_import_takes_the_format_and_refuses_a_misspelt_column(engine, tmp_path):
    actor = Actor("analyst", "test", Role.EDITOR)
    good = {**NEW_PROPERTY, "Provenance": "tracker 2026-03: phase, district, beds; illustrative: dates"}
    report = import_path(engine, write_csv(tmp_path / "properties.csv", [good]), actor, today=SEED_TODAY)
    assert report.ok, report.summary()

    before = dump(engine)
    bad = {**NEW_PROPERTY, "Reference": "NEW-02", "Provenance": "tracker 2026-03: phase, distrct"}
    report = import_path(engine, write_csv(tmp_path / "properties.csv", [bad]), actor, today=SEED_TODAY)
    assert not report.ok
    assert [(problem.row, problem.column) for problem in report.problems] == [(2, PROPERTIES.header_for("provenance"))]
    assert "'distrct' is not a column or group" in report.summary()
    assert dump(engine) == before


# ---------------------------------------------------------------- what a page says


def _status(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(f"P{number}", phase, text) for number, (phase, text) in enumerate(rows)],
        columns=["reference", "phase", "provenance"],
    )


PHASES = pd.DataFrame(
    {
        "name": ["Phase 1", "Phase 2"],
        "provenance": [
            "decision record B147/24: name; illustrative",
            "decision record B147/24: name; inferred from an unlabelled date: starts; illustrative: planned end",
        ],
    }
)


def test_the_banner_names_the_illustrative_and_inferred_fields():
    status = _status([("Phase 1", "illustrative"), ("Phase 2", PHASE_2), ("Phase 2", PHASE_2)])
    (banner,) = provenance.banners(status, PHASES)
    assert banner.kind == ILLUSTRATIVE
    assert banner.markdown == (
        "**Illustrative figures.** 3 of the 3 properties shown carry illustrative data, not a council's records: "
        "every field of 1 and all but the phase and district of 2 (from decision record B147/24). Inferred, not "
        "stated in its source: Phase 2's start. Illustrative: Phase 1's dates, Phase 2's planned end. Import your own "
        "data to replace them."
    )


def test_only_the_phases_shown_are_named_and_a_councils_own_data_has_no_banner():
    status = _status([("Phase 1", "imported from tracker.xlsx")])
    (banner,) = provenance.banners(status, PHASES)
    assert "Phase 2" not in banner.text and "Phase 1's dates" in banner.text
    assert provenance.banners(status) == []
    assert provenance.banners(_status([("Phase 2", "imported from tracker.xlsx")]), PHASES.iloc[:1]) == []


def test_a_synthetic_store_has_its_own_banner():
    (banner,) = provenance.banners(_status([("Demo phase 1", DEMO_PROVENANCE)] * 4))
    assert banner.kind == SYNTHETIC
    assert banner.markdown.startswith("**Synthetic data.** 4 of the 4 properties shown are synthetic, made up for ")
    assert "Illustrative" not in banner.markdown


def test_dates_are_flagged_where_they_are_shown():
    status = _status([("Phase 2", PHASE_2), ("Phase 1", "imported from tracker.xlsx")])
    register = pd.DataFrame({"Property": ["P0", "P1", "P9"]})
    assert tables.with_date_sources(register, status)[tables.DATES_SOURCE].tolist() == [
        "Illustrative",
        "Imported",
        "Not stated",
    ]
    milestones = pd.DataFrame({"#": [1, 5], "Stage": ["Property identified", "Completion: property procured"]})
    mixed = _status([("Phase 2", "tracker: dates; illustrative: Completion actual")])
    flagged = tables.with_stage_date_sources(milestones, mixed, "P0")
    assert flagged[tables.DATES_SOURCE].tolist() == ["Fact", "Planned fact, actual illustrative"]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    with synthetic_store(tmp_path_factory.mktemp("demo"), 30, seed=3) as url:
        yield url


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/properties.py"])
def test_a_demo_store_says_it_is_synthetic_data(monkeypatch, demo_url, page):
    app = open_app(monkeypatch, demo_url)
    app.switch_page(page).run()
    assert_page_ok(app)
    warnings = [warning.value for warning in app.warning]
    assert any(text.startswith("**Synthetic data.** 30 of the 30 properties shown are synthetic") for text in warnings)
    assert not [text for text in warnings if "Illustrative figures" in text]


def test_the_seeded_pages_banner_and_a_phase_2_propertys_milestones_say_what_is_illustrative(app):
    app.switch_page("pages/properties.py").run()
    assert_page_ok(app)
    (banner,) = [warning.value for warning in app.warning if "Illustrative figures" in warning.value]
    assert "all but the phase and district of 10 (from decision record B147/24)" in banner
    assert "Inferred, not stated in its source: Phase 2's start." in banner
    register = app.dataframe[0].value
    by_reference = dict(zip(register["Property"], register[tables.DATES_SOURCE], strict=True))
    assert by_reference["RS-P2-01"] == by_reference["RS-P1-01"] == "Illustrative"

    app.selectbox(key="property").select("RS-P2-01").run()
    assert_page_ok(app)
    milestones = next(frame.value for frame in app.dataframe if "Stage" in frame.value.columns)
    assert len(milestones) == 12
    # Procured in 2023 on the seed's dates: long before the decision (signed 14 August 2025), and invented.
    assert set(milestones[tables.DATES_SOURCE]) == {"Illustrative"}
