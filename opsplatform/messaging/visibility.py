"""Who sees a message, decided here and nowhere else.

A message is seen by the people of the sender's organisation, of the organisations it
was addressed to, and by the operation's coordinators (the OCU), provided they stand
in the operation as members (the secretariat always does). No one else learns that it
exists: not in lists, counts, search, "what needs me", notifications or the API. Every
query of messages adds ``readable_by(user)``, or ``readable_in`` within an operation
whose standing the caller has, or reads the person's inbox rows (deliveries.py, this
rule written down); a single message is loaded through ``load_visible``.
"""

from __future__ import annotations

from flask import g
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from opsplatform.auth.models import User
from opsplatform.core.db import db, is_valid_id
from opsplatform.core.permissions import Permission
from opsplatform.operations.access import operation_roles_allowed
from opsplatform.operations.models import (
    Membership,
    Participation,
    ParticipationStatus,
)

from .models import Message, MessageAddressee

# The roles that see every message of their operation (coordinators), and those who
# acknowledge one for their administration.
OVERSEEING_ROLES = operation_roles_allowed(Permission.MESSAGES_OVERSEE)
ACKNOWLEDGING_ROLES = operation_roles_allowed(Permission.MESSAGES_SEND)


def _member_of_operation(user: User) -> ColumnElement[bool]:
    """The user stands in the message's operation as a member (``_role`` in SQL)."""
    if user.is_secretariat:
        return true()
    return exists().where(
        Participation.operation_id == Message.operation_id,
        Participation.organisation_id == user.organisation_id,
        Participation.status == ParticipationStatus.ACCEPTED,
        Membership.participation_id == Participation.id,
        Membership.user_id == user.id)


def _addressed_to_organisation(organisation_id: int) -> ColumnElement[bool]:
    return exists().where(MessageAddressee.message_id == Message.id,
                          MessageAddressee.organisation_id == organisation_id)


def _overseen_by(user: User) -> ColumnElement[bool]:
    return exists().where(Membership.operation_id == Message.operation_id,
                          Membership.user_id == user.id,
                          Membership.role.in_(OVERSEEING_ROLES))


def readable_by(user: User) -> ColumnElement[bool]:
    """The condition on ``Message`` rows that ``user`` may see."""
    if not user.is_authenticated or not user.is_active or not user.organisation.is_active:
        return false()
    return and_(_member_of_operation(user), or_(
        Message.sender_organisation_id == user.organisation_id,
        _addressed_to_organisation(user.organisation_id),
        _overseen_by(user)))


def readable_in(user: User, operation_id: int, *, overseeing: bool) -> ColumnElement[bool]:
    """``readable_by`` within one operation whose standing the caller has checked (a
    member: ``@operation_route``), with ``overseeing`` from ``oversees``: the same rows
    (tests/messaging/test_visibility.py), in a form the database answers from the
    operation's index, without building the organisation's whole address book first."""
    in_operation = Message.operation_id == operation_id
    if overseeing:
        return in_operation
    return and_(in_operation, or_(Message.sender_organisation_id == user.organisation_id,
                                  _addressed_to_organisation(user.organisation_id)))


def load_visible(user: User, message_id: int, operation_id: int | None = None) -> Message | None:
    """One message if ``user`` may see it (and it belongs to ``operation_id`` when
    given), else None: the caller answers 404, as for a message that does not exist."""
    if not is_valid_id(message_id):
        return None
    query = select(Message).where(Message.id == message_id, readable_by(user))
    if operation_id is not None:
        query = query.where(Message.operation_id == operation_id)
    return db.session.scalar(query)


def oversees(user: User, operation_id: int) -> bool:
    """Whether ``user`` sees every message of the operation (its coordinators); asked
    once per request."""
    cache = g.setdefault("_opsplatform_oversees", {})
    key = (user.id, operation_id)
    if key not in cache:
        cache[key] = bool(db.session.scalar(select(exists().where(
            Membership.operation_id == operation_id, Membership.user_id == user.id,
            Membership.role.in_(OVERSEEING_ROLES)))))
    return cache[key]
