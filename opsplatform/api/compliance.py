"""Reporting compliance over the API: nil returns, and who has reported for which period.

Thin skins over operations/compliance.py (the rules) and operations/queries.py
(the table, holding only the rows the caller may see).
"""

from __future__ import annotations

from flask_login import current_user

from opsplatform.core.permissions import Permission
from opsplatform.operations import compliance, queries
from opsplatform.operations.access import current_access, load_child, operation_route
from opsplatform.operations.models import ReportingPeriod, ReturnKind
from opsplatform.operations.queries import CellStatus

from . import bp
from .body import load_json
from .schemas.compliance import ComplianceSchema, FiledReturnSchema, NilReturnRequestSchema

# -- views --------------------------------------------------------------------------------------


@bp.post("/operations/<int:operation_id>/nil-returns")
@operation_route(Permission.OPERATION_READ)
def file_nil_return(operation):
    """File a nil return for the caller's own administration.
    ---
    post:
      summary: File a nil return ("nothing seized in this period")
      description: >-
        Always for the caller's own administration, of which the caller must be a
        contact point in this operation. Name the period by `period_id` or by a
        `date` inside it (exactly one).
      tags: [Reporting]
      requestBody:
        required: true
        content:
          application/json:
            schema: NilReturnRequestSchema
      responses:
        201:
          description: The nil return was filed
          content:
            application/json:
              schema: FiledReturnSchema
        409:
          description: >-
            The administration already filed a return for the period (code
            `already_reported`)
          content:
            application/json:
              schema: ErrorSchema
        422:
          description: >-
            Invalid fields (`validation_failed`), a date outside the operational
            phase (`outside_operational_phase`), or a period not started yet
            (`period_not_started`)
          content:
            application/json:
              schema: ErrorSchema
    """
    # Outsiders get 404; members who are not contact points 403, saying why.
    participation = current_access().require_own_reporting()
    body = load_json(NilReturnRequestSchema())
    if "period_id" in body:
        period = load_child(ReportingPeriod, body["period_id"], operation)
    else:
        period = compliance.period_on(operation, body["date"])
    filed = compliance.file_return(operation, participation, period, kind=ReturnKind.NIL,
                                   actor=current_user, remarks=body["remarks"])
    return FiledReturnSchema.for_access(current_access()).dump(filed), 201


@bp.get("/operations/<int:operation_id>/compliance")
@operation_route(Permission.COMPLIANCE_SUMMARY_READ)
def operation_compliance(operation):
    """Who has reported for which reporting period.
    ---
    get:
      summary: Reporting compliance (administration × period)
      description: >-
        Coordinators and the secretariat get every reporting administration. Other
        members (contact points, observers) get the totals and, if their
        administration reports in the operation, its own row only.
      tags: [Reporting]
      responses:
        200:
          description: The periods, the visible rows, and the totals of the whole table
          content:
            application/json:
              schema: ComplianceSchema
    """
    table = queries.compliance_table(operation, current_access())
    return ComplianceSchema.for_access(current_access()).dump({
        "periods": table.periods,
        "administrations": table.rows,
        "totals": {status.value: table.totals[status] for status in CellStatus},
    })
