"""Access: who may do what. Admins grant and remove roles; grants are kept in the store and audited. Below, who
signed in, who was refused and who signed out."""

import streamlit as st

from dashboard import access, tables
from dashboard.config import ungranted_policy
from dashboard.exporting import frame_to_csv
from dashboard.roles import AccessDenied, Role, UngrantedPolicy
from dashboard.sign_ins import sign_ins
from dashboard_ui import cached
from dashboard_ui.data_forms import done, show_done, show_refusal
from dashboard_ui.identity import current_actor, sign_in_configured
from dashboard_ui.widgets import days_between

actor = current_actor()
st.title("Access")
ungranted = "see the dashboard as viewers" if ungranted_policy() is UngrantedPolicy.VIEWER else "are refused"
st.caption(
    f"Roles of the accounts people sign in with. Signed-in accounts with no role granted {ungranted} "
    "(DASHBOARD_UNGRANTED). Every grant and removal is kept in the audit trail."
)
if not sign_in_configured():
    st.warning(
        "Sign-in is not set up, so these grants take effect only once it is (README: Sign-in and roles). "
        "Until then everyone acts as the local user.",
        icon=":material/lock_open:",
    )
show_done()

st.header("What each role may do")
st.dataframe(tables.roles_table(), hide_index=True)

st.header("Roles granted")
granted = access.grants(cached.engine())
if granted.empty:
    st.info("No roles granted yet.", icon=":material/info:")
else:
    st.dataframe(granted, hide_index=True)

roles = [role.label for role in Role]
with st.form("grant-role"):
    st.markdown("**Grant a role** (replaces any role the account has)")
    left, right = st.columns([3, 1])
    account = left.text_input("Account (e-mail address)", placeholder="name@council.gov.uk")
    role = right.selectbox("Role", roles, index=roles.index(Role.VIEWER.label))
    granted_now = st.form_submit_button("Grant", type="primary", icon=":material/person_add:")
if granted_now:
    try:
        done(access.grant_role(cached.engine(), actor, account, Role.parse(role)))
    except (AccessDenied, ValueError) as refusal:
        show_refusal(AccessDenied(str(refusal)))

if not granted.empty:
    with st.form("revoke"):
        st.markdown("**Remove a role**")
        account = st.selectbox("Account", granted["Account"].tolist(), index=None, placeholder="Choose an account")
        removed = st.form_submit_button("Remove role", icon=":material/person_remove:")
    if removed and account:
        try:
            done(access.revoke_role(cached.engine(), actor, account))
        except (AccessDenied, ValueError) as refusal:
            show_refusal(AccessDenied(str(refusal)))

st.header("Sign-ins")
st.caption(
    "Each sign-in, refusal (an account with no role, when such accounts are refused) and sign-out, including those "
    "ended by the session time limit (DASHBOARD_SESSION_MAX_HOURS). Only the account name is kept."
)
left, right = st.columns(2)
who = left.text_input("Who", placeholder="Every account", key="sign-in-account").strip()
start, end = days_between(right, "sign-in-period", 30, "Both days included (UTC).")
if start and end:
    events = sign_ins(cached.engine(), actor, start, end, who or None)
    if events.empty:
        none = "No sign-in matches these filters." if sign_in_configured() else "Sign-in is not set up: none is kept."
        st.info(none, icon=":material/info:")
    else:
        st.dataframe(
            events,
            hide_index=True,
            column_config={"When (UTC)": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm:ss")},
        )
        st.download_button(
            f"Download these {len(events):,} sign-ins (CSV)",
            data=lambda: frame_to_csv(events),
            file_name=f"sign-ins_{end:%Y-%m-%d}.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
            key="sign-ins-download",
        )
