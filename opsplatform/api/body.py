"""Reading JSON request bodies: wrong type, broken JSON and bad fields each say so."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema

from .errors import api_abort


def load_json(schema: Schema) -> Any:
    """Parse the request body as JSON and validate it with ``schema``."""
    if not request.is_json:
        api_abort(415, "unsupported_media_type",
                  "Send the request body as JSON with 'Content-Type: application/json'.")
    body = request.get_json(silent=True)
    if body is None:
        api_abort(400, "malformed_json", "The request body is not valid JSON.")
    if not isinstance(body, dict):
        api_abort(422, "validation_failed", "The request body must be a JSON object.")
    return schema.load(body)  # a ValidationError becomes a 422 in api/errors.py
