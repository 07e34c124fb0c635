"""Messages: what the API shows of them and what it accepts.

Input schemas check shapes, types and lengths only (the ``MAX_*`` constants of
messaging/models.py); the values' rules (which kinds, handling codes, TLP levels,
recipients) are messaging/operations.py's, refused with its codes and fields. The
vocabularies are stated here (``enum``) so that clients can read them.

Who may see the acknowledgements of a message (its sender's administration and the
OCU, ``operations.may_follow_acknowledgements``) is not one permission, so it cannot
be a ``needs(...)``: ``MessageSchema.for_message`` asks the domain and leaves the
acknowledgement fields out of ``addressees`` for everyone else.
"""

from __future__ import annotations

from typing import Any, Self

from marshmallow import Schema, ValidationError, fields, validate

from opsplatform.core.vocabularies import HandlingCode, LabelledEnum, TlpLevel, TransportMode
from opsplatform.messaging.markdown import render_markdown
from opsplatform.messaging.models import (
    MAX_BODY_LENGTH,
    MAX_COMMODITY_LENGTH,
    MAX_CONSIGNEE_LENGTH,
    MAX_IDENTIFIER_LENGTH,
    MAX_ROUTE_COUNTRIES,
    MAX_SUBJECT_LENGTH,
    Audience,
    InformationAccuracy,
    MessageKind,
    MessagePriority,
    SourceReliability,
)
from opsplatform.operations.access import OperationAccess
from opsplatform.organisations.models import MAX_ORGANISATION_CODE_LENGTH

from .base import VisibleSchema

# -- input ------------------------------------------------------------------------------------


def _values(enum_type: type[LabelledEnum], *leave_out: LabelledEnum) -> list[str]:
    return [member.value for member in enum_type if member not in leave_out]


def _choice(enum_type: type[LabelledEnum], description: str, *leave_out: LabelledEnum,
            **kwargs: Any) -> fields.String:
    """A value of ``enum_type``: stated as an enum, checked by the domain (its own code)."""
    values: list[str | None] = list(_values(enum_type, *leave_out))
    limit = max(len(value) for value in values if value)
    if kwargs.get("allow_none"):
        values.append(None)  # as apispec states a nullable enum
    return fields.String(validate=validate.Length(max=limit),
                         metadata={"enum": values, "description": description}, **kwargs)


def _organisation_code() -> fields.String:
    return fields.String(validate=validate.Length(max=MAX_ORGANISATION_CODE_LENGTH),
                         metadata={"description": "Organisation code, e.g. JP"})


_AUDIENCES = [Audience.ALL.value, Audience.OCU.value]


class RecipientsField(fields.Field):
    """``"all"``, ``"ocu"`` or a list of organisation codes."""

    _codes = fields.List(_organisation_code())

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if value not in _AUDIENCES:
                raise ValidationError('"all", "ocu" or a list of organisation codes.')
            return value
        return self._codes.deserialize(value, attr, data, **kwargs)


_CODE_ITEMS = {"type": "string", "maxLength": MAX_ORGANISATION_CODE_LENGTH}


class AlertInputSchema(Schema):
    """The shipment an alert is about: at least one field."""

    tracking_number = fields.String(allow_none=True,
                                    validate=validate.Length(max=MAX_IDENTIFIER_LENGTH))
    air_waybill = fields.String(allow_none=True,
                                validate=validate.Length(max=MAX_IDENTIFIER_LENGTH),
                                metadata={"description": "11 digits, e.g. 180-12345675"})
    container_number = fields.String(allow_none=True,
                                     validate=validate.Length(max=MAX_IDENTIFIER_LENGTH),
                                     metadata={"description": "ISO 6346, e.g. MSCU1234566"})
    transport_mode = _choice(TransportMode, "How the shipment travels", allow_none=True)
    route_countries = fields.List(
        fields.String(validate=validate.Length(max=2)), load_default=list,
        metadata={"maxItems": MAX_ROUTE_COUNTRIES,
                  "description": "ISO 3166 alpha-2 codes, origin first"})
    commodity = fields.String(allow_none=True,
                              validate=validate.Length(max=MAX_COMMODITY_LENGTH))
    expected_arrival = fields.Date(allow_none=True)
    consignee = fields.String(allow_none=True, validate=validate.Length(max=MAX_CONSIGNEE_LENGTH))


