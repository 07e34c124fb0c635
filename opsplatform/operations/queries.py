"""Read-side of operations: lists, the dashboard, the compliance table, the directory.

Each returns plain data for templates, the API and (later) the PDF packs, and
runs a fixed number of queries whatever the number of participants.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import BindParameter, Integer, bindparam, func, null, or_, select
from sqlalchemy.orm import joinedload

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.models import User
from opsplatform.core.db import UTCDateTime, db, utcnow
from opsplatform.core.lists import ListArgs, ListArgsSchema, Listing, SortKey
from opsplatform.core.lists import Page as ListPage
from opsplatform.core.vocabularies import LabelledEnum, with_labels
from opsplatform.organisations.models import Organisation, OrganisationKind

from .access import OperationAccess, RowScope
from .models import (
    Membership,
    Operation,
    OperationDocument,
    OperationRole,
    Participation,
    ParticipationStatus,
    PeriodReturn,
    Reminder,
    ReportingPeriod,
    ReturnKind,
)

# -- lists (the operations list itself: lists.py) -------------------------------------------


def participant_counts(operation_ids: list[int]) -> dict[int, Counter]:
    """Per operation, how many organisations are in each participation status."""
    counts: dict[int, Counter] = {operation_id: Counter() for operation_id in operation_ids}
    if operation_ids:
        rows = db.session.execute(
            select(Participation.operation_id, Participation.status, func.count())
            .where(Participation.operation_id.in_(operation_ids))
            .group_by(Participation.operation_id, Participation.status)
        )
        for operation_id, status, count in rows:
            counts[operation_id][status] = count
    return counts


def participant_rows(operation_ids: list[int]) -> dict[int, list[dict]]:
    """Per operation, its organisations' codes and statuses, as JSON-ready rows (for lists)."""
    rows: dict[int, list[dict]] = {operation_id: [] for operation_id in operation_ids}
    if operation_ids:
        for operation_id, code, status in db.session.execute(
            select(Participation.operation_id, Organisation.code, Participation.status)
            .join(Organisation, Organisation.id == Participation.organisation_id)
            .where(Participation.operation_id.in_(operation_ids)).order_by(Organisation.code)
        ):
            rows[operation_id].append({"organisation": code, "status": status.value})
    return rows


def people_to_add(operation: Operation, organisation_ids: list[int]) -> dict[int, list]:
    """Per organisation, its active people without a role in ``operation`` yet, by name:
    (id, display name, e-mail). One query."""
    found: dict[int, list] = {organisation_id: [] for organisation_id in organisation_ids}
    if found:
        taken = select(Membership.user_id).where(Membership.operation_id == operation.id)
        for user_id, organisation_id, name, email in db.session.execute(
            select(User.id, User.organisation_id, User.display_name, User.email)
            .where(User.organisation_id.in_(list(found)), User.is_active.is_(True),
                   User.id.not_in(taken))
            .order_by(User.display_name, User.id)
        ):
            found[organisation_id].append((user_id, name, email))
    return found


# -- compliance -------------------------------------------------------------------------------


class CellStatus(LabelledEnum):
    SEIZURES = "seizures"
    NIL = "nil"
    DUE = "due"  # no return yet, deadline not passed
    OVERDUE = "overdue"  # no return and the deadline has passed
    UPCOMING = "upcoming"  # the period has not started


with_labels({
    CellStatus.SEIZURES: _l("Seizures reported"),
    CellStatus.NIL: _l("Nil return"),
    CellStatus.DUE: _l("Not reported, not yet due"),
    CellStatus.OVERDUE: _l("Not reported, overdue"),
    CellStatus.UPCOMING: _l("Not started"),
})(CellStatus)


@dataclass
class ComplianceCell:
    period_id: int
    status: CellStatus
    seizure_count: int | None = None
    filed_at: datetime | None = None
    last_reminded_at: datetime | None = None


@dataclass
class ComplianceRow:
    organisation_id: int
    organisation_code: str
    organisation_name: str
    cells: list[ComplianceCell]

    @property
    def overdue(self) -> int:
        return sum(1 for cell in self.cells if cell.status is CellStatus.OVERDUE)


@dataclass
class ComplianceTable:
    periods: list[ReportingPeriod]
    rows: list[ComplianceRow]
    totals: Counter = field(default_factory=Counter)

    def row_for(self, organisation_id: int) -> ComplianceRow | None:
        return next((r for r in self.rows if r.organisation_id == organisation_id), None)


