"""Sending, replying to, reading, acknowledging and deleting messages.

Each function takes plain values and the actor with their standing in the operation,
enforces the rules, records the audit entry and flushes; the caller has entered
through ``@operation_route`` (or loaded the message through
``visibility.load_visible``) and commits. Nothing is half-sent: every check runs
before the first row is added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pycountry
from flask_babel import gettext as _
from sqlalchemy import func, select

from opsplatform.audit.models import AuditAction
from opsplatform.audit.operations import record
from opsplatform.auth.models import User
from opsplatform.core.access import forbid
from opsplatform.core.blind_index import IndexKind, blind_index, normalise
from opsplatform.core.db import db, utcnow
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.core.permissions import Permission
from opsplatform.core.text import check_length
from opsplatform.core.vocabularies import HandlingCode, TlpLevel, TransportMode
from opsplatform.operations.access import OperationAccess
from opsplatform.operations.models import (
    Membership,
    Operation,
    OperationRole,
    Participation,
    ParticipationStatus,
)
from opsplatform.organisations.models import Organisation

from . import (
    deliveries,
    notifications,  # noqa: F401  (its session events send the e-mail notices)
)
from .models import (
    MAX_BODY_LENGTH,
    MAX_COMMODITY_LENGTH,
    MAX_CONSIGNEE_LENGTH,
    MAX_IDENTIFIER_LENGTH,
    MAX_ROUTE_COUNTRIES,
    MAX_SUBJECT_LENGTH,
    AlertDetails,
    Audience,
    InformationAccuracy,
    Message,
    MessageAddressee,
    MessageDelivery,
    MessageKind,
    MessagePriority,
    MessageRead,
    SourceReliability,
)


@dataclass
class AlertFields:
    """A shipment an alert is about; every field optional, at least one given."""

    tracking_number: str | None = None
    air_waybill: str | None = None
    container_number: str | None = None
    transport_mode: str | None = None
    route_countries: list[str] = field(default_factory=list)
    commodity: str | None = None
    expected_arrival: date | None = None
    consignee: str | None = None


@dataclass
class MessageFields:
    subject: str
    body: str
    kind: str = MessageKind.GENERAL
    priority: str = MessagePriority.ROUTINE
    # None: the operation's own.
    handling_code: str | None = None
    tlp: str | None = None
    audience: str = Audience.CHOSEN
    # Organisation codes, for the chosen audience (and added to a reply).
    organisations: list[str] = field(default_factory=list)
    requires_ack: bool = False
    source_reliability: str | None = None
    information_accuracy: str | None = None
    alert: AlertFields | None = None


def _choice(enum_type, value, field_name: str, message: str):
    try:
        return enum_type(value)
    except ValueError:
        raise DomainError(message, code=f"invalid_{field_name}", field=field_name) from None


def _optional_choice(enum_type, value, field_name: str, message: str):
    return None if value in (None, "") else _choice(enum_type, value, field_name, message)


def _text(value: str | None, limit: int, field_name: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(missing, code=f"missing_{field_name}", field=field_name)
    return check_length(value, limit, field_name)


def _optional_text(value: str | None, limit: int, field_name: str) -> str | None:
    value = (value or "").strip()
    return check_length(value, limit, field_name) if value else None


# -- who a message goes to --------------------------------------------------------------------


def _taking_part(operation: Operation) -> dict[str, int]:
    """Code → id of the organisations taking part in the operation."""
    rows = db.session.execute(
        select(Organisation.code, Organisation.id)
        .join(Participation, Participation.organisation_id == Organisation.id)
        .where(Participation.operation_id == operation.id,
               Participation.status == ParticipationStatus.ACCEPTED))
    return {code: organisation_id for code, organisation_id in rows}


def _observer_only(operation: Operation) -> set[int]:
    """Organisations taking part only through observers: "all participants" leaves them
    out; they receive a message only when chosen."""
    acting = select(Membership.participation_id).where(
        Membership.operation_id == operation.id, Membership.role != OperationRole.OBSERVER)
    return set(db.session.scalars(
        select(Participation.organisation_id)
        .where(Participation.operation_id == operation.id,
               Participation.status == ParticipationStatus.ACCEPTED,
               Participation.id.not_in(acting),
               select(Membership.id).where(Membership.participation_id == Participation.id)
               .exists())))


def _ocu_organisations(operation: Operation) -> set[int]:
    return set(db.session.scalars(
        select(Participation.organisation_id).join(
            Membership, Membership.participation_id == Participation.id)
        .where(Participation.operation_id == operation.id,
               Membership.role == OperationRole.COORDINATOR)))


def _chosen(operation: Operation, codes: list[str]) -> set[int]:
    taking_part = _taking_part(operation)
    wanted = [code.strip().upper() for code in codes if code and code.strip()]
    if not wanted:
        raise DomainError(_("Choose at least one administration to send the message to."),
                          code="missing_recipients", field="organisations")
    unknown = sorted({code for code in wanted if code not in taking_part})
    if unknown:
        raise DomainError(
            _("Not taking part in %(operation)s: %(codes)s.", operation=operation.code,
              codes=", ".join(unknown)), code="unknown_recipients", field="organisations")
    return {taking_part[code] for code in wanted}


def _addressees(operation: Operation, audience: Audience, codes: list[str]) -> set[int]:
    if audience is Audience.ALL:
        return set(_taking_part(operation).values()) - _observer_only(operation)
    if audience is Audience.OCU:
        found = _ocu_organisations(operation)
        if not found:
            raise DomainError(_("The operation has no coordinator yet."), code="no_ocu",
                              field="audience")
        return found
    return _chosen(operation, codes)


# -- alerts -----------------------------------------------------------------------------------

_IDENTIFIERS = (("tracking_number", IndexKind.TRACKING_NUMBER),
                ("air_waybill", IndexKind.AIR_WAYBILL),
                ("container_number", IndexKind.CONTAINER_NUMBER))


def _countries(codes: list[str]) -> list[str]:
    found = []
    for code in codes:
        code = (code or "").strip().upper()
        if not code:
            continue
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise DomainError(_("“%(code)s” is not a country code (two letters, such as FR).",
                                code=code), code="invalid_route_countries",
                              field="alert.route_countries")
        found.append(code)
    if len(found) > MAX_ROUTE_COUNTRIES:
        raise DomainError(_("A route names at most %(n)d countries.", n=MAX_ROUTE_COUNTRIES),
                          code="too_long", field="alert.route_countries")
    return found


def _alert(fields: AlertFields) -> AlertDetails:
    alert = AlertDetails(
        transport_mode=_optional_choice(TransportMode, fields.transport_mode,
                                        "alert.transport_mode",
                                        _("Choose a transport mode from the list.")),
        route_countries=_countries(fields.route_countries),
        expected_arrival=fields.expected_arrival,
        commodity=_optional_text(fields.commodity, MAX_COMMODITY_LENGTH, "alert.commodity"),
    )
    for name, kind in _IDENTIFIERS:
        value = _optional_text(getattr(fields, name), MAX_IDENTIFIER_LENGTH, f"alert.{name}")
        if value is not None:
            try:
                value = normalise(kind, value)
            except DomainError as error:
                error.field = f"alert.{name}"
                raise
            setattr(alert, name, value)
            setattr(alert, f"{name}_index", blind_index(kind, value))
    consignee = _optional_text(fields.consignee, MAX_CONSIGNEE_LENGTH, "alert.consignee")
    if consignee is not None:
        alert.consignee = consignee
        alert.consignee_index = blind_index(IndexKind.NAME, consignee)
    if not any((alert.transport_mode, alert.route_countries, alert.expected_arrival,
                alert.commodity, alert.consignee, *(getattr(alert, name)
                                                    for name, _kind in _IDENTIFIERS))):
        raise DomainError(_("Give at least one detail of the shipment, or send the message "
                            "as another kind."), code="empty_alert", field="alert")
    return alert


# -- sending ----------------------------------------------------------------------------------


def _new_message(operation: Operation, fields: MessageFields, *, actor: User,
                 kind: MessageKind) -> Message:
    message = Message(
        operation_id=operation.id,
        sender_id=actor.id,
        sender_organisation_id=actor.organisation_id,
        subject=_text(fields.subject, MAX_SUBJECT_LENGTH, "subject",
                      _("Give the message a subject.")),
        kind=kind,
        priority=_choice(MessagePriority, fields.priority, "priority",
                         _("Choose a priority from the list.")),
        handling_code=_choice(HandlingCode, fields.handling_code or operation.handling_code,
                              "handling_code", _("Choose a handling code from the list.")),
        tlp=_choice(TlpLevel, fields.tlp or operation.tlp, "tlp",
                    _("Choose a TLP level from the list.")),
        source_reliability=_optional_choice(
            SourceReliability, fields.source_reliability, "source_reliability",
            _("Choose the source's reliability from the list.")),
        information_accuracy=_optional_choice(
            InformationAccuracy, fields.information_accuracy, "information_accuracy",
            _("Choose the information's accuracy from the list.")),
        requires_ack=bool(fields.requires_ack),
        sent_at=utcnow(),
    )
    message.body = _text(fields.body, MAX_BODY_LENGTH, "body", _("Write the message."))
    if fields.alert is not None and kind is not MessageKind.ALERT:
        raise DomainError(_("Only an alert carries shipment details."), code="alert_not_allowed",
                          field="alert")
    if fields.alert is not None:
        message.alert = _alert(fields.alert)
    return message


def _deliver(message: Message, organisation_ids: set[int], *, actor: User,
             operation: Operation) -> Message:
    # The sender's own organisation sees its message anyway and never acknowledges it.
    organisation_ids = organisation_ids - {actor.organisation_id}
    if not organisation_ids and message.audience is Audience.CHOSEN:
        raise DomainError(_("Choose an administration other than your own."),
                          code="missing_recipients", field="organisations")
    message.addressees = [MessageAddressee(organisation_id=organisation_id)
                          for organisation_id in sorted(organisation_ids)]
    db.session.add(message)
    db.session.flush()
    message.thread_id = message.thread_id or message.id
    db.session.add(MessageRead(message_id=message.id, user_id=actor.id))
    deliveries.deliver(message)
    record(AuditAction.MESSAGE_SENT, actor=actor, target=message, operation=operation,
           details={"kind": message.kind.value, "priority": message.priority.value,
                    "audience": message.audience.value, "addressees": len(organisation_ids),
                    "requires_ack": message.requires_ack,
                    "in_reply_to": message.in_reply_to_id})
    db.session.flush()
    return message


def send_message(operation: Operation, fields: MessageFields, *, actor: User,
                 access: OperationAccess) -> Message:
    """A new message (the first of its thread) to the audience the fields name."""
    access.require(Permission.MESSAGES_SEND)
    kind = _choice(MessageKind, fields.kind, "kind", _("Choose a kind of message from the list."))
    if kind is MessageKind.REPLY:
        raise DomainError(_("A reply is sent from the message it answers."),
                          code="invalid_kind", field="kind")
    audience = _choice(Audience, fields.audience, "audience",
                       _("Choose who receives the message."))
    if kind is MessageKind.BULLETIN:
        access.require(Permission.MESSAGES_BULLETIN,
                       _("Only the operation's coordinators send bulletins."))
        if audience is not Audience.ALL:
            raise DomainError(_("A bulletin goes to all participants."),
                              code="invalid_audience", field="audience")
    if operation.closed_at is not None:
        raise ConflictError(_("%(code)s is closed: no more messages can be sent in it.",
                              code=operation.code), code="operation_closed")
    message = _new_message(operation, fields, actor=actor, kind=kind)
    message.audience = audience
    return _deliver(message, _addressees(operation, audience, fields.organisations),
                    actor=actor, operation=operation)


def reply_to(original: Message, fields: MessageFields, *, actor: User,
             access: OperationAccess, operation: Operation) -> Message:
    """A reply, in the original's thread, to the original sender's organisation plus
    whichever administrations taking part the replier adds (never wider: a reply is
    always to chosen administrations)."""
    access.require(Permission.MESSAGES_SEND)
    if original.is_deleted:
        raise ConflictError(_("That message was deleted: it can no longer be answered."),
                            code="message_deleted")
    if operation.closed_at is not None:
        raise ConflictError(_("%(code)s is closed: no more messages can be sent in it.",
                              code=operation.code), code="operation_closed")
    if not (fields.subject or "").strip():
        fields.subject = _("Re: %(subject)s", subject=original.subject)[:MAX_SUBJECT_LENGTH]
    message = _new_message(operation, fields, actor=actor, kind=MessageKind.REPLY)
    message.audience = Audience.CHOSEN
    message.thread_id = original.thread_id or original.id
    message.in_reply_to_id = original.id
    added = _chosen(operation, fields.organisations) if fields.organisations else set()
    return _deliver(message, {original.sender_organisation_id} | added, actor=actor,
                    operation=operation)


# -- reading and acknowledging ----------------------------------------------------------------


def mark_read(message: Message, user: User) -> bool:
    """Record that ``user`` opened ``message``, the first time only; True if it was new."""
    if db.session.get(MessageRead, (message.id, user.id)) is not None:
        return False
    db.session.add(MessageRead(message_id=message.id, user_id=user.id))
    deliveries.opened(message, user)
    record(AuditAction.MESSAGE_READ, actor=user, target=message,
           operation=message.operation_id)
    db.session.flush()
    return True


def acknowledge(message: Message, *, actor: User, access: OperationAccess) -> MessageAddressee:
    """The actor's administration acknowledges the message, once."""
    access.require(Permission.MESSAGES_SEND,
                   _("Observers read messages; a contact point acknowledges them."))
    if not message.requires_ack or message.is_deleted:
        raise ConflictError(_("This message asks for no acknowledgement."),
                            code="no_acknowledgement_required")
    addressee = db.session.get(MessageAddressee, (message.id, actor.organisation_id))
    if addressee is None:
        raise ConflictError(_("Your administration is not among those asked to acknowledge "
                              "this message."), code="not_addressed")
    if addressee.acknowledged_at is not None:
        raise ConflictError(
            _("%(code)s already acknowledged this message.", code=actor.organisation.code),
            code="already_acknowledged")
    addressee.acknowledged_at = utcnow()
    addressee.acknowledged_by_id = actor.id
    deliveries.acknowledged(message, actor.organisation_id)
    record(AuditAction.MESSAGE_ACKNOWLEDGED, actor=actor, target=message,
           operation=message.operation_id, subject=actor.organisation.code)
    db.session.flush()
    return addressee


