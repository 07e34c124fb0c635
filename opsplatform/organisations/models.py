from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import pycountry
from flask_babel import lazy_gettext as _l
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from opsplatform.core.db import Base, utcnow
from opsplatform.core.types import str_enum
from opsplatform.core.vocabularies import LabelledEnum, with_labels

# Read by the columns, the forms and the API schemas alike.
MAX_ORGANISATION_CODE_LENGTH = 20
MAX_ORGANISATION_NAME_LENGTH = 200


class OrganisationKind(LabelledEnum):
    MEMBER_ADMINISTRATION = "member_administration"
    WCO_SECRETARIAT = "wco_secretariat"
    RILO = "rilo"
    INTERNATIONAL_ORGANISATION = "international_organisation"


with_labels({
    OrganisationKind.MEMBER_ADMINISTRATION: _l("Member administration"),
    OrganisationKind.WCO_SECRETARIAT: _l("WCO Secretariat"),
    OrganisationKind.RILO: _l("Regional Intelligence Liaison Office (RILO)"),
    OrganisationKind.INTERNATIONAL_ORGANISATION: _l("International organisation"),
})(OrganisationKind)


class WcoRegion(LabelledEnum):
    EAST_SOUTHERN_AFRICA = "east_southern_africa"
    WEST_CENTRAL_AFRICA = "west_central_africa"
    NORTH_AFRICA_NEAR_MIDDLE_EAST = "north_africa_near_middle_east"
    EUROPE = "europe"
    SOUTH_AMERICA_NORTH_AMERICA_CENTRAL_AMERICA_CARIBBEAN = "americas_caribbean"
    FAR_EAST_SOUTH_SOUTHEAST_ASIA_AUSTRALASIA_PACIFIC = "asia_pacific"


# The WCO's six regions, as its Council groups its members.
with_labels({
    WcoRegion.EAST_SOUTHERN_AFRICA: _l("East and Southern Africa"),
    WcoRegion.WEST_CENTRAL_AFRICA: _l("West and Central Africa"),
    WcoRegion.NORTH_AFRICA_NEAR_MIDDLE_EAST: _l("North Africa, Near and Middle East"),
    WcoRegion.EUROPE: _l("Europe"),
    WcoRegion.SOUTH_AMERICA_NORTH_AMERICA_CENTRAL_AMERICA_CARIBBEAN: _l(
        "South America, North America, Central America and the Caribbean"
    ),
    WcoRegion.FAR_EAST_SOUTH_SOUTHEAST_ASIA_AUSTRALASIA_PACIFIC: _l(
        "Far East, South and South East Asia, Australasia and the Pacific Islands"
    ),
})(WcoRegion)


@lru_cache(maxsize=512)
def country_name(country_code: str | None) -> str | None:
    """The English short name of an ISO 3166-1 alpha-2 code (the code itself if unknown)."""
    if not country_code:
        return None
    country = pycountry.countries.get(alpha_2=country_code)
    return country.name if country else country_code


class Organisation(Base):
    """A customs administration, the WCO Secretariat, a RILO or an international organisation."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(MAX_ORGANISATION_CODE_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_ORGANISATION_NAME_LENGTH))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind))
    # ISO 3166-1 alpha-2, for member administrations.
    country_code: Mapped[str | None] = mapped_column(String(2))
    wco_region: Mapped[WcoRegion | None] = mapped_column(str_enum(WcoRegion))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"

    @property
    def country_name(self) -> str | None:
        return country_name(self.country_code)

    @property
    def is_member_administration(self) -> bool:
        return self.kind is OrganisationKind.MEMBER_ADMINISTRATION
