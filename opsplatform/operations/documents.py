"""Changes to an operation's documents: upload, download (audited), delete.

Callers have checked the user's permission; these functions validate, store the
file encrypted through ``core.files``, write the audit entry, and flush.
"""

from __future__ import annotations

from flask_babel import gettext as _

from opsplatform.audit.models import AuditAction
from opsplatform.audit.operations import record
from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError
from opsplatform.core.files import StoredFile, read_file, store_file

from .models import (
    MAX_DOCUMENT_DESCRIPTION_LENGTH,
    MAX_DOCUMENT_TITLE_LENGTH,
    DocumentCategory,
    Operation,
    OperationDocument,
)


def _validated_category(category: DocumentCategory | str | None) -> DocumentCategory:
    try:
        return DocumentCategory(category or "")
    except ValueError:
        raise DomainError(_("Choose what kind of document this is."),
                          code="invalid_category", field="category") from None


def _validated_text(title: str | None, description: str | None) -> tuple[str, str]:
    title = " ".join((title or "").split())
    description = (description or "").strip()
    if len(title) > MAX_DOCUMENT_TITLE_LENGTH:
        raise DomainError(_("The title is longer than %(n)d characters.",
                            n=MAX_DOCUMENT_TITLE_LENGTH), code="title_too_long", field="title")
    if len(description) > MAX_DOCUMENT_DESCRIPTION_LENGTH:
        raise DomainError(_("The description is longer than %(n)d characters.",
                            n=MAX_DOCUMENT_DESCRIPTION_LENGTH),
                          code="description_too_long", field="description")
    return title, description


def upload_document(operation: Operation, data: bytes, filename: str | None,
                    title: str | None, category: DocumentCategory | str | None,
                    description: str | None = "", *, actor: User) -> OperationDocument:
    """Check and store ``data`` encrypted as a document of ``operation``.

    The title defaults to the (cleaned) file name. A refused file raises
    DomainError naming the field at fault, before anything is added.
    """
    category = _validated_category(category)
    title, description = _validated_text(title, description)
    stored = store_file(data, filename, created_by_id=actor.id)
    document = OperationDocument(
        operation_id=operation.id, stored_file=stored, title=title or stored.filename,
        category=category, description=description, uploaded_by=actor,
    )
    db.session.add(document)
    db.session.flush()
    record(AuditAction.DOCUMENT_UPLOADED, target=document, actor=actor, operation=operation,
           subject=document.title,
           details={"filename": stored.filename, "content_type": stored.content_type,
                    "size_bytes": stored.size_bytes, "category": category.value})
    return document


def open_document(document: OperationDocument, *, actor: User) -> tuple[StoredFile, bytes]:
    """Decrypt a document for download; every download is written to the audit trail."""
    stored = document.stored_file
    data = read_file(stored)
    record(AuditAction.DOCUMENT_DOWNLOADED, target=document, actor=actor,
           operation=document.operation_id, subject=document.title,
           details={"filename": stored.filename, "size_bytes": stored.size_bytes})
    return stored, data


def delete_document(document: OperationDocument, *, actor: User) -> None:
    """Remove a document and its encrypted file; the audit entry keeps what it was."""
    stored = document.stored_file
    record(AuditAction.DOCUMENT_DELETED, target=document, actor=actor,
           operation=document.operation_id, subject=document.title,
           details={"filename": stored.filename, "content_type": stored.content_type,
                    "size_bytes": stored.size_bytes, "category": document.category.value})
    db.session.delete(document)
    db.session.flush()
    db.session.delete(stored)
    db.session.flush()
