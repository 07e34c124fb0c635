"""The platform admins' list of organisations: by code, 50 a page, by kind."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate
from sqlalchemy import func, select

from opsplatform.auth.models import User
from opsplatform.core.lists import ListArgs, ListArgsSchema, Listing, Page, SortKey

from .models import Organisation, OrganisationKind, WcoRegion, country_name

ORGANISATIONS = Listing("organisations", SortKey(Organisation.code), SortKey(Organisation.id))


class OrganisationListArgsSchema(ListArgsSchema):
    """What the organisations list takes (?kind=)."""

    listing = ORGANISATIONS

    kind = fields.String(
        load_default="", validate=validate.OneOf(
            [kind.value for kind in OrganisationKind], error=_l("Not a kind of organisation.")),
        metadata={"description": "Only organisations of this kind"})


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    """One line of the organisations page, its labels already translated."""

    id: int
    code: str
    name: str
    kind: str
    country: str
    region: str
    accounts: int
    status: str


def organisation_rows(args: ListArgs) -> Page[OrganisationRow]:
    """The organisations matching ``args`` by code, with how many accounts each has."""
    accounts = (select(func.count(User.id)).where(User.organisation_id == Organisation.id)
                .correlate(Organisation).scalar_subquery())
    query = select(Organisation.id, Organisation.code, Organisation.name, Organisation.kind,
                   Organisation.country_code, Organisation.wco_region, Organisation.is_active,
                   accounts.label("accounts"))
    if args["kind"]:
        query = query.where(Organisation.kind == OrganisationKind(args["kind"]))
    page = ORGANISATIONS.page(query, args)
    kinds, regions = OrganisationKind.labels_now(), WcoRegion.labels_now()
    active, inactive = _("Active"), _("Inactive")
    rows = [OrganisationRow(
        id=row.id, code=row.code, name=row.name, kind=kinds[row.kind],
        country=country_name(row.country_code) or "—",
        region=regions[row.wco_region] if row.wco_region else "—",
        accounts=row.accounts, status=active if row.is_active else inactive,
    ) for row in page.items]
    return Page(rows, page.next_cursor, page.total)
