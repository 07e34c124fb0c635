"""Writing the audit trail. Every domain change calls ``record`` in its own transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request

from opsplatform.auth.models import User
from opsplatform.core.db import Base, db, utcnow

from .models import AuditAction, AuditEntry

if TYPE_CHECKING:
    from opsplatform.operations.models import Operation


def record(
    action: AuditAction,
    *,
    actor: User | None,
    target: Base | None = None,
    operation: Operation | int | None = None,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry for ``action`` on ``target`` to the current transaction.

    ``actor`` is always given: the account that acted, or None for the system (the
    command line, the demo loader) and for a sign-in that found no account to blame.
    ``operation`` (or its id) is the operation the entry belongs to. Every entry is
    inserted here, so a hash chain over ``AuditEntry.canonical_bytes`` can be added in
    this one place.
    """
    if target is not None and getattr(target, "id", None) is None:
        db.session.flush()
    entry = AuditEntry(
        occurred_at=utcnow(),
        action=AuditAction(action),
        actor=actor,
        object_type=target.__tablename__ if target is not None else None,
        object_id=target.id if target is not None else None,  # type: ignore[attr-defined]
        subject=subject,
        operation_id=_operation_id(operation),
        ip_address=request.remote_addr if has_request_context() else None,
        details=details or {},
    )
    db.session.add(entry)
    return entry


def _operation_id(operation: Operation | int | None) -> int | None:
    if operation is None or isinstance(operation, int):
        return operation
    if operation.id is None:
        db.session.flush()
    return operation.id


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
