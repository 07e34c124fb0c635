"""What happens around every request: sign-in requirement, one transaction, headers."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

from .access import is_public
from .db import db
from .extensions import login_manager

# Everything the pages need is served by the platform itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _require_sign_in():
    """Deny by default: only views marked @public are open to anonymous visitors."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    if request.blueprint == "api":
        return None  # the API authenticates each request by its bearer token
    if is_public(current_app.view_functions.get(request.endpoint)):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _finish_transaction(response: Response) -> Response:
    """Commit the request's single transaction if it succeeded, else undo it all."""
    if db.has_session():
        if response.status_code < 400 or g.get("keep_changes_despite_error"):
            db.session.commit()
        else:
            db.session.rollback()
    return response


def fixed_security_headers(config) -> list[tuple[str, str]]:
    """The headers every response carries whoever asks (the refusal cache sends them too)."""
    headers = [("Content-Security-Policy", CONTENT_SECURITY_POLICY),
               ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
               ("Referrer-Policy", "same-origin")]
    if config["SESSION_COOKIE_SECURE"]:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def security_headers(response: Response) -> Response:
    for name, value in fixed_security_headers(current_app.config):
        response.headers.setdefault(name, value)
    user = g.get("_login_user")  # only set when this request looked at the user
    # Operational pages must not linger in shared caches or the back button. (Asking the
    # user may query the database: not for a response that already says.)
    if "Cache-Control" not in response.headers and user is not None and user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    from opsplatform.auth import sessions

    sessions.init_app(app)
    app.before_request(_require_sign_in)
    app.after_request(_finish_transaction)
    app.after_request(security_headers)


def keep_changes_despite_error() -> None:
    """Commit this request's changes even though it answers with an error status.

    For the rare change that must outlive a refusal, such as the audit entry of
    a failed sign-in.
    """
    g.keep_changes_despite_error = True