def _reporting_participants(operation_id):
    """The organisations that owe returns: member administrations taking part.

    ``operation_id``: an id, or the bound parameter of a statement built once.
    """
    return (
        select(Organisation.id, Organisation.code, Organisation.name)
        .join(Participation, Participation.organisation_id == Organisation.id)
        .where(Participation.operation_id == operation_id,
               Participation.status == ParticipationStatus.ACCEPTED,
               Organisation.kind == OrganisationKind.MEMBER_ADMINISTRATION)
    )


# The dashboard's statements are built once, with bound parameters, not per request:
# SQLAlchemy then reuses their compiled form without building and keying them again,
# which cost more than running them (some 2 ms each; 0.7 ms when built once).
_OPERATION_ID: BindParameter[int] = bindparam("operation_id", type_=Integer)
_OWN_ID: BindParameter[int] = bindparam("own_id", type_=Integer)

_PERIODS = (select(ReportingPeriod).where(ReportingPeriod.operation_id == _OPERATION_ID)
            .order_by(ReportingPeriod.starts_on))


def _periods(operation: Operation) -> list[ReportingPeriod]:
    return list(db.session.scalars(_PERIODS, {"operation_id": operation.id}))


def _totals_statement():
    reporters = _reporting_participants(_OPERATION_ID).subquery()
    filed_by_kind = (
        select(PeriodReturn.period_id, PeriodReturn.kind, func.count())
        .join(reporters, reporters.c.id == PeriodReturn.organisation_id)
        .where(PeriodReturn.operation_id == _OPERATION_ID)
        .group_by(PeriodReturn.period_id, PeriodReturn.kind))
    # One more row, without a period: how many administrations owe returns.
    owing = select(null(), null(), func.count()).select_from(reporters)
    return filed_by_kind.union_all(owing)


def _own_periods_statement():
    """Each period with the own administration's return and latest reminder for it."""
    reminded = (select(func.max(Reminder.sent_at))
                .where(Reminder.period_id == ReportingPeriod.id,
                       Reminder.organisation_id == _OWN_ID)
                .correlate(ReportingPeriod).scalar_subquery())
    # Whether the own administration owes returns (a member administration taking part).
    owes = _reporting_participants(_OPERATION_ID).where(Organisation.id == _OWN_ID).exists()
    return (select(ReportingPeriod, PeriodReturn.kind, PeriodReturn.seizure_count,
                   PeriodReturn.filed_at, reminded, owes)
            .outerjoin(PeriodReturn, (PeriodReturn.period_id == ReportingPeriod.id)
                       & (PeriodReturn.organisation_id == _OWN_ID))
            .where(ReportingPeriod.operation_id == _OPERATION_ID)
            .order_by(ReportingPeriod.starts_on))


_TOTALS = _totals_statement()
_OWN_PERIODS = _own_periods_statement()


def compliance_totals(operation: Operation, *, today: date | None = None,
                      periods: list[ReportingPeriod] | None = None) -> Counter:
    """How many administration × period cells are in each status, counted in SQL.

    The same figures as ``compliance_table(...).totals`` in two queries (one when
    given the operation's ``periods``), without building the table. Every member may
    see them: they name no administration.
    """
    today = today or date.today()
    now = utcnow()
    if periods is None:
        periods = _periods(operation)
    filed: dict[int, Counter] = {period.id: Counter() for period in periods}
    reporting = 0  # the row without a period: how many administrations owe returns
    for period_id, kind, count in db.session.execute(_TOTALS, {"operation_id": operation.id}):
        if period_id is None:
            reporting = count
        elif period_id in filed:
            filed[period_id][kind] += count
    totals: Counter = Counter()
    for period in periods:
        seizures, nil = filed[period.id][ReturnKind.SEIZURES], filed[period.id][ReturnKind.NIL]
        totals[CellStatus.SEIZURES] += seizures
        totals[CellStatus.NIL] += nil
        totals[_cell_status(period, None, today, now)] += reporting - seizures - nil
    return totals


def _cell_status(period: ReportingPeriod, kind: ReturnKind | None, today: date,
                 now: datetime) -> CellStatus:
    """Where an administration stands for a period, given the kind of its return (if any)."""
    if kind is not None:
        return CellStatus.NIL if kind is ReturnKind.NIL else CellStatus.SEIZURES
    if period.starts_on > today:
        return CellStatus.UPCOMING
    return CellStatus.OVERDUE if period.deadline_at < now else CellStatus.DUE


