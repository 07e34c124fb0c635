"""Attachments: who may add them, which files are accepted (by content), the limit, who may
see and download them (pages and API), and the audit of every download."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.core.db import db
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.messaging import attachments
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.operations import MessageFields
from tests.core.test_files import docx, pdf, png
from tests.messaging.world import build_world


@pytest.fixture
def world(in_app):
    with in_app():
        yield build_world()


def _send(world, sender=None, **values):
    sender = sender or world.sender
    fields = MessageFields(**{"subject": "Parcel to watch", "body": "Details follow.",
                              "organisations": [world.b.code], **values})
    return messaging.send_message(world.operation, fields, actor=sender,
                                  access=world.access(sender))


def _attach(world, message, filename, data, actor=None):
    actor = actor or world.sender
    return attachments.add_attachment(message, filename, data, actor=actor,
                                      access=world.access(actor))


@pytest.mark.parametrize(("filename", "data", "content_type"), [
    ("report.pdf", pdf(), "application/pdf"),
    ("parcel.png", png(), "image/png"),
    ("notes.docx", docx(), "application/vnd.openxmlformats-officedocument."
                           "wordprocessingml.document"),
    ("seizures.csv", b"tracking;date\nEE123456789DE;2025-03-01\n", "text/csv"),
    ("note.txt", "Künftige Sendung — ответ\n".encode(), "text/plain"),
    ("no-extension", b"Plain words only.\n", "text/plain"),
])
def test_accepted_kinds_are_stored_encrypted_and_audited(world, filename, data,
                                                         content_type):
    message = _send(world)
    attachment = _attach(world, message, filename, data)
    stored = attachment.stored_file
    assert stored.content_type == content_type
    assert data not in stored.ciphertext
    assert attachment in message.attachments
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.ATTACHMENT_ADDED,
        AuditEntry.object_id == attachment.id)).one()
    assert entry.details["message"] == message.id and "filename" not in entry.details


@pytest.mark.parametrize(("filename", "data", "named"), [
    ("page.html", b"<!DOCTYPE html><html><body>hi</body></html>", "an HTML page"),
    ("logo.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
     "an SVG image"),
    ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
     "a Windows program"),
    # Claims to be a PDF, is an HTML page: the content decides.
    ("report.pdf", b"<html><script>alert(1)</script></html>", "an HTML page"),
])
def test_markup_and_programs_are_refused_naming_what_they_are(world, filename, data, named):
    message = _send(world)
    with pytest.raises(DomainError) as refused:
        _attach(world, message, filename, data)
    assert refused.value.code == "file_type_not_accepted" and refused.value.field == "file"
    assert named in str(refused.value) and "CSV" in str(refused.value)
    assert message.attachments == []


def test_text_that_is_not_utf8_or_holds_control_characters_is_refused(world):
    message = _send(world)
    for data in ("Café".encode("cp1252"), b"text\x00with NUL", b"bell\x07"):
        with pytest.raises(DomainError) as refused:
            _attach(world, message, "table.csv", data)
        assert refused.value.code == "file_type_not_accepted"


def test_documents_still_refuse_text(world):
    from opsplatform.core.files import check_upload

    with pytest.raises(DomainError) as refused:
        check_upload(b"a,b\n1,2\n", "table.csv")
    assert "plain text" in str(refused.value) and "CSV" not in str(refused.value)


def test_the_limit_is_the_attachment_setting(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1048576)
    message = _send(world)
    assert _attach(world, message, "fits.pdf", pdf(padding=1048576 - len(pdf())))
    with pytest.raises(DomainError) as refused:
        _attach(world, message, "big.pdf", pdf(padding=1048576))
    assert refused.value.code == "file_too_large" and "1 MB" in str(refused.value)


def test_only_the_sender_attaches_and_only_to_a_live_message(world):
    message = _send(world)
    for someone in (world.sender_colleague, world.ocu):
        with pytest.raises(Forbidden):
            _attach(world, message, "x.pdf", pdf(), actor=someone)
    messaging.delete_message(message, actor=world.ocu, access=world.access(world.ocu))
    with pytest.raises(ConflictError) as refused:
        _attach(world, message, "x.pdf", pdf())
    assert refused.value.code == "message_deleted"


def test_an_attachment_is_loaded_only_by_those_who_see_its_message(world):
    message = _send(world)
    attachment = _attach(world, message, "x.pdf", pdf())
    for user in (world.sender, world.sender_colleague, world.addressee, world.ocu):
        assert attachments.load_attachment(user, attachment.id) is attachment, user.email
    for user in (world.bystander, world.observer, world.outsider, world.planner):
        assert attachments.load_attachment(user, attachment.id) is None, user.email
    assert attachments.load_attachment(world.addressee, attachment.id,
                                       message_id=message.id + 1) is None
    assert attachments.load_attachment(world.addressee, attachment.id,
                                       operation_id=world.operation.id + 1000) is None
    assert attachments.load_attachment(world.addressee, 2**40) is None


def test_opening_an_attachment_is_audited(world):
    message = _send(world)
    attachment = _attach(world, message, "x.pdf", pdf("SECRET MARKER"))
    stored, data = attachments.open_attachment(attachment, actor=world.addressee)
    assert b"SECRET MARKER" in data and stored.filename == "x.pdf"
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.ATTACHMENT_DOWNLOADED)).one()
    assert entry.actor_id == world.addressee.id and entry.object_id == attachment.id
    assert entry.operation_id == world.operation.id and entry.details["inline"] is False
