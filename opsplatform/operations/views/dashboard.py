"""What the operation dashboard shows, computed in a fixed number of queries.

Its cards each say one thing: where the operation stands (status and current phase),
the operational phase's time, who takes part, and how the returns of the period being
followed stand. Who is overdue is listed from the caller's standing (its reporting rows).
"""

from __future__ import annotations

from datetime import date

from opsplatform.core.db import utcnow
from opsplatform.core.permissions import Permission
from opsplatform.core.templating import day_formatter, moment_formatter

from .. import queries
from ..access import OperationAccess
from ..charts import compliance_chart, phase_swatch, timeline_chart, timeline_phases
from ..models import Operation, ParticipationStatus, PhaseKind
from ..queries import CellStatus


def dashboard_context(operation: Operation, access: OperationAccess,
                      today: date | None = None) -> dict:
    today = today or date.today()
    # The current phase as the dashboard says it (the closing phase once closed early).
    phase = operation.phase_on(today)
    operational = operation.operational_phase
    counts, document_count = queries.dashboard_counts(operation)
    phases = timeline_phases(operation, today)
    now = utcnow()
    context = {
        # The timestamps and days the page shows, each written once.
        "moment": moment_formatter(),
        "day": day_formatter(),
        "today": today,
        "now": now,
        "status": operation.status_on(today),
        "phase": phase,
        "phase_number": operation.phases.index(phase) + 1 if phase else None,
        "phase_is_operational": phase is not None and phase.kind is PhaseKind.OPERATIONAL,
        # Days left including today (the last day of a phase has one day left).
        "phase_days_left": (phase.ends_on - today).days + 1
        if phase and phase.ends_on and phase.ends_on >= today else None,
        "first_phase": operation.phases[0] if operation.phases else None,
        "operational": operational,
        "operational_days_left": (
            (operational.ends_on - today).days + 1
            if operational and operational.ends_on and operational.contains(today) else None),
        "operational_starts_in": (operational.starts_on - today).days
        if operational and operational.starts_on > today else None,
        "timeline": timeline_chart(phases, today, id_prefix="timeline", legend=False),
        "timeline_phases": phases,
        "phase_swatch": phase_swatch,
        "participants_taking_part": counts[ParticipationStatus.ACCEPTED],
        "participants_invited": counts[ParticipationStatus.INVITED],
        "participants_declined": counts[ParticipationStatus.DECLINED],
        "document_count": document_count,
        "access": access,
    }
    if access.can(Permission.COMPLIANCE_SUMMARY_READ):
        # The totals and the viewer's own row: the dashboard never builds the whole table.
        own = queries.compliance_summary(operation, access, today=today)
        context["compliance_chart"] = compliance_chart(own.totals, id_prefix="compliance-summary",
                                                       legend=False)
        context["return_totals"] = [(status, own.totals[status]) for status in CellStatus]
        context["has_periods"] = bool(own.periods)
        if access.participation is not None:
            context["own_periods"] = own.periods
            context["own_row"] = own.rows[0] if own.rows else None
        followed = queries.period_to_follow(own.periods, today)
        context["progress"] = queries.period_progress(operation, followed) if followed else None
        context["first_period"] = own.periods[0] if own.periods else None
        # Whose: every administration for those who see the whole table, else one's own.
        context["overdue"] = queries.overdue_reporters(operation, access)
        context["sees_every_row"] = access.reporting_rows.everyone
        # Whether any return could be overdue yet (else "none overdue" would say nothing).
        context["deadline_passed"] = bool(own.periods) and own.periods[0].deadline_at < now
    if access.can(Permission.ACTIVITY_READ):
        context["activity"] = queries.latest_activity(operation, access)
    return context
