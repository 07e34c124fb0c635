"""Files attached to messages: added by the sender, stored encrypted, every download audited.

An attachment's bytes go through the core file store (``core/files.py``): typed by
content (PDF, images, office documents, and here also CSV and plain text), limited to
``ATTACHMENT_MAX_BYTES`` each, encrypted with the data keyring and bound to the file's
UUID. Who may see an attachment is who may see its message (``visibility.load_visible``).
The audit entries name the message, the type and the size, never the file name: a file
name can carry personal data, and the trail outlives a deleted message.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from opsplatform.audit.models import AuditAction
from opsplatform.audit.operations import record
from opsplatform.auth.models import User
from opsplatform.core.access import forbid
from opsplatform.core.db import db
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.core.files import StoredFile, megabytes, read_file, store_file
from opsplatform.core.permissions import Permission
from opsplatform.operations.access import OperationAccess
from opsplatform.operations.models import Operation

from .models import Message, MessageAttachment
from .visibility import load_visible

MAX_ATTACHMENTS_PER_MESSAGE = 20


def max_attachment_bytes() -> int:
    return current_app.config["ATTACHMENT_MAX_BYTES"]


def attachment_limit_text() -> str:
    """The limit per attached file in words, for hints and refusals: "25 MB"."""
    return _("%(limit)s MB", limit=megabytes(max_attachment_bytes()))


def add_attachment(message: Message, filename: str | None, data: bytes, *, actor: User,
                   access: OperationAccess) -> MessageAttachment:
    """Attach ``data`` to ``message``: only its sender, only while it is not deleted.

    The type is read from the content; a refused, empty or over-large file raises
    DomainError (field ``file``) before anything is stored.
    """
    access.require(Permission.MESSAGES_SEND)
    if message.sender_id != actor.id:
        forbid(_("Only the person who sent a message attaches files to it."))
    if message.is_deleted:
        raise ConflictError(_("That message was deleted: nothing can be attached to it."),
                            code="message_deleted")
    operation = db.session.get(Operation, message.operation_id)
    if operation is not None and operation.closed_at is not None:
        raise ConflictError(_("%(code)s is closed: nothing more can be attached in it.",
                              code=operation.code), code="operation_closed")
    if len(message.attachments) >= MAX_ATTACHMENTS_PER_MESSAGE:
        raise DomainError(_("A message carries at most %(n)d files.",
                            n=MAX_ATTACHMENTS_PER_MESSAGE),
                          code="too_many_attachments", field="file")
    stored = store_file(data, filename, created_by_id=actor.id, accept_text=True,
                        max_bytes=max_attachment_bytes())
    attachment = MessageAttachment(stored_file=stored)
    message.attachments.append(attachment)
    db.session.flush()
    record(AuditAction.ATTACHMENT_ADDED, actor=actor, target=attachment,
           operation=message.operation_id,
           details={"message": message.id, "content_type": stored.content_type,
                    "size_bytes": stored.size_bytes})
    return attachment


def load_attachment(user: User, attachment_id: object, *, message_id: int | None = None,
                    operation_id: int | None = None) -> MessageAttachment | None:
    """The attachment if ``user`` may see its message (of ``message_id`` and
    ``operation_id`` when given), else None: the caller answers 404."""
    attachment = db.get_by_id(MessageAttachment, attachment_id)
    if attachment is None or (message_id is not None and attachment.message_id != message_id):
        return None
    message = load_visible(user, attachment.message_id, operation_id)
    if message is None or message.is_deleted:
        return None
    return attachment


def open_attachment(attachment: MessageAttachment, *, actor: User,
                    inline: bool = False) -> tuple[StoredFile, bytes]:
    """Decrypt an attachment; every download, and every inline preview of an image
    (its bytes reach the browser all the same), is written to the audit trail."""
    stored = attachment.stored_file
    data = read_file(stored)
    record(AuditAction.ATTACHMENT_DOWNLOADED, actor=actor, target=attachment,
           operation=attachment.message.operation_id,
           details={"message": attachment.message_id, "content_type": stored.content_type,
                    "size_bytes": stored.size_bytes, "inline": inline})
    return stored, data
