"""Accounts as the API shows them."""

from __future__ import annotations

from marshmallow import fields

from .base import VisibleSchema


class MeSchema(VisibleSchema):
    id = fields.Integer(required=True)
    email = fields.Email(required=True)
    name = fields.String(required=True, attribute="display_name")
    organisation = fields.Function(lambda user: user.organisation.code, required=True,
                                   metadata={"description": "Organisation code, e.g. KR"})
    is_platform_admin = fields.Boolean(required=True)
    is_secretariat = fields.Boolean(required=True)
