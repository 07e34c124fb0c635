"""Reporting compliance over the API: nil returns, and who has reported for which period.

Thin skins over operations/compliance.py (the rules) and operations/queries.py
(the table, holding only the rows the caller may see).
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from opsplatform.core.errors import json_error
from opsplatform.core.lists import ListArgsError, load_args
from opsplatform.core.permissions import Permission
from opsplatform.operations import compliance, compliance_list
from opsplatform.operations.access import (
    current_access,
    load_child,
    load_own_return,
    operation_route,
)
from opsplatform.operations.compliance_list import ComplianceArgsSchema
from opsplatform.operations.models import ReportingPeriod, ReturnKind
from opsplatform.operations.queries import CellStatus

from . import bp
from .body import load_json
from .schemas.compliance import (
    ComplianceSchema,
    FiledReturnSchema,
    NilReturnRequestSchema,
    ReturnCorrectionSchema,
)

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


@bp.patch("/operations/<int:operation_id>/returns/<int:return_id>")
@operation_route(Permission.RETURNS_WRITE_OWN)
def correct_return(operation, return_id: int):
    """Correct a return of the caller's own administration.
    ---
    patch:
      summary: Correct a filed return
      description: >-
        Only the fields sent change. Possible until a coordinator locks the period
        (409 `period_locked`) or the operation closes (409 `operation_closed`). A nil
        return with seizures is refused (422 `contradictory_return`), as is "seizures"
        without a count (422 `invalid_seizure_count`). Each correction is audited.
      tags: [Reporting]
      requestBody:
        required: true
        content:
          application/json:
            schema: ReturnCorrectionSchema
      responses:
        200:
          description: The return as corrected
          content:
            application/json:
              schema: FiledReturnSchema
        409:
          $ref: '#/components/responses/Conflict'
    """
    period_return = load_own_return(operation, return_id)
    body = load_json(ReturnCorrectionSchema())
    kind = body.get("kind", period_return.kind)
    # A nil return made "seizures" needs its count sent; "seizures" made nil drops it.
    kept = period_return.seizure_count if kind is ReturnKind.SEIZURES else None
    count = body.get("seizure_count", kept)
    compliance.correct_return(period_return, kind=kind, actor=current_user, seizure_count=count,
                              remarks=body.get("remarks", period_return.remarks))
    return FiledReturnSchema.for_access(current_access()).dump(period_return)


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
        administration reports in the operation, its own row only. The rows come by
        administration code in pages (`limit`, 50 by default): pass the `next_cursor`
        of a page as `cursor` for the next, with the same `view` (all, not_reported,
        overdue), as the reporting page shows them. `counts` gives the rows of each
        view the caller may see, `total` those of the view asked; `totals` count the
        cells of the whole table by status.
      tags: [Reporting]
      parameters:
        - in: query
          schema: ComplianceArgsSchema
      responses:
        200:
          description: The periods, a page of the visible rows, and the totals of the whole table
          content:
            application/json:
              schema: ComplianceSchema
    """
    access = current_access()
    try:
        args = load_args(ComplianceArgsSchema(), request.args)
    except ListArgsError as error:
        return json_error(422, error.code, error.message, field=error.field,
                          fields=error.messages)
    page = compliance_list.compliance_page(operation, access, args)
    return ComplianceSchema.for_access(access).dump({
        "periods": page.periods,
        "administrations": page.rows,
        "totals": {status.value: page.totals[status] for status in CellStatus},
        "view": page.view.value,
        "counts": {view.value: count for view, count in page.counts.items()},
        "total": page.total,
        "next_cursor": page.next_cursor,
    })
