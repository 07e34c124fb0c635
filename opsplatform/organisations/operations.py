"""Changes to organisations. Validation lives here so the UI, CLI and API agree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pycountry
from flask_babel import gettext as _
from sqlalchemy import select

from opsplatform.audit.models import AuditAction
from opsplatform.audit.operations import apply_changes, record
from opsplatform.core.db import db
from opsplatform.core.errors import ConflictError, DomainError

from .models import Organisation, OrganisationKind, WcoRegion

if TYPE_CHECKING:
    from opsplatform.auth.models import User

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


@dataclass
class OrganisationFields:
    code: str
    name: str
    kind: OrganisationKind
    country_code: str | None = None
    wco_region: WcoRegion | None = None
    is_active: bool = True


def find_by_code(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == code.strip().upper()))


def get_by_code(code: str) -> Organisation:
    """The organisation with ``code``, or a DomainError that names the unknown code."""
    organisation = find_by_code(code or "")
    if organisation is None:
        raise DomainError(
            _("There is no organisation with the code %(code)s.", code=code),
            code="unknown_organisation",
            field="organisation",
        )
    return organisation


def _validated(fields: OrganisationFields) -> OrganisationFields:
    code = fields.code.strip().upper()
    if not CODE_PATTERN.match(code):
        raise DomainError(
            _("A code is 2 to 20 capital letters, digits or hyphens, such as KR or RILO-AP."),
            code="invalid_code",
            field="code",
        )
    name = fields.name.strip()
    if not name:
        raise DomainError(_("Enter the organisation's name."), code="missing_name", field="name")
    country_code = (fields.country_code or "").strip().upper() or None
    if country_code and pycountry.countries.get(alpha_2=country_code) is None:
        raise DomainError(
            _("%(code)s is not an ISO 3166-1 country code.", code=country_code),
            code="invalid_country",
            field="country_code",
        )
    if fields.kind is OrganisationKind.MEMBER_ADMINISTRATION:
        if not country_code:
            raise DomainError(
                _("A member administration needs its country."),
                code="missing_country",
                field="country_code",
            )
        if fields.wco_region is None:
            raise DomainError(
                _("A member administration needs its WCO region."),
                code="missing_region",
                field="wco_region",
            )
    return OrganisationFields(code, name, fields.kind, country_code, fields.wco_region,
                              fields.is_active)


def _check_code_free(code: str, except_organisation: Organisation | None = None) -> None:
    existing = find_by_code(code)
    if existing is not None and existing is not except_organisation:
        raise ConflictError(
            _("The code %(code)s is already used by %(name)s.", code=code, name=existing.name),
            code="duplicate_code",
            field="code",
        )


def create_organisation(fields: OrganisationFields, *, actor: User | None) -> Organisation:
    fields = _validated(fields)
    _check_code_free(fields.code)
    organisation = Organisation(**vars(fields))
    db.session.add(organisation)
    db.session.flush()
    record(AuditAction.ORGANISATION_CREATED, actor=actor, target=organisation,
           subject=organisation.code,
           details={"name": organisation.name, "kind": organisation.kind.value})
    return organisation


def update_organisation(organisation: Organisation, fields: OrganisationFields, *,
                        actor: User) -> Organisation:
    fields = _validated(fields)
    _check_code_free(fields.code, organisation)
    changes = apply_changes(organisation, vars(fields))
    if changes:
        record(AuditAction.ORGANISATION_UPDATED, actor=actor, target=organisation,
               subject=organisation.code, details={"changes": changes})
    db.session.flush()
    return organisation
