"""Export: every table of the store as CSV, for analysts' own work (the same files as the command line's export)."""

from datetime import date

import streamlit as st

from dashboard.exporting import table_file, template_workbook
from dashboard.layout import DATA_DICTIONARY, EXPORT_LAYOUTS
from dashboard_ui import cached
from dashboard_ui.identity import current_actor

actor = current_actor()
st.title("Export")
st.caption(
    "Every table in the store as CSV: UTF-8 (Excel shows £ signs and accents), ISO dates, one file per table, "
    "each described in the data dictionary. The property tracker re-imports as it is: edit it and import it "
    "back; so does the postcode-district lookup. Each file is built when you click."
)

for layout in (*EXPORT_LAYOUTS, DATA_DICTIONARY):
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(f"**{layout.name}.csv**: {layout.description}")
    right.download_button(
        f"{layout.name}.csv",
        data=lambda layout=layout: table_file(cached.engine(), layout, actor),
        file_name=f"{layout.name}_{date.today():%Y-%m-%d}.csv",
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
