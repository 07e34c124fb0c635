"""The message lists: a person's inbox across operations, and one operation's messages.

One ``ListArgsSchema`` per list, loaded by the page and the API alike. A message the
caller may not see is in no row, no total and no search:

- the inbox reads the person's own inbox rows (``MessageDelivery``, the rule of
  ``visibility.readable_by`` written down by deliveries.py), unread first, then newest,
  by (unread, sent_at, message_id) descending, in the order of their index;
- an operation's list reads the operation's messages newest first, by (sent_at, id)
  (index ``ix_messages_operation_sent``), under ``visibility.readable_in``, the rule
  narrowed to an operation whose standing the caller has.

Each row's unread state and whether it awaits the reader's acknowledgement come from
the reader's inbox row, joined; acknowledgements and attachments are correlated
columns, worked out for the page's rows only. A page is two queries whatever its
length: the rows, and their total counted bare (``Listing.page``'s ``total_of``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from opsplatform.auth.models import User
from opsplatform.core.db import UTC
from opsplatform.core.lists import (
    ListArgs,
    ListArgsSchema,
    Listing,
    Page,
    SearchText,
    SortKey,
    matching,
)
from opsplatform.operations.access import access_for
from opsplatform.operations.models import Membership, Operation
from opsplatform.organisations.models import Organisation

from .models import (
    Message,
    MessageAddressee,
    MessageAttachment,
    MessageDelivery,
    MessageKind,
    MessagePriority,
)
from .visibility import ACKNOWLEDGING_ROLES, OVERSEEING_ROLES, oversees, readable_in

MAX_SEARCH_LENGTH = 100
MAX_OPERATION_CODE_LENGTH = 40



# -- the columns every row carries, as SQL ----------------------------------------------------

# The reader's own inbox row of each message (deliveries.py) says whether it is unread
# and awaits their administration's acknowledgement: joined, not worked out per row.
UNREAD = func.coalesce(MessageDelivery.unread, false()).label("unread")
NEEDS_MY_ACK = func.coalesce(MessageDelivery.awaits_ack, false())


def awaiting_acknowledgement_by(user: User) -> ColumnElement[bool]:
    """The message asks ``user``'s administration to acknowledge it, which it has not done,
    and ``user`` is someone who may acknowledge (a member of the operation with
    ``MESSAGES_SEND``). What "what needs me" lists, and the inbox's filter."""
    return and_(
        Message.requires_ack.is_(True), Message.deleted_at.is_(None),
        exists().where(MessageAddressee.message_id == Message.id,
                       MessageAddressee.organisation_id == user.organisation_id,
                       MessageAddressee.acknowledged_at.is_(None)),
        exists().where(Membership.operation_id == Message.operation_id,
                       Membership.user_id == user.id,
                       Membership.role.in_(ACKNOWLEDGING_ROLES)))


def _follows_acknowledgements(user: User) -> ColumnElement[bool]:
    """The sender's administration and the OCU follow a message's acknowledgements
    (``operations.may_follow_acknowledgements`` in SQL)."""
    return or_(Message.sender_organisation_id == user.organisation_id,
               exists().where(Membership.operation_id == Message.operation_id,
                              Membership.user_id == user.id,
                              Membership.role.in_(OVERSEEING_ROLES)))


def _row_columns(user: User) -> tuple:
    addressee = aliased(MessageAddressee)
    acknowledged = (select(func.count()).where(addressee.message_id == Message.id,
                                               addressee.acknowledged_at.is_not(None))
                    .correlate(Message).scalar_subquery())
    addressed = (select(func.count()).where(addressee.message_id == Message.id)
                 .correlate(Message).scalar_subquery())
    follows = and_(Message.requires_ack.is_(True), _follows_acknowledgements(user))
    return (
        Message.id, Message.operation_id, Operation.code.label("operation_code"),
        Message.subject, Message.kind, Message.priority,
        User.display_name.label("sender_name"), Organisation.code.label("sender_code"),
        Message.sent_at, Message.requires_ack,
        Message.deleted_at.is_not(None).label("is_deleted"),
        NEEDS_MY_ACK.label("needs_my_ack"), UNREAD,
        case((follows, acknowledged), else_=None).label("acknowledged"),
        case((follows, addressed), else_=None).label("addressed"),
        exists().where(MessageAttachment.message_id == Message.id).label("has_attachments"),
    )


