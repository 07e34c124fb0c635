"""Changes to operations: the plan and its phases (who takes part: participation.py).

Callers (views, API, CLI) have checked the user's permission; these functions
enforce the rules of the data, write the audit entry, and flush.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from opsplatform.audit.models import AuditAction
from opsplatform.audit.operations import apply_changes, record
from opsplatform.auth.models import User
from opsplatform.core import dates
from opsplatform.core.db import db, utcnow
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.core.text import check_length
from opsplatform.core.vocabularies import (
    HandlingCode,
    SubstanceGroup,
    TlpLevel,
    TransportMode,
)
from opsplatform.organisations.models import Organisation, OrganisationKind

from . import compliance
from .models import (
    MAX_OBJECTIVES_LENGTH,
    MAX_OPERATION_TITLE_LENGTH,
    MAX_PHASE_NAME_LENGTH,
    MAX_SUMMARY_LENGTH,
    Operation,
    Phase,
    PhaseKind,
    ReportingFrequency,
)
from .participants import ensure_taking_part

# Its length is MAX_OPERATION_CODE_LENGTH (models.py); the API states it in the OpenAPI document.
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,29}$")
MAX_DEADLINE_DAYS = 30
# Phase dates outside these are typing mistakes (and year 9999 overflows the deadlines).
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)
# A year of daily returns is the most an operation asks of its administrations.
MAX_OPERATIONAL_DAYS = 366


@dataclass
class PlanFields:
    code: str
    title: str
    host: Organisation
    summary: str = ""
    objectives: str = ""
    substance_groups: list[SubstanceGroup] = field(default_factory=list)
    transport_modes: list[TransportMode] = field(default_factory=list)
    organisers: list[Organisation] = field(default_factory=list)
    handling_code: HandlingCode = HandlingCode.H0
    tlp: TlpLevel = TlpLevel.AMBER
    reporting_frequency: ReportingFrequency = ReportingFrequency.WEEKLY
    report_deadline_days: int = 2


@dataclass
class PhaseFields:
    kind: PhaseKind
    name: str
    starts_on: date
    ends_on: date | None


def phase_template(start: date) -> list[PhaseFields]:
    """The usual cycle of a CATalyst-like operation, starting on ``start``."""
    spans = [
        (PhaseKind.PLANNING, 56),
        (PhaseKind.PRE_OPERATIONAL, 14),
        (PhaseKind.OPERATIONAL, 28),
        (PhaseKind.FOLLOW_UP, 42),
        (PhaseKind.POST_OPERATIONAL, 28),
    ]
    phases, day = [], start
    for kind, days in spans:
        phases.append(PhaseFields(kind, kind.label, day, day + timedelta(days=days - 1)))
        day += timedelta(days=days)
    phases.append(PhaseFields(PhaseKind.CLOSED, PhaseKind.CLOSED.label, day, None))
    return phases


# -- the plan ---------------------------------------------------------------------------------


def _find_by_code(code: str) -> Operation | None:
    return db.session.scalar(select(Operation).where(Operation.code == code))


def _validated_plan(fields: PlanFields, operation: Operation | None = None) -> dict:
    code = (fields.code or "").strip().upper()
    if not CODE_PATTERN.match(code):
        raise DomainError(
            _("An operation code is 2 to 30 capital letters, digits or hyphens, "
              "such as CATALYST-3."),
            code="invalid_code", field="code",
        )
    existing = _find_by_code(code)
    if existing is not None and existing is not operation:
        raise ConflictError(_("The code %(code)s is already used by another operation.",
                              code=code), code="duplicate_code", field="code")
    title = (fields.title or "").strip()
    if not title:
        raise DomainError(_("Give the operation a title."), code="missing_title", field="title")
    if fields.host.kind is not OrganisationKind.MEMBER_ADMINISTRATION or not fields.host.is_active:
        raise DomainError(_("The host must be an active member administration."),
                          code="invalid_host", field="host")
    if not 0 <= fields.report_deadline_days <= MAX_DEADLINE_DAYS:
        raise DomainError(_("Returns are due 0 to %(max)d days after a period ends.",
                            max=MAX_DEADLINE_DAYS),
                          code="invalid_deadline", field="report_deadline_days")
    return {
        "code": code,
        "title": check_length(title, MAX_OPERATION_TITLE_LENGTH, "title"),
        "summary": check_length((fields.summary or "").strip(), MAX_SUMMARY_LENGTH, "summary"),
        "objectives": check_length((fields.objectives or "").strip(), MAX_OBJECTIVES_LENGTH,
                                   "objectives"),
        "substance_groups": sorted({SubstanceGroup(v).value for v in fields.substance_groups}),
        "transport_modes": sorted({TransportMode(v).value for v in fields.transport_modes}),
        "host_organisation": fields.host,
        "organisers": sorted(set(fields.organisers), key=lambda o: o.code),
        "handling_code": HandlingCode(fields.handling_code),
        "tlp": TlpLevel(fields.tlp),
        "reporting_frequency": ReportingFrequency(fields.reporting_frequency),
        "report_deadline_days": fields.report_deadline_days,
    }


def create_operation(fields: PlanFields, *, actor: User,
                     phases: list[PhaseFields] | None = None) -> Operation:
    """Create an operation; its host and organisers take part from the start."""
    values = _validated_plan(fields)
    operation = Operation(**values, created_by=actor, updated_by=actor)
    db.session.add(operation)
    db.session.flush()
    record(AuditAction.OPERATION_CREATED, target=operation, actor=actor, operation=operation,
           subject=operation.code, details={"title": operation.title})
    ensure_taking_part(operation, [operation.host_organisation, *operation.organisers], actor)
    set_phases(operation, phases if phases is not None else phase_template(date.today()),
               actor=actor)
    return operation


def update_operation(operation: Operation, fields: PlanFields, *, actor: User) -> Operation:
    values = _validated_plan(fields, operation)
    # Only organisations newly named as host or organiser join by themselves: one the
    # secretariat withdrew stays withdrawn when the plan is saved again.
    newly_named = [o for o in [values["host_organisation"], *values["organisers"]]
                   if o is not operation.host_organisation and o not in operation.organisers]
    changes = apply_changes(operation, values)
    if changes:
        operation.updated_by = actor
        record(AuditAction.OPERATION_UPDATED, target=operation, actor=actor, operation=operation,
               subject=operation.code, details={"changes": changes})
        ensure_taking_part(operation, newly_named, actor)
        if {"reporting_frequency", "report_deadline_days"} & changes.keys():
            compliance.sync_periods(operation)
    db.session.flush()
    return operation


def close_operation(operation: Operation, *, actor: User) -> None:
    """Close an operation now, before its calendar says so."""
    if operation.closed_at is not None:
        raise ConflictError(_("The operation is already closed."), code="already_closed")
    operation.closed_at = utcnow()
    operation.closed_by = actor
    operation.updated_by = actor
    record(AuditAction.OPERATION_CLOSED, target=operation, actor=actor, operation=operation,
           subject=operation.code)
    db.session.flush()


def reopen_operation(operation: Operation, *, actor: User) -> None:
    """Undo an early closure; the calendar decides the phase again."""
    if operation.closed_at is None:
        raise ConflictError(_("The operation is not closed."), code="not_closed")
    operation.closed_at = None
    operation.closed_by = None
    operation.updated_by = actor
    record(AuditAction.OPERATION_REOPENED, target=operation, actor=actor, operation=operation,
           subject=operation.code)
    db.session.flush()


# -- phases -----------------------------------------------------------------------------------


class PhaseError(DomainError):
    """A rule broken by one phase; ``index`` is its place in the list given (from 0)."""

    def __init__(self, index: int, message: str, *, code: str):
        super().__init__(message, code=code, field="phases")
        self.index = index


def _validated_phases(phases: list[PhaseFields]) -> list[PhaseFields]:
    if not phases:
        raise DomainError(_("An operation needs at least one phase."), code="no_phases",
                          field="phases")
    cleaned: list[PhaseFields] = []
    for number, phase in enumerate(phases, start=1):
        index = number - 1
        name = check_length((phase.name or "").strip(), MAX_PHASE_NAME_LENGTH, "phases")
        name = name or PhaseKind(phase.kind).label
        if phase.starts_on is None:
            raise PhaseError(index, _("Phase %(n)d (%(name)s) needs a start date.", n=number,
                                      name=name), code="missing_date")
        if phase.kind is PhaseKind.CLOSED and number != len(phases):
            raise PhaseError(
                index, _("Phase %(n)d (%(name)s) closes the operation, so it comes last: "
                         "move it to the end or choose another kind.", n=number, name=name),
                code="closed_phase_not_last")
        if phase.ends_on is None and not (phase.kind is PhaseKind.CLOSED and number == len(phases)):
            raise PhaseError(
                index, _("Phase %(n)d (%(name)s) needs an end date; only a final closing phase "
                         "may be open-ended.", n=number, name=name),
                code="missing_date")
        if any(day is not None and not EARLIEST_DATE <= day <= LATEST_DATE
               for day in (phase.starts_on, phase.ends_on)):
            raise PhaseError(
                index, _("Phase %(n)d (%(name)s) has a date outside %(span)s.",
                         n=number, name=name, span=dates.span(EARLIEST_DATE, LATEST_DATE)),
                code="date_out_of_range")
        if phase.ends_on is not None and phase.ends_on < phase.starts_on:
            raise PhaseError(
                index, _("Phase %(n)d (%(name)s) ends on %(end)s, before it starts on "
                         "%(start)s.", n=number, name=name, end=dates.day(phase.ends_on),
                         start=dates.day(phase.starts_on)),
                code="reversed_dates")
        if cleaned:
            previous = cleaned[-1]
            if previous.ends_on is None or phase.starts_on <= previous.ends_on:
                raise PhaseError(
                    index, _("Phase %(n)d (%(name)s) starts on %(start)s, before phase %(p)d "
                             "(%(previous)s) has ended. Phases run one after another without "
                             "overlapping.", n=number, name=name,
                             start=dates.day(phase.starts_on),
                             p=number - 1, previous=previous.name),
                    code="overlapping_phases")
        cleaned.append(PhaseFields(PhaseKind(phase.kind), name, phase.starts_on, phase.ends_on))
    operational = [phase for phase in cleaned if phase.kind is PhaseKind.OPERATIONAL]
    if len(operational) > 1:
        raise DomainError(_("An operation has at most one operational phase."),
                          code="several_operational_phases", field="phases")
    # Only the closing phase may be open-ended (checked above).
    ends_on = operational[0].ends_on if operational else None
    if ends_on is not None and (ends_on - operational[0].starts_on).days >= MAX_OPERATIONAL_DAYS:
        raise DomainError(
            _("The operational phase lasts at most %(n)d days; split longer efforts into "
              "several operations.", n=MAX_OPERATIONAL_DAYS),
            code="operational_phase_too_long", field="phases")
    return cleaned


def set_phases(operation: Operation, phases: list[PhaseFields], *, actor: User) -> None:
    """Replace the operation's phases with ``phases``, in order; reporting periods follow."""
    cleaned = _validated_phases(phases)
    before = [(p.kind.value, p.name, p.starts_on, p.ends_on) for p in operation.phases]
    after = [(p.kind.value, p.name, p.starts_on, p.ends_on) for p in cleaned]
    if before == after:
        return
    operation.phases.clear()
    db.session.flush()  # free the (operation, position) pairs before reusing them
    for position, phase in enumerate(cleaned):
        operation.phases.append(Phase(position=position, kind=phase.kind, name=phase.name,
                                      starts_on=phase.starts_on, ends_on=phase.ends_on))
    operation.starts_on = cleaned[0].starts_on
    last = cleaned[-1]
    # An open-ended closing phase is the state after the operation: its span ends the day
    # before, so that the status is "Closed" from the day the closing phase starts.
    operation.ends_on = (last.ends_on if last.ends_on is not None
                         else last.starts_on - timedelta(days=1))
    operation.updated_by = actor
    db.session.flush()
    compliance.sync_periods(operation)
    record(AuditAction.PHASES_CHANGED, target=operation, actor=actor, operation=operation,
           subject=operation.code,
           details={"phases": [[k, n, str(s), str(e) if e else None] for k, n, s, e in after]})