class _MessageInputSchema(Schema):
    """What a new message and a reply share."""

    body = fields.String(required=True, validate=validate.Length(max=MAX_BODY_LENGTH),
                         metadata={"description": "Markdown; raw HTML is not kept"})
    priority = _choice(MessagePriority, "Defaults to routine", load_default=None,
                       allow_none=True)
    handling_code = _choice(HandlingCode, "Defaults to the operation's", load_default=None,
                            allow_none=True)
    tlp = _choice(TlpLevel, "Defaults to the operation's", load_default=None, allow_none=True)
    requires_ack = fields.Boolean(load_default=False, metadata={
        "description": "Each administration addressed is asked to acknowledge it, once"})
    source_reliability = _choice(SourceReliability, "The 4x4 evaluation: the source",
                                 load_default=None, allow_none=True)
    information_accuracy = _choice(InformationAccuracy, "The 4x4 evaluation: the information",
                                   load_default=None, allow_none=True)


class MessageCreateSchema(_MessageInputSchema):
    subject = fields.String(required=True, validate=validate.Length(max=MAX_SUBJECT_LENGTH),
                            metadata={"description": "Kept in clear for lists and search: "
                                                     "no personal data"})
    kind = _choice(MessageKind, "Defaults to general; bulletins are the OCU's, to all",
                   MessageKind.REPLY, load_default=None, allow_none=True)
    recipients = RecipientsField(required=True, metadata={
        "description": '"all" (the participants, without those taking part only as '
                       'observers), "ocu" (the coordinators\' administrations), or a list of '
                       "codes of administrations taking part",
        "oneOf": [{"type": "string", "enum": _AUDIENCES},
                  {"type": "array", "items": _CODE_ITEMS}]})
    alert = fields.Nested(AlertInputSchema, allow_none=True, load_default=None, metadata={
        "description": "The shipment, for kind 'alert' only"})


class ReplyCreateSchema(_MessageInputSchema):
    subject = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=MAX_SUBJECT_LENGTH),
                            metadata={"description": "Defaults to 'Re: ' and the original's"})
    recipients = fields.List(_organisation_code(), load_default=list, metadata={
        "description": "Administrations taking part to add; the original sender's "
                       "administration always receives the reply"})


# -- output -----------------------------------------------------------------------------------


def _enum(enum_type: type[LabelledEnum], **kwargs: Any) -> fields.Enum:
    return fields.Enum(enum_type, by_value=fields.String, **kwargs)


def _message_url(message_id: int) -> str:
    return f"/api/v1/messages/{message_id}"


class MessageListItemSchema(VisibleSchema):
    """A message as lists show it (a ``messaging.lists.MessageRow``; no body)."""

    id = fields.Integer(required=True)
    operation = fields.Function(
        lambda row: {"id": row.operation_id, "code": row.operation_code},
        required=True, metadata={"type": "object", "properties": {
            "id": {"type": "integer"}, "code": {"type": "string"}}})
    subject = fields.String(required=True)
    kind = _enum(MessageKind, required=True)
    priority = _enum(MessagePriority, required=True)
    sender = fields.Function(
        lambda row: {"name": row.sender_name, "organisation": row.sender_code},
        required=True, metadata={"type": "object", "properties": {
            "name": {"type": "string"}, "organisation": {"type": "string"}}})
    sent_at = fields.DateTime(required=True)
    read = fields.Function(lambda row: not row.unread, required=True, metadata={
        "type": "boolean", "description": "Whether the caller has opened it"})
    requires_ack = fields.Boolean(required=True)
    needs_my_ack = fields.Boolean(required=True, metadata={
        "description": "It awaits the acknowledgement of the caller's administration"})
    acknowledged = fields.Integer(required=True, allow_none=True, metadata={
        "description": "How many administrations have acknowledged it: only for its "
                       "sender's administration and the OCU, when it asks for "
                       "acknowledgements; null otherwise"})
    addressed = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Of how many asked, on the same terms"})
    has_attachments = fields.Boolean(required=True)
    deleted = fields.Boolean(required=True, metadata={"description": "Deleted by the OCU"})
    url = fields.Function(lambda row: _message_url(row.id), required=True,
                          metadata={"type": "string"})