# -- the rows ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One line of a message list: what it shows, labels translated once per page."""

    id: int
    operation_id: int
    operation_code: str
    subject: str
    kind: MessageKind
    kind_label: str
    priority: MessagePriority
    priority_label: str
    sender_name: str
    sender_code: str
    sent_at: datetime
    unread: bool
    requires_ack: bool
    needs_my_ack: bool
    # Acknowledged by x of y administrations: only for those who follow them (the
    # sender's administration and the OCU) and when one is asked for; else None.
    acknowledged: int | None
    addressed: int | None
    has_attachments: bool
    deleted: bool

    @property
    def is_pressing(self) -> bool:
        """Flash or urgent: the list marks it."""
        return self.priority is not MessagePriority.ROUTINE


def _rows(page: Page) -> Page[MessageRow]:
    kinds, priorities = MessageKind.labels_now(), MessagePriority.labels_now()
    return Page([MessageRow(
        row.id, row.operation_id, row.operation_code, row.subject, row.kind, kinds[row.kind],
        row.priority, priorities[row.priority], row.sender_name, row.sender_code, row.sent_at,
        bool(row.unread), bool(row.requires_ack), bool(row.needs_my_ack) and not row.is_deleted,
        row.acknowledged, row.addressed, bool(row.has_attachments), bool(row.is_deleted))
        for row in page.items], page.next_cursor, page.total)


# -- the arguments ----------------------------------------------------------------------------


def _kind_search_terms(term: str) -> list[MessageKind]:
    """The kinds whose label (in the reader's language) or value contains ``term``."""
    wanted = term.casefold()
    return [kind for kind, label in MessageKind.labels_now().items()
            if wanted in label.casefold() or wanted in kind.value]


class _MessageFilters(ListArgsSchema):
    kind = fields.Enum(MessageKind, by_value=fields.String,
                       error_messages={"unknown": _l("Choose one of the kinds offered.")},
                       metadata={"description": "Only messages of this kind"})
    priority = fields.Enum(MessagePriority, by_value=fields.String,
                           error_messages={"unknown": _l("Choose one of the priorities "
                                                         "offered.")},
                           metadata={"description": "Only messages of this priority"})
    needs_my_ack = fields.Boolean(
        load_default=False, truthy={"1", "true", "yes", "on", True},
        falsy={"0", "false", "no", "off", False},
        error_messages={"invalid": _l("Either yes or no.")},
        metadata={"description": "Only messages awaiting the acknowledgement of the "
                                 "caller's administration"})
    sent_from = fields.Date(error_messages={"invalid": _l("A date such as 2025-03-31.")},
                            metadata={"description": "Sent on or after this day (UTC)"})
    sent_to = fields.Date(error_messages={"invalid": _l("A date such as 2025-03-31.")},
                          metadata={"description": "Sent on or before this day (UTC)"})
    q = SearchText(load_default="", validate=validate.Length(
        max=MAX_SEARCH_LENGTH, error=_l("Search for at most {max} characters.")), metadata={
        "description": "Part of the subject, the sender's name, the sender's administration "
                       "code or the kind, as typed (`%` and `_` are not wildcards), whatever "
                       "the letter case"})

    @validates_schema
    def _dates_in_order(self, data, **kwargs):
        sent_from, sent_to = data.get("sent_from"), data.get("sent_to")
        if sent_from and sent_to and sent_from > sent_to:
            raise ValidationError(str(_l("The last day comes before the first.")), "sent_to")


# Unread first, then newest; all descending so that one row comparison pages it. Read
# from the person's own rows (deliveries.py), in the order of their index.
INBOX = Listing("inbox", SortKey(MessageDelivery.unread, descending=True, nullable=False),
                SortKey(MessageDelivery.sent_at, descending=True),
                SortKey(MessageDelivery.message_id, descending=True))
OPERATION_MESSAGES = Listing("operation_messages", SortKey(Message.sent_at, descending=True),
                             SortKey(Message.id, descending=True))


