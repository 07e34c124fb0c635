"""Sending, replying, acknowledging and deleting, through the domain functions, and who
then sees each message (visibility.py): the rule every page, count and API answer uses."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.core.db import db
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.models import Audience, Message, MessageKind
from opsplatform.messaging.operations import AlertFields, MessageFields
from opsplatform.messaging.visibility import load_visible, readable_by


def _sees(user, message) -> bool:
    return load_visible(user, message.id) is not None


def test_a_chosen_message_is_seen_by_sender_addressee_and_ocu_only(world):
    message = world.send()
    for user in (world.sender, world.sender_colleague, world.addressee, world.ocu):
        assert _sees(user, message), user.email
    for user in (world.bystander, world.observer, world.outsider, world.planner):
        assert not _sees(user, message), user.email
    ids = db.session.scalars(select(Message.id).where(readable_by(world.bystander))).all()
    assert message.id not in ids


def test_all_participants_leaves_out_observer_only_organisations(world):
    message = world.send(audience=Audience.ALL, organisations=[])
    addressed = {addressee.organisation_id for addressee in message.addressees}
    assert {world.b.id, world.c.id} <= addressed
    assert world.o.id not in addressed and world.a.id not in addressed
    assert _sees(world.bystander, message) and not _sees(world.observer, message)
    chosen = world.send(organisations=[world.o.code])
    assert _sees(world.observer, chosen)


def test_bulletins_are_for_coordinators_and_go_to_all(world):
    from werkzeug.exceptions import Forbidden

    with pytest.raises(Forbidden):
        world.send(kind=MessageKind.BULLETIN, audience=Audience.ALL)
    bulletin = world.send(sender=world.ocu, kind=MessageKind.BULLETIN,
                     audience=Audience.ALL, organisations=[])
    assert _sees(world.bystander, bulletin)
    with pytest.raises(DomainError) as refused:
        world.send(sender=world.ocu, kind=MessageKind.BULLETIN)
    assert refused.value.code == "invalid_audience"


@pytest.mark.parametrize(("values", "code", "field"), [
    ({"subject": "  "}, "missing_subject", "subject"),
    ({"body": ""}, "missing_body", "body"),
    ({"organisations": []}, "missing_recipients", "organisations"),
    ({"organisations": ["ZZ-NOPE"]}, "unknown_recipients", "organisations"),
    ({"handling_code": "H9"}, "invalid_handling_code", "handling_code"),
    ({"tlp": "TLP:PURPLE"}, "invalid_tlp", "tlp"),
    ({"priority": "whenever"}, "invalid_priority", "priority"),
    ({"kind": "reply"}, "invalid_kind", "kind"),
    ({"subject": "x" * 201}, "too_long", "subject"),
    ({"alert": AlertFields(commodity="NPS")}, "alert_not_allowed", "alert"),
    ({"kind": "alert", "alert": AlertFields()}, "empty_alert", "alert"),
    ({"kind": "alert", "alert": AlertFields(route_countries=["XX"])},
     "invalid_route_countries", "alert.route_countries"),
    ({"kind": "alert", "alert": AlertFields(container_number="ABCD1234567")},
     "invalid_container_number", "alert.container_number"),
])
def test_bad_input_is_refused_and_nothing_is_sent(world, values, code, field):
    before = db.session.scalar(select(func.count(Message.id)))
    with pytest.raises(DomainError) as refused:
        world.send(**values)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert db.session.scalar(select(func.count(Message.id))) == before


def test_a_participant_not_taking_part_cannot_be_addressed(world):
    with pytest.raises(DomainError) as refused:
        world.send(organisations=[world.outsider.organisation.code])
    assert refused.value.code == "unknown_recipients"
    assert world.outsider.organisation.code in refused.value.message


def test_an_alert_keeps_its_shipment_encrypted_with_blind_indexes(world):
    message = world.send(kind=MessageKind.ALERT, body="Suspicious parcel from NL.",
                    alert=AlertFields(tracking_number="rr 123 456 785 gb",
                                      route_countries=["nl", "KR"], commodity="Bath salts",
                                      consignee="Kim Min-jun", transport_mode="postal"))
    message_id = message.id
    db.session.expire_all()
    stored = db.session.get(Message, message_id)
    assert stored.alert.tracking_number == "RR123456785GB"
    assert stored.alert.route_countries == ["NL", "KR"]
    raw = db.session.execute(text(
        "SELECT commodity_ciphertext, consignee_ciphertext FROM message_alerts "
        "WHERE message_id = :id"), {"id": message_id}).one()
    assert all(b"Bath" not in bytes(value) and b"Kim" not in bytes(value) for value in raw)
    body = db.session.execute(text("SELECT body_ciphertext FROM messages WHERE id = :id"),
                              {"id": message_id}).scalar_one()
    assert b"Suspicious" not in bytes(body)


def test_a_reply_goes_to_the_original_senders_organisation_in_its_thread(world):
    original = world.send()
    reply = messaging.reply_to(original, MessageFields(subject="", body="Seen, thanks."),
                               actor=world.addressee, access=world.access(world.addressee),
                               operation=world.operation)
    assert reply.thread_id == original.id and reply.in_reply_to_id == original.id
    assert reply.subject == "Re: Parcel to watch" and reply.kind is MessageKind.REPLY
    assert [a.organisation_id for a in reply.addressees] == [world.a.id]
    assert _sees(world.sender, reply) and not _sees(world.bystander, reply)


def test_each_addressee_acknowledges_once_and_the_sender_sees_who_has_not(world):
    message = world.send(requires_ack=True, organisations=[world.b.code, world.c.code])
    messaging.acknowledge(message, actor=world.addressee,
                          access=world.access(world.addressee))
    with pytest.raises(ConflictError) as twice:
        messaging.acknowledge(message, actor=world.addressee,
                              access=world.access(world.addressee))
    assert twice.value.code == "already_acknowledged"
    with pytest.raises(ConflictError):
        messaging.acknowledge(message, actor=world.sender, access=world.access(world.sender))
    pending = [a.organisation.code for a in messaging.pending_acknowledgements(message)]
    assert pending == [world.c.code]
    reminded = messaging.remind_unacknowledged(message, actor=world.sender,
                                               access=world.access(world.sender))
    assert reminded == [world.c.code]


def test_the_ocu_deletes_leaving_a_tombstone(world):
    from werkzeug.exceptions import Forbidden

    message = world.send()
    with pytest.raises(Forbidden):
        messaging.delete_message(message, actor=world.sender,
                                 access=world.access(world.sender))
    messaging.delete_message(message, actor=world.ocu, access=world.access(world.ocu))
    assert message.is_deleted and message.body is None
    assert _sees(world.addressee, message)  # the tombstone stays in its thread
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "messages", AuditEntry.object_id == message.id)).all()
    assert actions == [AuditAction.MESSAGE_SENT, AuditAction.MESSAGE_DELETED]


def test_unread_counts_are_per_person(world):
    message = world.send()
    assert messaging.unread_count(world.sender) == 0  # one's own is read
    assert messaging.unread_count(world.sender_colleague) == 1
    assert messaging.unread_count(world.bystander) == 0
    assert messaging.mark_read(message, world.addressee)
    assert not messaging.mark_read(message, world.addressee)
    assert messaging.unread_count(world.addressee) == 0


def test_no_message_entry_reaches_the_operations_activity_feed(world):
    from opsplatform.operations.queries import latest_activity

    message = world.send(requires_ack=True)
    messaging.acknowledge(message, actor=world.addressee, access=world.access(world.addressee))
    for user in (world.bystander, world.ocu, world.planner):
        actions = {entry.action for entry in latest_activity(world.operation,
                                                             world.access(user), limit=50)}
        assert not {action for action in actions if action.startswith("messages.")}
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.operation_id == world.operation.id,
        AuditEntry.action.in_([AuditAction.MESSAGE_SENT, AuditAction.MESSAGE_ACKNOWLEDGED]))) == 2
