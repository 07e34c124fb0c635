"""The inbox rows (deliveries.py) are the rule of visibility.py written down: after
sending, and after every change of standing, each person's rows are the messages
``readable_by`` gives them; unread and awaiting-acknowledgement follow what they do."""

from __future__ import annotations

from sqlalchemy import select

from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.models import Audience, Message, MessageDelivery, MessageKind
from opsplatform.messaging.visibility import readable_by
from opsplatform.operations import participants
from opsplatform.operations.models import Membership, OperationRole
from tests.support import factories


def _everyone(world) -> list[User]:
    return [world.ocu, world.sender, world.sender_colleague, world.addressee,
            world.bystander, world.observer, world.outsider, world.planner]


def _assert_rows_follow_the_rule(world) -> None:
    db.session.flush()
    for person in _everyone(world):
        rule = set(db.session.scalars(select(Message.id).where(readable_by(person))))
        rows = set(db.session.scalars(select(MessageDelivery.message_id).where(
            MessageDelivery.user_id == person.id)))
        assert rows == rule, person.email


def _membership(world, person) -> Membership:
    return db.session.scalar(select(Membership).where(
        Membership.user_id == person.id, Membership.operation_id == world.operation.id))


def test_rows_follow_the_rule_through_sending_and_every_change_of_standing(world):
    world.send(world.sender, organisations=[world.b.code], requires_ack=True)
    world.send(world.addressee, organisations=[world.c.code, world.o.code])
    world.send(world.ocu, kind=MessageKind.BULLETIN, audience=Audience.ALL)
    world.send(world.bystander, audience=Audience.OCU)
    _assert_rows_follow_the_rule(world)

    # A's second contact point becomes a coordinator: every message; then not again.
    participants.change_member_role(_membership(world, world.sender_colleague),
                                    OperationRole.COORDINATOR, actor=world.planner)
    _assert_rows_follow_the_rule(world)
    assert len(db.session.scalars(select(MessageDelivery).where(
        MessageDelivery.user_id == world.sender_colleague.id)).all()) == 4
    participants.change_member_role(_membership(world, world.sender_colleague),
                                    OperationRole.CONTACT_POINT, actor=world.planner)
    _assert_rows_follow_the_rule(world)

    # A newcomer of B sees what B was sent before they came; a colleague removed, nothing.
    newcomer = factories.membership(_membership(world, world.addressee).participation,
                                    actor=world.planner).user
    assert db.session.scalars(select(MessageDelivery.message_id).where(
        MessageDelivery.user_id == newcomer.id)).all()
    participants.remove_member(_membership(world, world.sender_colleague),
                               actor=world.planner)
    _assert_rows_follow_the_rule(world)

    # C withdrawn: its people see nothing of the operation any more.
    participants.withdraw_participation(_membership(world, world.bystander).participation,
                                        actor=world.planner)
    _assert_rows_follow_the_rule(world)
    assert not db.session.scalars(select(MessageDelivery).where(
        MessageDelivery.user_id == world.bystander.id)).all()


def test_unread_and_awaited_follow_reading_acknowledging_and_deleting(world):
    message = world.send(world.sender, organisations=[world.b.code], requires_ack=True)

    def row(person) -> MessageDelivery:
        return db.session.get(MessageDelivery, (person.id, message.id))

    assert not row(world.sender).unread and row(world.sender_colleague).unread
    assert row(world.addressee).awaits_ack and not row(world.ocu).awaits_ack
    assert messaging.unread_count(world.addressee) == 1
    messaging.mark_read(message, world.addressee)
    db.session.expire_all()
    assert not row(world.addressee).unread and messaging.unread_count(world.addressee) == 0
    messaging.acknowledge(message, actor=world.addressee, access=world.access(world.addressee))
    db.session.expire_all()
    assert not row(world.addressee).awaits_ack
    messaging.delete_message(message, actor=world.ocu, access=world.access(world.ocu))
    db.session.expire_all()
    assert not row(world.sender_colleague).unread
    assert messaging.unread_count(world.sender_colleague) == 0
