"""Errors: the domain's own exceptions and the pages/JSON bodies users see.

Domain functions raise ``DomainError`` (or a subclass) with a stable code and a
message for people; views turn it into a form error, the API into a JSON body.
No error ever shows a stack trace.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


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


def _friendly_message(error: HTTPException) -> str:
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
    message = _friendly_message(error)
    if wants_json():
        code = "csrf_failed" if isinstance(error, CSRFError) else ERROR_CODES.get(status, "error")
        # API views raise with a description meant for the caller; keep it.
        if not isinstance(error, CSRFError) and getattr(error, "api_message", None):
            message = error.api_message
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
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected_error)
