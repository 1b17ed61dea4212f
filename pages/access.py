"""Access: who may do what. Admins grant and remove roles; grants are kept in the store and audited. Below, who
signed in, who was refused and who signed out."""

import streamlit as st

from dashboard import access, tables
from dashboard.config import ungranted_policy
from dashboard.exporting import frame_to_csv
from dashboard.roles import REGIONAL_VIEWER, AccessDenied, Permission, Role, UngrantedPolicy
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
councils = cached.councils(cached.version())
several = len(councils) > 1
if several:
    st.caption(
        f"This store holds {len(councils)} councils. A role is held in one council, for its programme alone, or in "
        f"every council. The {REGIONAL_VIEWER} role reads every council's programme-level figures side by side "
        "(the Region page) and no council's properties."
    )

st.header("Roles granted")
granted = access.grants(cached.engine(), actor)
if granted.empty:
    st.info("No roles granted yet.", icon=":material/info:")
else:
    st.dataframe(granted.drop(columns="Council code") if several else granted[["Account", "Role"]], hide_index=True)

# Where the store holds several councils, a role is granted in one of them (those the admin is admin of), or by an
# admin of every council in every council; the regional viewer role is held in none.
grantable = [code for code in councils if actor.can(Permission.GRANT, code)]
places: list[str | None] = ([None] if actor.can(Permission.GRANT) else []) + grantable
roles = [role.label for role in Role] + ([REGIONAL_VIEWER] if several and actor.can(Permission.GRANT) else [])
with st.form("grant-role"):
    st.markdown("**Grant a role** (replaces any role the account has there)")
    columns = st.columns([3, 2, 1] if several else [3, 1])
    account = columns[0].text_input("Account (e-mail address)", placeholder="name@council.gov.uk")
    council = (
        columns[1].selectbox(
            "Council",
            places,
            format_func=lambda code: access.EVERY_COUNCIL if code is None else councils[code],
            help=f"The council whose data the role is for. The {REGIONAL_VIEWER} role is held in every council: "
            "it reads each council's programme-level figures (the Region page) and none of its properties.",
        )
        if several
        else None
    )
    role = columns[-1].selectbox("Role", roles, index=roles.index(Role.VIEWER.label))
    granted_now = st.form_submit_button("Grant", type="primary", icon=":material/person_add:")
if granted_now:
    try:
        chosen = None if role == REGIONAL_VIEWER else council
        done(access.grant_role(cached.engine(), actor, account, access.parse_grantable(role), chosen))
    except (AccessDenied, ValueError) as refusal:
        show_refusal(AccessDenied(str(refusal)))

if not granted.empty:
    held = list(granted[["Account", "Council code"]].itertuples(index=False, name=None))
    described = dict(zip(held, granted["Council"] + ": " + granted["Role"], strict=True))
    with st.form("revoke"):
        st.markdown("**Remove a role**")
        grant = st.selectbox(
            "Grant",
            held,
            format_func=lambda key: f"{key[0]} ({described[key]})" if several else key[0],
            index=None,
            placeholder="Choose a grant",
        )
        removed = st.form_submit_button("Remove role", icon=":material/person_remove:")
    if removed and grant:
        try:
            done(access.revoke_role(cached.engine(), actor, grant[0], grant[1]))
        except (AccessDenied, ValueError) as refusal:
            show_refusal(AccessDenied(str(refusal)))

if actor.can(Permission.GRANT):  # sign-ins are of every council's staff
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
            none = (
                "No sign-in matches these filters." if sign_in_configured() else "Sign-in is not set up: none is kept."
            )
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
