"""Read-side of operations: lists, the dashboard, the compliance table, the directory.

Each returns plain data for templates, the API and (later) the PDF packs, and
runs a fixed number of queries whatever the number of participants.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from opsplatform.audit.models import AuditEntry
from opsplatform.auth.models import User
from opsplatform.core.db import db, utcnow
from opsplatform.core.pagination import Page, keyset_page
from opsplatform.core.vocabularies import LabelledEnum, with_labels
from opsplatform.organisations.models import Organisation, OrganisationKind

from .access import OperationAccess, visible_operations
from .models import (
    Membership,
    Operation,
    OperationDocument,
    OperationRole,
    OperationStatus,
    Participation,
    ParticipationStatus,
    PeriodReturn,
    Reminder,
    ReportingPeriod,
    ReturnKind,
)

# -- lists ------------------------------------------------------------------------------------


def _status_filter(status: OperationStatus, today: date):
    closed = or_(Operation.closed_at.is_not(None), Operation.ends_on < today)
    if status is OperationStatus.CLOSED:
        return closed
    planned = or_(Operation.starts_on.is_(None), Operation.starts_on > today)
    if status is OperationStatus.PLANNED:
        return ~closed & planned
    return ~closed & ~planned


def list_operations(user: User, *, status: OperationStatus | None = None, search: str = "",
                    after: int | None = None, limit: int = 50,
                    today: date | None = None) -> Page:
    """The operations ``user`` may see, newest first, with phases loaded."""
    today = today or date.today()
    query = visible_operations(user).options(selectinload(Operation.phases),
                                             selectinload(Operation.host_organisation))
    if status is not None:
        query = query.where(_status_filter(status, today))
    if search:
        # autoescape: "%" and "_" typed in the search box are text, not wildcards.
        term = search.strip()
        query = query.where(or_(Operation.code.icontains(term, autoescape=True),
                                Operation.title.icontains(term, autoescape=True)))
    return keyset_page(query, Operation.id, after, limit, descending=True)


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


def participations_with_people(operation: Operation) -> list[Participation]:
    """Every organisation asked to take part, by code, with its people loaded."""
    return list(db.session.scalars(
        select(Participation).where(Participation.operation_id == operation.id)
        .options(selectinload(Participation.members).joinedload(Membership.user))
        .join(Participation.organisation).order_by(Organisation.code)
    ))


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


def _reporting_participants(operation: Operation):
    """The organisations that owe returns: member administrations taking part."""
    return (
        select(Organisation.id, Organisation.code, Organisation.name)
        .join(Participation, Participation.organisation_id == Organisation.id)
        .where(Participation.operation_id == operation.id,
               Participation.status == ParticipationStatus.ACCEPTED,
               Organisation.kind == OrganisationKind.MEMBER_ADMINISTRATION)
    )


def compliance_totals(operation: Operation, *, today: date | None = None) -> Counter:
    """How many administration × period cells are in each status, counted in SQL.

    The same figures as ``compliance_table(...).totals`` in three queries, without
    building the table. Every member may see them: they name no administration.
    """
    today = today or date.today()
    now = utcnow()
    periods = list(db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.operation_id == operation.id)))
    reporters = _reporting_participants(operation).subquery()
    reporting = db.session.scalar(select(func.count()).select_from(reporters)) or 0
    filed: dict[int, Counter] = {period.id: Counter() for period in periods}
    for period_id, kind, count in db.session.execute(
        select(PeriodReturn.period_id, PeriodReturn.kind, func.count())
        .join(reporters, reporters.c.id == PeriodReturn.organisation_id)
        .where(PeriodReturn.operation_id == operation.id)
        .group_by(PeriodReturn.period_id, PeriodReturn.kind)
    ):
        filed[period_id][kind] += count
    totals: Counter = Counter()
    for period in periods:
        seizures, nil = filed[period.id][ReturnKind.SEIZURES], filed[period.id][ReturnKind.NIL]
        totals[CellStatus.SEIZURES] += seizures
        totals[CellStatus.NIL] += nil
        totals[_cell_status(period, None, today, now)] += reporting - seizures - nil
    return totals


def _cell_status(period: ReportingPeriod, period_return: PeriodReturn | None, today: date,
                 now: datetime) -> CellStatus:
    if period_return is not None:
        return CellStatus.NIL if period_return.kind is ReturnKind.NIL else CellStatus.SEIZURES
    if period.starts_on > today:
        return CellStatus.UPCOMING
    return CellStatus.OVERDUE if period.deadline_at < now else CellStatus.DUE


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
    periods = list(db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.operation_id == operation.id)
        .order_by(ReportingPeriod.starts_on)))
    participants = (_reporting_participants(operation).where(scope.where(Organisation.id))
                    .order_by(Organisation.code))
    returns = {(r.organisation_id, r.period_id): r for r in db.session.scalars(
        select(PeriodReturn).where(PeriodReturn.operation_id == operation.id,
                                   scope.where(PeriodReturn.organisation_id)))}
    reminded = {(org, period): at for period, org, at in db.session.execute(
        select(Reminder.period_id, Reminder.organisation_id, func.max(Reminder.sent_at))
        .where(Reminder.operation_id == operation.id, scope.where(Reminder.organisation_id))
        .group_by(Reminder.period_id, Reminder.organisation_id))}

    table = ComplianceTable(periods, [])
    for org_id, code, name in db.session.execute(participants):
        cells = []
        for period in periods:
            period_return = returns.get((org_id, period.id))
            status = _cell_status(period, period_return, today, now)
            cells.append(ComplianceCell(
                period.id, status,
                seizure_count=period_return.seizure_count if period_return else None,
                filed_at=period_return.filed_at if period_return else None,
                last_reminded_at=reminded.get((org_id, period.id)),
            ))
            table.totals[status] += 1
        table.rows.append(ComplianceRow(org_id, code, name, cells))
    if not scope.everyone:
        table.totals = compliance_totals(operation, today=today)
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


def directory(operation: Operation) -> list[DirectoryEntry]:
    """The people of the participating organisations, by organisation and role."""
    rows = db.session.execute(
        select(Membership.role, User, Organisation)
        .join(User, User.id == Membership.user_id)
        .join(Participation, Participation.id == Membership.participation_id)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(Membership.operation_id == operation.id,
               Participation.status == ParticipationStatus.ACCEPTED,
               User.is_active.is_(True))
        .order_by(Organisation.code, Membership.role, User.display_name)
    )
    return [
        DirectoryEntry(user.id, user.display_name, user.job_title, organisation.code,
                       organisation.name, role, user.office_phone, user.duty_phone, user.email,
                       user.languages, user.time_zone)
        for role, user, organisation in rows
    ]


# -- dashboard --------------------------------------------------------------------------------

ACTIVITY_LIMIT = 12


# Entries about one administration's returns, named by its code in ``subject``: they show
# only to those who see that administration's row (``OperationAccess.reporting_rows``).
PER_ADMINISTRATION_REPORTING = ("returns.filed", "returns.reminder_sent")


def latest_activity(operation: Operation, access: OperationAccess,
                    limit: int = ACTIVITY_LIMIT) -> list[AuditEntry]:
    """The operation's most recent recorded changes that ``access`` may see.

    Downloads and exports are left out.
    """
    quiet = ("documents.downloaded", "directory.exported")
    query = (select(AuditEntry).options(selectinload(AuditEntry.actor))
             .where(AuditEntry.operation_id == operation.id, AuditEntry.action.not_in(quiet),
                    or_(AuditEntry.action.not_in(PER_ADMINISTRATION_REPORTING),
                        access.reporting_rows.where_code(AuditEntry.subject))))
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def document_count(operation: Operation) -> int:
    return db.session.scalar(select(func.count(OperationDocument.id))
                             .where(OperationDocument.operation_id == operation.id)) or 0
