"""How a request becomes a user: the session cookie for pages, a bearer token for the API."""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, select

from opsplatform.core.db import db, is_valid_id
from opsplatform.core.extensions import login_manager

from . import operations, tokens
from .models import SessionEndReason, User, UserSession, hash_session_key

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# The key of this browser's row in user_sessions; without a live row the cookie opens nothing.
SESSION_KEY = "session_key"


# Built once: every signed-in request runs it (its compiled SQL is cached by SQLAlchemy).
_USER_OF_LIVE_SESSION = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), User.is_active.is_(True),
           UserSession.key_hash == bindparam("key_hash"), UserSession.ended_at.is_(None))
)


@login_manager.user_loader
def load_user_from_session(user_key: str) -> User | None:
    if request.blueprint == "api":
        return None  # the API never trusts the cookie: it is not CSRF-protected
    key = session.get(SESSION_KEY)
    if not user_key.isdigit() or not is_valid_id(int(user_key)) or not isinstance(key, str):
        return None
    return db.session.scalar(_USER_OF_LIVE_SESSION, {"user_id": int(user_key),
                                                     "key_hash": hash_session_key(key)})


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    if req.blueprint != "api":
        return None
    result = tokens.authenticate(req.headers.get("Authorization"))
    g.api_auth_problem = result.problem
    g.api_token = result.token
    return result.token.user if result.token else None


def start_session(user: User) -> None:
    """Sign ``user`` in to this browser with a fresh session (a new cookie and a new row)."""
    session.clear()
    key = operations.open_session(user, ip_address=request.remote_addr,
                                  user_agent=request.user_agent.string)
    login_user(user)
    now = int(time.time())
    session.permanent = True
    session[SESSION_KEY] = key
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def end_session(reason: SessionEndReason) -> None:
    """Sign this browser out and make every copy of its session cookie worthless."""
    key = session.get(SESSION_KEY)
    if isinstance(key, str) and current_user.is_authenticated:
        operations.close_session(current_user._get_current_object(), key, reason)
    logout_user()
    session.clear()


def _expire_old_sessions():
    """Sign out sessions idle too long or older than the absolute lifetime."""
    if request.blueprint == "api" or request.endpoint in (None, "static"):
        return None
    if SIGNED_IN_AT not in session or not current_user.is_authenticated:
        return None
    now = int(time.time())
    config = current_app.config
    too_old = now - session[SIGNED_IN_AT] > config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    idle = now - session.get(SEEN_AT, 0) > config["SESSION_IDLE_TIMEOUT"].total_seconds()
    if too_old or idle:
        end_session(SessionEndReason.EXPIRED)
        flash(_l("Your session has expired. Please sign in again."), "info")
        back = request.full_path if request.method == "GET" else None
        return redirect(url_for("auth.sign_in", next=back))
    # Written at most once a minute, so most responses do not re-send the cookie.
    if now - session.get(SEEN_AT, 0) >= 60:
        session[SEEN_AT] = now
    return None


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_expire_old_sessions)
