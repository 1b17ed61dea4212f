"""Access by council in a store of several (T9): a role is held in one council, or in every council, and a regional
viewer reads every council's programme-level figures only. Asked in the domain, so every page, export and CSV
keeps each council's property-level data to its own staff; and held to it on every page of the app."""

from __future__ import annotations

import csv
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from dashboard import access, editing, exporting, queries, region
from dashboard.audit import AuditQuery
from dashboard.db import _alembic_config, upgrade_to_head
from dashboard.exporting import export_all, table_csv
from dashboard.importing import import_path
from dashboard.layout import DECISIONS, PROPERTIES
from dashboard.roles import REGIONAL_VIEWER, SYSTEM, AccessDenied, Actor, Role, UngrantedPolicy
from dashboard_ui.shell import DATA, PROGRAMME
from tests.apptest import assert_page_ok, open_app, page_titles
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, examples, new_store, plain_sql, write_csv
from tests.test_councils import northmarsh_programme, two_councils  # noqa: F401 (fixtures)

HERTS, NORTH = "E10000015", "E10000901"
NED = "ned@northmarsh.gov.uk"  # an editor in Northmarsh
ANA = "ana@northmarsh.gov.uk"  # an analyst in Northmarsh
RITA = "rita@region.gov.uk"  # a regional viewer
HAL = "hal@herts.gov.uk"  # an admin in Hertfordshire


@pytest.fixture
def region_store(northmarsh_programme: Engine) -> Engine:  # noqa: F811 (the fixture above)
    """Hertfordshire's seed and Northmarsh's two properties, with each account's grant."""
    for account, role, council in (
        (NED, Role.EDITOR, NORTH),
        (ANA, Role.ANALYST, NORTH),
        (RITA, REGIONAL_VIEWER, None),
        (HAL, Role.ADMIN, HERTS),
    ):
        access.grant_role(northmarsh_programme, SYSTEM, account, role, council)
    return northmarsh_programme


def actor(engine: Engine, account: str) -> Actor:
    signed_in = access.signed_in_actor(engine, account, UngrantedPolicy.REFUSE)
    assert signed_in is not None
    return signed_in


def today_in(council: str | None) -> queries.Filters:
    return queries.Filters(as_at=SEED_TODAY, council=council)


# ---------------------------------------------------------------- who each account acts as


def test_each_grant_makes_an_actor_of_its_council_or_of_the_region(region_store):
    ned, rita, hal = (actor(region_store, account) for account in (NED, RITA, HAL))
    assert (ned.councils, ned.regional, ned.role) == (((NORTH, Role.EDITOR),), False, Role.EDITOR)
    assert (rita.councils, rita.regional) == ((), True)
    assert ned.roles_in_words({NORTH: "Northmarsh"}) == "editor in Northmarsh"
    assert rita.roles_in_words({}) == REGIONAL_VIEWER
    assert not ned.reads_region and rita.reads_region and not hal.reads_region
    assert actor(region_store, NED).scope() == Actor("other@northmarsh.gov.uk", "app", **_scope(ned)).scope()


def _scope(an_actor: Actor) -> dict:
    return {"role": an_actor.role, "councils": an_actor.councils, "regional": an_actor.regional}


def test_a_role_in_every_council_is_raised_where_a_councils_grant_is_higher(region_store):
    access.grant_role(region_store, SYSTEM, NED, Role.VIEWER)  # in every council, beside editor in Northmarsh
    ned = actor(region_store, NED)
    assert dict(ned.councils or ()) == {HERTS: Role.VIEWER, NORTH: Role.EDITOR}
    access.grant_role(region_store, SYSTEM, NED, Role.ADMIN)
    assert actor(region_store, NED) == Actor(NED, "app", Role.ADMIN)  # every council, at the higher role


# ---------------------------------------------------------------- reads


@pytest.mark.parametrize("account", [NED, ANA])
def test_a_councils_staff_read_its_properties_and_no_other_councils(region_store, account):
    reader = actor(region_store, account)
    north = queries.property_status(region_store, reader, today_in(NORTH), SEED_TODAY)
    assert sorted(north["reference"]) == ["NM-01", "NM-02"]
    assert queries.property_references(region_store, reader, NORTH) == ["NM-01", "NM-02"]
    assert queries.property_details(region_store, reader, "NM-01") is not None
    assert len(queries.property_history(region_store, reader, "NM-01")) > 0
    for council in (None, HERTS):  # the store's first council, by default or by name
        with pytest.raises(AccessDenied, match="holds no role in council E10000015"):
            queries.property_status(region_store, reader, today_in(council), SEED_TODAY)
        with pytest.raises(AccessDenied):
            queries.milestones(region_store, reader, today_in(council))
        with pytest.raises(AccessDenied):
            queries.property_references(region_store, reader, council)
        with pytest.raises(AccessDenied):
            queries.decisions(region_store, reader, council)
    for refused in (queries.property_details, queries.property_history):
        with pytest.raises(AccessDenied):
            refused(region_store, reader, "RS-P1-01")
    with pytest.raises(AccessDenied, match="regional viewer"):
        region.region_figures(region_store, reader, SEED_TODAY, SEED_TODAY)


