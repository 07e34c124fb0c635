"""Reporting compliance: periods of the operational phase, returns and reminders.

Every participating member administration owes a return for each reporting
period: seizures reported, or a nil return ("nothing seized"). Coordinators
remind those who have not reported: a reminder is recorded here (the reporting
tables and the dashboard read it) and sent to the administration as an urgent
request asking for acknowledgement (``messaging.operations.send_message``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select

from opsplatform.audit.models import AuditAction
from opsplatform.audit.operations import apply_changes, record
from opsplatform.auth.models import User
from opsplatform.core import dates
from opsplatform.core.db import db, utcnow
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.core.text import check_length

from .models import (
    MAX_REMARKS_LENGTH,
    MAX_REMINDER_MESSAGE_LENGTH,
    Operation,
    OperationStatus,
    Participation,
    ParticipationStatus,
    PeriodReturn,
    Reminder,
    ReportingFrequency,
    ReportingPeriod,
    ReturnKind,
)

_STEP_DAYS = {ReportingFrequency.DAILY: 1, ReportingFrequency.WEEKLY: 7}


def deadline_for(operation: Operation, ends_on: date) -> datetime:
    """Returns are due by the end of the day (UTC), ``report_deadline_days`` after a period."""
    due_day = ends_on + timedelta(days=operation.report_deadline_days)
    return datetime.combine(due_day, time(23, 59, 59), tzinfo=UTC)


def _calendar_periods(operation: Operation) -> list[tuple[date, date]]:
    """Daily or weekly slices of the operational phase, the last one cut at its end."""
    phase = operation.operational_phase
    step = _STEP_DAYS.get(operation.reporting_frequency)
    if phase is None or phase.ends_on is None or step is None:
        return []
    periods, start = [], phase.starts_on
    while start <= phase.ends_on:
        end = min(start + timedelta(days=step - 1), phase.ends_on)
        periods.append((start, end))
        start = end + timedelta(days=1)
    return periods


def _existing_periods(operation: Operation) -> list[ReportingPeriod]:
    return list(db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.operation_id == operation.id)
        .order_by(ReportingPeriod.starts_on)
    ))


def _has_history(period: ReportingPeriod) -> bool:
    return bool(db.session.scalar(select(
        exists().where(PeriodReturn.period_id == period.id)
        | exists().where(Reminder.period_id == period.id)
    )))


def _replace_periods(operation: Operation, wanted: list[tuple[date, date]]) -> bool:
    """Make the operation's periods ``wanted``, keeping those unchanged; True if any changed."""
    existing = {(p.starts_on, p.ends_on): p for p in _existing_periods(operation)}
    obsolete = [p for span, p in existing.items() if span not in set(wanted)]
    locked = [p for p in obsolete if _has_history(p)]
    if locked:
        spans = ", ".join(f"{p.starts_on} – {p.ends_on}" for p in locked)
        raise ConflictError(
            _("Returns or reminders already exist for the reporting periods %(spans)s; "
              "they cannot be removed by this change.", spans=spans),
            code="periods_in_use", field="phases")
    for period in obsolete:
        db.session.delete(period)
    db.session.flush()
    for start, end in wanted:
        kept = existing.get((start, end))
        if kept is None:
            db.session.add(ReportingPeriod(operation_id=operation.id, starts_on=start,
                                           ends_on=end, deadline_at=deadline_for(operation, end)))
        else:
            kept.deadline_at = deadline_for(operation, end)
    db.session.flush()
    return bool(obsolete) or len(wanted) != len(existing)


def sync_periods(operation: Operation) -> None:
    """Bring the reporting periods in line with the phases and the frequency."""
    if operation.reporting_frequency is ReportingFrequency.CUSTOM:
        phase = operation.operational_phase
        kept = [(p.starts_on, p.ends_on) for p in _existing_periods(operation)
                if phase is not None and phase.contains(p.starts_on) and phase.contains(p.ends_on)]
        _replace_periods(operation, kept)
        return
    _replace_periods(operation, _calendar_periods(operation))


