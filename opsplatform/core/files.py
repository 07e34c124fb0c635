"""The encrypted file store: uploads are checked by content, encrypted, and kept in the DB.

Operations' documents use it now; message attachments and seizure photos will
too. A file's bytes are encrypted with the data key and bound to the file's
own UUID, so a database dump shows no document in clear.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

import filetype
from flask import Response, current_app, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, LargeBinary, String, select
from sqlalchemy.orm import Mapped, deferred, mapped_column, undefer

from .crypto import DecryptionError, Keyring, keyring
from .db import Base, db, utcnow
from .errors import DomainError
from .rotation import RotationCounts, RotationLog, register_rotation


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

# Text, accepted only where a caller asks for it (message attachments, not documents):
# the content must be UTF-8 text and not markup; the name's extension then tells a CSV
# table from plain text (both are served as downloads, never rendered).
TEXT_KINDS = {
    kind.content_type: kind
    for kind in [
        FileKind("text/plain", "txt", "Plain text"),
        FileKind("text/csv", "csv", "CSV table"),
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
        return ACCEPTED_KINDS.get(self.content_type) or TEXT_KINDS.get(self.content_type)


def max_upload_bytes() -> int:
    return current_app.config["UPLOAD_MAX_BYTES"]


def megabytes(size: int) -> str:
    """A size in MB as people read it: "25", "2.5", "0.1" (1 MB = 1,048,576 bytes)."""
    value = size / 1048576
    return f"{value:.1f}".removesuffix(".0") if value >= 0.1 else f"{value:.2g}"


def upload_limit_text() -> str:
    """The upload limit in words, for hints and refusals: "25 MB"."""
    return _("%(limit)s MB", limit=megabytes(max_upload_bytes()))


def _safe_filename(filename: str | None, kind: FileKind) -> str:
    """Keep the user's file name for downloads, minus any path, and with a fitting extension."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip() or "document"
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')[:200]
    stem, dot, extension = name.rpartition(".")
    if not dot or extension.lower() not in {kind.extension, "jpeg", "tiff"}:
        name = f"{name}.{kind.extension}"
    return name


# Refused types people are likely to try, named in words rather than by MIME type alone.
_REFUSED_NAMES = {
    "application/x-msdownload": _l("a Windows program"),
    "application/x-executable": _l("a program"),
    "application/zip": _l("a ZIP archive"),
    "image/svg+xml": _l("an SVG image"),
    "text/html": _l("an HTML page"),
    "text/plain": _l("plain text"),
}


