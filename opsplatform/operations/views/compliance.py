"""The reporting page: periods, who has reported, returns, reminders and custom periods.

Everyone in the operation sees the periods and the totals; coordinators and
the secretariat the whole administration × period table; a contact point its
own administration's row and the form to file a return. The table is built
once per request by ``queries.compliance_table``, holding only the rows the
caller may see (a fixed number of queries); everything else on the page is
derived from it in Python.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from opsplatform.core import dates
from opsplatform.core.db import db, utcnow
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.core.exports import csv_safe
from opsplatform.core.forms import INVALID_FORM_STATUS
from opsplatform.core.permissions import Permission
from opsplatform.organisations.models import Organisation

from .. import compliance as reporting
from .. import queries
from ..access import OperationAccess, current_access, load_child, load_own_return, operation_route
from ..charts import compliance_chart
from ..forms import PeriodsForm, ReminderForm, ReturnCorrectionForm, ReturnForm
from ..models import (
    Operation,
    OperationStatus,
    PeriodReturn,
    Reminder,
    ReportingFrequency,
    ReportingPeriod,
    ReturnKind,
)
from ..queries import CellStatus, ComplianceRow, ComplianceTable
from . import bp

OPEN_STATUSES = (CellStatus.DUE, CellStatus.OVERDUE)
REPORTED_STATUSES = (CellStatus.SEIZURES, CellStatus.NIL)
EXTRA_PERIOD_ROWS = 2


@dataclass
class PeriodView:
    """One period as the page shows it: its number, where it stands, who still owes a return."""

    number: int
    period: ReportingPeriod
    state: str  # upcoming, current, awaiting, closed
    state_label: str
    reported: int = 0
    missing: list[ComplianceRow] = field(default_factory=list)


def _period_views(table: ComplianceTable, today: date) -> list[PeriodView]:
    now = utcnow()
    views = []
    for index, period in enumerate(table.periods):
        if period.starts_on > today:
            state, label = "upcoming", _("Not started")
        elif period.ends_on >= today:
            state, label = "current", _("Under way")
        elif period.deadline_at >= now:
            state, label = "awaiting", _("Returns due")
        else:
            state, label = "closed", _("Deadline passed")
        views.append(PeriodView(index + 1, period, state, label))
    for row in table.rows:
        for view, cell in zip(views, row.cells, strict=True):
            if cell.status in REPORTED_STATUSES:
                view.reported += 1
            elif cell.status in OPEN_STATUSES:
                view.missing.append(row)
    return views


def _span(period: ReportingPeriod) -> str:
    return dates.span(period.starts_on, period.ends_on)


def _period_label(view: PeriodView) -> str:
    return _("Period %(n)d (%(span)s)", n=view.number, span=_span(view.period))


def _own_row(table: ComplianceTable, access: OperationAccess) -> ComplianceRow | None:
    if access.participation is None:
        return None
    return table.row_for(access.participation.organisation_id)


def _return_form(periods: list[PeriodView], own_row: ComplianceRow | None,
                 form: ReturnForm | None = None) -> ReturnForm:
    """The return form, offering the started periods the administration has not reported."""
    form = form or ReturnForm(formdata=None)
    open_periods = []
    if own_row is not None:
        open_periods = [view for view, cell in zip(periods, own_row.cells, strict=True)
                        if cell.status in OPEN_STATUSES and view.period.locked_at is None]
    form.period.choices = [("", _("Choose…"))] + [
        (view.period.id, _period_label(view)) for view in open_periods]
    return form


def _correction_forms(operation: Operation, access, submitted: tuple[int, ReturnCorrectionForm]
                      | None) -> dict[int, tuple[PeriodReturn, ReturnCorrectionForm]]:
    """A correction form for each of the caller's own returns still open, by period id."""
    submitted_id, submitted_form = submitted or (None, None)
    forms = {}
    for period_return in reporting.own_returns(operation, access.require_participation()):
        form = submitted_form if submitted_form and period_return.id == submitted_id else \
            ReturnCorrectionForm(prefix=f"correct-{period_return.id}", formdata=None, data={
                "kind": period_return.kind.value, "seizure_count": period_return.seizure_count,
                "remarks": period_return.remarks})
        forms[period_return.period_id] = (period_return, form)
    return forms


def _reminder_form(view: PeriodView, form: ReminderForm | None = None) -> ReminderForm:
    form = form or ReminderForm(prefix=f"remind-{view.period.id}", formdata=None)
    form.organisations.choices = [(row.organisation_id, f"{row.organisation_code} — "
                                   f"{row.organisation_name}") for row in view.missing]
    return form