def test_a_regional_viewer_reads_every_councils_figures_and_no_councils_properties(region_store):
    rita = actor(region_store, RITA)
    figures = region.region_figures(region_store, rita, SEED_TODAY, SEED_TODAY)
    assert figures.side_by_side["council"].tolist() == ["Hertfordshire", "Northmarsh"]
    assert figures.side_by_side.loc[1, "open"] == 3
    for council in (HERTS, NORTH):
        with pytest.raises(AccessDenied):
            queries.property_status(region_store, rita, today_in(council), SEED_TODAY)
        with pytest.raises(AccessDenied):
            queries.property_references(region_store, rita, council)
        with pytest.raises(AccessDenied):
            export_all(region_store, Path("never-written"), rita, council=council)
    with pytest.raises(AccessDenied):
        queries.audit_log(region_store, rita, AuditQuery())


# ---------------------------------------------------------------- writes


def test_a_councils_editor_changes_its_programme_and_no_other_councils(region_store, tmp_path):
    ned = actor(region_store, NED)
    draft = editing.open_property(region_store, "NM-02")
    assert "Saved NM-02" in editing.save_property(
        region_store, ned, draft, {**draft.values, "planned_beds": "3"}, SEED_TODAY, NORTH
    )
    before = dump(region_store)
    herts = editing.open_property(region_store, "RS-P1-01")
    with pytest.raises(AccessDenied, match="in council E10000015"):
        editing.save_property(region_store, ned, herts, {**herts.values, "planned_beds": "9"}, SEED_TODAY)
    with pytest.raises(AccessDenied):  # naming its own council does not carry a write into another's property
        editing.save_property(region_store, ned, herts, {**herts.values, "planned_beds": "9"}, SEED_TODAY, NORTH)
    decision = {"reference": "NM/1", "title": "Homes", "decision_type": "Executive", "decided_on": "2025-01-06"}
    with pytest.raises(AccessDenied):
        editing.add_decision(region_store, ned, decision, SEED_TODAY)  # into Hertfordshire, the first
    folder = tmp_path / "herts"
    folder.mkdir()
    write_csv(folder / "properties.csv", [{**NEW_PROPERTY, "Reference": "RS-P9-01", "District": "Watford"}])
    with pytest.raises(AccessDenied):
        import_path(region_store, folder, ned, today=SEED_TODAY, council="Hertfordshire")
    assert dump(region_store) == before


def test_a_councils_admin_grants_roles_in_its_council_only(region_store):
    hal = actor(region_store, HAL)
    assert access.grant_role(region_store, hal, "new@herts.gov.uk", Role.ANALYST, "Hertfordshire") == (
        "new@herts.gov.uk now has the analyst role in Hertfordshire."
    )
    before = dump(region_store)
    for role, council in ((Role.VIEWER, NORTH), (Role.VIEWER, None), (REGIONAL_VIEWER, None)):
        with pytest.raises(AccessDenied):
            access.grant_role(region_store, hal, "new@herts.gov.uk", role, council)
    with pytest.raises(AccessDenied):
        access.revoke_role(region_store, hal, NED, NORTH)
    assert dump(region_store) == before
    assert set(access.grants(region_store, hal)["Account"]) == {HAL, "new@herts.gov.uk"}


# ---------------------------------------------------------------- the audit trail, exports and CSVs