def row_cells(organisation_id: int, periods: list[ReportingPeriod], returns: dict,
              reminded: dict, today: date, now: datetime) -> list[ComplianceCell]:
    """One administration's cells, from its returns and latest reminders keyed by
    (organisation id, period id): the table's and the reporting page's rows alike."""
    cells = []
    for period in periods:
        filed = returns.get((organisation_id, period.id))
        cells.append(ComplianceCell(
            period.id, _cell_status(period, filed.kind if filed else None, today, now),
            seizure_count=filed.seizure_count if filed else None,
            filed_at=filed.filed_at if filed else None,
            last_reminded_at=reminded.get((organisation_id, period.id))))
    return cells


def compliance_table(operation: Operation, access: OperationAccess, *, own_only: bool = False,
                     today: date | None = None) -> ComplianceTable:
    """Administration × period: who reported seizures, filed a nil return, or not yet.

    Only the rows ``access`` may see (``OperationAccess.reporting_rows``), or with
    ``own_only`` only the caller's own administration's; ``totals`` always count the
    whole table, which every member may see. At most seven queries, whatever the
    number of administrations and periods.
    """
    today = today or date.today()
    now = utcnow()
    scope = access.own_rows if own_only else access.reporting_rows
    periods = _periods(operation)
    participants = (_reporting_participants(operation.id).where(scope.where(Organisation.id))
                    .order_by(Organisation.code))
    # The columns the cells show, not PeriodReturn objects (hundreds on a large operation).
    returns = {(r.organisation_id, r.period_id): r for r in db.session.execute(
        select(PeriodReturn.organisation_id, PeriodReturn.period_id, PeriodReturn.kind,
               PeriodReturn.seizure_count, PeriodReturn.filed_at)
        .where(PeriodReturn.operation_id == operation.id,
               scope.where(PeriodReturn.organisation_id)))}
    reminded = {(org, period): at for period, org, at in db.session.execute(
        select(Reminder.period_id, Reminder.organisation_id, func.max(Reminder.sent_at))
        .where(Reminder.operation_id == operation.id, scope.where(Reminder.organisation_id))
        .group_by(Reminder.period_id, Reminder.organisation_id))}

    table = ComplianceTable(periods, [])
    for org_id, code, name in db.session.execute(participants):
        cells = row_cells(org_id, periods, returns, reminded, today, now)
        table.totals.update(cell.status for cell in cells)
        table.rows.append(ComplianceRow(org_id, code, name, cells))
    if not scope.everyone:
        table.totals = compliance_totals(operation, today=today, periods=periods)
    return table


def compliance_summary(operation: Operation, access: OperationAccess, *,
                       today: date | None = None) -> ComplianceTable:
    """What the dashboard shows of the table: the totals, and the caller's own row.

    The same as ``compliance_table(operation, access, own_only=True)`` in two queries
    whatever the number of administrations and periods: the periods come with the own
    administration's return and latest reminder for each, the totals are counted in SQL.
    """
    today = today or date.today()
    now = utcnow()
    scope = access.own_rows
    if scope.organisation_id is None:
        periods = _periods(operation)
        return ComplianceTable(periods, [], compliance_totals(operation, today=today,
                                                               periods=periods))
    own = scope.organisation_id
    rows = db.session.execute(_OWN_PERIODS, {"operation_id": operation.id,
                                             "own_id": own}).all()
    periods = [row[0] for row in rows]
    table = ComplianceTable(periods, [], compliance_totals(operation, today=today,
                                                            periods=periods))
    if rows and rows[0][5]:
        cells = []
        for row in rows:
            period, kind, seizure_count, filed_at, last_reminded_at, _owes = row
            # The row stands for the return when there is one (it has the return's kind).
            status = _cell_status(period, kind, today, now)
            cells.append(ComplianceCell(period.id, status, seizure_count=seizure_count,
                                        filed_at=filed_at, last_reminded_at=last_reminded_at))
        # A row came back for the caller's own administration: it takes part.
        organisation = access.require_participation().organisation
        table.rows.append(ComplianceRow(own, organisation.code, organisation.name, cells))
    return table


# -- directory --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryEntry:
    user_id: int
    name: str
    job_title: str | None
    organisation_code: str
    organisation_name: str
    role: OperationRole
    office_phone: str | None
    duty_phone: str | None
    email: str
    languages: str | None
    time_zone: str | None