def _periods_form(periods: list[PeriodView]) -> PeriodsForm:
    form = PeriodsForm(formdata=None, data={"rows": [
        {"starts_on": view.period.starts_on, "ends_on": view.period.ends_on}
        for view in periods]})
    for _row in range(EXTRA_PERIOD_ROWS):
        form.rows.append_entry()
    return form


def _page(operation: Operation, status: int = 200, *, return_form: ReturnForm | None = None,
          reminder_form: tuple[int, ReminderForm] | None = None,
          periods_form: PeriodsForm | None = None,
          correction_form: tuple[int, ReturnCorrectionForm] | None = None):
    access = current_access()
    today = date.today()
    table = queries.compliance_table(operation, access, today=today)
    periods = _period_views(table, today)
    full = access.can(Permission.COMPLIANCE_READ)
    own_row = _own_row(table, access)
    context = {
        "operation": operation,
        "access": access,
        "today": today,
        "table": table,
        "periods": periods,
        "full": full,
        "own_row": own_row,
        "totals": [(status, table.totals[status]) for status in CellStatus],
        "chart": (compliance_chart(table.totals, id_prefix="reporting-summary")
                  if table.periods else None),
    }
    if own_row is not None and access.files_own_returns:
        context["return_form"] = _return_form(periods, own_row, return_form)
        context["correction_forms"] = _correction_forms(operation, access, correction_form)
        context["final"] = operation.status_on(today) is OperationStatus.CLOSED
    if full and access.can(Permission.REMINDERS_SEND):
        submitted_id, submitted = reminder_form or (None, None)
        context["reminder_forms"] = [
            (view, _reminder_form(view, submitted if view.period.id == submitted_id else None))
            for view in periods
            if (view.state != "upcoming" and view.missing) or view.period.id == submitted_id
        ]
    if access.can(Permission.PERIODS_WRITE) and (
            operation.reporting_frequency is ReportingFrequency.CUSTOM or periods_form):
        context["periods_form"] = periods_form or _periods_form(periods)
    return render_template("operations/compliance.html", **context), status


@bp.get("/<int:operation_id>/reporting")
@operation_route(Permission.COMPLIANCE_SUMMARY_READ)
def compliance(operation):
    return _page(operation)


# -- a contact point's return -------------------------------------------------------------------


@bp.post("/<int:operation_id>/reporting/returns")
@operation_route(Permission.RETURNS_WRITE_OWN)
def compliance_file_return(operation):
    participation = current_access().require_own_reporting()
    form = ReturnForm()
    if form.validate():
        kind = ReturnKind(form.kind.data)
        try:
            period = db.session.scalar(select(ReportingPeriod).where(
                ReportingPeriod.id == form.period.data,
                ReportingPeriod.operation_id == operation.id))
            if period is None:
                raise DomainError(_("Choose one of this operation's reporting periods."),
                                  field="period")
            reporting.file_return(
                operation, participation, period, kind=kind, actor=current_user,
                seizure_count=form.seizure_count.data, remarks=form.remarks.data or "")
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("%(kind)s filed for %(code)s, %(span)s.", kind=kind.label,
                    code=participation.organisation.code, span=_span(period)), "success")
            return redirect(url_for(".compliance", operation_id=operation.id))
    return _page(operation, INVALID_FORM_STATUS, return_form=form)


@bp.post("/<int:operation_id>/reporting/returns/<int:return_id>")
@operation_route(Permission.RETURNS_WRITE_OWN)
def compliance_correct_return(operation, return_id: int):
    period_return = load_own_return(operation, return_id)
    participation = current_access().require_participation()
    form = ReturnCorrectionForm(prefix=f"correct-{period_return.id}")
    if form.validate():
        try:
            reporting.correct_return(period_return, kind=ReturnKind(form.kind.data),
                                     actor=current_user, seizure_count=form.seizure_count.data,
                                     remarks=form.remarks.data or "")
        except ConflictError as error:
            # Locked or closed meanwhile: the page shows the return as final, and why.
            flash(error.message, "error")
            return _page(operation, error.status)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("The return of %(code)s for %(span)s was corrected.",
                    code=participation.organisation.code, span=_span(period_return.period)),
                  "success")
            return redirect(url_for(".compliance", operation_id=operation.id,
                                    _anchor="own-returns"))
    return _page(operation, INVALID_FORM_STATUS, correction_form=(period_return.id, form))


