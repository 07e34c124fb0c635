"""The encrypted file store: types read from the content, limits, file names, encryption, rotation.

The small file builders at the top are shared with tests/operations/test_documents.py.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from sqlalchemy import func, select, text

from opsplatform.core.crypto import DecryptionError, Keyring, keyring
from opsplatform.core.errors import DomainError
from opsplatform.core.files import StoredFile, check_upload, read_file, store_file
from tests.core.conftest import LOST_KEY, NEW_KEY, OLD_KEY

pytestmark = pytest.mark.usefixtures("without_demo_documents")

# -- small but valid files, built in memory ---------------------------------------------------


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf(marker: str = "TEST MARKER", padding: int = 0) -> bytes:
    body = (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
            b"% " + marker.encode() + b"\n")
    return body + b"%" * padding + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    """A 1×1 transparent PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def docx(text: str = "Risk indicators") -> bytes:
    """A minimal Word document: [Content_Types].xml first, then word/document.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("word/document.xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"))
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not an office document")
    return out.getvalue()


def windows_exe() -> bytes:
    """The start of a PE executable (the "MZ" header)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 128


def html_page() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


# -- types are read from the content, never from the file name --------------------------------

@pytest.mark.parametrize("data, filename, content_type, stored_name", [
    (pdf(), "plan.pdf", "application/pdf", "plan.pdf"),
    (png(), "scan.png", "image/png", "scan.png"),
    # A PNG called .pdf is a PNG: it keeps its name and gains the extension of what it is.
    (png(), "scan.pdf", "image/png", "scan.pdf.png"),
    (jpeg(), "photo.JPEG", "image/jpeg", "photo.JPEG"),
    (docx(), "instructions.docx", DOCX_TYPE, "instructions.docx"),
    (docx(), "instructions", DOCX_TYPE, "instructions.docx"),
], ids=["pdf", "png", "png-named-pdf", "jpeg", "docx", "docx-without-extension"])
def test_accepted_files_are_typed_from_their_content(in_app, data, filename, content_type,
                                                     stored_name):
    with in_app():
        stored = store_file(data, filename, created_by_id=None)
        assert stored.content_type == content_type
        assert stored.filename == stored_name
        assert stored.size_bytes == len(data)
        assert read_file(stored) == data


@pytest.mark.parametrize("data, found", [
    (windows_exe(), "a Windows program (application/x-msdownload)"),
    (html_page(), "an HTML page (text/html)"),
    (plain_zip(), "a ZIP archive (application/zip)"),
    (b"just some words", "plain text (text/plain)"),
], ids=["exe", "html", "zip", "text"])
def test_disguised_files_are_refused_naming_what_they_are(app, data, found):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        check_upload(data, "plan.pdf")
    assert refused.value.code == "file_type_not_accepted"
    assert refused.value.field == "file"
    assert refused.value.message.startswith(f"plan.pdf is {found}, which the platform does not")
    assert "Upload a PDF, an office document" in refused.value.message


def test_unrecognisable_bytes_are_refused(app):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        check_upload(b"\x00\xff\xfe\x01" * 16, "plan.pdf")
    assert refused.value.message.startswith("The platform does not recognise the type of plan.pdf")


def test_empty_file_is_refused(app):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        check_upload(b"", "plan.pdf")
    assert (refused.value.code, refused.value.message) == ("empty_file", "The file is empty.")