def may_follow_acknowledgements(message: Message, user: User, access: OperationAccess) -> bool:
    """The sender's administration and the OCU see who has acknowledged, and remind."""
    return (message.sender_organisation_id == user.organisation_id
            or access.can(Permission.MESSAGES_OVERSEE))


def pending_acknowledgements(message: Message) -> list[MessageAddressee]:
    return [addressee for addressee in message.addressees if addressee.acknowledged_at is None]


def remind_unacknowledged(message: Message, *, actor: User,
                          access: OperationAccess) -> list[str]:
    """Remind the administrations that have not acknowledged; their codes."""
    if not may_follow_acknowledgements(message, actor, access):
        forbid(_("Only the sender's administration and the OCU remind."))
    if not message.requires_ack or message.is_deleted:
        raise ConflictError(_("This message asks for no acknowledgement."),
                            code="no_acknowledgement_required")
    codes = [addressee.organisation.code for addressee in pending_acknowledgements(message)]
    if not codes:
        raise ConflictError(_("Every administration has acknowledged this message."),
                            code="all_acknowledged")
    record(AuditAction.MESSAGE_REMINDED, actor=actor, target=message,
           operation=message.operation_id, details={"organisations": codes})
    db.session.flush()
    return codes


# -- deleting ---------------------------------------------------------------------------------


