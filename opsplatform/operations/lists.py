"""The list of operations, and the list of one operation's participants: their order, their
arguments, and their pages for the page and the API.

Operations: newest first, by (created_at, id). The page and the API load the same arguments
(``OperationListArgsSchema``) and filter through the same ``_filtered`` select over
``visible_operations``, so they list, count and refuse alike. The API dumps whole
operations; the page reads only the columns its table shows (``operation_rows``).
Participants: by organisation code, filtered by status and searched by administration or
person (``ParticipantListArgsSchema``, see the section at the end).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate
from sqlalchemy import Date, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from opsplatform.auth.models import User
from opsplatform.core import dates
from opsplatform.core.db import db
from opsplatform.core.lists import (
    ListArgs,
    ListArgsSchema,
    Listing,
    Page,
    SearchText,
    SortKey,
    matching,
)
from opsplatform.core.permissions import AccessRole, Permission
from opsplatform.organisations.models import Organisation, OrganisationKind

from .access import standings, visible_operations
from .models import (
    PREPARATION_PHASES,
    Membership,
    Operation,
    OperationRole,
    OperationStatus,
    Participation,
    ParticipationStatus,
    Phase,
    PhaseKind,
    status_on,
)

OPERATIONS = Listing("operations", SortKey(Operation.created_at, descending=True),
                     SortKey(Operation.id, descending=True))
MAX_SEARCH_LENGTH = 100


class OperationListArgsSchema(ListArgsSchema):
    """What the operations list takes, on the page (?q=&status=) and in the API alike."""

    listing = OPERATIONS

    status = fields.Enum(OperationStatus, by_value=fields.String,
                         error_messages={"unknown": _l("Choose one of the statuses offered.")},
                         metadata={"description": "Only operations in this status today"})
    q = SearchText(load_default="", validate=validate.Length(
        max=MAX_SEARCH_LENGTH, error=_l("Search for at most {max} characters.")), metadata={
        "description": "Part of the code or title, as typed (`%` and `_` are not wildcards), "
                       "whatever the letter case"})


def first_page(limit: int | None = None) -> ListArgs:
    """The arguments of the unfiltered list's first page."""
    return OperationListArgsSchema().load({} if limit is None else {"limit": limit})


def under_way_on():
    """SQL twin of ``Operation.under_way_on``: the start of the operation's first phase past
    preparation (NULL if none), for a select of operations."""
    return (select(func.min(Phase.starts_on))
            .where(Phase.operation_id == Operation.id, Phase.kind.not_in(PREPARATION_PHASES))
            .correlate(Operation).scalar_subquery())


def status_filter(status: OperationStatus, today):
    """SQL twin of ``models.status_on``: operations in ``status`` on ``today`` (a date or a
    bound parameter)."""
    closed = or_(Operation.closed_at.is_not(None), Operation.ends_on < today)
    if status is OperationStatus.CLOSED:
        return closed
    starts = under_way_on()
    planned = or_(starts.is_(None), starts > today)
    if status is OperationStatus.PLANNED:
        return ~closed & planned
    return ~closed & ~planned


# The day the calendar is read on, bound when a list runs (its statements stay the same).
_TODAY = bindparam("list_today", type_=Date)


def _filtered(user: User, args: ListArgs) -> Select:
    """The operations ``user`` may see that match ``args``; run with ``{"list_today": day}``."""
    query = visible_operations(user)
    if "status" in args.filters:
        query = query.where(status_filter(args["status"], _TODAY))
    if args["q"]:
        query = query.where(matching(args["q"], Operation.code, Operation.title))
    return query


def list_operations(user: User, args: ListArgs, *, today: date | None = None) -> Page[Operation]:
    """The operations ``user`` may see under ``args``, newest first, as whole operations
    with their phases and host loaded (for the API, which shows their plan)."""
    query = _filtered(user, args).options(
        selectinload(Operation.phases), selectinload(Operation.host_organisation))
    return OPERATIONS.page(query, args, params={"list_today": today or date.today()})


@dataclass(frozen=True, slots=True)
class OperationRow:
    """One line of the operations page: what it shows, every label already translated."""

    id: int
    code: str
    title: str
    host: str
    status: OperationStatus
    status_label: str
    phase: str  # the phase the calendar is in, "Closed", or "" (none)
    taking_part: int | None  # None: the caller may not see who takes part
    is_invitee: bool
    role_label: str