def test_file_over_the_limit_is_refused_naming_the_limit(app, in_app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1048576)
    # A request context: the message is translated for the request's language.
    with app.test_request_context():
        assert check_upload(pdf(padding=1048576 - len(pdf())), "plan.pdf").extension == "pdf"
        with pytest.raises(DomainError) as refused:
            store_file(pdf(padding=3 * 1048576 // 2), "plan.pdf", created_by_id=None)
    assert refused.value.code == "file_too_large"
    assert refused.value.message == "The file is larger than the limit of 1 MB (it is 1.5 MB)."
    with in_app() as session:
        assert session.scalar(select(func.count(StoredFile.id))) == 0


@pytest.mark.parametrize("filename, stored_name", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\analyst\\Desktop\\plan.pdf", "plan.pdf"),
    ('re"port<1>|:*?.pdf', "report1.pdf"),
    ("plan\r\n\x00Content-Type: text.pdf", "planContent-Type text.pdf"),
    ("invoice.exe", "invoice.exe.pdf"),
    ("", "document.pdf"),
    (None, "document.pdf"),
    ("   ", "document.pdf"),
    ("x" * 300 + ".pdf", "x" * 200 + ".pdf"),
    ("plan d'opération.pdf", "plan d'opération.pdf"),
])
def test_file_names_are_made_safe(in_app, filename, stored_name):
    with in_app():
        assert store_file(pdf(), filename, created_by_id=None).filename == stored_name


# -- encryption at rest -----------------------------------------------------------------------

def test_database_holds_only_ciphertext(in_app):
    marker = "OPERATIONAL-PLAN-MARKER-7Q2"
    with in_app() as session:
        stored = store_file(pdf(marker), "plan.pdf", created_by_id=None)
        raw = bytes(session.execute(text("SELECT ciphertext FROM stored_files WHERE id = :id"),
                                    {"id": stored.id}).scalar_one())
    assert marker.encode() not in raw
    assert b"%PDF" not in raw
    assert len(raw) > len(pdf(marker))  # version, key id, nonce and tag come on top


def test_decryption_needs_the_right_associated_data():
    ring = Keyring.parse(OLD_KEY)
    blob = ring.encrypt(b"risk indicators", b"file-a")
    assert ring.decrypt(blob, b"file-a") == b"risk indicators"
    with pytest.raises(DecryptionError):
        ring.decrypt(blob, b"file-b")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(DecryptionError):
        ring.decrypt(tampered, b"file-a")


def test_a_blob_copied_to_another_file_does_not_decrypt(in_app):
    with in_app():
        first = store_file(pdf("FIRST"), "first.pdf", created_by_id=None)
        second = store_file(pdf("SECOND"), "second.pdf", created_by_id=None)
        second.ciphertext = first.ciphertext
    with in_app() as session, pytest.raises(DecryptionError):
        read_file(session.get(StoredFile, second.id))


# -- key rotation -----------------------------------------------------------------------------

def _store(in_app, data: bytes) -> int:
    with in_app():
        return store_file(data, "plan.pdf", created_by_id=None).id


def test_rotation_re_encrypts_files_under_an_old_key(app, in_app, runner, data_keys):
    data_keys(OLD_KEY)
    ids = [_store(in_app, pdf(f"FILE {n}")) for n in range(3)]
    with app.app_context():
        old_key_id = keyring().current_key_id

    data_keys(f"{NEW_KEY},{OLD_KEY}")
    with in_app() as session:
        # Still readable under the old key, which now only decrypts.
        assert read_file(session.get(StoredFile, ids[0])) == pdf("FILE 0")
    current = _store(in_app, pdf("ALREADY NEW"))

    result = runner.invoke(args=["keys", "rotate", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "Stored files, batch 2: 3 re-encrypted so far." in result.output
    assert "Stored files: 3 re-encrypted, 0 already under the current key, 0 failed." \
        in result.output

    data_keys(NEW_KEY)
    with in_app() as session:
        for number, file_id in enumerate(ids):
            stored = session.get(StoredFile, file_id)
            assert stored.key_id == keyring().current_key_id != old_key_id
            assert keyring().is_current(stored.ciphertext)
            assert read_file(stored) == pdf(f"FILE {number}")
        assert read_file(session.get(StoredFile, current)) == pdf("ALREADY NEW")

    again = runner.invoke(args=["keys", "rotate"])
    assert again.exit_code == 0, again.output
    assert "Stored files: 0 re-encrypted" in again.output


def test_without_rotation_the_old_key_cannot_be_dropped(in_app, data_keys):
    data_keys(OLD_KEY)
    file_id = _store(in_app, pdf())
    data_keys(NEW_KEY)
    with in_app() as session, pytest.raises(DecryptionError):
        read_file(session.get(StoredFile, file_id))


def test_rotation_reports_files_it_cannot_decrypt_and_rotates_the_rest(in_app, runner,
                                                                       data_keys):
    data_keys(LOST_KEY)
    lost = _store(in_app, pdf("LOST"))
    data_keys(OLD_KEY)
    kept = _store(in_app, pdf("KEPT"))

    data_keys(f"{NEW_KEY},{OLD_KEY}")
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 1
    assert f"File {lost} " in result.output
    assert "1 re-encrypted, 0 already under the current key, 1 failed." in result.output
    with in_app() as session:
        assert keyring().is_current(session.get(StoredFile, kept).ciphertext)
        assert not keyring().is_current(session.get(StoredFile, lost).ciphertext)
