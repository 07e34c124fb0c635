"""What the API shows of each object. Field visibility is decided here, once."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable, machine-readable code"})
    message = fields.String(required=True, metadata={"description": "For people"})
    field = fields.String(metadata={"description": "The input at fault, when there is one"})
    fields = fields.Dict(metadata={"description": "Per-field messages of a validation failure"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class MeSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.Email(required=True)
    name = fields.String(required=True, attribute="display_name")
    organisation = fields.Function(lambda user: user.organisation.code, required=True,
                                   metadata={"description": "Organisation code, e.g. KR"})
    is_platform_admin = fields.Boolean(required=True)
    is_secretariat = fields.Boolean(required=True)
