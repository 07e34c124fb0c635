"""What the operation dashboard shows, computed in a fixed number of queries."""

from __future__ import annotations

from datetime import date

from opsplatform.core.permissions import Permission
from opsplatform.core.templating import day_formatter, moment_formatter

from .. import queries
from ..access import OperationAccess
from ..charts import compliance_chart, timeline_chart, timeline_phases
from ..models import Operation, ParticipationStatus


def dashboard_context(operation: Operation, access: OperationAccess,
                      today: date | None = None) -> dict:
    today = today or date.today()
    phase = operation.phase_on(today)
    operational = operation.operational_phase
    counts, document_count = queries.dashboard_counts(operation)
    context = {
        # The timestamps and days the page shows, each written once.
        "moment": moment_formatter(),
        "day": day_formatter(),
        "today": today,
        "status": operation.status_on(today),
        "phase": phase,
        "phase_days_left": (phase.ends_on - today).days if phase and phase.ends_on else None,
        "operational": operational,
        "operational_days_left": (
            (operational.ends_on - today).days
            if operational and operational.ends_on and operational.contains(today) else None),
        # The current phase as the dashboard says it (the closing phase once closed early).
        "timeline": timeline_chart(timeline_phases(operation, today), today,
                                   id_prefix="timeline"),
        "participants_taking_part": counts[ParticipationStatus.ACCEPTED],
        "participants_invited": counts[ParticipationStatus.INVITED],
        "participants_declined": counts[ParticipationStatus.DECLINED],
        "document_count": document_count,
        "access": access,
    }
    if access.can(Permission.COMPLIANCE_SUMMARY_READ):
        # The totals and the viewer's own row: the dashboard never builds the whole table.
        own = queries.compliance_summary(operation, access, today=today)
        context["compliance_chart"] = compliance_chart(own.totals, id_prefix="compliance-summary")
        context["has_periods"] = bool(own.totals)
        if access.participation is not None:
            context["own_periods"] = own.periods
            context["own_row"] = own.rows[0] if own.rows else None
    if access.can(Permission.ACTIVITY_READ):
        context["activity"] = queries.latest_activity(operation, access)
    return context
