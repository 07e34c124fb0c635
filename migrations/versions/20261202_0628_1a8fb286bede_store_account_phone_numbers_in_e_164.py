"""store account phone numbers in E.164

Revision ID: 1a8fb286bede
Revises: 5f69035cb085
Create Date: 2026-12-02 06:28:36.387505
"""

from __future__ import annotations

import phonenumbers
import sqlalchemy as sa
from alembic import op

import opsplatform.core.db

revision = '1a8fb286bede'
down_revision = '5f69035cb085'
branch_labels = None
depends_on = None


# Frozen here, not imported from the app, so that this step never changes meaning.
_users = sa.table("users", sa.column("id", sa.Integer), sa.column("organisation_id", sa.Integer),
                  sa.column("office_phone", sa.String), sa.column("duty_phone", sa.String))
_organisations = sa.table("organisations", sa.column("id", sa.Integer),
                          sa.column("code", sa.String))


def _e164(value: str | None, region: str | None) -> str | None:
    """``value`` in E.164, or unchanged when it is not a possible number: nothing is lost,
    and the profile asks for a valid number the next time it is saved."""
    if not value:
        return value
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_users.c.id, _users.c.office_phone, _users.c.duty_phone, _organisations.c.code)
        .join(_organisations, _organisations.c.id == _users.c.organisation_id)
        .where(sa.or_(_users.c.office_phone.is_not(None), _users.c.duty_phone.is_not(None))))
    for user_id, office, duty, code in rows.all():
        region = code.upper() if code.upper() in phonenumbers.SUPPORTED_REGIONS else None
        values = {"office_phone": _e164(office, region), "duty_phone": _e164(duty, region)}
        if values != {"office_phone": office, "duty_phone": duty}:
            connection.execute(sa.update(_users).where(_users.c.id == user_id).values(values))


def downgrade() -> None:
    # E.164 is a way of writing the same numbers, valid before this step too: going back
    # keeps them (the spacing people typed is not kept anywhere to restore).
    pass