def set_custom_periods(operation: Operation, spans: list[tuple[date, date]], *,
                       actor: User) -> None:
    """Define the reporting periods by hand (operations with custom reporting)."""
    if operation.reporting_frequency is not ReportingFrequency.CUSTOM:
        raise DomainError(_("Periods follow the calendar unless reporting is set to custom."),
                          code="not_custom", field="periods")
    phase = operation.operational_phase
    if phase is None or phase.ends_on is None:
        raise DomainError(_("Plan the operational phase first."), code="no_operational_phase",
                          field="periods")
    spans = sorted(spans)
    for number, (start, end) in enumerate(spans, start=1):
        if end < start:
            raise DomainError(_("Period %(n)d (%(span)s) ends before it starts.",
                                n=number, span=dates.span(start, end)),
                              code="reversed_dates", field="periods")
        if not (phase.contains(start) and phase.contains(end)):
            raise DomainError(
                _("Period %(n)d (%(span)s) lies outside the operational phase (%(phase)s).",
                  n=number, span=dates.span(start, end),
                  phase=dates.span(phase.starts_on, phase.ends_on)),
                code="outside_operational_phase", field="periods")
        if number > 1 and start <= spans[number - 2][1]:
            raise DomainError(
                _("Period %(n)d (%(span)s) overlaps the one before (%(before)s).", n=number,
                  span=dates.span(start, end), before=dates.span(*spans[number - 2])),
                code="overlapping_periods", field="periods")
    if _replace_periods(operation, spans):
        record(AuditAction.PERIODS_CHANGED, target=operation, actor=actor, operation=operation,
               subject=operation.code,
               details={"periods": [[str(s), str(e)] for s, e in spans]})


def period_on(operation: Operation, day: date) -> ReportingPeriod:
    """The reporting period containing ``day``, or an error saying it has none."""
    period = db.session.scalar(
        select(ReportingPeriod).where(ReportingPeriod.operation_id == operation.id,
                                      ReportingPeriod.starts_on <= day,
                                      ReportingPeriod.ends_on >= day)
    )
    if period is None:
        raise DomainError(
            _("%(day)s is outside the operation's reporting periods (its operational phase).",
              day=dates.day(day)),
            code="outside_operational_phase", field="period")
    return period


def reporting_participations(operation: Operation) -> list[Participation]:
    """Participations that owe returns: member administrations taking part."""
    return [p for p in operation.participations
            if p.status is ParticipationStatus.ACCEPTED and p.organisation.is_member_administration]


def _return_for(period: ReportingPeriod, organisation_id: int) -> PeriodReturn | None:
    return db.session.scalar(select(PeriodReturn).where(
        PeriodReturn.period_id == period.id, PeriodReturn.organisation_id == organisation_id))


def file_return(operation: Operation, participation: Participation, period: ReportingPeriod, *,
                kind: ReturnKind, actor: User, seizure_count: int | None = None,
                remarks: str = "", today: date | None = None) -> PeriodReturn:
    """Record an administration's return for a period (callers check who may file it)."""
    today = today or date.today()
    kind = ReturnKind(kind)
    if period.operation_id != operation.id or participation.operation_id != operation.id:
        raise DomainError(_("That period belongs to another operation."), code="wrong_operation",
                          field="period")
    if participation not in reporting_participations(operation):
        raise DomainError(
            _("%(code)s does not report in this operation.", code=participation.organisation.code),
            code="not_reporting", field="organisation")
    if period.starts_on > today:
        raise DomainError(
            _("The period %(span)s has not started yet.",
              span=dates.span(period.starts_on, period.ends_on)),
            code="period_not_started", field="period")
    seizure_count = _checked_count(kind, seizure_count)
    _check_open(operation, period, today)
    existing = _return_for(period, participation.organisation_id)
    if existing is not None:
        raise ConflictError(
            _("%(code)s already filed a return for %(span)s (%(kind)s, on %(when)s).",
              code=participation.organisation.code,
              span=dates.span(period.starts_on, period.ends_on), kind=existing.kind.label,
              when=dates.day(existing.filed_at.date())),
            code="already_reported", field="period")
    period_return = PeriodReturn(
        operation_id=operation.id, period=period, organisation_id=participation.organisation_id,
        kind=kind, seizure_count=seizure_count,
        remarks=check_length((remarks or "").strip(), MAX_REMARKS_LENGTH, "remarks"),
        filed_by=actor,
    )
    db.session.add(period_return)
    db.session.flush()
    record(AuditAction.RETURN_FILED, target=period_return, actor=actor, operation=operation,
           subject=participation.organisation.code,
           details={"kind": kind.value, "period": [str(period.starts_on), str(period.ends_on)],
                    "seizure_count": period_return.seizure_count})
    return period_return


