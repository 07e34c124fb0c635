from __future__ import annotations

import enum
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship

from opsplatform.auth.models import User
from opsplatform.core.db import Base, utcnow
from opsplatform.core.types import str_enum


class AuditAction(enum.StrEnum):
    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_OUT = "auth.sign_out"
    PASSWORD_CHANGED = "auth.password_changed"
    PROFILE_UPDATED = "auth.profile_updated"
    TOKEN_CREATED = "auth.token_created"
    TOKEN_REVOKED = "auth.token_revoked"
    USER_CREATED = "users.created"
    USER_UPDATED = "users.updated"
    USER_DEACTIVATED = "users.deactivated"
    USER_REACTIVATED = "users.reactivated"
    USER_PASSWORD_RESET = "users.password_reset"
    ORGANISATION_CREATED = "organisations.created"
    ORGANISATION_UPDATED = "organisations.updated"
    OPERATION_CREATED = "operations.created"
    OPERATION_UPDATED = "operations.updated"
    OPERATION_CLOSED = "operations.closed"
    OPERATION_REOPENED = "operations.reopened"
    PHASES_CHANGED = "operations.phases_changed"
    PERIODS_CHANGED = "operations.periods_changed"
    PARTICIPANT_INVITED = "participation.invited"
    PARTICIPATION_ACCEPTED = "participation.accepted"
    PARTICIPATION_DECLINED = "participation.declined"
    PARTICIPATION_WITHDRAWN = "participation.withdrawn"
    MEMBER_ADDED = "members.added"
    MEMBER_ROLE_CHANGED = "members.role_changed"
    MEMBER_REMOVED = "members.removed"
    RETURN_FILED = "returns.filed"
    RETURN_CORRECTED = "returns.corrected"
    PERIOD_LOCKED = "returns.period_locked"
    PERIOD_UNLOCKED = "returns.period_unlocked"
    REMINDER_SENT = "returns.reminder_sent"
    DOCUMENT_UPLOADED = "documents.uploaded"
    DOCUMENT_DOWNLOADED = "documents.downloaded"
    DOCUMENT_DELETED = "documents.deleted"
    DIRECTORY_EXPORTED = "directory.exported"
    # Never in an operation's activity feed: a message's existence is for its readers.
    MESSAGE_SENT = "messages.sent"
    MESSAGE_READ = "messages.read"
    MESSAGE_ACKNOWLEDGED = "messages.acknowledged"
    MESSAGE_REMINDED = "messages.reminded"
    MESSAGE_DELETED = "messages.deleted"
    ATTACHMENT_ADDED = "messages.attachment_added"
    ATTACHMENT_DOWNLOADED = "messages.attachment_downloaded"


class AuditEntry(Base):
    """One thing that happened: who, when, what, to which object, from where.

    Rows are only ever inserted, in the same transaction as the change they record.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
        Index("ix_audit_entries_action_subject_occurred_at", "action", "subject", "occurred_at"),
        Index("ix_audit_entries_operation_id_id", "operation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, length=64))
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[int | None]
    # What the entry is about when no object exists, e.g. the e-mail of a failed sign-in.
    subject: Mapped[str | None] = mapped_column(String(254))
    # The operation the entry belongs to, so members can see its latest activity.
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    def canonical_bytes(self) -> bytes:
        """The entry's content as bytes that depend only on its fields, never on the
        database or the Python process: what a hash chain over the trail would hash.

        The id and the IP address are left out: the id is the chain's position, and the
        address is where the request came from rather than what happened.
        """
        occurred_at = self.occurred_at
        if occurred_at is not None and occurred_at.tzinfo is None:
            # SQLite hands back naive datetimes; every stored time is UTC.
            occurred_at = occurred_at.replace(tzinfo=UTC)
        content = {
            "action": str(self.action),
            "actor_id": self.actor_id,
            "occurred_at": occurred_at.isoformat() if occurred_at is not None else None,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "subject": self.subject,
            "operation_id": self.operation_id,
            "details": self.details or {},
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry):
            raise RuntimeError("The audit trail is append-only.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    # session.execute(update(AuditEntry)...) and delete(...) never pass through a flush.
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEntry for mapper in state.all_mappers
    ):
        raise RuntimeError("The audit trail is append-only.")