# The columns the directory shows (not whole User and Organisation objects: some hundreds
# on a large operation), in DirectoryEntry's order; built once (see _OPERATION_ID).
_DIRECTORY = (
    select(User.id.label("user_id"), User.display_name, User.job_title, Organisation.code,
           Organisation.name,
           Membership.role, User.office_phone, User.duty_phone, User.email, User.languages,
           User.time_zone)
    .select_from(Membership)
    .join(User, User.id == Membership.user_id)
    .join(Participation, Participation.id == Membership.participation_id)
    .join(Organisation, Organisation.id == Participation.organisation_id)
    .where(Membership.operation_id == _OPERATION_ID,
           Participation.status == ParticipationStatus.ACCEPTED,
           User.is_active.is_(True))
    .order_by(Organisation.code, Membership.role, User.display_name)
)


def directory(operation: Operation) -> list[DirectoryEntry]:
    """The people of the participating organisations, by organisation and role."""
    return [DirectoryEntry(*row)
            for row in db.session.execute(_DIRECTORY, {"operation_id": operation.id})]


# The page shows the directory 50 people at a time, in the same order (the downloads
# hold everyone); the membership's id makes the order total.
DIRECTORY = Listing("directory", SortKey(Organisation.code), SortKey(Membership.role),
                    SortKey(User.display_name), SortKey(Membership.id))


class DirectoryArgsSchema(ListArgsSchema):
    """What the directory page takes: its cursor and page size only."""

    listing = DIRECTORY


def directory_page(operation: Operation, args: ListArgs) -> ListPage[DirectoryEntry]:
    """A page of ``directory(operation)``, with the number of people in it."""
    query = (_DIRECTORY.with_only_columns(*_DIRECTORY.selected_columns, Membership.id)
             .order_by(None).params(operation_id=operation.id))
    page = DIRECTORY.page(query, args)
    fields = len(_DIRECTORY.selected_columns)  # the rows carry the order's keys after them
    return ListPage([DirectoryEntry(*row[:fields]) for row in page.items], page.next_cursor,
                    page.total)


# -- dashboard --------------------------------------------------------------------------------

ACTIVITY_LIMIT = 12


# Entries about one administration's returns, named by its code in ``subject``: they show
# only to those who see that administration's row (``OperationAccess.reporting_rows``).
PER_ADMINISTRATION_REPORTING = ("returns.filed", "returns.corrected", "returns.reminder_sent")


# Messages are for their readers (messaging/visibility.py): none of their entries shows.
_QUIET = ("documents.downloaded", "directory.exported",
          *(action.value for action in AuditAction if action.startswith("messages.")))


@lru_cache(maxsize=8)
def _activity_statement(limit: int):
    # The actor (a many-to-one) in the same query; its organisation is not shown.
    return (select(AuditEntry).options(joinedload(AuditEntry.actor).lazyload(User.organisation))
            .where(AuditEntry.operation_id == _OPERATION_ID, AuditEntry.action.not_in(_QUIET),
                   or_(AuditEntry.action.not_in(PER_ADMINISTRATION_REPORTING),
                       RowScope.where_code(AuditEntry.subject)))
            .order_by(AuditEntry.id.desc()).limit(limit))


def latest_activity(operation: Operation, access: OperationAccess,
                    limit: int = ACTIVITY_LIMIT) -> list[AuditEntry]:
    """The operation's most recent recorded changes that ``access`` may see.

    Downloads and exports are left out.
    """
    return list(db.session.scalars(_activity_statement(limit), {
        "operation_id": operation.id, **access.reporting_rows.code_values()}))


_DASHBOARD_COUNTS = (
    select(Participation.status, func.count())
    .where(Participation.operation_id == _OPERATION_ID).group_by(Participation.status)
    .union_all(select(null(), func.count(OperationDocument.id))
               .where(OperationDocument.operation_id == _OPERATION_ID)))


def dashboard_counts(operation: Operation) -> tuple[Counter, int]:
    """Organisations by participation status, and the number of documents: one query."""
    statuses: Counter = Counter()
    document_total = 0  # the row without a status
    for status, count in db.session.execute(_DASHBOARD_COUNTS, {"operation_id": operation.id}):
        if status is None:
            document_total = count
        else:
            statuses[status] = count
    return statuses, document_total


@dataclass(frozen=True)
class PeriodProgress:
    """Where the returns of one reporting period stand, for every administration together
    (names none: every member may see it)."""

    period: ReportingPeriod
    owing: int  # administrations that owe a return
    seizures: int
    nil: int

    @property
    def filed(self) -> int:
        return self.seizures + self.nil

    @property
    def missing(self) -> int:
        return self.owing - self.filed


_PERIOD_ID: BindParameter[int] = bindparam("period_id", type_=Integer)


