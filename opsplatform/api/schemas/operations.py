"""Operations, their plan and phases: what the API shows and what it accepts."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, missing, post_dump, validate

from opsplatform.core.permissions import AccessRole, Permission
from opsplatform.core.vocabularies import (
    HandlingCode,
    SubstanceGroup,
    TlpLevel,
    TransportMode,
)
from opsplatform.operations.models import (
    MAX_OBJECTIVES_LENGTH,
    MAX_OPERATION_CODE_LENGTH,
    MAX_OPERATION_TITLE_LENGTH,
    MAX_PHASE_NAME_LENGTH,
    MAX_SUMMARY_LENGTH,
    OperationStatus,
    ParticipationStatus,
    PhaseKind,
    ReportingFrequency,
)
from opsplatform.operations.operations import (
    CODE_PATTERN,
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_DEADLINE_DAYS,
)
from opsplatform.organisations.models import MAX_ORGANISATION_CODE_LENGTH

from .base import VisibleSchema, needs

# The rules on the values live in operations/operations.py; these state them for clients.


class PhaseSchema(VisibleSchema):
    kind = fields.Enum(PhaseKind, by_value=fields.String, required=True)
    name = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, allow_none=True, metadata={
        "description": "Null only for a final, open-ended closing phase"})


class OperationParticipantSchema(VisibleSchema):
    organisation = fields.String(required=True, attribute="organisation.code",
                                 metadata={"description": "Organisation code, e.g. JP"})
    status = fields.Enum(ParticipationStatus, by_value=fields.String, required=True)


class _OrganisationCodeSchema(Schema):
    code = fields.String(required=True)


class OperationSchema(VisibleSchema):
    """An operation as the caller may see it: an invited administration sees what its
    invitation shows, members the plan and, with the permission, who takes part."""

    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    host = fields.String(required=True, attribute="host_organisation.code",
                         metadata={"description": "Organisation code of the host administration"})
    status = fields.Enum(OperationStatus, by_value=fields.String, required=True,
                         metadata={"description": "From the calendar of the phases, or closed "
                                                  "early by the secretariat"})
    current_phase = fields.Nested(PhaseSchema, required=True, allow_none=True,
                                  metadata={"description": "The phase the calendar is in"})
    phases = fields.Nested(PhaseSchema, many=True, required=True)
    starts_on = fields.Date(required=True, allow_none=True)
    ends_on = fields.Date(required=True, allow_none=True)
    closed_at = fields.DateTime(required=True, allow_none=True,
                                metadata={"description": "When the operation was closed early"})
    caller_role = fields.Enum(AccessRole, by_value=fields.String, required=True,
                              metadata={"description": "How the caller stands in the operation"})
    objectives = fields.String(metadata=needs(Permission.OPERATION_READ, "What it aims at."))
    substance_groups = fields.List(fields.Enum(SubstanceGroup, by_value=fields.String),
                                   metadata=needs(Permission.OPERATION_READ,
                                                   "The substance groups targeted."))
    transport_modes = fields.List(fields.Enum(TransportMode, by_value=fields.String),
                                  metadata=needs(Permission.OPERATION_READ,
                                                  "The transport channels targeted."))
    organisers = fields.Pluck(_OrganisationCodeSchema, "code", many=True,
                              metadata=needs(Permission.OPERATION_READ,
                                              "Codes of the organising organisations."))
    handling_code = fields.Enum(HandlingCode, by_value=fields.String,
                                metadata=needs(Permission.OPERATION_READ,
                                                "Default handling code of its content."))
    tlp = fields.Enum(TlpLevel, by_value=fields.String,
                      metadata=needs(Permission.OPERATION_READ,
                                      "Default TLP level of its content."))
    reporting_frequency = fields.Enum(ReportingFrequency, by_value=fields.String,
                                      metadata=needs(Permission.OPERATION_READ,
                                                      "Length of the reporting periods."))
    report_deadline_days = fields.Integer(metadata=needs(
        Permission.OPERATION_READ, "Days after a period ends by which its return is due."))
    created_at = fields.DateTime(metadata=needs(Permission.OPERATION_READ, "Created."))
    updated_at = fields.DateTime(metadata=needs(Permission.OPERATION_READ, "Last changed."))
    participants = fields.Nested(OperationParticipantSchema, many=True, metadata=needs(
        Permission.PARTICIPANTS_READ, "Every organisation asked to take part, by code."))

    def __init__(self, *, today: date | None = None,
                 participant_rows: dict[int, list[dict]] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.today = today or date.today()
        # Lists pass their participants as plain rows, read in one query for the page.
        self.participant_rows = participant_rows

    @post_dump(pass_original=True)
    def _add_participant_rows(self, data: dict, operation, **kwargs) -> dict:
        if self.participant_rows is not None and "participants" in self.fields:
            data["participants"] = self.participant_rows[operation.id]
        return data

    def get_attribute(self, obj, attr, default):
        if attr == "status":
            return obj.status_on(self.today)
        if attr == "current_phase":
            return obj.phase_on(self.today)
        if attr == "caller_role":
            return self.access.role if self.access is not None else None
        if attr == "substance_groups":
            return [SubstanceGroup(value) for value in obj.substance_groups]
        if attr == "transport_modes":
            return [TransportMode(value) for value in obj.transport_modes]
        if attr == "participants" and self.participant_rows is not None:
            return missing  # filled in by _add_participant_rows, already as JSON
        if attr == "participants":
            return sorted(obj.participations, key=lambda p: p.organisation.code)
        return super().get_attribute(obj, attr, default)


class OperationListSchema(VisibleSchema):
    """A page of operations (its arguments: ``operations.lists.OperationListArgsSchema``)."""

    items = fields.Nested(OperationSchema, many=True, required=True)
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass as ?cursor= (with the same filters) for the next page; null on "
                       "the last page"})
    total = fields.Integer(required=True, metadata={
        "description": "How many operations match the filters, on every page"})


_PHASE_DATES = f"From {EARLIEST_DATE} to {LATEST_DATE}"


class PhaseInputSchema(Schema):
    kind = fields.Enum(PhaseKind, by_value=fields.String, required=True)
    name = fields.String(load_default="", validate=validate.Length(max=MAX_PHASE_NAME_LENGTH),
                         metadata={"description": "Defaults to the kind's name"})
    starts_on = fields.Date(required=True, metadata={"description": _PHASE_DATES})
    ends_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": f"{_PHASE_DATES}; null only for a final closing phase"})


# Each text field takes the limit its column and its form take (models.py), which apispec
# states as maxLength in the OpenAPI document.


def _operation_code(**kwargs) -> fields.String:
    # The pattern is stated, not enforced here: the domain capitalises small letters first.
    return fields.String(validate=validate.Length(max=MAX_OPERATION_CODE_LENGTH), metadata={
        "description": "2 to 30 capitals, digits or hyphens, such as CATALYST-3 (small letters "
                       "are capitalised)", "pattern": CODE_PATTERN.pattern}, **kwargs)


def _operation_title(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=MAX_OPERATION_TITLE_LENGTH), **kwargs)


def _organisation_code(description: str = "Organisation code", **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=MAX_ORGANISATION_CODE_LENGTH),
                         metadata={"description": description}, **kwargs)


class _PlanInputSchema(Schema):
    code = _operation_code()
    title = _operation_title()
    host = _organisation_code("Code of the host member administration")
    summary = fields.String(validate=validate.Length(max=MAX_SUMMARY_LENGTH))
    objectives = fields.String(validate=validate.Length(max=MAX_OBJECTIVES_LENGTH))
    substance_groups = fields.List(fields.Enum(SubstanceGroup, by_value=fields.String))
    transport_modes = fields.List(fields.Enum(TransportMode, by_value=fields.String))
    organisers = fields.List(_organisation_code(), metadata={
        "description": "Codes of the organising organisations (they take part)"})
    handling_code = fields.Enum(HandlingCode, by_value=fields.String)
    tlp = fields.Enum(TlpLevel, by_value=fields.String)
    reporting_frequency = fields.Enum(ReportingFrequency, by_value=fields.String)
    # Stated, not enforced here: operations.py refuses others with its own code.
    report_deadline_days = fields.Integer(strict=True, metadata={
        "minimum": 0, "maximum": MAX_DEADLINE_DAYS,
        "description": "Days after a period ends by which its return is due"})


class OperationCreateSchema(_PlanInputSchema):
    code = _operation_code(required=True)
    title = _operation_title(required=True)
    host = _organisation_code("Code of the host member administration", required=True)
    phases = fields.Nested(PhaseInputSchema, many=True, metadata={
        "description": "Defaults to the usual cycle, starting today"})


class OperationPatchSchema(_PlanInputSchema):
    phases = fields.Nested(PhaseInputSchema, many=True, metadata={
        "description": "Replaces all the phases"})
    status = fields.String(validate=validate.OneOf(["closed", "active"]), metadata={
        "description": "'closed' closes the operation now; 'active' undoes an early closure"})