def test_a_councils_analyst_reads_its_councils_changes_only(region_store, store_url):
    ana = actor(region_store, ANA)
    rows = queries.audit_log(region_store, ana, AuditQuery())
    assert len(rows) == queries.audit_count(region_store, ana, AuditQuery())
    [(independent,)] = plain_sql(
        store_url,
        "SELECT COUNT(*) FROM audit_log a JOIN council c ON a.council_id = c.id WHERE c.ons_code = ?",
        (NORTH,),
    )
    assert len(rows) == independent > 0
    assert not rows["entity_ref"].str.startswith("RS-").any()
    assert {"NM-01", "NM-02"} <= set(rows["entity_ref"])
    assert set(queries.audit_users(region_store, ana)) == set(rows["user"])
    everything = queries.audit_count(region_store, SYSTEM, AuditQuery())
    assert everything > len(rows)
    audit_csv = exporting.audit_file(region_store, AuditQuery(), ana)
    assert b"NM-01" in audit_csv and b"RS-P1-01" not in audit_csv


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_councils_export_holds_its_rows_and_the_countrys_tables(region_store, tmp_path, store_url):
    ana = actor(region_store, ANA)
    with pytest.raises(AccessDenied):
        export_all(region_store, tmp_path / "all", ana)  # every council's: for a role in every council
    written = export_all(region_store, tmp_path / "north", ana, council=NORTH)
    folder = tmp_path / "north"
    assert [row["Reference"] for row in read_csv(folder / "properties.csv")] == ["NM-01", "NM-02"]
    assert {row["Reference"] for row in read_csv(folder / "milestones.csv")} == {"NM-01", "NM-02"}
    assert [row["Name"] for row in read_csv(folder / "strategy.csv")] == ["Northmarsh Homes Programme"]
    assert {row["Name"] for row in read_csv(folder / "districts.csv")} == {"Fenwick Vale", "Saltmere"}
    assert [row["Name"] for row in read_csv(folder / "phases.csv")] == ["Phase 1"]
    assert written["decisions.csv"] == 0 and written["objective_measures.csv"] == 0  # the first council's data
    audit_text = (folder / "audit_log.csv").read_text(encoding="utf-8-sig")
    assert "NM-01" in audit_text and "RS-P" not in audit_text
    [(ofsted_rows,)] = plain_sql(store_url, "SELECT COUNT(*) FROM ofsted_home")
    assert written["ofsted_homes.csv"] == ofsted_rows  # the country's register, whole
    for name in ("properties.csv", "milestones.csv", "property_records.csv", "milestone_records.csv"):
        assert "RS-P" not in (folder / name).read_text(encoding="utf-8-sig"), name
    # The whole store's export, for a role in every council, holds both councils' properties.
    export_all(region_store, tmp_path / "all", SYSTEM)
    references = [row["Reference"] for row in read_csv(tmp_path / "all" / "properties.csv")]
    assert {"NM-01", "RS-P1-01"} <= set(references)


def test_a_table_on_screen_is_a_csv_for_the_councils_analysts_only(region_store):
    ana, rita = actor(region_store, ANA), actor(region_store, RITA)
    frame = queries.property_status(region_store, ana, today_in(NORTH), SEED_TODAY)
    assert table_csv(frame, ana, property_level=True, council=NORTH).startswith(b"\xef\xbb\xbf")
    for reader, council in ((ana, HERTS), (ana, None), (rita, NORTH)):
        with pytest.raises(AccessDenied):
            table_csv(frame, reader, property_level=True, council=council)
    with pytest.raises(AccessDenied):
        exporting.table_file(region_store, PROPERTIES, ana, HERTS)
    assert exporting.table_file(region_store, DECISIONS, ana, NORTH).count(b"\n") == 1  # the header alone


# ---------------------------------------------------------------- the upgrade


def test_the_upgrade_gives_each_change_already_logged_its_council(region_store, store_url):
    count = (
        "SELECT a.entity, c.ons_code, COUNT(*) FROM audit_log a LEFT JOIN council c ON a.council_id = c.id "
        "GROUP BY a.entity, c.ons_code"
    )
    before = {(entity, council): rows for entity, council, rows in plain_sql(store_url, count)}
    command.downgrade(_alembic_config(region_store), "0014")
    upgrade_to_head(region_store)
    after = {(entity, council): rows for entity, council, rows in plain_sql(store_url, count)}
    # Every change that can still be told is its council's, as when it was written; a phase named as another
    # council's phase is ("Phase 1" is both councils') cannot be, and is left the store's.
    [(named_twice,)] = plain_sql(
        store_url, "SELECT COUNT(*) FROM audit_log WHERE entity = 'phase' AND entity_ref = ?", ("Phase 1",)
    )
    assert after.pop(("phase", None)) == named_twice > 0
    phases = {key: rows for key, rows in before.items() if key[0] == "phase"}
    assert sum(phases.values()) - named_twice == sum(rows for key, rows in after.items() if key[0] == "phase")
    assert {key: rows for key, rows in after.items() if key[0] != "phase"} == {
        key: rows for key, rows in before.items() if key[0] != "phase"
    }
    assert after[("property", NORTH)] == 2 and after[("role_grant", NORTH)] == 2


