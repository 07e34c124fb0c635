"""Every API request is authenticated by its bearer token, unless the view is @public."""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from opsplatform.core.access import is_public
from opsplatform.core.extensions import csrf

from . import bp
from .errors import api_abort

# Bearer tokens are not sent by browsers on their own, so CSRF cannot ride on them.
csrf.exempt(bp)

_PROBLEMS = {
    "missing_token": "Send an API token in the header 'Authorization: Bearer <token>'.",
    "malformed_token": "The Authorization header is not 'Bearer <token>' with a valid token.",
    "invalid_token": "The API token is not known.",
    "token_expired": "The API token has expired; create a new one on your profile page.",
    "token_revoked": "The API token has been revoked.",
    "account_inactive": "The account that owns this API token is deactivated.",
}


@bp.before_request
def _require_token():
    if request.endpoint and is_public(current_app.view_functions.get(request.endpoint)):
        return
    if not current_user.is_authenticated:
        problem = g.get("api_auth_problem") or "missing_token"
        api_abort(401, problem, _PROBLEMS[problem])