def own_returns(operation: Operation, participation: Participation) -> list[PeriodReturn]:
    """The returns ``participation``'s administration has filed, by period."""
    return list(db.session.scalars(
        select(PeriodReturn).where(PeriodReturn.operation_id == operation.id,
                                   PeriodReturn.organisation_id == participation.organisation_id)
        .join(PeriodReturn.period).order_by(ReportingPeriod.starts_on)))


def _checked_count(kind: ReturnKind, seizure_count: int | None) -> int | None:
    """The seizure count a return of ``kind`` keeps; contradictions are refused, not dropped."""
    if kind is ReturnKind.SEIZURES:
        if seizure_count is None or seizure_count < 1:
            raise DomainError(_("Give the number of seizures (at least 1)."),
                              code="invalid_seizure_count", field="seizure_count")
        return seizure_count
    if seizure_count:  # a nil return with seizures typed in: one of them is wrong
        raise DomainError(
            _("A nil return reports no seizures, yet %(num)d were given: choose “Seizures "
              "reported”, or clear the number.", num=seizure_count),
            code="contradictory_return", field="seizure_count")
    return None


def _check_open(operation: Operation, period: ReportingPeriod, today: date) -> None:
    """Returns of a locked period, or of a closed operation, are final."""
    if period.locked_at is not None:
        raise ConflictError(
            _("The period %(span)s is locked: its returns are final. Ask a coordinator to "
              "unlock it.", span=dates.span(period.starts_on, period.ends_on)),
            code="period_locked", field="period")
    if operation.status_on(today) is OperationStatus.CLOSED:
        raise ConflictError(_("The operation is closed: its returns are final."),
                            code="operation_closed", field="period")


def correct_return(period_return: PeriodReturn, *, kind: ReturnKind, actor: User,
                   seizure_count: int | None = None, remarks: str = "",
                   today: date | None = None) -> PeriodReturn:
    """Correct a filed return (callers check that it is the actor's administration's).

    Possible until a coordinator locks the period or the operation closes; each
    correction is audited with what it changed.
    """
    today = today or date.today()
    kind = ReturnKind(kind)
    operation = db.session.get(Operation, period_return.operation_id)
    assert operation is not None
    _check_open(operation, period_return.period, today)
    changes = apply_changes(period_return, {
        "kind": kind, "seizure_count": _checked_count(kind, seizure_count),
        "remarks": check_length((remarks or "").strip(), MAX_REMARKS_LENGTH, "remarks")})
    if changes:
        period_return.corrected_at = utcnow()
        period_return.corrected_by_id = actor.id
        record(AuditAction.RETURN_CORRECTED, target=period_return, actor=actor,
               operation=operation, subject=period_return.organisation.code,
               details={"period": [str(period_return.period.starts_on),
                                   str(period_return.period.ends_on)], "changes": changes})
        db.session.flush()
    return period_return


def set_period_lock(period: ReportingPeriod, *, locked: bool, actor: User) -> None:
    """Lock a period (its returns become final) or unlock it to allow corrections again."""
    if (period.locked_at is not None) == locked:
        return
    period.locked_at = utcnow() if locked else None
    period.locked_by_id = actor.id if locked else None
    record(AuditAction.PERIOD_LOCKED if locked else AuditAction.PERIOD_UNLOCKED, target=period,
           actor=actor, operation=period.operation_id,
           details={"period": [str(period.starts_on), str(period.ends_on)]})
    db.session.flush()


# An administration reminded for a period is not reminded again for it before this has
# passed: a second click, or two coordinators reminding at once, sends nothing twice.
REMINDER_INTERVAL = timedelta(hours=24)