def operation_rows(user: User, args: ListArgs, *, today: date | None = None) -> Page[OperationRow]:
    """The operations page: the same operations as ``list_operations``, as table rows.

    Two queries for a first page whatever its length: the rows with their host, current
    phase and count of administrations taking part (and the total, ``Listing.page``),
    then the caller's standing in each (``standings``); a later page counts apart.
    """
    today = today or date.today()
    query = (_filtered(user, args).with_only_columns(*_row_columns())
             .join_from(Operation, Organisation,
                        Organisation.id == Operation.host_organisation_id))
    page = OPERATIONS.page(query, args, params={"list_today": today})
    standing_of = standings(user, page.items)
    status_labels = {status: status.label for status in OperationStatus}
    # Per role, worked out once: its label and whether it may see who takes part
    # (invitees may not).
    by_role: dict[AccessRole | None, tuple[str, bool]] = {}
    rows = []
    for row in page.items:
        access = standing_of[row.id]
        if access.role not in by_role:
            by_role[access.role] = (access.label, access.can(Permission.PARTICIPANTS_READ))
        role_label, sees_participants = by_role[access.role]
        status = status_on(today, closed=row.is_closed, under_way_on=row.under_way_on,
                           ends_on=row.ends_on)
        rows.append(OperationRow(
            row.id, row.code, row.title, row.host, status, status_labels[status],
            row.phase or (status_labels[status] if status is OperationStatus.CLOSED else ""),
            row.taking_part if sees_participants else None,
            access.role is AccessRole.INVITEE, role_label))
    return Page(rows, page.next_cursor, page.total)


@cache
def _row_columns() -> tuple:
    """The page's columns, built once (building them cost more than reading them)."""
    taking_part = (select(func.count()).where(
        Participation.operation_id == Operation.id,
        Participation.status == ParticipationStatus.ACCEPTED).correlate(Operation)
        .scalar_subquery())
    return (Operation.id, Operation.code, Operation.title, Operation.created_at,
            under_way_on().label("under_way_on"), Operation.ends_on,
            # whether, not when: a timestamp costs its conversion
            Operation.closed_at.is_not(None).label("is_closed"),
            Organisation.code.label("host"), phase_name_on(_TODAY).label("phase"),
            taking_part.label("taking_part"))


def phase_name_on(today):
    """SQL twin of ``Operation.phase_on``: the name of the phase the calendar is in on
    ``today`` (a date or a bound parameter; the closed phase once the operation is closed),
    for a select of operations."""
    in_force = or_(
        and_(Operation.closed_at.is_not(None), Phase.kind == PhaseKind.CLOSED),
        and_(Operation.closed_at.is_(None), Phase.starts_on <= today,
             or_(Phase.ends_on.is_(None), Phase.ends_on >= today)))
    return (select(Phase.name).where(Phase.operation_id == Operation.id, in_force)
            .order_by(Phase.position).limit(1).correlate(Operation).scalar_subquery())


# -- an operation's participants ----------------------------------------------------------------

# By organisation code, 50 at a time; the participation's id makes the order total.
PARTICIPANTS = Listing("participants", SortKey(Organisation.code), SortKey(Participation.id))
EVERY_STATUS = "all"
# The status filter's choices, in the order the page offers them.
PARTICIPANT_FILTERS = (ParticipationStatus.ACCEPTED.value, ParticipationStatus.INVITED.value,
                       ParticipationStatus.DECLINED.value, ParticipationStatus.WITHDRAWN.value,
                       EVERY_STATUS)


class ParticipantListArgsSchema(ListArgsSchema):
    """What the list of an operation's participants takes, in the API (?status=&q=) and on
    the page alike; without ``status`` the API lists every organisation asked."""

    listing = PARTICIPANTS

    status = fields.String(
        load_default=EVERY_STATUS, validate=validate.OneOf(
            PARTICIPANT_FILTERS, error=_l("Choose one of the statuses offered.")),
        metadata={"description": "Only organisations in this status (`accepted`: taking "
                                 "part; `invited`: not answered yet); `all`, the default, "
                                 "lists every organisation asked"})
    q = SearchText(load_default="", validate=validate.Length(
        max=MAX_SEARCH_LENGTH, error=_l("Search for at most {max} characters.")), metadata={
        "description": "Part of the organisation's code or name, or of the name or e-mail "
                       "address of one of its people, as typed (`%` and `_` are not "
                       "wildcards), whatever the letter case"})


class ParticipantPageArgsSchema(ParticipantListArgsSchema):
    """The same arguments on the page, which opens on the organisations taking part: those
    invited, declined or withdrawn are a choice away (``status=all`` shows everyone)."""

    status = fields.String(
        load_default=ParticipationStatus.ACCEPTED.value, validate=validate.OneOf(
            PARTICIPANT_FILTERS, error=_l("Choose one of the statuses offered.")))


