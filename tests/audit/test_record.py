"""Writing the audit trail: who acted is always said, and each entry has canonical content."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.audit.operations import record
from opsplatform.operations.models import Operation
from opsplatform.organisations.operations import find_by_code


def test_record_refuses_to_guess_the_actor(in_app):
    with in_app(), pytest.raises(TypeError, match="actor"):
        record(AuditAction.ORGANISATION_UPDATED, target=find_by_code("KR"))


def test_record_fills_the_operation_from_the_object_or_its_id(in_app):
    with in_app() as session:
        operation = session.scalars(select(Operation).order_by(Operation.id)).first()
        by_object = record(AuditAction.OPERATION_UPDATED, actor=None, target=operation,
                           operation=operation)
        by_id = record(AuditAction.OPERATION_UPDATED, actor=None, operation=operation.id)
        session.flush()
        assert by_object.operation_id == by_id.operation_id == operation.id
        assert by_object.action is AuditAction.OPERATION_UPDATED


def test_the_action_is_read_back_as_the_enum(in_app):
    with in_app() as session:
        entry = record(AuditAction.ORGANISATION_UPDATED, actor=None, target=find_by_code("KR"))
        session.flush()
        entry_id = entry.id
    with in_app() as session:
        session.expire_all()
        assert session.get(AuditEntry, entry_id).action is AuditAction.ORGANISATION_UPDATED


def _entry(**overrides) -> AuditEntry:
    fields = {"action": AuditAction.DOCUMENT_DOWNLOADED, "actor_id": 7,
              "occurred_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
              "object_type": "documents", "object_id": 12, "subject": "Briefing pack",
              "operation_id": 3, "ip_address": "192.0.2.1",
              "details": {"size": 1024, "filename": "briefing.pdf"}}
    return AuditEntry(**{**fields, **overrides})


def test_equal_entries_have_the_same_canonical_bytes():
    first = _entry()
    # The order of the details' keys and the request's address are not content.
    second = _entry(details={"filename": "briefing.pdf", "size": 1024}, ip_address=None)
    assert first.canonical_bytes() == second.canonical_bytes()
    assert b'"action":"documents.downloaded"' in first.canonical_bytes()


@pytest.mark.parametrize("change", [
    {"details": {"size": 1025, "filename": "briefing.pdf"}},
    {"actor_id": 8},
    {"action": AuditAction.DOCUMENT_DELETED},
    {"occurred_at": datetime(2026, 3, 1, 9, 31, tzinfo=UTC)},
    {"operation_id": None},
])
def test_any_change_of_content_changes_the_canonical_bytes(change):
    assert _entry(**change).canonical_bytes() != _entry().canonical_bytes()
