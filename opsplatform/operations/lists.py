"""The list of operations: its order, its arguments, and its pages for the page and the API.

Newest first, by (created_at, id). The page and the API load the same arguments
(``OperationListArgsSchema``) and filter through the same ``_filtered`` select over
``visible_operations``, so they list, count and refuse alike. The API dumps whole
operations; the page reads only the columns its table shows (``operation_rows``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate
from sqlalchemy import Date, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from opsplatform.auth.models import User
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
from opsplatform.organisations.models import Organisation

from .access import standings, visible_operations
from .models import (
    PREPARATION_PHASES,
    Operation,
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
