"""Errors: the domain's own exceptions and the pages/JSON bodies users see.

Domain functions raise ``DomainError`` (or a subclass) with a stable code and a
message for people; views turn it into a form error, the API into a JSON body.
No error ever shows a stack trace.
"""

from __future__ import annotations

import json

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from .db import db
from .requests import security_headers


class DomainError(Exception):
    """A request the rules refuse; ``field`` names the input at fault, when there is one."""

    status = 422

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class ConflictError(DomainError):
    """The request clashes with what already exists (a duplicate, a state that moved on)."""

    status = 409


class BadInputError(DomainError):
    """Input no rule could accept, refused before any view reads it (core/input_guard.py)."""

    status = 400


ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "internal_error",
}


def wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, **extra):
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


def friendly_message(error: HTTPException) -> str:
    if isinstance(error, CSRFError):
        return _(
            "This form was sent without a valid security token (it may have expired). "
            "Go back, reload the page and try again."
        )
    messages = {
        400: _("The request could not be understood."),
        401: _("You need to sign in first."),
        403: _("You do not have permission to do this."),
        404: _("There is nothing here. It may have moved, or you may not have access to it."),
        405: _("This address does not accept that kind of request."),
        413: _("The upload is larger than the platform accepts."),
        429: _("Too many requests. Wait a moment, then try again."),
        500: _("Something went wrong on our side. It has been logged; please try again later."),
    }
    return messages.get(error.code or 500, error.description or "")


def handle_http_error(error: HTTPException):
    status = error.code or 500
    message = friendly_message(error)
    if wants_json():
        code = "csrf_failed" if isinstance(error, CSRFError) else ERROR_CODES.get(status, "error")
        # API views raise with a description meant for the caller; keep it.
        if not isinstance(error, CSRFError) and getattr(error, "api_message", None):
            message = error.api_message  # type: ignore[attr-defined]
        return json_error(status, getattr(error, "api_code", None) or code, message)
    template = "errors/error.html"
    return render_template(template, status=status, message=message), status


def handle_domain_error(error: DomainError):
    """A rule refused a request that had no form to show the error on (a button, the API)."""
    if wants_json():
        extra = {"field": error.field} if error.field else {}
        return json_error(error.status, error.code, error.message, **extra)
    return render_template("errors/error.html", status=error.status,
                           message=error.message), error.status


def handle_unexpected_error(error: Exception):
    # The traceback goes to the log; the user gets a plain apology.
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return handle_server_error(InternalServerError())


def handle_server_error(error: InternalServerError):
    """The platform's own 500 page, even when the session or the templates are broken."""
    # A failed flush leaves the session refusing every query ("pending rollback"), and the
    # page needs it (the signed-in user, the navigation): undo the request's work first.
    if db.has_session():
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the page below must still go out
            current_app.logger.exception("Rolling back after an error failed")
    try:
        return handle_http_error(error)
    except Exception:  # noqa: BLE001
        current_app.logger.exception("The error page failed on %s %s", request.method,
                                     request.path)
        return _static_server_error()


def _static_server_error() -> Response:
    """A 500 built from nothing that can fail: no template, no database."""
    message = _("Something went wrong on our side. It has been logged; please try again later.")
    if wants_json():
        body = json.dumps({"error": {"code": ERROR_CODES[500], "message": message}})
        response = Response(body, 500, mimetype="application/json")
    else:
        title = escape(_("Something went wrong"))
        response = Response(
            f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>{escape(message)}</p></body></html>",
            500, mimetype="text/html")
    # On a request this broken the after-request functions may fail too, and Flask then
    # sends the response without them: set the headers here (no-store first, so that they
    # need not ask the database whether someone is signed in).
    response.headers["Cache-Control"] = "no-store"
    return security_headers(response)


def init_app(app: Flask) -> None:
    app.register_error_handler(InternalServerError, handle_server_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected_error)
