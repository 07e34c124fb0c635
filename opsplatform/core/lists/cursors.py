"""Cursors: the keys of a page's last row and a digest of its filters, signed.

Signed with the app's secret key (``SECRET_KEY_FALLBACKS`` still verify) under a salt
naming the list and its order, so a cursor altered, of another list or order, or for
other filters is refused (``InvalidCursor``), never run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer

from ..errors import DomainError

# Enough for the longest key a list orders by (an e-mail address), encoded and signed.
MAX_CURSOR_LENGTH = 1000
CURSOR_PATTERN = r"^[A-Za-z0-9_.-]*$"
_LARGEST_INTEGER = 2**63 - 1  # what any database column takes; larger is not a key of ours


class InvalidCursor(DomainError):
    """A cursor this list did not give out for these filters."""

    def __init__(self, message: str):
        super().__init__(message, code="invalid_cursor", field="cursor")


def serializer(salt: str) -> URLSafeSerializer:
    config = current_app.config
    # The newest key signs; older ones (Flask's SECRET_KEY_FALLBACKS) still verify.
    secrets = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]
    return URLSafeSerializer(secrets, salt=salt)


def write(salt: str, position: Sequence, filters: Mapping[str, Any]) -> str:
    values = [encode_value(value) for value in position]
    return serializer(salt).dumps([values, filters_digest(filters)])


def read(salt: str, cursor: str, filters: Mapping[str, Any], keys: Sequence) -> tuple:
    """The position ``cursor`` names for the list ordered by ``keys`` (``SortKey``s)."""
    try:
        payload = serializer(salt).loads(cursor)
    except (BadData, UnicodeError, ValueError) as error:
        raise InvalidCursor(_("This cursor was not given out by this list, or it was "
                              "altered.")) from error
    if (not isinstance(payload, list) or len(payload) != 2
            or not isinstance(payload[0], list) or len(payload[0]) != len(keys)):
        raise InvalidCursor(_("This cursor does not fit this list."))
    values, digest = payload
    if digest != filters_digest(filters):
        raise InvalidCursor(_("This cursor belongs to other filters."))
    try:
        return tuple(_decode(value, key) for value, key in zip(values, keys, strict=True))
    except (TypeError, ValueError) as error:
        raise InvalidCursor(_("This cursor does not fit this list.")) from error


def filters_digest(filters: Mapping[str, Any]) -> str:
    """A short digest of a list's filters, so that a cursor stays with the filters it served."""
    canonical = json.dumps({name: encode_value(value) for name, value in filters.items()},
                           sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()


def encode_value(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(value, key):
    if value is None:
        if not key.nullable:
            raise ValueError("a NULL for a key that is never NULL")
        return None
    kind = key.python_type
    if kind is datetime:
        decoded = datetime.fromisoformat(value)
        if decoded.tzinfo is None:
            raise ValueError("a naive timestamp")
        return decoded
    if kind is date:
        return date.fromisoformat(value)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)
                        or abs(value) > _LARGEST_INTEGER):
        raise ValueError("not an integer key")
    if kind is str and not isinstance(value, str):
        raise ValueError("not a text key")
    if not isinstance(value, str | int | float | bool):
        raise ValueError("not a key")
    return value
