"""Import a file through the same importers as the command line: the programme spreadsheet, SSDA903 episodes, the
postcode-district lookup or Ofsted's provider-level data. Every row is checked and the report shown first; nothing is
written until the user confirms, and then all or nothing."""

from datetime import date
from hashlib import sha256

import streamlit as st

from dashboard import tables
from dashboard.exporting import template_workbook
from dashboard.importers import read_refusal
from dashboard.importing import ImportReport
from dashboard.reading import UnreadableFile, check_size
from dashboard.roles import AccessDenied
from dashboard.uploads import KIND_BY_LABEL, KINDS, run_uploads
from dashboard_ui import cached
from dashboard_ui.data_forms import done, edits_here_or_stop, show_done, show_refusal
from dashboard_ui.filters import current_council
from dashboard_ui.identity import current_actor
from dashboard_ui.text import plain

UPLOADS = "import-uploads"  # bumped after an import, so the uploader starts empty

actor = current_actor()
council = current_council()
edits_here_or_stop(actor, council, "Import")
st.title("Import")
st.caption(
    "Every row is checked first and the report shown; nothing is written until you confirm, and if any row is "
    "at fault nothing is written at all. The same files can be imported from the command line."
)
show_done()

kind = KIND_BY_LABEL[st.radio("What are you importing?", [k.label for k in KINDS], horizontal=True, key="import-kind")]
st.caption(kind.help)
if kind in KINDS[:2] and council is not None:
    whose = plain(cached.strategy(cached.version(), council).council)
    st.info(
        f"Into **{whose}**'s programme, the council chosen in the sidebar. A row naming another council's district "
        "or reference, or another council in a Council column, is refused."
        if kind is KINDS[0]
        else f"As **{whose}**'s return, the council chosen in the sidebar: its objectives and forecast.",
        icon=":material/account_balance:",
    )
if kind is KINDS[0]:
    st.download_button(
        "Download the template (.xlsx)",
        data=template_workbook,
        file_name="import-template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/download:",
    )

replace = kind.replace_label is not None and st.checkbox(
    kind.replace_label,
    key="import-replace",
    help="Only for a file that is right although it counts far fewer homes or places than the year held (under 90%): "
    "without the tick such a file is refused, as a file cut short would wipe out the year.",
)
uploaded = st.file_uploader(
    "Files to import" if kind.several else "File to import",
    type=list(kind.types),
    key=f"upload-{st.session_state.get(UPLOADS, 0)}",
    accept_multiple_files=kind.several,
)
uploads = [file for file in (uploaded if isinstance(uploaded, list) else [uploaded]) if file is not None]
if uploads:
    for upload in uploads:  # the limit every import has, before a file is read (the browser refuses larger already)
        try:
            check_size(upload.name, upload.size)
        except UnreadableFile as refused:
            st.error(
                f"**{plain(upload.name)} cannot be imported**: {plain(read_refusal(upload.name, refused))}. "
                "Nothing was written.",
                icon=":material/error:",
            )
            st.stop()
    files = [(upload.name, upload.getvalue()) for upload in uploads]
    named = plain(", ".join(name for name, _ in files))
    check = run_uploads(
        kind, cached.engine(), files, actor, dry_run=True, today=date.today(), replace=replace, council=council
    )
    if not check.ok:
        st.error(
            f"**{named} cannot be imported**: {len(check.problems)} problem(s) found. Nothing was written. Correct "
            "them in the file and upload it again.",
            icon=":material/error:",
        )
        st.dataframe(
            tables.import_problems_table(check.problems),
            hide_index=True,
            placeholder="",  # a problem with the whole file has no row
            row_height=56,  # a problem is a sentence or two: room for it to wrap
            column_config={"Problem": st.column_config.TextColumn(width="large")},
        )
    else:
        st.success(f"**{named} checks out.** {plain(check.summary().splitlines()[0])}", icon=":material/task_alt:")
        if isinstance(check, ImportReport):
            st.dataframe(tables.import_counts_table(check), hide_index=True)
            if check.changes:
                with st.expander(f"Rows that would change ({len(check.changes)})"):
                    st.text("\n".join(check.changes))
        digest = sha256(b"".join(sha256(data).digest() for _, data in files)).hexdigest()[:12]
        label = f"Import {files[0][0]}" if len(files) == 1 else f"Import these {len(files)} files"
        if st.button(label, type="primary", icon=":material/upload:", key=f"confirm-{digest}"):
            try:
                result = run_uploads(
                    kind,
                    cached.engine(),
                    files,
                    actor,
                    dry_run=False,
                    today=date.today(),
                    replace=replace,
                    council=council,
                )
            except AccessDenied as refusal:
                show_refusal(refusal)
            else:
                if result.ok:
                    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1
                    done(result.summary().splitlines()[0])
                st.error(
                    "The store changed while you were checking, and the file no longer imports. Nothing was written:",
                    icon=":material/error:",
                )
                st.dataframe(tables.import_problems_table(result.problems), hide_index=True, placeholder="")
