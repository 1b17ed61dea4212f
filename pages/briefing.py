"""Briefing: the Executive Member's pack as an A4 PDF, made when asked, with its first page previewed here."""

from datetime import date

import streamlit as st

from dashboard.briefing import images, packs
from dashboard.briefing.content import Rating, long_date
from dashboard_ui import cached
from dashboard_ui.identity import current_actor
from dashboard_ui.packs import classification_choice, pack_maker
from dashboard_ui.text import plain
from dashboard_ui.view import current_view

# Each rating's badge colour: the word is on the badge, so colour is never the only signal.
RATING_BADGES = {
    Rating.GREEN: "green",
    Rating.AMBER: "orange",
    Rating.RED: "red",
    Rating.NOT_RATED: "gray",
    Rating.NOT_MEASURED: "gray",
}


actor = current_actor()
version = cached.version()
view = current_view()
council = view.filters.council  # the pack's council: the one the sidebar shows
strategy = view.strategy

st.title("Briefing pack")
st.caption(
    f"{strategy.name}, {strategy.council}. A printable A4 pack for the Executive Member: the headline figures, what "
    "changed since the last briefing, the main risks, progress, the district map, the timeline, and decisions and "
    "consultation. It covers **the whole programme**: the sidebar's phase, district and provision filters do not "
    "narrow it (its as-at date starts from the sidebar's)."
)
dates, marking = st.columns([2, 1])
with dates:
    as_at_column, since_column = st.columns(2)
    as_at = as_at_column.date_input(
        "Data as at",
        value=view.filters.as_at,
        max_value=date.today(),
        min_value=date(2015, 1, 1),
        format="DD/MM/YYYY",
        key="briefing_as_at",
        help="The pack shows the programme as it stood on this date.",
    )
    # Read uncached: recording a pack leaves the data version (the cache key) as it was, and this must follow it.
    since = since_column.date_input(
        "Changes since",
        value=packs.default_since(cached.engine(), as_at, council),
        max_value=date.today(),
        min_value=date(2015, 1, 1),
        format="DD/MM/YYYY",
        key="briefing_since",
        help="The pack lists what was changed in the store after this date. It starts as the day before the last "
        "pack was made (here or from the command line), so all of that day is covered, or four weeks before the "
        "as-at date if none was.",
    )
classification = classification_choice(marking, "briefing_classification")

# Chromium, which draws the pack's charts, starts now in the background: the pack is quicker when asked for.
images.start_chart_browser()

if since > as_at:
    st.error("The *changes since* date must be on or before the *as at* date.", icon=":material/event_busy:")
    st.stop()

pack_maker(
    "briefing",
    (as_at, since, classification, version, council),
    lambda on_progress: cached.briefing_pdf(
        actor, as_at, since, classification, version, on_progress=on_progress, council=council
    ),
    file_name=f"briefing_as-at-{as_at:%Y-%m-%d}.pdf",
    what="briefing pack",
    on_made=lambda: packs.record_pack(cached.engine(), actor, as_at, since, classification, council=council),
)

recent = packs.packs_made(cached.engine(), council=council)  # uncached, as the default above: a few rows
if recent:
    st.markdown("#### Packs made recently")
    st.dataframe(packs.packs_table(recent), hide_index=True)

page_one = cached.briefing_preview(actor, as_at, since, version, council)
if page_one.synthetic:
    st.warning(
        f"**Synthetic data.** {page_one.synthetic} of the {page_one.properties} properties in the pack are "
        "synthetic demonstration data, not a council's records; every page of the pack says so.",
        icon=":material/science:",
    )
elif page_one.illustrative:
    st.warning(
        f"**Illustrative figures.** {page_one.illustrative} of the {page_one.properties} properties in the pack "
        "carry illustrative data, not a council's records; every page of the pack says so.",
        icon=":material/info:",
    )
st.divider()
st.header("Page 1 of the pack")
# The marking as the pack prints it, at the top and bottom of every page.
if classification:
    st.markdown(f"**{classification}**", text_alignment="center")
else:
    st.caption("No security classification chosen: the pack's pages carry no marking.")
st.markdown(f"### {plain(page_one.headline)}")
for column, (label, beds, share) in zip(st.columns(len(page_one.numbers)), page_one.numbers, strict=True):
    column.metric(label, f"{beds} beds", share, delta_color="off", delta_arrow="off", border=True)
st.markdown(f"**{plain(page_one.forecast)}**")
if page_one.need:
    st.markdown(plain(page_one.need))
st.markdown("#### Objectives")
st.markdown(
    "\n".join(
        f"- **{plain(rating.objective)}**: :{RATING_BADGES[rating.rating]}-badge[{rating.rating}] "
        f"{plain(rating.reason)}"
        for rating in page_one.ratings
    )
)
st.markdown(f"#### {plain(page_one.changes_heading)}")
st.caption(plain(page_one.changes_scope))
st.markdown("\n".join(f"- {plain(line)}" for line in page_one.changes))
st.markdown("#### Main risks")
st.markdown(plain(page_one.risks))
if page_one.uninformed:
    st.warning(plain(page_one.uninformed), icon=":material/campaign:")
st.caption(f"The pack's data is as at {long_date(as_at)}.")