# ---------------------------------------------------------------- every page


def shown(at) -> str:
    """Everything the run put on the page as text: its words, tables, choices, charts' data and buttons."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error", "success"):
        parts += [str(element.value) for element in getattr(at, kind)]
    parts += [f"{metric.label} {metric.value}" for metric in at.metric]
    parts += [frame.value.to_string() for frame in at.dataframe]
    parts += [str(option) for box in [*at.selectbox, *at.multiselect] for option in box.options]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    parts += [button.proto.label for button in at.get("download_button")]
    return "\n".join(parts)


def test_every_page_shows_a_councils_editor_its_own_council_and_nothing_of_another(
    monkeypatch, store_url, region_store
):
    at = open_app(monkeypatch, store_url, account=NED)
    assert_page_ok(at)
    assert "Region" not in page_titles(at) and "Access" not in page_titles(at)
    assert not [box for box in at.sidebar.selectbox if box.key == "council"]  # one council to show: no choice
    assert any("Council: **Northmarsh**" in caption.value for caption in at.sidebar.caption)
    assert any("(editor in Northmarsh)" in caption.value for caption in at.sidebar.caption)
    assert at.title[0].value == "3 of 24 beds open"
    pages = [entry.file for entry in (*PROGRAMME, *DATA) if entry.title in page_titles(at)]
    assert len(pages) == 14  # an editor's pages, but Access
    for page in pages:
        at.switch_page(page).run()
        assert_page_ok(at)
        text = shown(at)
        assert "RS-P" not in text, page  # no Hertfordshire property, anywhere on any page
    at.switch_page("pages/properties.py").run()
    assert sorted(at.dataframe[0].value["Property"]) == ["NM-01", "NM-02"]


def test_a_link_to_another_council_shows_the_editor_their_own(monkeypatch, store_url, region_store):
    at = open_app(monkeypatch, store_url, account=NED, council="Hertfordshire")
    assert_page_ok(at)
    assert at.title[0].value == "3 of 24 beds open" and "RS-P" not in shown(at)


def test_a_regional_viewer_is_offered_the_region_page_alone(monkeypatch, store_url, region_store):
    at = open_app(monkeypatch, store_url, account=RITA)
    assert_page_ok(at)
    assert page_titles(at) == ["Region", "Help"]
    table = at.dataframe[-1].value
    assert table["Council"].tolist() == ["Hertfordshire", "Northmarsh"]
    assert "RS-P" not in shown(at) and "NM-0" not in shown(at)


def test_a_councils_analyst_sees_its_councils_audit_trail_and_export(monkeypatch, store_url, region_store):
    at = open_app(monkeypatch, store_url, account=ANA)
    at.switch_page("pages/audit.py").run()
    assert_page_ok(at)
    changed = " ".join(at.dataframe[0].value["What"])
    assert "NM-01" in changed and "RS-P" not in changed
    at.switch_page("pages/export.py").run()
    assert_page_ok(at)
    assert "properties.csv" in [button.proto.label for button in at.get("download_button")]
    assert not at.radio  # one council's files: no choice of every council's


# ---------------------------------------------------------------- the region's figures, over generated regions

INDEPENDENT_LEVELS = """
WITH reached AS (
    SELECT m.property_id, MAX(s.position) AS position
    FROM milestone m JOIN stage s ON s.key = m.stage_key
    WHERE m.actual_on <= ?
    GROUP BY m.property_id
), beds AS (
    SELECT c.ons_code AS council, COALESCE(r.position, 0) AS position,
        CASE WHEN COALESCE(r.position, 0) >= (SELECT position FROM stage WHERE key = 'ofsted_registration')
            AND p.registered_beds IS NOT NULL THEN p.registered_beds ELSE p.planned_beds END AS beds
    FROM property p
    JOIN district d ON p.district_id = d.id
    JOIN council c ON d.council_id = c.id
    LEFT JOIN reached r ON r.property_id = p.id
)
SELECT council,
    SUM(CASE WHEN position >= (SELECT position FROM stage WHERE key = 'opened') THEN beds ELSE 0 END),
    SUM(CASE WHEN position >= (SELECT position FROM stage WHERE key = 'ofsted_registration') THEN beds ELSE 0 END),
    SUM(CASE WHEN position >= (SELECT position FROM stage WHERE key = 'completion') THEN beds ELSE 0 END),
    SUM(CASE WHEN position < (SELECT position FROM stage WHERE key = 'completion') THEN beds ELSE 0 END)
