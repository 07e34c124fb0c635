"""The platform admins' list of accounts: by e-mail address, searchable, by organisation."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate
from sqlalchemy import select

from opsplatform.core.lists import (
    ListArgs,
    ListArgsSchema,
    Listing,
    Page,
    SearchText,
    SortKey,
    matching,
)
from opsplatform.core.templating import moment_formatter
from opsplatform.organisations.models import MAX_ORGANISATION_CODE_LENGTH, Organisation

from .models import User

ACCOUNTS = Listing("accounts", SortKey(User.email), SortKey(User.id))
MAX_SEARCH_LENGTH = 100


class OrganisationCodeText(fields.String):
    """An organisation code as typed: spaces dropped, capitalised (codes are capitals)."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


class AccountListArgsSchema(ListArgsSchema):
    """What the accounts list takes (?q=&organisation=)."""

    listing = ACCOUNTS

    q = SearchText(load_default="", validate=validate.Length(
        max=MAX_SEARCH_LENGTH, error=_l("Search for at most {max} characters.")), metadata={
        "description": "Part of the name or e-mail address, as typed, whatever the letter case"})
    organisation = OrganisationCodeText(load_default="", validate=validate.Length(
        max=MAX_ORGANISATION_CODE_LENGTH, error=_l("An organisation code has at most {max} "
                                                   "characters.")),
        metadata={"description": "Only accounts of the organisation with this code"})


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One line of the accounts page, its labels already translated."""

    id: int
    email: str
    display_name: str
    organisation: str
    roles: str
    status: str
    last_sign_in: str


def account_rows(args: ListArgs) -> Page[AccountRow]:
    """The accounts matching ``args``, by e-mail address: the columns the page shows."""
    matches = []
    if args["q"]:
        matches.append(matching(args["q"], User.email, User.display_name))
    if args["organisation"]:
        matches.append(User.organisation_id == select(Organisation.id).where(
            Organisation.code == args["organisation"]).scalar_subquery())
    query = (select(User.id, User.email, User.display_name, Organisation.code.label("organisation"),
                    User.is_platform_admin, User.is_secretariat, User.is_active,
                    User.last_sign_in_at)
             .join(Organisation, Organisation.id == User.organisation_id).where(*matches))
    # Counted without the organisations, joined only for their codes.
    page = ACCOUNTS.page(query, args, total_of=select(User.id).where(*matches))
    admin, secretariat = _("Admin"), _("Secretariat")
    active, deactivated, never = _("Active"), _("Deactivated"), _("Never")
    moment = moment_formatter()
    rows = [AccountRow(
        id=row.id, email=row.email, display_name=row.display_name,
        organisation=row.organisation,
        roles=" ".join(role for role, holds in ((admin, row.is_platform_admin),
                                                (secretariat, row.is_secretariat)) if holds),
        status=active if row.is_active else deactivated,
        last_sign_in=moment(row.last_sign_in_at) if row.last_sign_in_at else never,
    ) for row in page.items]
    return Page(rows, page.next_cursor, page.total)
