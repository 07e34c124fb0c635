"""The body of every error answer: ``{"error": {"code", "message", ...}}``."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorDetailSchema(Schema):
    # A field named "fields" shadows Schema.fields on the class only; instances rebuild it.
    code = fields.String(required=True, metadata={"description": "Stable, machine-readable code"})
    message = fields.String(required=True, metadata={"description": "For people"})
    field = fields.String(metadata={"description": "The input at fault, when there is one"})
    fields = fields.Dict(  # type: ignore[assignment]
        metadata={"description": "Per-field messages of a validation failure"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)
