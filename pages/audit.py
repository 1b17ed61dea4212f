"""The audit trail: every change to the store, who made it, when and through what, filterable and exportable."""

from datetime import date

import streamlit as st

from dashboard import tables
from dashboard.audit import AuditQuery
from dashboard.exporting import audit_file
from dashboard_ui import cached
from dashboard_ui.identity import current_actor
from dashboard_ui.widgets import audit_dataframe, days_between, paginate_rows

PER_PAGE = 100

actor = current_actor()
version = cached.version()
st.title("Audit trail")
st.caption(
    "Every change to the store, whatever made it (the app, an import, the command line): who, when (UTC), "
    "through what, and the values before and after."
)

left, middle, right = st.columns(3)
users = left.multiselect("Who", cached.audit_users(actor, version), placeholder="Everyone", key="audit-users")
reference = middle.text_input(
    "Property or other reference",
    placeholder="e.g. RS-P2-04",
    key="audit-ref",
    help="A property's reference shows its milestones' changes too.",
).strip()
start, end = days_between(right, "audit-period", 90, "Both days included.")
query = AuditQuery.on_days(start, end, users=tuple(users), reference=reference or None)

total = cached.audit_count(actor, query, version)
offset = paginate_rows(total, PER_PAGE, "changes")
rows = cached.audit_log(actor, query, PER_PAGE, offset, version)
if total == 0:
    st.info("No change matches these filters.", icon=":material/info:")
else:
    audit_dataframe(tables.audit_table(rows))
    st.download_button(
        f"Download these {total:,} changes (CSV)",
        data=lambda: audit_file(cached.engine(), query, actor),
        file_name=f"audit-trail_{date.today():%Y-%m-%d}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="audit-download",
    )
