"""Reporting compliance over the API: nil returns, and who has reported for which period.

Thin skins over operations/compliance.py (the rules) and operations/queries.py
(the table); what each role sees of the table is decided in ``_visible_rows``.
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from opsplatform.core.db import MAX_ID
from opsplatform.core.permissions import Permission
from opsplatform.operations import compliance, queries
from opsplatform.operations.access import OperationAccess, load_child, load_operation
from opsplatform.operations.models import MAX_REMARKS_LENGTH, ReportingPeriod, ReturnKind
from opsplatform.operations.queries import CellStatus, ComplianceRow, ComplianceTable

from . import bp
from .body import load_json
from .errors import api_abort

# -- schemas (kept here: what this endpoint shows is decided in one place) ---------------------


# A nil return names its period one way or the other, never both.
_PERIOD_NAMES = ("period_id", "date")


class NilReturnRequestSchema(Schema):
    """A nil return: name the period by its id, or by any day inside it."""

    class Meta:
        # The OpenAPI document states _exactly_one_period so that clients can read it.
        openapi = {"oneOf": [{"required": [name]} for name in _PERIOD_NAMES]}

    period_id = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID),
                               metadata={"description": "A reporting period id"})
    date = fields.Date(metadata={"description": "Any day of the period (YYYY-MM-DD); the "
                                                "period containing it is used"})
    remarks = fields.String(load_default="", validate=validate.Length(max=MAX_REMARKS_LENGTH))

    @validates_schema
    def _exactly_one_period(self, data: dict, **_kwargs) -> None:
        given = [name for name in _PERIOD_NAMES if name in data]
        if len(given) != 1:
            raise ValidationError(_("Give exactly one of 'period_id' or 'date'."), "_schema")


class CompliancePeriodSchema(Schema):
    id = fields.Integer(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    deadline_at = fields.DateTime(required=True,
                                  metadata={"description": "Returns are due by then (UTC)"})


class FiledReturnSchema(Schema):
    id = fields.Integer(required=True)
    period = fields.Nested(CompliancePeriodSchema, required=True)
    organisation = fields.Function(lambda r: r.organisation.code, required=True,
                                   metadata={"description": "The reporting administration"})
    kind = fields.Enum(ReturnKind, by_value=True, required=True)
    seizure_count = fields.Integer(allow_none=True, required=True)
    remarks = fields.String(required=True)
    filed_at = fields.DateTime(required=True)
    filed_by = fields.Function(lambda r: r.filed_by.email, required=True,
                               metadata={"description": "E-mail of the account that filed it"})


class ComplianceCellSchema(Schema):
    period_id = fields.Integer(required=True)
    status = fields.Enum(CellStatus, by_value=True, required=True, metadata={
        "description": "seizures, nil (a nil return), due (not reported, deadline not "
                       "passed), overdue (not reported, deadline passed), upcoming (the "
                       "period has not started)"})
    seizure_count = fields.Integer(allow_none=True, required=True)
    filed_at = fields.DateTime(allow_none=True, required=True)
    last_reminded_at = fields.DateTime(allow_none=True, required=True)


class ComplianceRowSchema(Schema):
    organisation = fields.String(required=True, attribute="organisation_code",
                                 metadata={"description": "Organisation code, e.g. KR"})
    cells = fields.List(fields.Nested(ComplianceCellSchema), required=True,
                        metadata={"description": "One per period, in the order of 'periods'"})


class ComplianceSchema(Schema):
    periods = fields.List(fields.Nested(CompliancePeriodSchema), required=True)
    administrations = fields.List(fields.Nested(ComplianceRowSchema), required=True, metadata={
        "description": "Every reporting administration for coordinators and the secretariat; "
                       "otherwise only the caller's own (if it reports), or none"})
    totals = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "Cells of the whole table by status "
                                                  "(every status, zeros included)"})


# -- views --------------------------------------------------------------------------------------


@bp.post("/operations/<int:operation_id>/nil-returns")
def file_nil_return(operation_id: int):
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
          description: The administration already filed a return for the period (code `already_reported`)
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
    operation = load_operation(operation_id, Permission.OPERATION_READ)
    access: OperationAccess = g.operation_access
    participation = access.participation
    if participation is None or not access.may_file_returns_for(participation):
        api_abort(403, "forbidden", "Only a contact point of an administration taking part "
                                    "in the operation files its nil returns.")
    body = load_json(NilReturnRequestSchema())
    if "period_id" in body:
        period = load_child(ReportingPeriod, body["period_id"], operation)
    else:
        period = compliance.period_on(operation, body["date"])
    filed = compliance.file_return(operation, participation, period, kind=ReturnKind.NIL,
                                   actor=current_user, remarks=body["remarks"])
    return FiledReturnSchema().dump(filed), 201


def _visible_rows(table: ComplianceTable, access: OperationAccess) -> list[ComplianceRow]:
    """Coordinators and the secretariat see every row; other members their own, if any."""
    if access.can(Permission.COMPLIANCE_READ):
        return table.rows
    if access.participation is None:
        return []
    own = table.row_for(access.participation.organisation_id)
    return [own] if own is not None else []


@bp.get("/operations/<int:operation_id>/compliance")
def operation_compliance(operation_id: int):
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
    operation = load_operation(operation_id, Permission.COMPLIANCE_SUMMARY_READ)
    table = queries.compliance_table(operation)
    return ComplianceSchema().dump({
        "periods": table.periods,
        "administrations": _visible_rows(table, g.operation_access),
        "totals": {status.value: table.totals[status] for status in CellStatus},
    })
