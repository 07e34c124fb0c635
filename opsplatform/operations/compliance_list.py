"""The administration × period table in pages, for the reporting page, its CSV and the API.

A coordinator following 170 administrations reads it by view: every administration
(``all``), those that have not reported for a period that has started
(``not_reported``: a return due or overdue), or those with an overdue return
(``overdue``). The view is an argument of ``ComplianceArgsSchema`` (core/lists, with
the cursor and page size), loaded alike by the page and the API; it is applied in SQL,
inside the rows the caller's standing may see (``OperationAccess.reporting_rows``, the
same ``RowScope`` as ``queries.compliance_table``), and the rows come in keyset pages
by administration code. The count of each view counts the caller's rows; the totals
and the per-period figures count the whole table and name no administration.

Every statement is built once with bound parameters (operation, scope, day, moment):
building them per request cost more than running them (see queries.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import fields
from sqlalchemy import Boolean, Date, Integer, bindparam, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from opsplatform.core.db import UTCDateTime, db, utcnow
from opsplatform.core.lists import ListArgs, ListArgsSchema, Listing, SortKey
from opsplatform.core.vocabularies import LabelledEnum, with_labels
from opsplatform.organisations.models import Organisation

from .access import OperationAccess
from .models import Operation, PeriodReturn, Reminder, ReportingPeriod, ReturnKind

# The rule of who owes returns, the operation's periods, a cell's status and the
# whole table's counts by period stay where the table is built (queries.py).
from .queries import (
    _OPERATION_ID,
    _TOTALS,
    CellStatus,
    ComplianceRow,
    _cell_status,
    _periods,
    _reporting_participants,
    row_cells,
)


class ComplianceView(LabelledEnum):
    ALL = "all"
    NOT_REPORTED = "not_reported"  # a return due or overdue for a period that has started
    OVERDUE = "overdue"  # a return past its deadline


with_labels({
    ComplianceView.ALL: _l("All"),
    ComplianceView.NOT_REPORTED: _l("Not reported"),
    ComplianceView.OVERDUE: _l("Overdue"),
})(ComplianceView)


COMPLIANCE_ROWS = Listing("compliance", SortKey(Organisation.code), SortKey(Organisation.id))


class ComplianceArgsSchema(ListArgsSchema):
    """What the administration × period table takes, on the page and in the API alike."""

    listing = COMPLIANCE_ROWS

    view = fields.Enum(ComplianceView, by_value=fields.String, load_default=ComplianceView.ALL,
                       error_messages={"unknown": _l("Choose one of the views offered.")},
                       metadata={"description": "all (default); not_reported: a return due "
                                                "or overdue for a period that has started; "
                                                "overdue: a return past its deadline"})


# -- statements, built once ----------------------------------------------------------------

_TODAY = bindparam("compliance_today", type_=Date)
_NOW = bindparam("compliance_now", type_=UTCDateTime)
_SCOPE_EVERYONE = bindparam("scope_everyone", type_=Boolean)
_SCOPE_ID = bindparam("scope_id", type_=Integer)
_ORGANISATION_IDS = bindparam("organisation_ids", type_=Integer, expanding=True)


def _missing_return(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The administration (``Organisation.id`` of the enclosing select) has no return for
    some period of the operation meeting ``condition``."""
    filed = (select(PeriodReturn.id)
             .where(PeriodReturn.period_id == ReportingPeriod.id,
                    PeriodReturn.organisation_id == Organisation.id)
             .correlate(ReportingPeriod, Organisation).exists())
    return (select(ReportingPeriod.id)
            .where(ReportingPeriod.operation_id == _OPERATION_ID, condition, ~filed)
            .correlate(Organisation).exists())


_NOT_REPORTED = _missing_return(ReportingPeriod.starts_on <= _TODAY)
_OVERDUE = _missing_return(ReportingPeriod.deadline_at < _NOW)
_VIEW_CONDITIONS: dict[ComplianceView, ColumnElement[bool] | None] = {
    ComplianceView.ALL: None,
    ComplianceView.NOT_REPORTED: _NOT_REPORTED,
    ComplianceView.OVERDUE: _OVERDUE,
}


def _scoped():
    """The administrations that owe returns, among those the caller's rows cover."""
    return _reporting_participants(_OPERATION_ID).where(
        or_(_SCOPE_EVERYONE, Organisation.id == _SCOPE_ID))


def _rows_statement(view: ComplianceView):
    condition = _VIEW_CONDITIONS[view]
    rows = _scoped()
    return rows if condition is None else rows.where(condition)


_ROWS = {view: _rows_statement(view) for view in ComplianceView}
_COUNTS = _scoped().with_only_columns(
    func.count(), func.count(case((_NOT_REPORTED, 1))), func.count(case((_OVERDUE, 1))),
    maintain_column_froms=True)
_CELLS = (select(PeriodReturn.organisation_id, PeriodReturn.period_id, PeriodReturn.kind,
                 PeriodReturn.seizure_count, PeriodReturn.filed_at)
          .where(PeriodReturn.operation_id == _OPERATION_ID,
                 PeriodReturn.organisation_id.in_(_ORGANISATION_IDS)))
_REMINDED = (select(Reminder.organisation_id, Reminder.period_id, func.max(Reminder.sent_at))
             .where(Reminder.operation_id == _OPERATION_ID,
                    Reminder.organisation_id.in_(_ORGANISATION_IDS))
             .group_by(Reminder.organisation_id, Reminder.period_id))


