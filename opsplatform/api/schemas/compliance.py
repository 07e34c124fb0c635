"""Reporting compliance: nil returns filed, and who has reported for which period."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from opsplatform.core.db import MAX_ID
from opsplatform.operations.models import MAX_REMARKS_LENGTH, ReturnKind
from opsplatform.operations.queries import CellStatus

from .base import VisibleSchema

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


class ReturnCorrectionSchema(Schema):
    """A correction of a filed return: only the fields sent change."""

    kind = fields.Enum(ReturnKind, by_value=True)
    seizure_count = fields.Integer(strict=True, allow_none=True,
                                   validate=validate.Range(min=1, max=1_000_000), metadata={
                                       "description": "Needed with kind 'seizures'; null or "
                                                      "absent for a nil return"})
    remarks = fields.String(validate=validate.Length(max=MAX_REMARKS_LENGTH))


class CompliancePeriodSchema(VisibleSchema):
    id = fields.Integer(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    deadline_at = fields.DateTime(required=True,
                                  metadata={"description": "Returns are due by then (UTC)"})
    locked_at = fields.DateTime(required=True, allow_none=True, metadata={
        "description": "When a coordinator made its returns final; null while open"})


class FiledReturnSchema(VisibleSchema):
    id = fields.Integer(required=True)
    period = fields.Nested(CompliancePeriodSchema, required=True)
    organisation = fields.Function(lambda r: r.organisation.code, required=True,
                                   metadata={"description": "The reporting administration"})
    kind = fields.Enum(ReturnKind, by_value=True, required=True)
    seizure_count = fields.Integer(allow_none=True, required=True)
    remarks = fields.String(required=True)
    filed_at = fields.DateTime(required=True)
    corrected_at = fields.DateTime(required=True, allow_none=True,
                                   metadata={"description": "Its last correction, if any"})
    filed_by = fields.Function(lambda r: r.filed_by.email, required=True,
                               metadata={"description": "E-mail of the account that filed it"})


class ComplianceCellSchema(VisibleSchema):
    period_id = fields.Integer(required=True)
    status = fields.Enum(CellStatus, by_value=True, required=True, metadata={
        "description": "seizures, nil (a nil return), due (not reported, deadline not "
                       "passed), overdue (not reported, deadline passed), upcoming (the "
                       "period has not started)"})
    seizure_count = fields.Integer(allow_none=True, required=True)
    filed_at = fields.DateTime(allow_none=True, required=True)
    last_reminded_at = fields.DateTime(allow_none=True, required=True)


class ComplianceRowSchema(VisibleSchema):
    organisation = fields.String(required=True, attribute="organisation_code",
                                 metadata={"description": "Organisation code, e.g. KR"})
    cells = fields.List(fields.Nested(ComplianceCellSchema), required=True,
                        metadata={"description": "One per period, in the order of 'periods'"})


class ComplianceSchema(VisibleSchema):
    periods = fields.List(fields.Nested(CompliancePeriodSchema), required=True)
    administrations = fields.List(fields.Nested(ComplianceRowSchema), required=True, metadata={
        "description": "A page of the reporting administrations in the view, by code: every "
                       "one for coordinators and the secretariat; otherwise only the "
                       "caller's own (if it reports), or none"})
    totals = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "Cells of the whole table by status "
                                                  "(every status, zeros included)"})
    view = fields.String(required=True, metadata={
        "description": "The view of this page: all, not_reported or overdue"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "Rows the caller may see in each view "
                                                  "(all, not_reported, overdue)"})
    total = fields.Integer(required=True, metadata={"description": "Rows in this view"})
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass as `cursor` for the next page; null on the last one"})