def recently_reminded(reminded_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether a reminder sent at ``reminded_at`` is recent enough to send none again."""
    return reminded_at is not None and reminded_at > (now or utcnow()) - REMINDER_INTERVAL


def send_reminders(operation: Operation, period: ReportingPeriod, *, actor: User,
                   organisation_ids: list[int] | None = None, message: str = "",
                   today: date | None = None) -> list[Reminder]:
    """Remind the administrations that have not reported for ``period`` (or those named).

    Those reminded for ``period`` within ``REMINDER_INTERVAL`` are left out; when that
    leaves nobody, nothing is sent (``recently_reminded``).
    """
    today = today or date.today()
    if period.operation_id != operation.id:
        raise DomainError(_("That period belongs to another operation."), code="wrong_operation")
    if period.starts_on > today:
        raise DomainError(_("The period has not started yet."), code="period_not_started")
    reported = set(db.session.scalars(
        select(PeriodReturn.organisation_id).where(PeriodReturn.period_id == period.id)))
    missing = [p for p in reporting_participations(operation)
               if p.organisation_id not in reported]
    if organisation_ids is not None:
        wanted = set(organisation_ids)
        unknown = wanted - {p.organisation_id for p in missing}
        if unknown:
            raise DomainError(_("Only administrations that have not reported can be reminded."),
                              code="nothing_to_remind", field="organisations")
        missing = [p for p in missing if p.organisation_id in wanted]
    if not missing:
        raise DomainError(_("Every administration has reported for this period."),
                          code="nothing_to_remind")
    recent = set(db.session.scalars(
        select(Reminder.organisation_id).where(Reminder.period_id == period.id,
                                               Reminder.sent_at > utcnow() - REMINDER_INTERVAL)))
    missing = [p for p in missing if p.organisation_id not in recent]
    if not missing:
        hours = int(REMINDER_INTERVAL.total_seconds() // 3600)
        raise DomainError(
            _("Already reminded for this period less than %(num)d hours ago: not reminded "
              "again yet.", num=hours) if organisation_ids is not None
            else _("Every administration that has not reported was reminded for this period "
                   "less than %(num)d hours ago.", num=hours),
            code="recently_reminded", field="organisations")
    message = check_length((message or "").strip(), MAX_REMINDER_MESSAGE_LENGTH, "message")
    reminders = []
    for participation in missing:
        reminder = Reminder(operation_id=operation.id, period_id=period.id,
                            organisation_id=participation.organisation_id,
                            message=message, sent_by=actor)
        db.session.add(reminder)
        reminders.append(reminder)
    db.session.flush()
    for reminder, participation in zip(reminders, missing, strict=True):
        record(AuditAction.REMINDER_SENT, target=reminder, actor=actor, operation=operation,
               subject=participation.organisation.code,
               details={"period": [str(period.starts_on), str(period.ends_on)]})
        _send_reminder_message(operation, period, participation, message, actor=actor,
                               today=today)
    return reminders


def _send_reminder_message(operation: Operation, period: ReportingPeriod,
                           participation: Participation, note: str, *, actor: User,
                           today: date) -> None:
    """The reminder as a message to the one administration (each its own, as each sees
    only its own reporting row): an urgent request asking for acknowledgement. None to
    the reminder's own administration, nor once the operation is closed (no message can
    be sent in it)."""
    # Imported here: messaging builds on the operations package.
    from opsplatform.messaging import operations as messaging
    from opsplatform.messaging.models import Audience, MessageKind, MessagePriority

    from .access import access_for

    if participation.organisation_id == actor.organisation_id or operation.closed_at is not None:
        return
    span = dates.span(period.starts_on, period.ends_on)
    overdue = today > period.deadline_at.date()
    subject = (_("Return for %(period)s overdue", period=span) if overdue
               else _("Return for %(period)s due", period=span))
    lines = [_("%(code)s has not filed its return for %(period)s in %(operation)s, due by "
               "%(deadline)s (UTC).", code=participation.organisation.code, period=span,
               operation=operation.code, deadline=dates.day(period.deadline_at.date())),
             _("File it, with the seizures of the period or as a nil return, on the "
               "operation's reporting page, then acknowledge this message.")]
    if note:
        lines.append(note)
    messaging.send_message(
        operation,
        messaging.MessageFields(subject=subject, body="\n\n".join(lines),
                                kind=MessageKind.REQUEST, priority=MessagePriority.URGENT,
                                audience=Audience.CHOSEN,
                                organisations=[participation.organisation.code],
                                requires_ack=True),
        actor=actor, access=access_for(actor, operation))
