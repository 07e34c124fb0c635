"""Attachments: who may add them, which files are accepted (by content), the limit, who may
see and download them (pages and API), and the audit of every download."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import Forbidden
from werkzeug.test import encode_multipart

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.messaging import attachments
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.models import Message
from opsplatform.operations.access import standing_in
from opsplatform.operations.models import Operation
from tests.core.test_files import docx, pdf, png
from tests.messaging.world import build_world
from tests.support import factories
from tests.support.access_matrix import AccessMatrix, Entry, assert_complete
from tests.support.clients import assert_api_error
from tests.url_rules import RULES


def _attach(world, message, filename, data, actor=None):
    actor = actor or world.sender
    return attachments.add_attachment(message, filename, data, actor=actor,
                                      access=world.access(actor))


@pytest.mark.parametrize(("filename", "data", "content_type"), [
    ("report.pdf", pdf(), "application/pdf"),
    ("parcel.png", png(), "image/png"),
    ("notes.docx", docx(), "application/vnd.openxmlformats-officedocument."
                           "wordprocessingml.document"),
    ("seizures.csv", b"tracking;date\nEE123456785DE;2025-03-01\n", "text/csv"),
    ("note.txt", "Künftige Sendung — ответ\n".encode(), "text/plain"),
    ("no-extension", b"Plain words only.\n", "text/plain"),
])
def test_accepted_kinds_are_stored_encrypted_and_audited(world, filename, data,
                                                         content_type):
    message = world.send()
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
    message = world.send()
    with pytest.raises(DomainError) as refused:
        _attach(world, message, filename, data)
    assert refused.value.code == "file_type_not_accepted" and refused.value.field == "file"
    assert named in str(refused.value) and "CSV" in str(refused.value)
    assert message.attachments == []


def test_text_that_is_not_utf8_or_holds_control_characters_is_refused(world):
    message = world.send()
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
    message = world.send()
    assert _attach(world, message, "fits.pdf", pdf(padding=1048576 - len(pdf())))
    with pytest.raises(DomainError) as refused:
        _attach(world, message, "big.pdf", pdf(padding=1048576))
    assert refused.value.code == "file_too_large" and "1 MB" in str(refused.value)


def test_only_the_sender_attaches_and_only_to_a_live_message(world):
    message = world.send()
    for someone in (world.sender_colleague, world.ocu):
        with pytest.raises(Forbidden):
            _attach(world, message, "x.pdf", pdf(), actor=someone)
    messaging.delete_message(message, actor=world.ocu, access=world.access(world.ocu))
    with pytest.raises(ConflictError) as refused:
        _attach(world, message, "x.pdf", pdf())
    assert refused.value.code == "message_deleted"


def test_an_attachment_is_loaded_only_by_those_who_see_its_message(world):
    message = world.send()
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
    message = world.send()
    attachment = _attach(world, message, "x.pdf", pdf("SECRET MARKER"))
    stored, data = attachments.open_attachment(attachment, actor=world.addressee)
    assert b"SECRET MARKER" in data and stored.filename == "x.pdf"
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.ATTACHMENT_DOWNLOADED)).one()
    assert entry.actor_id == world.addressee.id and entry.object_id == attachment.id
    assert entry.operation_id == world.operation.id and entry.details["inline"] is False


# -- the routes ------------------------------------------------------------------------------


@dataclass
class Posted:
    """A message from A to B carrying a PNG, and who is who (as accounts)."""

    operation_id: int
    message_id: int
    attachment_id: int
    code: str
    people: dict


@pytest.fixture
def posted(in_app) -> Posted:
    with in_app():
        world = build_world()
        message = world.send(subject="Parcel to watch")
        attachment = _attach(world, message, "parcel photo.png", png())
        people = {"outsider": world.outsider, "bystander": world.bystander,
                  "observer": world.observer, "secretariat": world.planner,
                  "sender": world.sender, "colleague": world.sender_colleague,
                  "addressee": world.addressee, "coordinator": world.ocu}
        return Posted(world.operation.id, message.id, attachment.id, world.operation.code,
                      people)


def _ids(posted: Posted, made=None) -> dict:
    return {"message_id": posted.message_id, "attachment_id": posted.attachment_id}


# Who sees the message (sender's administration, addressee, OCU) gets the file; a
# participant not addressed, an observer, the secretariat and an outsider get 404.
PAGE_MATRIX = AccessMatrix(
    roles=["anonymous", "outsider", "bystander", "observer", "secretariat", "sender",
           "colleague", "addressee", "coordinator"],
    anonymous="anonymous", hidden=("Parcel", "parcel photo"),
    entries=[Entry("download", "messaging.attachment", "GET",
                   (302, 404, 404, 404, 404, 200, 200, 200, 200), values=_ids)],
)

API_MATRIX = AccessMatrix(
    roles=["outsider", "bystander", "observer", "secretariat", "sender", "colleague",
           "addressee", "coordinator"],
    error_codes={403: "forbidden", 404: "not_found"}, hidden=("Parcel", "parcel photo"),
    entries=[
        Entry("download", "api.get_attachment", "GET", (404, 404, 404, 404, 200, 200, 200, 200),
              values=lambda posted, made: {"attachment_id": posted.attachment_id}),
        # Only the sender attaches; the others who see the message are refused (403).
        Entry("attach", "api.add_attachment", "POST", (404, 404, 404, 404, 201, 403, 403, 403),
              values=lambda posted, made: {"message_id": posted.message_id}),
    ],
)


def test_every_attachment_route_has_an_entry():
    """Pages and API (tests/api/test_access_matrices.py leaves these to this module)."""
    assert_complete([rule for rule in RULES if "/attachments" in rule.rule], PAGE_MATRIX,
                    API_MATRIX)


def _downloads(in_app) -> int:
    with in_app() as session:
        return session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == AuditAction.ATTACHMENT_DOWNLOADED))


@pytest.mark.parametrize("entry, role", PAGE_MATRIX.cases())
def test_page_download_access(client_as, in_app, posted, entry, role):
    before = _downloads(in_app)
    url = entry.url(operation_id=posted.operation_id, **entry.values(posted))
    response = client_as(posted.people.get(role)).get(url)
    PAGE_MATRIX.check(entry, role, response, url=url, hidden=[posted.code])
    assert _downloads(in_app) == before + (response.status_code == 200)


def _multipart(name: str, data: bytes) -> dict:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize("entry, role", API_MATRIX.cases())
def test_api_access(api_as, in_app, posted, entry, role):
    before = _downloads(in_app)
    url = entry.url(**entry.values(posted, None))
    caller = api_as(posted.people[role])
    if entry.method == "POST":
        response = caller.open("POST", url, **_multipart("plan.pdf", pdf()))
    else:
        response = caller.get(url)
    API_MATRIX.check(entry, role, response, url=url, hidden=[posted.code])
    if entry.method == "GET":
        assert _downloads(in_app) == before + (response.status_code == 200)


def test_the_page_download_is_a_download_with_its_name(client_as, posted):
    url = (f"/operations/{posted.operation_id}/messages/{posted.message_id}"
           f"/attachments/{posted.attachment_id}")
    response = client_as(posted.people["addressee"]).get(url)
    assert response.data == png()
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "parcel photo.png" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"] == "no-store"


def test_an_image_previews_inline_and_the_preview_is_audited(client_as, in_app, posted):
    url = (f"/operations/{posted.operation_id}/messages/{posted.message_id}"
           f"/attachments/{posted.attachment_id}?inline=1")
    response = client_as(posted.people["addressee"]).get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("inline;")
    with in_app() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.ATTACHMENT_DOWNLOADED)).one()
        assert entry.details["inline"] is True


def test_only_images_are_shown_inline(client_as, in_app, posted):
    with in_app() as session:
        message = session.get(Message, posted.message_id)
        sender = session.get(User, posted.people["sender"].id)
        attachment = attachments.add_attachment(
            message, "page.txt", b"<b>not rendered</b>", actor=sender,
            access=standing_in(sender, session.get(Operation, message.operation_id)))
        attachment_id = attachment.id
    response = client_as(posted.people["addressee"]).get(
        f"/operations/{posted.operation_id}/messages/{posted.message_id}"
        f"/attachments/{attachment_id}?inline=1")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "text/plain"


@pytest.mark.parametrize("path", [
    "/operations/{other}/messages/{message}/attachments/{attachment}",
    "/operations/{operation}/messages/{other}/attachments/{attachment}",
    "/operations/{operation}/messages/{message}/attachments/99999999999",
])
def test_an_attachment_under_the_wrong_parent_is_not_found(client_as, in_app, posted, path):
    with in_app():
        other = factories.operation(actor=factories.secretariat()).id
    url = path.format(other=other, operation=posted.operation_id, message=posted.message_id,
                      attachment=posted.attachment_id)
    assert client_as(posted.people["coordinator"]).get(url).status_code == 404


def test_the_api_attaches_and_downloads(api_as, posted):
    caller = api_as(posted.people["sender"])
    response = caller.open("POST", f"/api/v1/messages/{posted.message_id}/attachments",
                           **_multipart("seizures.csv", b"date,count\n2025-03-01,4\n"))
    assert response.status_code == 201, response.text
    body = response.get_json()
    assert body["filename"] == "seizures.csv" and body["content_type"] == "text/csv"
    assert response.headers["Location"] == f"/api/v1/attachments/{body['id']}"
    download = api_as(posted.people["addressee"]).get(response.headers["Location"])
    assert download.data == b"date,count\n2025-03-01,4\n"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_api_names_what_is_wrong(api_as, app, monkeypatch, posted):
    caller = api_as(posted.people["sender"])
    url = f"/api/v1/messages/{posted.message_id}/attachments"
    assert_api_error(caller.open("POST", url, **_multipart("x.html", b"<html><body>hi")),
                     422, "file_type_not_accepted", field="file")
    assert_api_error(caller.open("POST", url, **_multipart("x.txt", b"")), 422, "empty_file",
                     field="file")
    assert_api_error(caller.post(url, {"file": "not a file"}), 415, "unsupported_media_type")
    boundary, body = encode_multipart({"other": "value"})
    assert_api_error(caller.open("POST", url, data=body,
                                 content_type=f"multipart/form-data; boundary={boundary}"),
                     422, "missing_file", field="file")
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    assert_api_error(caller.open("POST", url, **_multipart("big.pdf", pdf(padding=2048))),
                     413, "file_too_large", field="file")


def test_the_api_documents_the_multipart_body(client):
    document = client.get("/api/v1/openapi.json").get_json()
    post = document["paths"]["/api/v1/messages/{message_id}/attachments"]["post"]
    schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary",
                                            "description": "The file, with its name"}
    assert {"201", "404", "409", "413", "415", "422"} <= set(post["responses"])
    get = document["paths"]["/api/v1/attachments/{attachment_id}"]["get"]
    # Any type: the file's own, read from its content when it was attached.
    assert "*/*" in get["responses"]["200"]["content"]


def test_the_message_page_lists_the_files_and_previews_images(client_as, posted):
    page = client_as(posted.people["addressee"]).get(
        f"/operations/{posted.operation_id}/messages/{posted.message_id}").text
    url = (f"/operations/{posted.operation_id}/messages/{posted.message_id}"
           f"/attachments/{posted.attachment_id}")
    assert f'<a href="{url}" download>parcel photo.png</a>' in page
    assert f'<img src="{url}?inline=1" alt="parcel photo.png"' in page
    assert "PNG image" in page and "1 attached file" in page
