"""Each person's inbox as rows: who may see a message, written down (``MessageDelivery``).

``visibility.readable_by`` is the rule; these rows are the rule worked out ahead, so
that an inbox, its unread count and "what needs me" read a person's own rows from an
index instead of testing every message of every operation they take part in. They are
written:

- when a message is sent (``deliver``), one row per person who may see it;
- when someone's standing in an operation changes (a role given, changed or taken
  away; a participation accepted or withdrawn), by a flush listener that works the
  person's rows in that operation out again from the rule (``refresh``), so that no
  domain function of the operations has to know about messages;
- when a person opens a message (``mark_read``), an administration acknowledges, or
  the OCU deletes a message.

``tests/messaging/test_deliveries.py`` holds the rows equal to ``readable_by`` through
each of these. Readers still load one message through ``visibility.load_visible``.
"""

from __future__ import annotations

from sqlalchemy import (
    and_,
    case,
    delete,
    event,
    exists,
    false,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.operations.models import Membership, Participation, ParticipationStatus
from opsplatform.organisations.models import Organisation

from .lists import awaiting_acknowledgement_by
from .models import Message, MessageDelivery, MessageRead
from .visibility import ACKNOWLEDGING_ROLES, OVERSEEING_ROLES, readable_by

_COLUMNS = ("user_id", "message_id", "operation_id", "sent_at", "unread", "awaits_ack")


def deliver(message: Message) -> None:
    """Rows for everyone who may see ``message`` just sent (the rule of visibility.py,
    worked out for one message): people with a role in its operation, through their
    administration's accepted participation, of the sender's or an addressed
    organisation, or overseeing the operation; and the secretariat's people of those
    organisations. Awaiting acknowledgement: the addressed organisations' people who
    acknowledge for them."""
    addressed = [addressee.organisation_id for addressee in message.addressees]
    seeing = [message.sender_organisation_id, *addressed]
    role = (select(Membership.role)
            .join(Participation, Participation.id == Membership.participation_id)
            .where(Membership.operation_id == message.operation_id,
                   Membership.user_id == User.id,
                   Participation.organisation_id == User.organisation_id,
                   Participation.status == ParticipationStatus.ACCEPTED))
    member = role.exists()
    acknowledges = role.where(Membership.role.in_(ACKNOWLEDGING_ROLES)).exists()
    oversees = role.where(Membership.role.in_(OVERSEEING_ROLES)).exists()
    awaits = (and_(User.organisation_id.in_(addressed), acknowledges)
              if message.requires_ack and addressed else false())
    readers = (
        select(User.id, literal(message.id), literal(message.operation_id),
               literal(message.sent_at, type_=Message.sent_at.type),
               User.id != message.sender_id, awaits)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.is_active.is_(True), Organisation.is_active.is_(True),
               or_(and_(member, or_(User.organisation_id.in_(seeing), oversees)),
                   and_(User.is_secretariat.is_(True), User.organisation_id.in_(seeing)))))
    db.session.execute(insert(MessageDelivery).from_select(_COLUMNS, readers))


def refresh(session: Session, user: User, operation_id: int) -> None:
    """Work ``user``'s rows in one operation out again from the rule."""
    session.execute(delete(MessageDelivery).where(MessageDelivery.user_id == user.id,
                                                  MessageDelivery.operation_id == operation_id))
    opened = exists().where(MessageRead.message_id == Message.id,
                            MessageRead.user_id == user.id)
    unread = and_(Message.deleted_at.is_(None), ~opened)
    rows = (select(literal(user.id), Message.id, Message.operation_id, Message.sent_at,
                   case((unread, True), else_=False),
                   case((awaiting_acknowledgement_by(user), True), else_=False))
            .where(Message.operation_id == operation_id, readable_by(user)))
    session.execute(insert(MessageDelivery).from_select(_COLUMNS, rows))


def opened(message: Message, user: User) -> None:
    db.session.execute(update(MessageDelivery).where(
        MessageDelivery.message_id == message.id, MessageDelivery.user_id == user.id)
        .values(unread=False))


def acknowledged(message: Message, organisation_id: int) -> None:
    """The organisation acknowledged: none of its people is awaited any longer."""
    of_organisation = select(User.id).where(User.organisation_id == organisation_id)
    db.session.execute(update(MessageDelivery).where(
        MessageDelivery.message_id == message.id,
        MessageDelivery.user_id.in_(of_organisation)).values(awaits_ack=False))


def deleted(message: Message) -> None:
    """A tombstone is neither unread nor awaited."""
    db.session.execute(update(MessageDelivery).where(
        MessageDelivery.message_id == message.id).values(unread=False, awaits_ack=False))


def redated(message: Message) -> None:
    """The message's time changed (the demo places its messages in the past)."""
    db.session.execute(update(MessageDelivery).where(
        MessageDelivery.message_id == message.id).values(sent_at=message.sent_at))


# -- standing changes -------------------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _standing_changed(session: Session, _context) -> None:
    """After a flush that gave, changed or took a role, or changed a participation's
    status, the people concerned get their rows in that operation again."""
    pairs: set[tuple[int, int]] = set()
    participations: set[int] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, Membership) and instance.user_id and instance.operation_id:
            pairs.add((instance.user_id, instance.operation_id))
        elif isinstance(instance, Participation) and instance.id is not None:
            participations.add(instance.id)
    if participations:
        pairs |= {(user_id, operation_id) for user_id, operation_id in session.execute(
            select(Membership.user_id, Membership.operation_id)
            .where(Membership.participation_id.in_(participations)))}
    if not pairs:
        return
    with session.no_autoflush:
        for user_id, operation_id in sorted(pairs):
            user = session.get(User, user_id)
            if user is not None:
                refresh(session, user, operation_id)