class InboxArgsSchema(_MessageFilters):
    """What the inbox takes, on the page (/messages/) and in the API (/api/v1/inbox)."""

    listing = INBOX

    operation = fields.String(validate=validate.Length(
        max=MAX_OPERATION_CODE_LENGTH, error=_l("At most {max} characters.")),
        metadata={"description": "Only messages of the operation with this code"})


class OperationMessagesArgsSchema(_MessageFilters):
    """What an operation's message list takes, on its page and in the API."""

    listing = OPERATION_MESSAGES


def _filtered(query: Select, user: User, args: ListArgs) -> Select:
    filters = args.filters
    if filters.get("kind") is not None:
        query = query.where(Message.kind == filters["kind"])
    if filters.get("priority") is not None:
        query = query.where(Message.priority == filters["priority"])
    if filters.get("needs_my_ack"):
        query = query.where(NEEDS_MY_ACK)
    if filters.get("sent_from") is not None:
        query = query.where(Message.sent_at >= _start_of(filters["sent_from"]))
    if filters.get("sent_to") is not None:
        query = query.where(Message.sent_at < _start_of(filters["sent_to"] + timedelta(days=1)))
    if filters.get("operation"):
        query = query.where(Operation.code == filters["operation"].strip().upper())
    term = filters.get("q")
    if term:
        conditions = [matching(term, Message.subject, User.display_name, Organisation.code)]
        kinds = _kind_search_terms(term)
        if kinds:
            conditions.append(Message.kind.in_(kinds))
        query = query.where(or_(*conditions))
    return query


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _joined(query: Select) -> Select:
    return (query.join(Operation, Operation.id == Message.operation_id)
            .join(User, User.id == Message.sender_id)
            .join(Organisation, Organisation.id == Message.sender_organisation_id))


def _own_row(user: User):
    return and_(MessageDelivery.message_id == Message.id, MessageDelivery.user_id == user.id)


def _base(user: User, args: ListArgs, visible: ColumnElement[bool]) -> Select:
    query = _joined(select(*_row_columns(user))).outerjoin(MessageDelivery, _own_row(user))
    return _filtered(query.where(visible), user, args)


def _total_of(user: User, args: ListArgs, visible: ColumnElement[bool]) -> Select:
    """The same rows as ``_base``, bare: counting them visits no row's columns, and joins
    only for the filters that need them."""
    query = select(Message.id).where(visible)
    if args.filters.get("q") or args.filters.get("operation"):
        query = _joined(query)
    if args.filters.get("needs_my_ack"):
        query = query.outerjoin(MessageDelivery, _own_row(user))
    return _filtered(query, user, args)


_FILTERS = ("kind", "priority", "needs_my_ack", "sent_from", "sent_to", "q", "operation")


def inbox_page(user: User, args: ListArgs) -> Page[MessageRow]:
    """The messages ``user`` may see across operations under ``args``: unread first,
    then newest, from the person's own inbox rows (deliveries.py, the rule of
    ``readable_by`` written down), in their index's order. Two queries (the rows, the
    total)."""
    if not (user.is_active and user.organisation.is_active):
        return Page([], None, 0)
    own = MessageDelivery.user_id == user.id
    query = _filtered(_joined(
        select(*_row_columns(user), MessageDelivery.message_id)
        .select_from(MessageDelivery).join(Message, Message.id == MessageDelivery.message_id)
    ).where(own), user, args)
    counted = select(MessageDelivery.message_id).where(own)
    if any(args.filters.get(name) for name in _FILTERS):
        counted = _filtered(_joined(counted.join(
            Message, Message.id == MessageDelivery.message_id)), user, args)
    return _rows(INBOX.page(query, args, total_of=counted))


def operation_messages_page(operation: Operation, user: User, args: ListArgs
                            ) -> Page[MessageRow]:
    """The messages of ``operation`` that ``user`` may see under ``args``, newest first."""
    visible = (readable_in(user, operation.id, overseeing=oversees(user, operation.id))
               if access_for(user, operation).is_member else false())
    return _rows(OPERATION_MESSAGES.page(_base(user, args, visible), args,
                                         total_of=_total_of(user, args, visible)))


__all__ = [
    "INBOX", "OPERATION_MESSAGES", "InboxArgsSchema", "MessageRow",
    "OperationMessagesArgsSchema", "awaiting_acknowledgement_by",
    "inbox_page", "operation_messages_page", "UNREAD",
]
