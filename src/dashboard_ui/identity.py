"""Who is using the app. With `[auth]` in .streamlit/secrets.toml, people sign in through Streamlit's OpenID Connect
(e.g. Microsoft Entra ID) and their role comes from the grants in the store; without it, the app runs in local mode
as one user whose name and role come from DASHBOARD_LOCAL_USER and DASHBOARD_LOCAL_ROLE."""

from __future__ import annotations

import time

import streamlit as st

from dashboard import access
from dashboard.config import SettingError, local_role, local_user, role_groups, session_max_hours, ungranted_policy
from dashboard.roles import Actor, Permission, Role
from dashboard.sign_ins import SignInOutcome, record_sign_in
from dashboard_ui import cached
from dashboard_ui.filters import current_council
from dashboard_ui.first_request import run_through_app
from dashboard_ui.style import SCREEN_ONLY_KEY
from dashboard_ui.text import plain

ACTOR_KEY = "actor"
RECORDED_KEY = "sign-in-recorded"


def sign_in_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def _provider() -> str | None:
    """The named provider in [auth.<name>] (e.g. "microsoft"), or None when [auth] holds the provider itself."""
    named = [name for name, value in st.secrets["auth"].items() if hasattr(value, "items")]
    return named[0] if named else None


def _sign_in_page() -> None:
    st.title("Residential strategy dashboard")
    st.write("Sign in with your council account to see the programme.")
    provider = _provider()
    st.button(
        "Sign in",
        on_click=lambda: st.login(provider) if provider else st.login(),
        type="primary",
        icon=":material/login:",
        key="sign-in",
    )


def _record_once(account: str, outcome: SignInOutcome, role: Role | None = None) -> None:
    """Record what happened to this session's sign-in, once: the script runs again on every click."""
    if st.session_state.get(RECORDED_KEY) != (account, outcome):
        st.session_state[RECORDED_KEY] = (account, outcome)
        record_sign_in(cached.engine(), account, outcome, role)


def _sign_out(account: str, role: Role | None) -> None:
    _record_once(account, SignInOutcome.SIGNED_OUT, role)
    st.logout()


def _sign_out_button(account: str, role: Role | None) -> None:
    st.button("Sign out", on_click=_sign_out, args=(account, role), icon=":material/logout:", key="sign-out")


def _no_access_page() -> None:
    account = str(st.user.get("email") or "")
    st.title("No access yet")
    st.write(
        f"You are signed in as **{account or 'an account with no e-mail address'}**, which has no role on this "
        "dashboard. Ask one of its administrators to grant you one."
    )
    _sign_out_button(account, None)


def _not_set_up_page() -> None:
    st.title("Residential strategy dashboard")


def _gate(page) -> None:
    """Show only `page`: the sidebar lists no pages to someone who may see none."""
    st.navigation([st.Page(page, title="Sign in", url_path="sign-in")], position="hidden").run()


def sign_in(configured: bool) -> Actor | None:
    """The actor for this session (`configured`: sign-in is set up); or None, having shown a sign-in, no-access or
    set-up page instead."""
    try:
        if not configured:
            return Actor(user=local_user(), source="app", role=local_role())
        if not st.user.get("is_logged_in", False):
            _gate(_sign_in_page)
            return None
        account = str(st.user.get("email") or "")
        if access.signed_in_too_long(st.user.get("iat"), session_max_hours(), time.time()):
            _record_once(account, SignInOutcome.TIMED_OUT)
            st.logout()  # Streamlit's cookie would last 30 days: the council's limit ends the sign-in sooner
            return None
        groups = access.group_roles(st.user.get("groups"), role_groups())
        actor = access.signed_in_actor(cached.engine(), account, ungranted_policy(), groups) if account else None
    except SettingError as error:
        _gate(_not_set_up_page)
        st.error(f"The app is not set up correctly: {error}. Tell the dashboard's administrator.")
        return None
    if actor is None:
        _record_once(account, SignInOutcome.REFUSED)
        _gate(_no_access_page)
    else:
        _record_once(account, SignInOutcome.SIGNED_IN, actor.role)
    return actor


def identity_panel(actor: Actor, configured: bool) -> None:
    """Who the app thinks you are, in the sidebar; in local mode (sign-in not `configured`), a banner on every page
    saying so."""
    with st.sidebar:
        if configured:
            roles = actor.roles_in_words(cached.councils(cached.version()))
            st.caption(f"Signed in as **{plain(actor.user)}** ({roles}).")
            _sign_out_button(actor.user, actor.role)
        else:
            st.caption(f"Local mode: **{plain(actor.user)}** ({actor.role.label}).")
    if not configured:
        st.container(key=f"{SCREEN_ONLY_KEY}-local-mode").info(
            f"**Local mode**: no sign-in, so everyone who opens this app works as one local user, "
            f"**{plain(actor.user)}** ({actor.role.label} role), and changes are saved under that name. Set up "
            "sign-in before sharing it: see the README.",
            icon=":material/lock_open:",
        )


def current_actor() -> Actor:
    """The actor the shell signed in for this run."""
    if ACTOR_KEY not in st.session_state:
        run_through_app()
    return st.session_state[ACTOR_KEY]


def can(permission: Permission) -> bool:
    """Whether the actor may do it in the council the pages show."""
    return current_actor().can(permission, current_council())