def _sniff_text(data: bytes) -> str | None:
    """The type of a text upload, which ``filetype`` (magic numbers only) does not name."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        if b"<svg" in head:
            return "image/svg+xml"
        if any(tag in head for tag in (b"<!doctype html", b"<html", b"<script", b"<body")):
            return "text/html"
    try:
        data[:2048].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain"


_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _text_kind(data: bytes, filename: str | None) -> FileKind | None:
    """The text kind of ``data`` if all of it is UTF-8 text without control characters
    (but tabs and line ends) and not markup (HTML, SVG); else None."""
    if _sniff_text(data) in ("image/svg+xml", "text/html"):
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if _CONTROL_CHARACTERS.search(text):
        return None
    is_csv = (filename or "").lower().rstrip().endswith(".csv")
    return TEXT_KINDS["text/csv" if is_csv else "text/plain"]


def _describe_refused(data: bytes) -> str | None:
    """What a refused upload is, in words with its MIME type; None when unrecognised."""
    guessed = filetype.guess(data)
    mime = guessed.mime if guessed else _sniff_text(data)
    if mime is None:
        return None
    name = _REFUSED_NAMES.get(mime)
    return f"{name} ({mime})" if name else mime


def check_upload(data: bytes, filename: str | None, *, accept_text: bool = False,
                 max_bytes: int | None = None) -> FileKind:
    """Refuse empty, over-large or unaccepted files, naming the problem.

    ``accept_text`` also accepts CSV and plain text (message attachments);
    ``max_bytes`` replaces the documents' limit (``UPLOAD_MAX_BYTES``).
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if not data:
        raise DomainError(_("The file is empty."), code="empty_file", field="file")
    if len(data) > limit:
        raise DomainError(
            _("The file is larger than the limit of %(limit)s MB (it is %(size)s MB).",
              size=megabytes(len(data)), limit=megabytes(limit)),
            code="file_too_large", field="file",
        )
    guessed = filetype.guess(data)
    kind = ACCEPTED_KINDS.get(guessed.mime) if guessed else None
    if kind is None and accept_text and guessed is None:
        kind = _text_kind(data, filename)
    if kind is None:
        name = filename or _("The file")
        found = _describe_refused(data)
        problem = (_("%(name)s is %(found)s, which the platform does not accept.",
                     name=name, found=found) if found else
                   _("The platform does not recognise the type of %(name)s.", name=name))
        accepted = (_("Upload a PDF, an office document (Word, Excel, PowerPoint, "
                      "OpenDocument, RTF), an image (PNG, JPEG, GIF, WebP, TIFF), a CSV "
                      "table or plain text (UTF-8).") if accept_text else
                    _("Upload a PDF, an office document (Word, Excel, PowerPoint, "
                      "OpenDocument, RTF) or an image (PNG, JPEG, GIF, WebP, TIFF)."))
        raise DomainError(problem + " " + accepted, code="file_type_not_accepted",
                          field="file")
    return kind


def store_file(data: bytes, filename: str | None, *, created_by_id: int | None,
               accept_text: bool = False, max_bytes: int | None = None) -> StoredFile:
    """Check (see ``check_upload``), encrypt and save an upload; return its StoredFile
    (flushed)."""
    kind = check_upload(data, filename, accept_text=accept_text, max_bytes=max_bytes)
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


# A downloaded file is never rendered as part of the platform, even if a browser tried.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def download_response(stored: StoredFile, data: bytes, *, inline: bool = False) -> Response:
    """``data`` (``stored``'s bytes, decrypted) as a download under its own name and type,
    never cached and never sniffed or rendered as a page of the platform; ``inline``
    for a preview the page shows itself."""
    response = send_file(io.BytesIO(data), mimetype=stored.content_type,
                         as_attachment=not inline, download_name=stored.filename,
                         conditional=False, etag=False, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


@dataclass(frozen=True)
class StoredFileRotation:
    """``keys rotate`` for the stored files: re-encrypt each file not under the current key."""

    name: str = "Stored files"
    default_batch_size: int = 50

    def rotate(self, ring: Keyring, batch_size: int,
               log: RotationLog) -> list[tuple[str, RotationCounts]]:
        counts = RotationCounts()
        after = 0
        while True:
            # Keyset over the files the key_id column says are stale; blobs load a batch at a time.
            batch = db.session.scalars(
                select(StoredFile).options(undefer(StoredFile.ciphertext))
                .where(StoredFile.id > after, StoredFile.key_id != ring.current_key_id)
                .order_by(StoredFile.id).limit(batch_size)
            ).all()
            if not batch:
                return [(self.name, counts)]
            for stored in batch:
                associated_data = stored.uuid.encode()
                if ring.is_current(stored.ciphertext):
                    counts.already_current += 1
                else:
                    try:
                        plaintext = ring.decrypt(stored.ciphertext, associated_data)
                    except DecryptionError as error:
                        counts.failed += 1
                        log.failure(f"File {stored.id} ({stored.uuid}) cannot be decrypted: "
                                    f"{error}.")
                        continue
                    stored.ciphertext = ring.encrypt(plaintext, associated_data)
                    counts.reencrypted += 1
                stored.key_id = ring.current_key_id
            after = batch[-1].id
            db.session.commit()
            # Forget the batch's blobs before loading the next one.
            db.session.expunge_all()
            counts.batches += 1
            log.batch(self.name, counts)


register_rotation(StoredFileRotation())