class MessageListSchema(VisibleSchema):
    """A page of messages (its arguments: ``messaging.lists``' argument schemas)."""

    items = fields.Nested(MessageListItemSchema, many=True, required=True)
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass as ?cursor= (with the same filters) for the next page; null on "
                       "the last page"})
    total = fields.Integer(required=True, metadata={
        "description": "How many messages the caller may see match the filters"})


def _acknowledger(addressee) -> str | None:
    return addressee.acknowledged_by.display_name if addressee.acknowledged_by else None


class AddresseeSchema(VisibleSchema):
    organisation = fields.String(required=True, attribute="organisation.code")
    acknowledged_at = fields.DateTime(allow_none=True, metadata={
        "description": "Only for the sender's administration and the OCU (callers with "
                       "'operation:messages:oversee'), when the message requires it"})
    acknowledged_by = fields.Function(_acknowledger, allow_none=True, metadata={
        "type": "string", "nullable": True, "description": "Who acknowledged, on the same terms"})


_ACK_FIELDS = ("acknowledged_at", "acknowledged_by")


class AlertSchema(VisibleSchema):
    tracking_number = fields.String(required=True, allow_none=True)
    air_waybill = fields.String(required=True, allow_none=True)
    container_number = fields.String(required=True, allow_none=True)
    transport_mode = _enum(TransportMode, required=True, allow_none=True)
    route_countries = fields.List(fields.String(), required=True)
    commodity = fields.String(required=True, allow_none=True)
    expected_arrival = fields.Date(required=True, allow_none=True)
    consignee = fields.String(required=True, allow_none=True)


class AttachmentSummarySchema(VisibleSchema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True, attribute="stored_file.filename")
    content_type = fields.String(required=True, attribute="stored_file.content_type")
    size = fields.Integer(required=True, attribute="stored_file.size_bytes",
                          metadata={"description": "Bytes"})
    url = fields.Function(lambda attachment: f"/api/v1/attachments/{attachment.id}",
                          required=True, metadata={"type": "string",
                                                   "description": "Its download (audited)"})


class OwnAcknowledgementSchema(VisibleSchema):
    acknowledged_at = fields.DateTime(required=True, allow_none=True,
                                      metadata={"description": "Null while awaited"})
    acknowledged_by = fields.Function(_acknowledger, required=True, allow_none=True,
                                      metadata={"type": "string", "nullable": True})


