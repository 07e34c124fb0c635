"""Limits on text that every skin shares: the forms, the API schemas and the domain."""

from __future__ import annotations

from flask_babel import gettext as _

from .errors import DomainError

# RFC 5321 caps a path at 256 octets, brackets included: an address has at most 254.
MAX_EMAIL_LENGTH = 254


def check_length(value: str, limit: int, field: str) -> str:
    """``value`` if it has at most ``limit`` characters; else a DomainError naming ``field``.

    The forms and the API refuse longer input first, with the same limit; this holds
    it for every other caller (the CLI, the demo, a later skin).
    """
    if len(value) > limit:
        raise DomainError(_("The field “%(field)s” takes at most %(n)d characters.",
                            field=field, n=limit), code="too_long", field=field)
    return value
