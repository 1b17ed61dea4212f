"""The Decisions page, and the Overview's warning about councillors not informed, through Streamlit's AppTest started
from app.py: the headline figures equal those counted independently with plain SQL on the store."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.apptest import assert_page_ok as _ok
from tests.apptest import open_app as _app
from tests.conftest import plain_sql

PAGE = "pages/decisions.py"


def _table(at: AppTest, column: str):
    """The page's table that has `column` (the register: "Reference"; councillors informed: "Councillors informed")."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def _scalar(store_url: str, sql: str, params: tuple = ()) -> int:
    return plain_sql(store_url, sql, params)[0][0]


def _uninformed(store_url: str, as_at: date, where: str = "", params: tuple = ()) -> list[str]:
    """Properties whose completion had happened by `as_at` with no councillors-informed date by then."""
    sql = f"""
        SELECT p.reference FROM property p
        JOIN milestone m ON m.property_id = p.id AND m.stage_key = 'completion'
        JOIN district d ON d.id = p.district_id
        WHERE m.actual_on <= ? AND (p.councillors_informed_on IS NULL OR p.councillors_informed_on > ?) {where}
        ORDER BY m.actual_on"""
    return [row[0] for row in plain_sql(store_url, sql, (as_at, as_at, *params))]


def _procured(store_url: str, as_at: date) -> int:
    sql = "SELECT COUNT(*) FROM milestone WHERE stage_key = 'completion' AND actual_on <= ?"
    return _scalar(store_url, sql, (as_at,))


def test_decisions_page_renders_with_the_store_figures(app, store_url):
    app.switch_page(PAGE).run()
    _ok(app)
    today = date.today()
    decisions = _scalar(store_url, "SELECT COUNT(*) FROM decision")
    uninformed = _uninformed(store_url, today)
    assert (decisions, uninformed) == (1, ["RS-P2-04", "RS-P2-08"])  # the seed's blanks in "Councillors informed"
    assert app.title[0].value == "1 decision; 2 procured properties with no record of councillors informed"
    assert "Data as at" in app.caption[0].value
    assert any("Illustrative figures" in w.value for w in app.warning), "the illustrative banner is missing"


def test_the_register_shows_each_decision_with_its_requirement(app, store_url):
    app.switch_page(PAGE).run()
    register = _table(app, "Reference")
    assert len(register) == _scalar(store_url, "SELECT COUNT(*) FROM decision")
    row = register.set_index("Reference").loc["B147/24"]
    in_its_phases = _scalar(
        store_url,
        """SELECT COUNT(*) FROM property p JOIN phase ph ON ph.id = p.phase_id JOIN decision d ON d.id = ph.decision_id
           WHERE d.reference = 'B147/24'""",
    )
    assert row["Properties"] == in_its_phases == 10
    assert row["Phases"] == "Phase 2"
    # The rule is read from a significance and a controversial the decision record does not state: marked inferred.
    assert row["Councillors to inform or consult"] == (
        "Consult the relevant Lead Executive Member(s) (inferred: its significance and whether it is controversial "
        "are not stated in its source)"
    )
    assert (row["Significance"], row["Controversial"]) == ("General or County-wide (inferred)", "No (inferred)")
    assert any("*(inferred)*" in caption.value for caption in app.caption)


def test_every_procured_property_is_listed_and_the_missing_records_say_so(app, store_url):
    app.switch_page(PAGE).run()
    councillors = _table(app, "Councillors informed")
    assert len(councillors) == _procured(store_url, date.today())
    not_recorded = councillors.loc[councillors["Councillors informed"] == "Not recorded", "Property"].tolist()
    assert not_recorded == _uninformed(store_url, date.today())
    assert councillors.loc[councillors["Councillors informed"] == "Yes", "Date informed"].notna().all()
    # Every procured property in the seed has invented dates (Phase 2's procured long before the decision's 2025).
    assert set(councillors["Source of dates"]) == {"Illustrative"}
    warning = next(w.value for w in app.warning if "no record of councillors informed" in w.value)
    assert "RS-P2-04" in warning and "RS-P2-08" in warning


def test_a_past_as_at_before_their_completion_lists_neither(monkeypatch, store_url, engine):
    past = date(2024, 6, 1)
    app = _app(monkeypatch, store_url, as_at=past.isoformat())
    app.switch_page(PAGE).run()
    _ok(app)
    assert _uninformed(store_url, past) == []
    assert app.title[0].value == "1 decision; councillors informed of every procured property"
    assert len(_table(app, "Councillors informed")) == _procured(store_url, past)
    assert not [w for w in app.warning if "no record of councillors informed" in w.value]


def test_before_any_purchase_there_is_nothing_to_inform_of(monkeypatch, store_url, engine):
    before = date(2019, 1, 1)
    app = _app(monkeypatch, store_url, as_at=before.isoformat())
    app.switch_page(PAGE).run()
    _ok(app)
    assert _procured(store_url, before) == 0
    assert app.title[0].value == "1 decision; no property procured yet"
    assert any("No property had been procured" in i.value for i in app.info)


def test_the_district_filter_narrows_the_councillors_section(monkeypatch, store_url, engine):
    app = _app(monkeypatch, store_url, district=["Dacorum"])
    app.switch_page(PAGE).run()
    _ok(app)
    dacorum = _uninformed(store_url, date.today(), "AND d.ons_code = ?", ("E07000096",))
    assert dacorum == ["RS-P2-08"]
    assert app.title[0].value == "1 decision; 1 procured property with no record of councillors informed"
    assert len(_table(app, "Reference")) == 1, "the register lists every decision, whatever the filters"


def test_overview_warns_of_properties_with_no_record_of_councillors_informed(app):
    _ok(app)
    warning = next(w for w in app.warning if "no record of councillors informed" in w.value)
    assert "**2 procured properties" in warning.value
    assert "RS-P2-04" in warning.value and "RS-P2-08" in warning.value
    links = [link.proto.page for link in app.get("page_link")]
    assert any(link.endswith("decisions") or link.endswith("decisions.py") for link in links), links