_SINCE = bindparam("reminded_since", type_=UTCDateTime)
_OWING = _reporting_participants(_OPERATION_ID).with_only_columns(
    Organisation.id, maintain_column_froms=True)
_RECENTLY_REMINDED = (
    select(Reminder.period_id, func.count(Reminder.organisation_id.distinct()))
    .where(Reminder.operation_id == _OPERATION_ID, Reminder.sent_at > _SINCE,
           Reminder.organisation_id.in_(_OWING),
           ~select(PeriodReturn.id).where(PeriodReturn.period_id == Reminder.period_id,
                                          PeriodReturn.organisation_id == Reminder.organisation_id)
           .exists())
    .group_by(Reminder.period_id))


def recently_reminded(operation: Operation, since: datetime) -> dict[int, int]:
    """Per period id, how many administrations that still owe its return were reminded
    for it after ``since`` (names none): one query."""
    return dict(db.session.execute(
        _RECENTLY_REMINDED, {"operation_id": operation.id, "reminded_since": since}).all())


# -- what the page and the API get ---------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    """One period's returns for every administration together (names none)."""

    owing: int  # administrations that owe returns
    seizures: int
    nil: int

    @property
    def reported(self) -> int:
        return self.seizures + self.nil

    @property
    def missing(self) -> int:
        return self.owing - self.reported


@dataclass
class CompliancePage:
    """A page of the table under one view, with the counts of every view."""

    view: ComplianceView
    periods: list[ReportingPeriod]
    rows: list[ComplianceRow]
    next_cursor: str | None
    counts: dict[ComplianceView, int]  # the caller's rows in each view
    totals: Counter = field(default_factory=Counter)  # cells of the whole table by status
    figures: dict[int, PeriodFigures] = field(default_factory=dict)  # by period id

    @property
    def total(self) -> int:
        """Rows in this view, on every page."""
        return self.counts[self.view]

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _params(operation: Operation, access: OperationAccess, today: date,
            now: datetime) -> dict[str, Any]:
    scope = access.reporting_rows
    return {"operation_id": operation.id, "scope_everyone": scope.everyone,
            "scope_id": scope.organisation_id, "compliance_today": today, "compliance_now": now}


def _figures(operation: Operation, periods: list[ReportingPeriod], today: date,
             now: datetime) -> tuple[Counter, dict[int, PeriodFigures]]:
    """The whole table's cells by status and each period's figures: one query."""
    filed: dict[int, Counter] = {period.id: Counter() for period in periods}
    owing = 0
    for period_id, kind, count in db.session.execute(_TOTALS, {"operation_id": operation.id}):
        if period_id is None:
            owing = count
        elif period_id in filed:
            filed[period_id][kind] += count
    totals: Counter = Counter()
    figures = {}
    for period in periods:
        seizures, nil = filed[period.id][ReturnKind.SEIZURES], filed[period.id][ReturnKind.NIL]
        figures[period.id] = PeriodFigures(owing, seizures, nil)
        totals[CellStatus.SEIZURES] += seizures
        totals[CellStatus.NIL] += nil
        totals[_cell_status(period, None, today, now)] += owing - seizures - nil
    for status in CellStatus:
        totals[status] += 0
    return totals, figures


def _rows(operation: Operation, periods: list[ReportingPeriod], found, today: date,
          now: datetime) -> list[ComplianceRow]:
    """``found`` (id, code, name) as table rows, their cells read in two queries."""
    ids = [row[0] for row in found]
    returns: dict[tuple[int, int], Any] = {}
    reminded: dict[tuple[int, int], datetime] = {}
    if ids:
        params = {"operation_id": operation.id, "organisation_ids": ids}
        returns = {(r.organisation_id, r.period_id): r
                   for r in db.session.execute(_CELLS, params)}
        reminded = {(org, period): at for org, period, at in db.session.execute(_REMINDED, params)}
    return [ComplianceRow(org_id, code, name,
                          row_cells(org_id, periods, returns, reminded, today, now))
            for org_id, code, name in found]


def compliance_page(operation: Operation, access: OperationAccess, args: ListArgs, *,
                    today: date | None = None) -> CompliancePage:
    """A page of the rows ``access`` may see under ``args`` (view, cursor, limit).

    Six queries whatever the number of administrations and periods: the periods, the
    counts of the views, the page of administrations, their returns, their latest
    reminders, and the whole table's figures.
    """
    today = today or date.today()
    now = utcnow()
    view: ComplianceView = args["view"]
    params = _params(operation, access, today, now)
    periods = _periods(operation)
    all_count, not_reported, overdue = db.session.execute(_COUNTS, params).one()
    counts = {ComplianceView.ALL: all_count, ComplianceView.NOT_REPORTED: not_reported,
              ComplianceView.OVERDUE: overdue}
    page = COMPLIANCE_ROWS.page(_ROWS[view], args, count=False, params=params)
    totals, figures = _figures(operation, periods, today, now)
    return CompliancePage(view, periods, _rows(operation, periods, page.items, today, now),
                          page.next_cursor, counts, totals, figures)


def compliance_rows(operation: Operation, access: OperationAccess, view: ComplianceView, *,
                    today: date | None = None) -> tuple[list[ReportingPeriod],
                                                        list[ComplianceRow]]:
    """Every row ``access`` may see in ``view``, by code (the CSV export): four queries."""
    today = today or date.today()
    now = utcnow()
    params = _params(operation, access, today, now)
    periods = _periods(operation)
    found = db.session.execute(_ROWS[view].order_by(*COMPLIANCE_ROWS.order_by()), params).all()
    return periods, _rows(operation, periods, found, today, now)
