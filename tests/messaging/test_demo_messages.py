"""The demo's messages in CATALYST-DEMO: what a newcomer should find there, and that
loading the demo again sends nothing twice."""

from __future__ import annotations

from collections import Counter

import filetype
from sqlalchemy import func, select

from opsplatform.core.files import read_file
from opsplatform.messaging.demo import FIRST_BULLETIN, load_demo_messages, tiny_pdf, tiny_png
from opsplatform.messaging.models import (
    Message,
    MessageAddressee,
    MessageAttachment,
    MessageKind,
)
from opsplatform.operations.models import Operation
from tests.support.clients import demo


def _catalyst_messages(session) -> list[Message]:
    operation = session.scalar(select(Operation.id).where(Operation.code == "CATALYST-DEMO"))
    return list(session.scalars(select(Message).where(Message.operation_id == operation)))


def test_the_demo_has_a_few_dozen_messages_of_every_kind(in_app):
    with in_app() as session:
        messages = _catalyst_messages(session)
        kinds = Counter(message.kind for message in messages)
        assert len(messages) >= 24
        assert kinds[MessageKind.BULLETIN] >= 3 and kinds[MessageKind.REPLY] >= 8
        assert kinds[MessageKind.ALERT] >= 4 and kinds[MessageKind.REQUEST] >= 3
        alert = next(m for m in messages if m.kind is MessageKind.ALERT
                     and m.sender_organisation.code == "KR")
        assert [a.organisation.code for a in alert.addressees] == ["JP"]
        assert alert.alert.tracking_number == "RR123456785KR"
        assert alert.alert.route_countries == ["KR", "JP"]
        replies = [m for m in messages if m.in_reply_to_id == alert.id]
        assert replies and replies[0].thread_id == alert.id
        assert replies[0].sent_at > alert.sent_at


def test_some_await_acknowledgement_spains_among_them(in_app, client_as):
    with in_app() as session:
        pending = session.scalars(
            select(MessageAddressee).join(Message).where(
                Message.requires_ack.is_(True), MessageAddressee.acknowledged_at.is_(None))
        ).all()
        assert "ES" in {addressee.organisation.code for addressee in pending}
        acknowledged = session.scalar(select(func.count()).select_from(MessageAddressee).where(
            MessageAddressee.acknowledged_at.is_not(None)))
        assert acknowledged >= 10
    assert 'class="need need--message_ack"' in client_as("cp.es").get("/").text


def test_the_attachments_are_valid_files_of_their_type(in_app):
    with in_app() as session:
        attachments = session.scalars(select(MessageAttachment)).all()
        types = {a.stored_file.content_type for a in attachments}
        assert {"application/pdf", "image/png", "text/csv", "text/plain"} <= types
        for attachment in attachments:
            data = read_file(attachment.stored_file)
            guessed = filetype.guess(data)
            if attachment.stored_file.content_type.startswith("text/"):
                data.decode("utf-8")
            else:
                assert guessed.mime == attachment.stored_file.content_type
    pdf = tiny_pdf("Title", ["a line"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    offset = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[offset:].startswith(b"xref")
    assert tiny_png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_loading_again_sends_nothing(in_app):
    with in_app() as session:
        before = len(_catalyst_messages(session))
        assert load_demo_messages() == 0
        assert len(_catalyst_messages(session)) == before
        assert session.scalar(select(func.count()).select_from(Message).where(
            Message.subject == FIRST_BULLETIN)) == 1


def test_a_contact_point_sees_only_what_was_addressed_to_it(client_as, in_app):
    """cp.jp and the OCU see Korea's alert to Japan; cp.es, not addressed, gets 404."""
    with in_app() as session:
        messages = _catalyst_messages(session)
        kr_alert = next(m for m in messages if m.subject.startswith("Alert: parcel to Japan"))
        url = f"/operations/{kr_alert.operation_id}/messages/{kr_alert.id}"
    assert client_as("cp.jp").get(url).status_code == 200
    assert client_as("cp.es").get(url).status_code == 404
    assert client_as(demo("ocu")).get(url).status_code == 200
