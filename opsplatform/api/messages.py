"""/api/v1 messages: an operation's messages, one message with its thread, replies,
acknowledgements, and the caller's inbox across operations.

A thin skin over messaging/operations.py (the rules) and messaging/visibility.py (who
sees a message). A message the caller may not see is a 404 like one that does not
exist, whoever asks: a participant not addressed, an outsider, anyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import abort, g, request, url_for
from flask_login import current_user
from sqlalchemy import select

from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError, json_error
from opsplatform.core.lists import ListArgsError, load_args
from opsplatform.core.permissions import Permission
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.lists import (
    InboxArgsSchema,
    OperationMessagesArgsSchema,
    inbox_page,
    operation_messages_page,
)
from opsplatform.messaging.models import Audience, Message
from opsplatform.messaging.operations import AlertFields, MessageFields
from opsplatform.messaging.visibility import load_visible, readable_by
from opsplatform.operations.access import (
    OperationAccess,
    access_for,
    current_access,
    operation_route,
)
from opsplatform.operations.models import Operation
from opsplatform.organisations.models import Organisation

from . import bp
from .body import load_json
from .schemas.messages import (
    AcknowledgementSchema,
    MessageCreateSchema,
    MessageListItemSchema,
    MessageSchema,
    ReplyCreateSchema,
)

# The domain names the recipients by what it does with them; the API by its field.
_API_FIELDS = {"organisations": "recipients", "audience": "recipients"}


@contextmanager
def _api_fields() -> Iterator[None]:
    """Domain errors name the API's fields (``recipients``, not ``organisations``)."""
    try:
        yield
    except DomainError as error:
        error.field = _API_FIELDS.get(error.field or "", error.field)
        raise


def _load_message(message_id: int) -> tuple[Message, Operation, OperationAccess]:
    """A message the caller may see, its operation and the caller's standing there (as
    ``current_access()``, the way ``operation_route`` leaves it); else 404."""
    message = load_visible(current_user, message_id)
    if message is None:
        abort(404)
    operation = db.session.get(Operation, message.operation_id)
    if operation is None:
        abort(404)
    access = access_for(current_user, operation)
    if access.role is None or not access.can(Permission.MESSAGES_READ):
        abort(404)
    g.operation = operation
    g.operation_access = access
    return message, operation, access


def _message_json(message: Message, operation: Operation, access: OperationAccess, *,
                  read: bool = True) -> dict:
    user = current_user._get_current_object()
    # The addressees' organisations and who acknowledged, one query each: every addressee
    # then finds them loaded (a message just sent to all would otherwise load them one by one).
    # (Held in ``loaded`` until dumped: the session's identity map holds objects weakly.)
    addressees = message.addressees
    loaded: list[object] = list(db.session.scalars(select(Organisation).where(
        Organisation.id.in_({addressee.organisation_id for addressee in addressees}))))
    acknowledgers = {addressee.acknowledged_by_id for addressee in addressees} - {None}
    if acknowledgers:
        loaded += db.session.scalars(select(User).where(User.id.in_(acknowledgers))).all()
    thread = list(db.session.scalars(
        select(Message.id).where(Message.thread_id == message.thread_id, readable_by(user))
        .order_by(Message.sent_at, Message.id)))
    schema = MessageSchema.for_message(
        access, follows_acknowledgements=messaging.may_follow_acknowledgements(
            message, user, access),
        operation_code=operation.code, thread=thread, organisation_id=user.organisation_id,
        read=read)
    shown = schema.dump(message)
    del loaded
    return shown


def _list_args(schema):
    """The list's arguments from the query string, or the 422 naming the one at fault."""
    try:
        return load_args(schema, request.args), None
    except ListArgsError as error:
        return None, json_error(422, error.code, error.message, field=error.field,
                                fields=error.messages)


def _page_json(page, access: OperationAccess | None) -> dict:
    schema = (MessageListItemSchema(many=True) if access is None
              else MessageListItemSchema.for_access(access, many=True))
    return {"items": schema.dump(page.items), "next_cursor": page.next_cursor,
            "total": page.total}


def _alert_fields(values: dict | None) -> AlertFields | None:
    if values is None:
        return None
    return AlertFields(**{name: value for name, value in values.items()
                          if name in AlertFields.__dataclass_fields__})


def _common_fields(body: dict) -> dict:
    return {name: body[name] for name in (
        "body", "handling_code", "tlp", "requires_ack", "source_reliability",
        "information_accuracy") if name in body} | (
        {"priority": body["priority"]} if body.get("priority") else {})


def _created(message: Message, operation: Operation, access: OperationAccess):
    location = url_for("api.get_message", message_id=message.id)
    return _message_json(message, operation, access), 201, {"Location": location}


# -- an operation's messages ------------------------------------------------------------------


@bp.get("/operations/<int:operation_id>/messages")
@operation_route(Permission.MESSAGES_READ)
def list_messages(operation):
    """The messages of an operation the caller may see, newest first.
    ---
    get:
      summary: List an operation's messages
      description: >-
        Those sent by the caller's administration or to it, and for the operation's
        coordinators every one; no other message is in the items, the total or a
        search. In pages: pass the `next_cursor` of a page as `cursor` for the next,
        with the same filters (the operation's messages page takes the same
        arguments). `total` counts every message matching the filters.
      tags: [Messages]
      parameters:
        - in: query
          schema: OperationMessagesArgsSchema
      responses:
        200:
          description: A page of messages
          content:
            application/json:
              schema: MessageListSchema
    """
    args, refused = _list_args(OperationMessagesArgsSchema())
    if refused is not None:
        return refused
    access = current_access()
    return _page_json(operation_messages_page(operation, current_user, args), access)



