"""The encrypted file store: uploads are checked by content, encrypted, and kept in the DB.

Operations' documents use it now; message attachments and seizure photos will
too. A file's bytes are encrypted with the data key and bound to the file's
own UUID, so a database dump shows no document in clear.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

import filetype
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from .crypto import keyring
from .db import Base, db, utcnow
from .errors import DomainError


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str


# What the platform accepts, by the type read from the content (never the file name).
ACCEPTED_KINDS = {
    kind.content_type: kind
    for kind in [
        FileKind("application/pdf", "pdf", "PDF"),
        FileKind("image/png", "png", "PNG image"),
        FileKind("image/jpeg", "jpg", "JPEG image"),
        FileKind("image/gif", "gif", "GIF image"),
        FileKind("image/webp", "webp", "WebP image"),
        FileKind("image/tiff", "tif", "TIFF image"),
        FileKind("application/msword", "doc", "Word document"),
        FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "docx", "Word document"),
        FileKind("application/vnd.ms-excel", "xls", "Excel workbook"),
        FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "xlsx", "Excel workbook"),
        FileKind("application/vnd.ms-powerpoint", "ppt", "PowerPoint presentation"),
        FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                 "pptx", "PowerPoint presentation"),
        FileKind("application/vnd.oasis.opendocument.text", "odt", "OpenDocument text"),
        FileKind("application/vnd.oasis.opendocument.spreadsheet", "ods",
                 "OpenDocument spreadsheet"),
        FileKind("application/vnd.oasis.opendocument.presentation", "odp",
                 "OpenDocument presentation"),
        FileKind("application/rtf", "rtf", "Rich text document"),
    ]
}


class StoredFile(Base):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Bound into the ciphertext as associated data: a blob only decrypts as its own file.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Loaded only when the file is read, never with lists of files.
    ciphertext: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    @property
    def kind(self) -> FileKind | None:
        return ACCEPTED_KINDS.get(self.content_type)


def max_upload_bytes() -> int:
    return current_app.config["UPLOAD_MAX_BYTES"]


def _safe_filename(filename: str | None, kind: FileKind) -> str:
    """Keep the user's file name for downloads, minus any path, and with a fitting extension."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip() or "document"
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')[:200]
    stem, dot, extension = name.rpartition(".")
    if not dot or extension.lower() not in {kind.extension, "jpeg", "tiff"}:
        name = f"{name}.{kind.extension}"
    return name


def check_upload(data: bytes, filename: str | None) -> FileKind:
    """Refuse empty, over-large or unaccepted files, naming the problem."""
    limit = max_upload_bytes()
    if not data:
        raise DomainError(_("The file is empty."), code="empty_file", field="file")
    if len(data) > limit:
        raise DomainError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.",
              size=f"{len(data) / 1048576:.1f}", limit=f"{limit / 1048576:g}"),
            code="file_too_large", field="file",
        )
    guessed = filetype.guess(data)
    kind = ACCEPTED_KINDS.get(guessed.mime) if guessed else None
    if kind is None:
        found = guessed.mime if guessed else _("an unrecognised type")
        raise DomainError(
            _("%(name)s is %(found)s. Upload a PDF, an office document or an image.",
              name=filename or _("The file"), found=found),
            code="file_type_not_accepted", field="file",
        )
    return kind


def store_file(data: bytes, filename: str | None, *, created_by_id: int | None) -> StoredFile:
    """Check, encrypt and save an upload; return its StoredFile (flushed)."""
    kind = check_upload(data, filename)
    ring = keyring()
    stored = StoredFile(
        uuid=str(uuid.uuid4()),
        filename=_safe_filename(filename, kind),
        content_type=kind.content_type,
        size_bytes=len(data),
        key_id=ring.current_key_id,
        created_by_id=created_by_id,
    )
    stored.ciphertext = ring.encrypt(data, stored.uuid.encode())
    db.session.add(stored)
    db.session.flush()
    return stored


def read_file(stored: StoredFile) -> bytes:
    return keyring().decrypt(stored.ciphertext, stored.uuid.encode())