class MessageSchema(VisibleSchema):
    """A message with everything the caller may see of it."""

    id = fields.Integer(required=True)
    operation = fields.Method("_operation", required=True, metadata={
        "type": "object", "properties": {"id": {"type": "integer"},
                                         "code": {"type": "string"}}})
    thread_id = fields.Integer(required=True,
                               metadata={"description": "Its thread's first message"})
    in_reply_to_id = fields.Integer(required=True, allow_none=True)
    subject = fields.String(required=True)
    kind = _enum(MessageKind, required=True)
    priority = _enum(MessagePriority, required=True)
    handling_code = _enum(HandlingCode, required=True)
    tlp = _enum(TlpLevel, required=True)
    source_reliability = _enum(SourceReliability, required=True, allow_none=True)
    information_accuracy = _enum(InformationAccuracy, required=True, allow_none=True)
    sender = fields.Function(
        lambda message: {"name": message.sender.display_name,
                         "organisation": message.sender_organisation.code},
        required=True, metadata={"type": "object", "properties": {
            "name": {"type": "string"}, "organisation": {"type": "string"}}})
    sent_at = fields.DateTime(required=True)
    read = fields.Method("_read", required=True, metadata={
        "type": "boolean", "description": "Whether the caller had opened it before this "
                                          "request (a sender has opened their own)"})
    requires_ack = fields.Boolean(required=True)
    deleted_at = fields.DateTime(required=True, allow_none=True, metadata={
        "description": "Deleted by the OCU: its body, alert and attachments are gone"})
    body = fields.String(required=True, allow_none=True,
                         metadata={"description": "Markdown source; null once deleted"})
    body_html = fields.Function(
        lambda message: None if message.body is None else str(render_markdown(message.body)),
        required=True, metadata={
            "type": "string", "nullable": True,
            "description": "The body rendered as the message page shows it: sanitised "
                           "HTML (no raw HTML, scripts, images or styles; links to http(s) "
                           "and mailto only); null once deleted"})
    audience = _enum(Audience, required=True, metadata={
        "description": "all, ocu, or chosen administrations (replies too)"})
    alert = fields.Nested(AlertSchema, required=True, allow_none=True)
    addressees = fields.Nested(AddresseeSchema, many=True, required=True, metadata={
        "description": "The administrations it was sent to, by code"})
    own_acknowledgement = fields.Method("_own_acknowledgement", required=True, metadata={
        "type": "object", "nullable": True,
        "properties": {"acknowledged_at": {"type": "string", "format": "date-time",
                                           "nullable": True},
                       "acknowledged_by": {"type": "string", "nullable": True}},
        "description": "The caller's administration's acknowledgement when it is asked for "
                       "one; null otherwise"})
    attachments = fields.Nested(AttachmentSummarySchema, many=True, required=True)
    thread = fields.List(fields.Integer(), required=True, metadata={
        "description": "Ids of the messages of its thread the caller may see, oldest first"})
    url = fields.Function(lambda message: _message_url(message.id), required=True,
                          metadata={"type": "string"})

    def __init__(self, *, operation_code: str = "", thread: list[int] | None = None,
                 organisation_id: int | None = None, read: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.operation_code = operation_code
        self.thread_ids = thread or []
        self.organisation_id = organisation_id
        self.was_read = read

    def _operation(self, message) -> dict:
        return {"id": message.operation_id, "code": self.operation_code}

    def _read(self, _message) -> bool:
        return self.was_read

    @classmethod
    def for_message(cls, access: OperationAccess, *, follows_acknowledgements: bool,
                    **kwargs: Any) -> Self:
        """The schema for one reader: the acknowledgements of others only for those who
        follow them (``messaging.operations.may_follow_acknowledgements``)."""
        if not follows_acknowledgements:
            kwargs["exclude"] = [f"addressees.{name}" for name in _ACK_FIELDS]
        return cls(access=access, **kwargs)

    def get_attribute(self, obj, attr, default):
        if attr == "thread":
            return self.thread_ids
        if attr == "addressees":
            return sorted(obj.addressees, key=lambda addressee: addressee.organisation.code)
        return super().get_attribute(obj, attr, default)

    def _own_acknowledgement(self, message) -> dict | None:
        if not message.requires_ack:
            return None
        own = next((addressee for addressee in message.addressees
                    if addressee.organisation_id == self.organisation_id), None)
        return None if own is None else OwnAcknowledgementSchema().dump(own)


class AcknowledgementSchema(VisibleSchema):
    message_id = fields.Integer(required=True)
    organisation = fields.String(required=True, attribute="organisation.code")
    acknowledged_at = fields.DateTime(required=True)
    acknowledged_by = fields.String(required=True, attribute="acknowledged_by.display_name")