@bp.post("/operations/<int:operation_id>/messages")
@operation_route(Permission.MESSAGES_SEND)
def send_message(operation):
    """Send a message in an operation.
    ---
    post:
      summary: Send a message
      description: >-
        To all participants (`"all"`: those taking part only as observers receive a
        message only when chosen), to the OCU (`"ocu"`) or to chosen administrations
        taking part (a list of codes). Only the operation's coordinators send
        bulletins, and only to all. `handling_code` and `tlp` default to the
        operation's. An alert (`kind` `alert`) may carry the shipment in `alert`.
        The values' rules are refused with 422, a code and the `field` at fault
        (e.g. `missing_subject`, `unknown_recipients` with `recipients`,
        `invalid_handling_code`); a closed operation with 409 `operation_closed`.
        Nothing is sent unless everything is valid.
      tags: [Messages]
      requestBody:
        required: true
        content:
          application/json:
            schema: MessageCreateSchema
      responses:
        201:
          description: The message sent
          headers:
            Location:
              description: Its URL
              schema: {type: string}
          content:
            application/json:
              schema: MessageSchema
        409:
          $ref: '#/components/responses/Conflict'
    """
    body = load_json(MessageCreateSchema())
    recipients = body["recipients"]
    fields = MessageFields(
        subject=body["subject"], kind=body.get("kind") or "general",
        audience=recipients if isinstance(recipients, str) else Audience.CHOSEN,
        organisations=[] if isinstance(recipients, str) else recipients,
        alert=_alert_fields(body.get("alert")), **_common_fields(body))
    access = current_access()
    with _api_fields():
        message = messaging.send_message(operation, fields, actor=current_user, access=access)
    return _created(message, operation, access)


# -- one message ------------------------------------------------------------------------------


@bp.get("/messages/<int:message_id>")
def get_message(message_id: int):
    """One message, with its body, alert, addressees, attachments and thread.
    ---
    get:
      summary: Get a message
      description: >-
        Seen by its sender's administration, the administrations it was sent to and the
        operation's coordinators; for anyone else it does not exist (404). Opening it
        marks it read for the caller. The acknowledgements of each administration are
        shown to the sender's administration and the OCU only; each administration
        sees its own in `own_acknowledgement`. `thread` lists the messages of its
        thread the caller may see.
      tags: [Messages]
      responses:
        200:
          description: The message
          content:
            application/json:
              schema: MessageSchema
    """
    message, operation, access = _load_message(message_id)
    newly_read = messaging.mark_read(message, current_user._get_current_object())
    return _message_json(message, operation, access, read=not newly_read)


@bp.post("/messages/<int:message_id>/replies")
def reply(message_id: int):
    """Reply to a message.
    ---
    post:
      summary: Reply to a message
      description: >-
        The reply joins the message's thread and goes to the original sender's
        administration plus the administrations taking part listed in `recipients`.
        A message the caller may not see is a 404. Refusals as for sending a message.
      tags: [Messages]
      requestBody:
        required: true
        content:
          application/json:
            schema: ReplyCreateSchema
      responses:
        201:
          description: The reply sent
          headers:
            Location:
              description: Its URL
              schema: {type: string}
          content:
            application/json:
              schema: MessageSchema
        409:
          $ref: '#/components/responses/Conflict'
    """
    original, operation, access = _load_message(message_id)
    body = load_json(ReplyCreateSchema())
    fields = MessageFields(subject=body.get("subject") or "", organisations=body["recipients"],
                           **_common_fields(body))
    with _api_fields():
        message = messaging.reply_to(original, fields, actor=current_user, access=access,
                                     operation=operation)
    return _created(message, operation, access)


@bp.post("/messages/<int:message_id>/acknowledge")
def acknowledge(message_id: int):
    """Acknowledge a message for the caller's administration.
    ---
    post:
      summary: Acknowledge a message
      description: >-
        Once per administration addressed, by any of its people in the operation
        (who and when are kept). 409 when the
        message asks for no acknowledgement (`no_acknowledgement_required`), the
        caller's administration was not asked (`not_addressed`) or has already
        acknowledged (`already_acknowledged`). No request body.
      tags: [Messages]
      responses:
        200:
          description: The acknowledgement
          content:
            application/json:
              schema: AcknowledgementSchema
        409:
          $ref: '#/components/responses/Conflict'
    """
    message, _operation, access = _load_message(message_id)
    addressee = messaging.acknowledge(message, actor=current_user._get_current_object(),
                                      access=access)
    return AcknowledgementSchema(access=access).dump(addressee)


# -- the caller's inbox -----------------------------------------------------------------------


@bp.get("/inbox")
def inbox():
    """The caller's messages across operations, unread first.
    ---
    get:
      summary: List my messages
      description: >-
        Every message the caller may see in the operations they take part in: unread
        first, then newest. Filters and search as on the inbox page (`operation` by
        its code); in pages as every list (`next_cursor`, `total`).
      tags: [Messages]
      parameters:
        - in: query
          schema: InboxArgsSchema
      responses:
        200:
          description: A page of messages
          content:
            application/json:
              schema: MessageListSchema
    """
    args, refused = _list_args(InboxArgsSchema())
    if refused is not None:
        return refused
    return _page_json(inbox_page(current_user._get_current_object(), args), None)
