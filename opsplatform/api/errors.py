"""The API's error bodies: ``{"error": {"code": ..., "message": ...}}``, never HTML."""

from __future__ import annotations

from typing import NoReturn

from marshmallow import ValidationError
from werkzeug.exceptions import default_exceptions

from opsplatform.core.errors import json_error

from . import bp


def api_abort(status: int, code: str, message: str) -> NoReturn:
    """Stop the request with a JSON error the caller can act on (see core/errors.py)."""
    error = default_exceptions[status](description=message)
    error.api_code = code  # type: ignore[attr-defined]
    error.api_message = message  # type: ignore[attr-defined]
    raise error


@bp.errorhandler(ValidationError)
def _validation_error(error: ValidationError):
    return json_error(422, "validation_failed", "The request body has invalid fields.",
                      fields=error.messages)