def _participants_matching(operation: Operation, args: ListArgs) -> Select:
    """The operation's participations (with their organisation joined) matching the search;
    the status is left to the caller (the counts count every status)."""
    query = (select(Participation.id)
             .join(Organisation, Organisation.id == Participation.organisation_id)
             .where(Participation.operation_id == operation.id))
    if args["q"]:
        people = (select(Membership.id).join(User, User.id == Membership.user_id)
                  .where(Membership.participation_id == Participation.id,
                         matching(args["q"], User.display_name, User.email))
                  .correlate(Participation))
        query = query.where(or_(matching(args["q"], Organisation.code, Organisation.name),
                                people.exists()))
    return query


def _with_status(query: Select, args: ListArgs) -> Select:
    if args["status"] == EVERY_STATUS:
        return query
    return query.where(Participation.status == ParticipationStatus(args["status"]))


def participant_counts(operation: Operation, args: ListArgs) -> Counter:
    """How many organisations match the search in each status (whatever ``status`` is);
    under ``EVERY_STATUS``, all of them. One query."""
    counts: Counter = Counter()
    query = (_participants_matching(operation, args)
             .with_only_columns(Participation.status, func.count())
             .group_by(Participation.status))
    for status, count in db.session.execute(query):
        counts[status.value] = count
    counts[EVERY_STATUS] = sum(counts.values())
    return counts


def list_participants(operation: Operation, args: ListArgs) -> Page[Participation]:
    """A page of the participations matching ``args``, by code, as whole participations with
    their organisation and people (for the API, which shows them all)."""
    # The keys beside the participation, under the names the cursor reads them by.
    query = (_with_status(_participants_matching(operation, args), args)
             .with_only_columns(Participation, Participation.id, Organisation.code)
             .options(contains_eager(Participation.organisation),
                      selectinload(Participation.members).joinedload(Membership.user)))
    page = PARTICIPANTS.page(query, args)
    return Page([row[0] for row in page.items], page.next_cursor, page.total)


# People by role as the vocabulary lists them (coordinators first), then by name.
ROLE_ORDER = {role: position for position, role in enumerate(OperationRole)}


@dataclass(frozen=True, slots=True)
class PersonInRow:
    """Someone with a role through a participation, as the list shows them."""

    name: str
    role: OperationRole
    role_label: str


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    """One line of the participants page: an organisation asked, its people, its answer."""

    id: int  # the participation's
    code: str
    name: str
    kind_label: str
    is_host: bool
    status: ParticipationStatus
    status_label: str
    # Days in the reader's zone and words, written once per page (Babel costs ~40 µs a day).
    invited_on: str
    answered_on: str | None
    withdrawn_on: str | None
    people: list[PersonInRow]


def participant_rows(operation: Operation, args: ListArgs, counts: Counter
                     ) -> Page[ParticipantRow]:
    """The participants page: the participations of ``list_participants`` as table rows.

    Two queries whatever the page's length: the rows (their total is ``counts``, from
    ``participant_counts``), then the names and roles of their people. The list holds no
    form: what is done to one organisation is done on its own page.
    """
    query = (_with_status(_participants_matching(operation, args), args)
             .with_only_columns(Participation.id, Organisation.code, Organisation.name,
                                Organisation.kind, Participation.organisation_id,
                                Participation.status, Participation.invited_at,
                                Participation.responded_at, Participation.withdrawn_at))
    page = PARTICIPANTS.page(query, args, count=False)
    people: dict[int, list[PersonInRow]] = {row.id: [] for row in page.items}
    if people:
        role_labels = OperationRole.labels_now()
        for participation_id, name, role in db.session.execute(
            select(Membership.participation_id, User.display_name, Membership.role)
            .join(User, User.id == Membership.user_id)
            # The operation's people (an index has them), of this page's participations.
            .where(Membership.operation_id == operation.id,
                   Membership.participation_id.in_(list(people)))
            .order_by(User.display_name, Membership.id)
        ):
            people[participation_id].append(PersonInRow(name, role, role_labels[role]))
        for found in people.values():
            found.sort(key=lambda person: ROLE_ORDER[person.role])  # stable: by name within
    kinds = OrganisationKind.labels_now()
    statuses = ParticipationStatus.labels_now()
    zone = get_timezone()
    days: dict[date, str] = {}  # a page's rows share a few days

    def day_of(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        local = moment.astimezone(zone).date()
        if local not in days:
            days[local] = dates.day(local)
        return days[local]

    return Page([ParticipantRow(
        row.id, row.code, row.name, kinds[row.kind],
        row.organisation_id == operation.host_organisation_id, row.status,
        statuses[row.status], day_of(row.invited_at) or "", day_of(row.responded_at),
        day_of(row.withdrawn_at), people[row.id]) for row in page.items],
        page.next_cursor, counts[args["status"]])
