"""E-mail notices, received by a real SMTP server on loopback (aiosmtpd) that each test
starts: who gets one, what it says (never the subject or the text), and that a notice
goes out only once the message is committed and never breaks the request."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from opsplatform.core.db import db
from opsplatform.messaging import notifications
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.models import Audience, Message, MessageKind
from opsplatform.messaging.operations import MessageFields
from tests.messaging.world import build_world

PUBLIC_URL = "https://ops.example.org"
SUBJECT = "Parcel EE123456785DE to watch"
BODY = "The consignee is Jane Roe, 12 Harbour Street."


class Mailbox:
    """An aiosmtpd handler keeping every mail it receives."""

    def __init__(self):
        self.mails: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    @property
    def recipients(self) -> set[str]:
        return {address for tos, _mail in self.mails for address in tos}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox(app, monkeypatch):
    """A mail server on 127.0.0.1, and the platform configured to use it."""
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port,
                        "SMTP_STARTTLS": False, "SMTP_FROM": "notices@ops.example.org",
                        "PUBLIC_URL": PUBLIC_URL}.items():
        monkeypatch.setitem(app.config, name, value)
    yield handler
    controller.stop()


@pytest.fixture
def world(in_app):
    with in_app():
        return build_world()


def _send(in_app, world, sender=None, **values) -> int:
    """Send a message and commit, as a request does; its id."""
    with in_app():
        sender = db.session.merge(sender or world.sender)
        fields = MessageFields(**{"subject": SUBJECT, "body": BODY,
                                  "organisations": [world.b.code], **values})
        operation = db.session.merge(world.operation)
        message = messaging.send_message(operation, fields, actor=sender,
                                         access=world.access(sender))
        return message.id


def _text(mail: EmailMessage) -> str:
    return str(mail["Subject"]) + "\n" + mail.get_content()


@pytest.mark.parametrize("priority", ["flash", "urgent"])
def test_a_flash_or_urgent_message_is_announced_without_its_subject_or_text(
        in_app, world, mailbox, priority):
    message_id = _send(in_app, world, priority=priority, kind=MessageKind.ALERT,
                       alert=messaging.AlertFields(tracking_number="EE123456785DE"))
    assert mailbox.recipients == {world.addressee.email}
    [(_tos, mail)] = mailbox.mails
    text = _text(mail)
    link = f"{PUBLIC_URL}/operations/{world.operation.id}/messages/{message_id}"
    assert link in text
    assert world.operation.code in text and "Alert" in text
    assert priority.capitalize() in text
    for secret in (SUBJECT, BODY, "EE123456785DE", "Jane Roe", world.sender.display_name):
        assert secret not in mail.as_string(), secret
    assert mail["From"] == "notices@ops.example.org"


def test_nobody_outside_the_addressed_administrations_is_told(in_app, world, mailbox):
    _send(in_app, world, priority="flash", organisations=[world.b.code, world.o.code])
    # B's contact point and O's observer (chosen by name); not the sender, their
    # colleague, the OCU, a participant not addressed, the secretariat or an outsider.
    assert mailbox.recipients == {world.addressee.email, world.observer.email}
    for user in (world.sender, world.sender_colleague, world.ocu, world.bystander,
                 world.planner, world.outsider):
        assert user.email not in mailbox.recipients


def test_a_bulletin_to_all_reaches_every_participant_but_observer_only_ones(in_app, world,
                                                                         mailbox):
    _send(in_app, world, sender=world.ocu, kind=MessageKind.BULLETIN, audience=Audience.ALL,
          organisations=[], priority="urgent")
    assert mailbox.recipients == {world.sender.email, world.sender_colleague.email,
                                  world.addressee.email, world.bystander.email}


def test_a_routine_message_sends_no_mail(in_app, world, mailbox):
    _send(in_app, world)
    assert mailbox.mails == []


def test_an_acknowledgement_request_is_announced_to_the_addressed(in_app, world, mailbox):
    _send(in_app, world, requires_ack=True, organisations=[world.b.code, world.o.code])
    assert mailbox.recipients == {world.addressee.email, world.observer.email}
    assert all("asked to acknowledge" in mail.get_content() for _tos, mail in mailbox.mails)


def test_a_reminder_goes_to_the_administrations_that_have_not_acknowledged(
        in_app, world, mailbox):
    message_id = _send(in_app, world, requires_ack=True,
                       organisations=[world.b.code, world.c.code])
    with in_app():
        message = db.session.get(Message, message_id)
        addressee = db.session.merge(world.addressee)
        messaging.acknowledge(message, actor=addressee, access=world.access(addressee))
    mailbox.mails.clear()
    with in_app():
        message = db.session.get(Message, message_id)
        sender = db.session.merge(world.sender)
        messaging.remind_unacknowledged(message, actor=sender, access=world.access(sender))
    assert mailbox.recipients == {world.bystander.email}
    [(_tos, mail)] = mailbox.mails
    assert "Reminder" in mail["Subject"] and SUBJECT not in mail.as_string()


def test_nothing_is_sent_for_a_change_rolled_back(app, world, mailbox):
    with app.app_context():
        sender = db.session.merge(world.sender)
        messaging.send_message(
            db.session.merge(world.operation),
            MessageFields(subject=SUBJECT, body=BODY, organisations=[world.b.code],
                          priority="flash"), actor=sender, access=world.access(sender))
        db.session.rollback()
        db.session.commit()
    assert mailbox.mails == []


def test_a_mail_server_that_is_down_never_fails_the_sending(in_app, app, world, mailbox,
                                                            monkeypatch, caplog):
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())  # nobody listens there
    message_id = _send(in_app, world, priority="flash")
    with in_app():
        assert db.session.get(Message, message_id) is not None
    assert mailbox.mails == []
    assert "Could not send 1 e-mail notice(s)" in caplog.text


def test_off_without_an_smtp_host(in_app, app, world, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "")
    _send(in_app, world, priority="flash", requires_ack=True)
    assert mailbox.mails == []


def test_nothing_is_sent_while_suppressed(in_app, world, mailbox):
    with in_app(), notifications.suppressed():
        sender = db.session.merge(world.sender)
        messaging.send_message(
            db.session.merge(world.operation),
            MessageFields(subject=SUBJECT, body=BODY, organisations=[world.b.code],
                          priority="flash"), actor=sender, access=world.access(sender))
    assert mailbox.mails == []


def test_the_link_falls_back_to_the_request_address_outside_production(app):
    with app.test_request_context("/", base_url="http://ops.internal:8000"):
        assert notifications.public_base_url() == "http://ops.internal:8000"
