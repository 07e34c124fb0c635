"""Writing the audit trail. Every domain change calls ``record`` in its own transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from opsplatform.auth.models import User
from opsplatform.core.db import Base, db

from .models import AuditAction, AuditEntry


def _current_actor() -> User | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def record(
    action: AuditAction,
    target: Base | None = None,
    *,
    actor: User | None = None,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
    **extra: Any,
) -> AuditEntry:
    """Add an audit entry for ``action`` on ``target`` to the current transaction."""
    actor = actor or _current_actor()
    if target is not None and getattr(target, "id", None) is None:
        db.session.flush()
    entry = AuditEntry(
        action=str(action),
        actor=actor,
        object_type=target.__tablename__ if target is not None else None,
        object_id=target.id if target is not None else None,
        subject=subject,
        ip_address=request.remote_addr if has_request_context() else None,
        details=details or {},
        **extra,
    )
    db.session.add(entry)
    return entry


def _auditable(value: Any) -> Any:
    """A JSON-friendly picture of a field value for the audit trail."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Base):
        return getattr(value, "code", None) or getattr(value, "id", None)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_auditable(item) for item in value]
    return str(value)


def apply_changes(target: Base, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set ``values`` on ``target``; return what changed as ``{field: [old, new]}``."""
    changes = {}
    for name, new in values.items():
        old = getattr(target, name)
        if old != new:
            changes[name] = [_auditable(old), _auditable(new)]
            setattr(target, name, new)
    return changes