FROM beds GROUP BY council
"""


@pytest.mark.slow  # a store built per example: .ci/run runs it, `python -m pytest -m slow` on request
@settings(max_examples=examples(12), deadline=None, derandomize=True, database=None)
@given(properties=st.integers(1, 30), councils=st.integers(2, 4), seed=st.integers(0, 10_000))
def test_each_councils_figures_and_the_regions_total_equal_independent_sql(empty_template, properties, councils, seed):
    from dashboard.bootstrap import ensure_store
    from dashboard.db import make_engine
    from dashboard.demo import build_demo

    today = date.today()
    with tempfile.TemporaryDirectory() as folder, new_store(Path(folder), "region", empty_template) as url:
        engine = make_engine(url)
        ensure_store(engine, seed=False)
        build_demo(engine, properties, seed=seed, today=today, councils=councils)
        side = region.region_figures(engine, SYSTEM, today, today).side_by_side.set_index("council")
        names = queries.councils(engine)
        engine.dispose()
        independent = {names[code]: levels for code, *levels in plain_sql(url, INDEPENDENT_LEVELS, (today,))}
        assert len(side) == councils == len(independent)
        for name, (open_, registered, secured, pipeline) in independent.items():
            row = side.loc[name]
            assert (row["open"], row["registered"], row["secured"], row["pipeline"]) == (
                open_, registered, secured, pipeline
            ), name  # fmt: skip
        totals = region.region_totals(side.reset_index(), None)
        levels = [sum(levels[i] for levels in independent.values()) for i in range(4)]
        assert [totals.open, totals.registered, totals.secured, totals.pipeline] == levels
        assert totals.target == int(side["target"].sum())


# ---------------------------------------------------------------- the briefing pack of one council


def test_a_councils_briefing_is_its_programme_and_its_changes(region_store):
    from dashboard.briefing import packs
    from dashboard.briefing.content import gather, preview

    ned = actor(region_store, NED)
    data = gather(region_store, ned, SEED_TODAY, SEED_TODAY - timedelta(days=28), council=NORTH)
    assert data.strategy.council == "Northmarsh" and sorted(data.status["reference"]) == ["NM-01", "NM-02"]
    assert (data.totals.open, data.totals.target) == (3, 24)
    assert data.need is None and data.objective_measures.empty and data.boundaries is None
    assert set(data.districts["name"]) == {"Fenwick Vale", "Saltmere"}
    assert preview(data).properties == 2
    with pytest.raises(AccessDenied):
        gather(region_store, ned, SEED_TODAY, SEED_TODAY - timedelta(days=28))  # Hertfordshire's
    packs.record_pack(region_store, ned, SEED_TODAY, SEED_TODAY - timedelta(days=28), None, council=NORTH)
    assert [pack.made_by for pack in packs.packs_made(region_store, council=NORTH)] == [NED]
    assert packs.packs_made(region_store) == []  # Hertfordshire's packs: none made
    assert packs.default_since(region_store, SEED_TODAY) == SEED_TODAY - timedelta(days=28)
    with pytest.raises(AccessDenied):
        packs.record_pack(region_store, ned, SEED_TODAY, SEED_TODAY, None)


@pytest.mark.slow  # kaleido draws the pack's charts in Chromium
def test_a_councils_briefing_pack_names_its_council_and_none_of_anothers_properties(region_store, tmp_path):
    from dashboard.briefing.pdf import build_briefing
    from tests.test_status_note import pdf_pages

    ned = actor(region_store, NED)
    path = build_briefing(
        region_store, ned, SEED_TODAY, SEED_TODAY - timedelta(days=28), None, tmp_path / "n.pdf", council=NORTH
    )
    text = " ".join(pdf_pages(path))
    assert "Northmarsh Homes Programme" in text and "3 of 24 beds open" in text
    assert "RS-P" not in text and "Hertfordshire" not in text


def test_the_briefing_page_makes_the_pack_of_the_council_shown(monkeypatch, store_url, region_store):
    at = open_app(monkeypatch, store_url, account=NED)
    at.switch_page("pages/briefing.py").run()
    assert_page_ok(at)
    assert "Northmarsh Homes Programme, Northmarsh" in at.caption[0].value
    assert any("No SSDA903 measures are in the store" in md.value for md in at.markdown), "Northmarsh's own: none"
    assert "RS-P" not in shown(at)
