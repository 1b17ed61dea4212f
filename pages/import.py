"""Import a spreadsheet through the same importer as the command line: every row is checked and the report shown
first; nothing is written until the user confirms."""

from datetime import date
from hashlib import sha256

import streamlit as st

from dashboard import tables
from dashboard.exporting import template_workbook
from dashboard.importing import import_upload
from dashboard.roles import AccessDenied
from dashboard_ui import store
from dashboard_ui.data_forms import done, show_done, show_refusal
from dashboard_ui.identity import current_actor

UPLOADS = "import-uploads"  # bumped after an import, so the uploader starts empty

actor = current_actor()
st.title("Import")
st.caption("Decisions, phases and properties with their stage dates, from a .csv or .xlsx in the template's layout "
           "(the same files the command line imports). Every row is checked first and nothing is written until you "
           "confirm; if any row is at fault, nothing is written at all.")  # fmt: skip
st.download_button("Download the template (.xlsx)", data=template_workbook, file_name="import-template.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                   icon=":material/download:")  # fmt: skip
show_done()

upload = st.file_uploader("Spreadsheet to import", type=["csv", "xlsx"], key=f"upload-{st.session_state.get(UPLOADS, 0)}",
                          help="A workbook with decisions, phases and properties sheets, or one CSV (properties.csv, "
                               "decisions.csv or phases.csv; another name is read as the property tracker).")  # fmt: skip
if upload is not None:
    data = upload.getvalue()
    check = import_upload(store.engine(), upload.name, data, actor, dry_run=True, today=date.today())
    if not check.ok:
        st.error(f"**{upload.name} cannot be imported**: {len(check.problems)} problem(s) found. Nothing was "
                 "written. Correct them in the file and upload it again.", icon=":material/error:")  # fmt: skip
        problems = tables.import_problems_table(check.problems)
        st.dataframe(problems, hide_index=True, column_config={"Problem": st.column_config.TextColumn(width="large")})
    else:
        counts = tables.import_counts_table(check)
        changes = int(counts[["New", "Changed"]].to_numpy().sum())
        st.success(f"**{upload.name} checks out.** {changes} row(s) would be added or changed.", icon=":material/task_alt:")
        st.dataframe(counts, hide_index=True)
        if check.changes:
            with st.expander(f"Rows that would change ({len(check.changes)})"):
                st.text("\n".join(check.changes))
        if check.skipped_files:
            st.caption("Passed over (not importable): " + ", ".join(check.skipped_files))
        if changes and st.button(f"Import {changes} change(s)", type="primary", icon=":material/upload:",
                                 key=f"confirm-{sha256(data).hexdigest()[:12]}"):  # fmt: skip
            try:
                result = import_upload(store.engine(), upload.name, data, actor, today=date.today())
            except AccessDenied as refusal:
                show_refusal(refusal)
            else:
                if result.ok:
                    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1
                    done(f"Imported {upload.name}: " + "; ".join(
                        f"{row.Table}: {row.New} new, {row.Changed} changed" for row in tables.import_counts_table(result).itertuples()))  # fmt: skip
                st.error("The store changed while you were checking, and the file no longer imports. Nothing was "
                         "written:", icon=":material/error:")  # fmt: skip
                st.dataframe(tables.import_problems_table(result.problems), hide_index=True)
