"""Who takes part in an operation, their people, and its directory."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from opsplatform.core.text import MAX_EMAIL_LENGTH
from opsplatform.operations.models import OperationRole, ParticipationStatus
from opsplatform.organisations.models import MAX_ORGANISATION_CODE_LENGTH, OrganisationKind

from .base import VisibleSchema


class PersonSchema(VisibleSchema):
    name = fields.String(required=True, attribute="user.display_name")
    email = fields.Email(required=True, attribute="user.email")
    role = fields.Enum(OperationRole, by_value=fields.String, required=True)


class ParticipantSchema(VisibleSchema):
    organisation = fields.String(required=True, attribute="organisation.code")
    name = fields.String(required=True, attribute="organisation.name")
    kind = fields.Enum(OrganisationKind, by_value=fields.String, required=True,
                       attribute="organisation.kind")
    status = fields.Enum(ParticipationStatus, by_value=fields.String, required=True)
    invited_at = fields.DateTime(required=True)
    responded_at = fields.DateTime(required=True, allow_none=True)
    people = fields.Nested(PersonSchema, many=True, required=True,
                           metadata={"description": "Its people and their role here"})

    def get_attribute(self, obj, attr, default):
        if attr == "people":
            return sorted(obj.members, key=lambda m: m.user.display_name)
        return super().get_attribute(obj, attr, default)


class ParticipantListSchema(VisibleSchema):
    """A page of participants (its arguments: ``operations.lists.ParticipantListArgsSchema``)."""

    items = fields.Nested(ParticipantSchema, many=True, required=True)
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass as ?cursor= (with the same filters) for the next page; null on "
                       "the last page"})
    total = fields.Integer(required=True, metadata={
        "description": "How many organisations match the filters, on every page"})


class InviteSchema(Schema):
    organisation = fields.String(
        required=True, validate=validate.Length(max=MAX_ORGANISATION_CODE_LENGTH),
        metadata={"description": "Organisation code"})
    contact_points = fields.List(
        fields.Email(validate=validate.Length(max=MAX_EMAIL_LENGTH)), load_default=list, metadata={
        "description": "E-mail addresses of its people to name as contact points now"})


class ContactSchema(VisibleSchema):
    name = fields.String(required=True)
    job_title = fields.String(required=True, allow_none=True)
    organisation = fields.String(required=True, attribute="organisation_code")
    organisation_name = fields.String(required=True)
    role = fields.Enum(OperationRole, by_value=fields.String, required=True)
    email = fields.Email(required=True)
    office_phone = fields.String(required=True, allow_none=True)
    duty_phone = fields.String(required=True, allow_none=True,
                               metadata={"description": "24/7 phone"})
    languages = fields.String(required=True, allow_none=True)
    time_zone = fields.String(required=True, allow_none=True)


class ContactListSchema(VisibleSchema):
    items = fields.Nested(ContactSchema, many=True, required=True)
