"""The reporting page: periods, who has reported, returns, reminders and custom periods.

Everyone in the operation sees the periods and the totals. Coordinators and the
secretariat get the administration × period table in pages of 50 under a view (all,
not reported, overdue: ``compliance_list``, the arguments the API and the CSV share),
the reminder for the latest period over at the top, and a remind button per missing
return in the filtered views only. A contact point gets its own administration's row
(``queries.compliance_summary``) and the forms to file and correct its returns. Which
rows a caller sees is the standing's (``OperationAccess.reporting_rows``), never the view's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from babel import dates as babel_dates
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from opsplatform.core import dates
from opsplatform.core.db import db, utcnow
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.core.exports import csv_safe
from opsplatform.core.forms import INVALID_FORM_STATUS
from opsplatform.core.lists import ListArgs, ListArgsError, load_args, load_page_args
from opsplatform.core.permissions import Permission
from opsplatform.core.templating import day_formatter
from opsplatform.organisations.models import Organisation

from .. import compliance as reporting
from .. import compliance_list, queries
from ..access import current_access, load_child, load_own_return, operation_route
from ..charts import compliance_chart
from ..compliance_list import ComplianceArgsSchema, ComplianceView, PeriodFigures
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
from ..queries import CellStatus, ComplianceRow
from . import bp

OPEN_STATUSES = (CellStatus.DUE, CellStatus.OVERDUE)
REPORTED_STATUSES = (CellStatus.SEIZURES, CellStatus.NIL)
EXTRA_PERIOD_ROWS = 2


@dataclass
class PeriodView:
    """One period as the page shows it: its number, where it stands, how many reported."""

    number: int
    period: ReportingPeriod
    state: str  # upcoming, current, awaiting, closed
    state_label: str
    heading: str  # short: "Nov 3 – 9"
    full_label: str  # "Period 1: Nov 3, 2026 – Nov 9, 2026, returns due by …"
    reported: int = 0
    missing: int = 0
    reminded: int = 0  # of the missing, those reminded too recently to remind again

    @property
    def started(self) -> bool:
        return self.state != "upcoming"

    @property
    def to_remind(self) -> int:
        """How many a reminder for this period would reach now (0 once it is locked)."""
        if not self.started or self.period.locked_at is not None:
            return 0
        return self.missing - self.reminded


@lru_cache(maxsize=1024)
def _short_span(start: date, end: date, locale: str) -> str:
    return babel_dates.format_interval(start, end, "MMMd", locale=locale)


def _period_views(periods: list[ReportingPeriod], today: date,
                  figures: dict[int, PeriodFigures] | None = None) -> list[PeriodView]:
    now = utcnow()
    locale = str(get_locale())
    labels = {"upcoming": _("Not started"), "current": _("Under way"),
              "awaiting": _("Returns due"), "closed": _("Deadline passed")}
    views = []
    for index, period in enumerate(periods):
        if period.starts_on > today:
            state = "upcoming"
        elif period.ends_on >= today:
            state = "current"
        elif period.deadline_at >= now:
            state = "awaiting"
        else:
            state = "closed"
        deadline = period.deadline_at.astimezone(UTC)
        view = PeriodView(index + 1, period, state, labels[state],
                          _short_span(period.starts_on, period.ends_on, locale),
                          _("Period %(n)d: %(span)s, returns due by %(deadline)s", n=index + 1,
                            span=_span(period), deadline=f"{dates.day(deadline.date())}, "
                                                         f"{deadline:%H:%M} UTC"))
        if figures is not None:
            view.reported = figures[period.id].reported
            view.missing = figures[period.id].missing if state != "upcoming" else 0
        views.append(view)
    return views


def _followed(periods: list[PeriodView], today: date) -> PeriodView | None:
    """The period whose reminders come first: the latest one over with administrations to
    remind (returns due or overdue), else the one under way; None if there are none."""
    open_periods = [view for view in periods if view.to_remind]
    over = [view for view in open_periods if view.period.ends_on < today]
    return over[-1] if over else next(iter(open_periods), None)


def _span(period: ReportingPeriod) -> str:
    return dates.span(period.starts_on, period.ends_on)


def _period_label(view: PeriodView) -> str:
    return _("Period %(n)d (%(span)s)", n=view.number, span=_span(view.period))


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


def _periods_form(periods: list[PeriodView]) -> PeriodsForm:
    form = PeriodsForm(formdata=None, data={"rows": [
        {"starts_on": view.period.starts_on, "ends_on": view.period.ends_on}
        for view in periods]})
    for _row in range(EXTRA_PERIOD_ROWS):
        form.rows.append_entry()
    return form


def _list_args(values) -> tuple[ListArgs, ListArgsError | None]:
    return load_page_args(ComplianceArgsSchema(), values)


def _list_params(args: ListArgs) -> dict:
    """The query string of the view and page shown (none for the first page of all)."""
    params = args.url_params(args.cursor)
    if params.get("view") == ComplianceView.ALL.value:
        del params["view"]
    return params


def _day_of(zone) -> Callable[[datetime], str]:
    """The day of a moment in the reader's zone, each day written once per page."""
    days = day_formatter()
    return lambda value: days(value.astimezone(zone).date())


