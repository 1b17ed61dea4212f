"""The region's briefing pack (T9): every council's programme-level figures side by side and the region's together,
what moved between two dates, as an A4 PDF a regional viewer may make; and no council's property in it."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pandas as pd
import pytest
from pypdf import PdfReader

from dashboard import region
from dashboard.boundaries import install_boundaries
from dashboard.briefing.packs import DEFAULT_SINCE_DAYS, default_since, packs_made, record_pack
from dashboard.briefing.region_pack import (
    RegionBriefingData,
    banner_markup,
    build_region_briefing,
    gather_region,
    movement_lines,
)
from dashboard.provenance import SYNTHETIC, Banner
from dashboard.roles import AccessDenied
from tests.apptest import assert_page_ok, open_app
from tests.conftest import SEED_TODAY, beds_by_sql, plain_sql, run_dashboard
from tests.test_boundaries import SHARED_BOUNDARIES
from tests.test_council_access import NED, RITA, actor, region_store  # noqa: F401 (a fixture)
from tests.test_councils import northmarsh_programme, two_councils  # noqa: F401 (fixtures)

SINCE = date(2025, 6, 1)  # before Northmarsh's first home opened (1 September 2025)


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_regions_pack_holds_every_councils_figures_and_no_property(region_store, store_url, tmp_path):  # noqa: F811 (the fixture above)
    out = build_region_briefing(
        region_store, actor(region_store, RITA), SEED_TODAY, SINCE, "OFFICIAL", tmp_path / "r.pdf"
    )

    reader = PdfReader(out)
    text = pdf_text(out)
    assert len(reader.pages) == 2
    assert all("OFFICIAL" in page.extract_text() for page in reader.pages)
    opened, secured = (beds_by_sql(store_url, stage, SEED_TODAY) for stage in ("opened", "completion"))
    # Hertfordshire's 70 and Northmarsh's 24: the store names no region, so its target is the councils' added up.
    assert f"{opened} of 94 beds open across 2 councils; {secured} secured" in " ".join(text.split())
    assert "counted against the councils' targets added up (94 beds)" in " ".join(text.split())
    assert "Hertfordshire" in text and "Northmarsh" in text
    assert "RS-" not in text and "NM-0" not in text, "programme-level figures only"
    assert reader.metadata.title == f"Regional briefing as at {SEED_TODAY.day} November 2026"
    assert "No council's district boundaries are installed, so the region has no district map yet" in text


def test_what_moved_is_each_councils_figures_at_the_two_dates_and_the_region_adds_them_up(region_store):  # noqa: F811 (the fixture above)
    data = gather_region(region_store, actor(region_store, RITA), SEED_TODAY, SINCE, SEED_TODAY)
    then = region.region_figures(region_store, actor(region_store, RITA), SINCE, SEED_TODAY).side_by_side
    assert data.before.equals(then)
    north_now, north_then = (frame.set_index("council").loc["Northmarsh"] for frame in (data.now.side_by_side, then))
    assert (north_then["open"], north_now["open"]) == (0, 3)
    lines = movement_lines(data)
    assert "Northmarsh: beds open 0 to 3 (+3)" in " ".join(lines)
    # The region's line is the councils' moves added up, level by level.
    for level in ("open", "registered", "secured", "pipeline"):
        moved = int(data.now.side_by_side[level].sum() - then[level].sum())
        assert getattr(data.totals, level) - getattr(data.totals_before, level) == moved


def _data(now: list[tuple[str, int, int]], before: list[tuple[str, int, int]]) -> RegionBriefingData:
    def side(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
        frame = pd.DataFrame(rows, columns=["council", "open", "secured"])
        return frame.assign(target=10, registered=frame["open"], pipeline=0)

    return RegionBriefingData(
        SEED_TODAY,
        SINCE,
        "West",
        None,
        region.RegionFigures(side(now), [], pd.DataFrame(columns=region.DISTRICT_COLUMNS)),
        side(before),
    )


def test_movement_lines_say_what_moved_and_where_nothing_did():
    still = _data([("A", 1, 2), ("B", 0, 1)], [("A", 1, 2), ("B", 0, 1)])
    assert movement_lines(still) == ["No council's beds moved between 1 June 2025 and 25 November 2026."]
    moved = _data([("A", 2, 2), ("B", 0, 1)], [("A", 1, 2), ("B", 0, 1)])
    assert movement_lines(moved) == [
        "Across the region, beds open 1 to 2 (+1); registered 1 to 2 (+1).",
        "A: beds open 1 to 2 (+1); registered 1 to 2 (+1).",
        "No change in B.",
    ]


def test_a_banner_prints_its_title_in_bold_and_no_markdown():
    banner = Banner(SYNTHETIC, "3 of the 3 properties are made up (`demo-data`): not a council's records & <no> more.")
    assert banner_markup(banner) == (
        "<b>Synthetic data.</b> 3 of the 3 properties are made up (demo-data): not a council's records &amp; "
        "&lt;no&gt; more."
    )


def test_a_councils_staff_cannot_make_the_regions_pack(region_store, tmp_path):  # noqa: F811 (the fixture above)
    with pytest.raises(AccessDenied, match="regional viewer"):
        build_region_briefing(region_store, actor(region_store, NED), SEED_TODAY, SINCE, None, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_the_command_line_writes_the_regions_pack(region_store, store_url, tmp_path):  # noqa: F811 (the fixture above)
    result = run_dashboard(
        "briefing",
        "--region",
        "--out",
        tmp_path / "r.pdf",
        "--as-at",
        "2026-11-25",
        database_url=store_url,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Wrote the region's briefing pack as at 25/11/2026 (what moved since 28/10/2026)" in result.stdout
    assert "94 beds" in pdf_text(tmp_path / "r.pdf")
    both = run_dashboard(
        "briefing",
        "--region",
        "--council",
        "Northmarsh",
        "--out",
        tmp_path / "x.pdf",
        database_url=store_url,
        cwd=tmp_path,
    )
    assert both.returncode == 1 and "either the region's or one council's" in both.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_a_regional_viewer_makes_the_regions_pack_on_the_region_page(monkeypatch, store_url, region_store):  # noqa: F811 (the fixture above)
    at = open_app(monkeypatch, store_url, account=RITA)
    assert_page_ok(at)
    at.selectbox(key="region_classification").select("OFFICIAL-SENSITIVE").run()
    at.button(key="make_region_briefing").click().run()
    assert_page_ok(at)
    [download] = [button for button in at.get("download_button") if "briefing" in button.proto.label]
    assert download.proto.label == "Download the region's briefing pack (PDF)"
    made = at.session_state["region_briefing_pack"][1]
    assert made.startswith(b"%PDF-")
    text = pdf_text(BytesIO(made))
    assert "OFFICIAL-SENSITIVE" in text and "Northmarsh" in text and "RS-" not in text
    # Recorded as the region's and listed; the next pack's "what moved since" starts from the day before it was made.
    [listed] = [frame.value for frame in at.dataframe if "Made by" in frame.value.columns]
    assert listed["Made by"].tolist() == [RITA] and listed["Classification"].tolist() == ["OFFICIAL-SENSITIVE"]
    again = open_app(monkeypatch, store_url, account=RITA)
    [made_pack] = packs_made(region_store, region=True)
    assert again.date_input(key="region_since").value == made_pack.made_at.date() - timedelta(days=1)


def test_the_regions_pack_maps_the_districts_whose_boundaries_are_installed(
    region_store,  # noqa: F811 (the fixture above)
    tmp_path,
    monkeypatch,
):
    destination = tmp_path / "boundaries.geojson"
    install_boundaries(SHARED_BOUNDARIES, region_store, destination)  # Hertfordshire's alone
    monkeypatch.setenv("DASHBOARD_BOUNDARIES", str(destination))
    out = build_region_briefing(region_store, actor(region_store, RITA), SEED_TODAY, SINCE, None, tmp_path / "r.pdf")

    pages = [" ".join(page.extract_text().split()) for page in PdfReader(out).pages]
    assert len(pages) == 3 and pages[2].startswith("Districts across the region")
    assert "Not on the map: Northmarsh, whose district boundaries are not installed." in pages[2]
    assert "python -m" not in pages[2], "a command is the app's to say, not a Member's pack"
    assert "RS-" not in pages[2] and "NM-0" not in pages[2]


def test_the_regions_packs_are_recorded_apart_from_each_councils(region_store, store_url, tmp_path):  # noqa: F811
    first = run_dashboard(
        "briefing",
        "--region",
        "--out",
        tmp_path / "a.pdf",
        "--as-at",
        "2026-11-25",
        database_url=store_url,
        cwd=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    [made] = packs_made(region_store, region=True)
    assert (made.as_at, made.since, made.source) == (SEED_TODAY, date(2026, 10, 28), "cli")
    [(council_id,)] = plain_sql(store_url, "SELECT council_id FROM briefing_pack")
    assert council_id is None, "the region's, no council's"
    assert packs_made(region_store) == packs_made(region_store, council="E10000901") == []
    # The next region pack's "what moved" starts from the day before this one was made; a council's is untouched.
    today = date.today()
    assert default_since(region_store, today, region=True) == made.made_at.date() - timedelta(days=1)
    assert default_since(region_store, today) == today - timedelta(days=DEFAULT_SINCE_DAYS)
    with pytest.raises(AccessDenied):
        record_pack(region_store, actor(region_store, NED), SEED_TODAY, SINCE, None, region=True)
    assert len(packs_made(region_store, region=True)) == 1