def delete_message(message: Message, *, actor: User, access: OperationAccess) -> None:
    """The OCU deletes a message: its body, alert and attachments go; a tombstone (who
    sent what kind of message when, who deleted it when) stays in its thread."""
    access.require(Permission.MESSAGES_DELETE, _("Only the operation's coordinators delete "
                                                 "messages."))
    if message.is_deleted:
        raise ConflictError(_("That message was already deleted."), code="message_deleted")
    attachments = len(message.attachments)
    message.body = None
    message.alert = None
    for attachment in list(message.attachments):
        stored = attachment.stored_file
        message.attachments.remove(attachment)
        db.session.flush()
        db.session.delete(stored)
    message.deleted_at = utcnow()
    message.deleted_by_id = actor.id
    deliveries.deleted(message)
    record(AuditAction.MESSAGE_DELETED, actor=actor, target=message,
           operation=message.operation_id, details={"attachments": attachments})
    db.session.flush()


def unread_count(user: User) -> int:
    """Messages ``user`` may see and has not opened, across operations: one count of
    their own inbox rows (deliveries.py)."""
    if not (user.is_active and user.organisation.is_active):
        return 0
    return db.session.scalar(select(func.count()).where(
        MessageDelivery.user_id == user.id, MessageDelivery.unread.is_(True))) or 0