def _reminders(periods: list[PeriodView], today: date,
               submitted: tuple[int, ReminderForm] | None) -> dict:
    """The reminders card: the form for the followed period (or the one just refused),
    and the other periods whose returns are missing."""
    submitted_id, submitted_form = submitted or (None, None)
    chosen = next((view for view in periods if view.period.id == submitted_id), None) \
        or _followed(periods, today)
    form = None
    if chosen is not None:
        form = submitted_form if chosen.period.id == submitted_id else ReminderForm(
            prefix=f"remind-{chosen.period.id}", formdata=None)
    others = [view for view in periods if view is not chosen and view.to_remind]
    return {"reminder": (chosen, form) if chosen else None, "other_reminders": others,
            "all_reminded": [view for view in periods if view.missing and not view.to_remind
                             and view.started and view.period.locked_at is None]}


def _page(operation: Operation, status: int = 200, *, return_form: ReturnForm | None = None,
          reminder_form: tuple[int, ReminderForm] | None = None,
          periods_form: PeriodsForm | None = None,
          correction_form: tuple[int, ReturnCorrectionForm] | None = None):
    access = current_access()
    today = date.today()
    full = access.can(Permission.COMPLIANCE_READ)
    context: dict = {"operation": operation, "access": access, "today": today, "full": full,
                     "status_labels": CellStatus.labels_now(), "own_row": None}
    if full:
        args, refused = _list_args(request.args)
        listing = compliance_list.compliance_page(operation, access, args, today=today)
        periods = _period_views(listing.periods, today, listing.figures)
        totals = listing.totals
        context.update(listing=listing, args=args, refused=refused, here=_list_params(args),
                       views=list(ComplianceView), owing=next(
                           (figures.owing for figures in listing.figures.values()), 0),
                       day_of=_day_of(get_timezone()),
                       recent_since=utcnow() - reporting.REMINDER_INTERVAL,
                       reminder_hours=int(reporting.REMINDER_INTERVAL.total_seconds() // 3600),
                       may_remind=access.can(Permission.REMINDERS_SEND))
        if context["may_remind"]:
            reminded = compliance_list.recently_reminded(operation, context["recent_since"])
            for view in periods:
                view.reminded = reminded.get(view.period.id, 0)
            context.update(_reminders(periods, today, reminder_form))
    else:
        table = queries.compliance_summary(operation, access, today=today)
        periods = _period_views(table.periods, today)
        totals = table.totals
        own_row = table.rows[0] if table.rows else None
        context["own_row"] = own_row
        if own_row is not None and access.files_own_returns:
            context["return_form"] = _return_form(periods, own_row, return_form)
            context["correction_forms"] = _correction_forms(operation, access, correction_form)
            context["final"] = operation.status_on(today) is OperationStatus.CLOSED
    context.update(
        periods=periods,
        totals=[(status, totals[status]) for status in CellStatus],
        chart=(compliance_chart(totals, id_prefix="reporting-summary", legend=False)
               if periods else None))
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
    """Remind all that have not reported for the period, or the one named (a row's button).

    The query string carries the view the button was on, to come back to it."""
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
            args, _refused = _list_args(request.args)
            return redirect(url_for(".compliance", operation_id=operation.id,
                                    **_list_params(args), _anchor="reminders"))
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
    """One line per administration and period (a long table, ready for a pivot), for
    every administration of the view asked (``?view=``; all by default), not one page."""
    view = load_args(ComplianceArgsSchema(), request.args)["view"]
    periods, rows = compliance_list.compliance_rows(operation, current_access(), view)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        for number, (period, cell) in enumerate(zip(periods, row.cells, strict=True),
                                                start=1):
            writer.writerow([
                csv_safe(row.organisation_code), csv_safe(row.organisation_name), number,
                _iso(period.starts_on), _iso(period.ends_on), _iso(period.deadline_at),
                cell.status.value, "" if cell.seizure_count is None else cell.seizure_count,
                _iso(cell.filed_at), _iso(cell.last_reminded_at),
            ])
    suffix = "" if view is ComplianceView.ALL else f"-{view.value.replace('_', '-')}"
    filename = f"{operation.code}-reporting{suffix}-{date.today().isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