# -- locking a period's returns ---------------------------------------------------------------


@bp.post("/<int:operation_id>/reporting/periods/<int:period_id>/<any(lock, unlock):action>")
@operation_route(Permission.PERIODS_LOCK)
def compliance_lock_period(operation, period_id: int, action: str):
    period = load_child(ReportingPeriod, period_id, operation)
    reporting.set_period_lock(period, locked=action == "lock", actor=current_user)
    flash(_("The returns for %(span)s are final: locked.", span=_span(period)) if action == "lock"
          else _("The returns for %(span)s can be corrected again.", span=_span(period)),
          "success")
    return redirect(url_for(".compliance", operation_id=operation.id, _anchor="periods"))


# -- reminders ------------------------------------------------------------------------------------


@bp.post("/<int:operation_id>/reporting/periods/<int:period_id>/reminders")
@operation_route(Permission.REMINDERS_SEND)
def compliance_remind(operation, period_id: int):
    period = load_child(ReportingPeriod, period_id, operation)
    form = ReminderForm(prefix=f"remind-{period.id}")
    if form.validate():
        try:
            organisation_ids = None
            if form.scope.data == "selected":
                organisation_ids = form.organisations.data or []
                if not organisation_ids:
                    raise DomainError(_("Tick the administrations to remind, or remind all "
                                        "that have not reported."), field="organisations")
            reminders = reporting.send_reminders(operation, period, actor=current_user,
                                                 organisation_ids=organisation_ids,
                                                 message=form.message.data or "")
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(ngettext("A reminder was recorded for %(num)d administration (%(span)s): "
                           "%(codes)s.",
                           "Reminders were recorded for %(num)d administrations (%(span)s): "
                           "%(codes)s.", len(reminders), span=_span(period),
                           codes=", ".join(sorted(_codes(reminders)))), "success")
            return redirect(url_for(".compliance", operation_id=operation.id,
                                    _anchor="reminders"))
    return _page(operation, INVALID_FORM_STATUS, reminder_form=(period.id, form))


def _codes(reminders: list[Reminder]) -> list[str]:
    ids = [reminder.organisation_id for reminder in reminders]
    return list(db.session.scalars(select(Organisation.code).where(Organisation.id.in_(ids))))


# -- custom periods -------------------------------------------------------------------------


def _spans(form: PeriodsForm) -> list[tuple[date, date]]:
    spans = []
    for number, entry in enumerate(form.rows, start=1):
        if entry.remove.data or entry.is_blank:
            continue
        if entry.starts_on.data is None or entry.ends_on.data is None:
            raise DomainError(_("Give both the start and the end of row %(n)d.", n=number),
                              code="incomplete_period", field="periods")
        spans.append((entry.starts_on.data, entry.ends_on.data))
    return spans


@bp.post("/<int:operation_id>/reporting/periods")
@operation_route(Permission.PERIODS_WRITE)
def compliance_periods(operation):
    form = PeriodsForm()
    if form.validate():
        try:
            reporting.set_custom_periods(operation, _spans(form), actor=current_user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("The reporting periods were saved."), "success")
            return redirect(url_for(".compliance", operation_id=operation.id))
    return _page(operation, INVALID_FORM_STATUS, periods_form=form)


# -- export --------------------------------------------------------------------------------------

CSV_COLUMNS = ["organisation_code", "organisation_name", "period", "period_starts_on",
               "period_ends_on", "deadline_at", "status", "seizure_count", "filed_at",
               "last_reminded_at"]


def _iso(value) -> str:
    return value.isoformat() if value is not None else ""


@bp.get("/<int:operation_id>/reporting.csv")
@operation_route(Permission.COMPLIANCE_READ)
def compliance_csv(operation):
    """One line per administration and period (a long table, ready for a pivot)."""
    table = queries.compliance_table(operation, current_access())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in table.rows:
        for number, (period, cell) in enumerate(zip(table.periods, row.cells, strict=True),
                                                start=1):
            writer.writerow([
                csv_safe(row.organisation_code), csv_safe(row.organisation_name), number,
                _iso(period.starts_on), _iso(period.ends_on), _iso(period.deadline_at),
                cell.status.value, "" if cell.seizure_count is None else cell.seizure_count,
                _iso(cell.filed_at), _iso(cell.last_reminded_at),
            ])
    filename = f"{operation.code}-reporting-{date.today().isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
