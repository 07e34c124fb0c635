"""How a request becomes a user: the session cookie for pages, a bearer token for the API."""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from opsplatform.core.db import db
from opsplatform.core.extensions import login_manager

from . import tokens
from .models import User

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


@login_manager.user_loader
def load_user_from_session(user_key: str) -> User | None:
    if request.blueprint == "api":
        return None  # the API never trusts the cookie: it is not CSRF-protected
    user_id, _, nonce = user_key.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_nonce != nonce:
        return None
    return user


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    if req.blueprint != "api":
        return None
    result = tokens.authenticate(req.headers.get("Authorization"))
    g.api_auth_problem = result.problem
    g.api_token = result.token
    return result.token.user if result.token else None


def start_session() -> None:
    """Mark the start of a signed-in session (called right after login_user)."""
    now = int(time.time())
    session.permanent = True
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


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
        logout_user()
        session.clear()
        flash(_l("Your session has expired. Please sign in again."), "info")
        return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))
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
