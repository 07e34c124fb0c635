"""Access rules shared by every view: deny by default, opt out explicitly.

Every endpoint needs a signed-in, active user unless its view is marked
``@public``. Stricter rules (platform admin, per-operation permissions) are
decorators here or checks in the models, never ad-hoc code in a handler.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import abort
from flask_login import current_user
from werkzeug.exceptions import Forbidden

F = TypeVar("F", bound=Callable)


def public(view: F) -> F:
    """Let anonymous visitors reach ``view`` (sign-in page, static files, health check)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def is_public(view: Callable | None) -> bool:
    return bool(getattr(view, "is_public", False))


def forbid(message: str | None = None) -> NoReturn:
    """Refuse with 403. ``message`` says why to API callers (pages show their own words)."""
    error = Forbidden()
    if message is not None:
        error.api_message = message  # type: ignore[attr-defined]
    raise error


def _requiring(allowed: Callable[[Any], bool], view: F) -> F:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated or not allowed(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def platform_admin_required(view: F) -> F:
    """For managing organisations and accounts."""
    return _requiring(lambda user: user.is_platform_admin, view)


def secretariat_required(view: F) -> F:
    """For what only the WCO Secretariat does outside any one operation (creating one)."""
    return _requiring(lambda user: user.is_secretariat, view)
