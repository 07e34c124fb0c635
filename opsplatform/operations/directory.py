"""The contact-point directory leaving the platform: every export is audited here, whether
it is a page download (CSV, vCard) or an API read.

Callers have checked ``Permission.CONTACTS_READ``; this module writes the audit entry.
"""

from __future__ import annotations

from opsplatform.audit.models import AuditAction
from opsplatform.audit.operations import record
from opsplatform.auth.models import User

from .models import Operation

EXPORT_FORMATS = frozenset({"csv", "vcf", "api"})


def record_directory_export(operation: Operation, *, actor: User, format: str) -> None:
    """Audit that ``actor`` took the directory of ``operation`` away in ``format``."""
    if format not in EXPORT_FORMATS:
        raise ValueError(f"Unknown directory export format: {format!r}")
    record(AuditAction.DIRECTORY_EXPORTED, actor=actor, target=operation, operation=operation,
           subject=operation.code, details={"format": format})