def _period_progress_statement():
    reporters = _reporting_participants(_OPERATION_ID).subquery()
    by_kind = (select(PeriodReturn.kind, func.count())
               .join(reporters, reporters.c.id == PeriodReturn.organisation_id)
               .where(PeriodReturn.period_id == _PERIOD_ID).group_by(PeriodReturn.kind))
    # One more row, without a kind: how many administrations owe returns.
    return by_kind.union_all(select(null(), func.count()).select_from(reporters))


_PERIOD_PROGRESS = _period_progress_statement()


def period_to_follow(periods: list[ReportingPeriod], today: date) -> ReportingPeriod | None:
    """The period whose returns the dashboard follows: the latest one over (its returns
    are due or overdue), else the one under way; None before the first starts."""
    over = [period for period in periods if period.ends_on < today]
    if over:
        return over[-1]
    return next((period for period in periods if period.contains(today)), None)


def period_progress(operation: Operation, period: ReportingPeriod) -> PeriodProgress:
    """How many administrations owe a return for ``period`` and how many filed: one query."""
    owing, filed = 0, Counter[ReturnKind]()
    for kind, count in db.session.execute(_PERIOD_PROGRESS, {"operation_id": operation.id,
                                                             "period_id": period.id}):
        if kind is None:
            owing = count
        else:
            filed[kind] = count
    return PeriodProgress(period, owing, filed[ReturnKind.SEIZURES], filed[ReturnKind.NIL])


@dataclass(frozen=True)
class OverdueReporter:
    """An administration behind with its returns, as the dashboard lists it."""

    organisation_code: str
    organisation_name: str
    overdue: int  # periods whose return is overdue
    latest_starts_on: date  # the latest of them
    latest_ends_on: date
    first_deadline_at: datetime  # the earliest deadline it missed
    last_reminded_at: datetime | None  # about a return still missing


@dataclass(frozen=True)
class OverdueReporters:
    rows: list[OverdueReporter]
    total: int  # administrations overdue, listed or not


OVERDUE_LIMIT = 10
_NOW: BindParameter[datetime] = bindparam("now", type_=UTCDateTime)


def _overdue_statement():
    # Whose rows: the caller's standing (OperationAccess.reporting_rows), bound per request.
    reporters = (_reporting_participants(_OPERATION_ID)
                 .where(RowScope.where_code(Organisation.code)).subquery())
    filed = (select(PeriodReturn.id)
             .where(PeriodReturn.period_id == ReportingPeriod.id,
                    PeriodReturn.organisation_id == reporters.c.id).exists())
    still_missing = ~(select(PeriodReturn.id)
                      .where(PeriodReturn.period_id == Reminder.period_id,
                             PeriodReturn.organisation_id == Reminder.organisation_id).exists())
    reminded = (select(func.max(Reminder.sent_at))
                .where(Reminder.operation_id == _OPERATION_ID,
                       Reminder.organisation_id == reporters.c.id, still_missing)
                .scalar_subquery())
    overdue = func.count(ReportingPeriod.id)
    first_deadline = func.min(ReportingPeriod.deadline_at)
    return (select(reporters.c.code, reporters.c.name, overdue,
                   func.max(ReportingPeriod.starts_on), func.max(ReportingPeriod.ends_on),
                   first_deadline, reminded, func.count().over())
            .join(ReportingPeriod, ReportingPeriod.operation_id == _OPERATION_ID)
            .where(ReportingPeriod.deadline_at < _NOW, ~filed)
            .group_by(reporters.c.id, reporters.c.code, reporters.c.name)
            .order_by(overdue.desc(), first_deadline, reporters.c.code)
            .limit(bindparam("limit", type_=Integer)))


_OVERDUE = _overdue_statement()


def overdue_reporters(operation: Operation, access: OperationAccess, *,
                      limit: int = OVERDUE_LIMIT) -> OverdueReporters:
    """The administrations whose returns are overdue, among those ``access`` sees
    (``OperationAccess.reporting_rows``: every one for coordinators and the secretariat,
    else the caller's own): the most periods behind first, at most ``limit``, and how
    many in all. One query."""
    found = db.session.execute(_OVERDUE, {
        "operation_id": operation.id, "now": utcnow(), "limit": limit,
        **access.reporting_rows.code_values()}).all()
    # The last column is the window count: how many administrations, listed or not.
    return OverdueReporters([OverdueReporter(*row[:-1]) for row in found],
                            found[0][-1] if found else 0)


def document_count(operation: Operation) -> int:
    return db.session.scalar(select(func.count(OperationDocument.id))
                             .where(OperationDocument.operation_id == operation.id)) or 0
