"""Export: every table of the store as CSV, for analysts' own work (the same files as the command line's export)."""

from datetime import date

import streamlit as st

from dashboard.exporting import export_needs, table_file, template_workbook
from dashboard.layout import DATA_DICTIONARY, EXPORT_LAYOUTS
from dashboard.roles import Permission
from dashboard_ui import cached
from dashboard_ui.filters import current_council
from dashboard_ui.identity import current_actor

actor = current_actor()
st.title("Export")
st.caption(
    "Every table in the store as CSV: UTF-8 (Excel shows £ signs and accents), ISO dates, one file per table, "
    "each described in the data dictionary. The property tracker re-imports as it is: edit it and import it "
    "back; so does the postcode-district lookup. Each file is built when you click."
)

# A store of several councils exports one council's rows (the one chosen in the sidebar), or, for a role held in
# every council, every council's.
councils = cached.councils(cached.version())
council = current_council()
if len(councils) > 1 and actor.can(Permission.EXPORT_PROPERTIES):
    council = st.radio(
        "Whose data",
        [council, None],
        format_func=lambda code: "Every council" if code is None else f"{councils[code]}'s",
        horizontal=True,
        help="A council's files hold its own programme and changes, and the national tables (Ofsted's register and "
        "the market, the postcode lookup).",
    )
elif len(councils) > 1 and council is not None:
    st.caption(
        f"**{councils[council]}**'s files: its own programme and changes, and the national tables (Ofsted's "
        "register and the market, the postcode lookup)."
    )
stem = f"{councils[council]}_" if council is not None and len(councils) > 1 else ""
shown = [layout for layout in EXPORT_LAYOUTS if actor.can(export_needs(layout), council)]
if len(shown) < len(EXPORT_LAYOUTS):
    st.info(
        f"Files with a row per property are for analysts of {councils.get(council or '', 'this council')}: "
        "choose a council you are an analyst of in the sidebar.",
        icon=":material/lock:",
    )
for layout in (*shown, DATA_DICTIONARY):
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(f"**{layout.name}.csv**: {layout.description}")
    right.download_button(
        f"{layout.name}.csv",
        data=lambda layout=layout: table_file(cached.engine(), layout, actor, council),
        file_name=f"{stem}{layout.name}_{date.today():%Y-%m-%d}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=f"export-{layout.name}",
        width="stretch",
    )
st.divider()
st.download_button(
    "Empty import template (.xlsx)",
    data=template_workbook,
    file_name="import-template.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    icon=":material/download:",
)
