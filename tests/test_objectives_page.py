"""The Objectives page through AppTest, on a store with the synthetic SSDA903 extract and Ofsted's 2024 file imported:
the figures on screen equal those computed independently from the files, and the settings are an editor's."""

from __future__ import annotations

import csv
from datetime import date

from dashboard import market, placements
from dashboard.roles import Actor, Role
from tests.apptest import assert_charts_described, assert_page_ok, open_app, open_data_tables
from tests.conftest import SHARED_DATA

OFSTED = SHARED_DATA / "ofsted" / "ofsted_csc_providers_at_31march2024.csv"
EPISODES = SHARED_DATA / "ssda903" / "demandmodel_2021-episodes.csv"
EDITOR = Actor("ed@herts.gov.uk", "test", Role.EDITOR)


def load(engine) -> None:
    assert placements.import_episodes(engine, EPISODES, EDITOR, today=date(2026, 11, 26)).written
    assert market.import_ofsted(engine, OFSTED, EDITOR).written


def test_an_empty_store_says_what_to_import(app):
    app.switch_page("pages/objectives.py").run()
    assert_page_ok(app)
    assert any("import-903" in info.value for info in app.info)
    assert any("import-ofsted" in info.value for info in app.info)


def test_the_page_shows_the_files_figures(monkeypatch, store_url, engine):
    load(engine)
    at = open_app(monkeypatch, store_url, role="viewer")
    at.switch_page("pages/objectives.py").run()
    assert_page_ok(at)
    assert assert_charts_described(at) >= 4
    # Own provision share at the last month end of the extract (February 2022), counted from the file by hand.
    with EPISODES.open(newline="") as handle:
        rows = list(csv.DictReader(handle))

    def day(text):
        d, m, y = map(int, text.split("/"))
        return date(y, m, d)

    end = date(2022, 2, 28)
    open_rows = [r for r in rows if day(r["DECOM"]) <= end and (not r["DEC"] or day(r["DEC"]) > end)]
    homes = [r for r in open_rows if r["PLACE"] == "K2"]
    own = {r["CHILD"] for r in homes if r["PLACE_PROVIDER"] == "PR1"}
    metrics = {m.label: m.value for m in at.metric}
    share = len(own) / len({r["CHILD"] for r in homes})
    assert metrics["Children in children's homes living in the council's own homes"] == f"{share:.0%}"
    # Inside the county needs the lookup, which was not imported.
    assert any("postcode-district lookup" in info.value for info in at.info)
    # The market: Hertfordshire's 2024 homes by sector, as in the file (7 council-run, 15 private, 4 voluntary).
    open_data_tables(at)
    sectors = {row["Run by"]: row["Children's homes"] for row in at.dataframe[3].value.to_dict("records")}
    assert (sectors["Local authority"], sectors["Private"], sectors["Voluntary"]) == (7, 15, 4)
    ratings = at.dataframe[5].value.set_index("Latest overall rating")["March 2024"]
    with OFSTED.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle))[4:]
    herts = [r for r in rows if r[3].lower() == "children's home" and r[14] == "Hertfordshire"]
    assert ratings.sum() == len(herts) == 26
    assert ratings["Outstanding"] == sum(1 for r in herts if r[26] == "Outstanding")
    # A viewer sees the settings, cannot change them.
    assert not at.get("form")
    assert "Council's own children's home: cost a week" in at.dataframe[-1].value["Setting"].tolist()


def test_an_editor_sets_a_target_and_the_chart_draws_it(monkeypatch, store_url, engine):
    load(engine)
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/objectives.py").run()
    at.number_input(key="setting-own_share_target").set_value(50.0)
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    assert at.success[0].value == "Saved 1 setting(s)."
    from tests.plotly_json import figure_json

    figure = figure_json(at.get("plotly_chart")[0].proto.spec)
    assert any(shape.get("y0") == 0.5 for shape in figure["layout"].get("shapes", []))
