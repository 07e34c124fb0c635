"""The demo dataset: organisations and accounts for every role (later issues add more).

Idempotent: each object is looked up by its natural key first, so loading twice
changes nothing.
"""

from __future__ import annotations

from opsplatform.auth.operations import AccountFields, create_user, find_user_by_email
from opsplatform.organisations.models import OrganisationKind, WcoRegion
from opsplatform.organisations.operations import (
    OrganisationFields,
    create_organisation,
    find_by_code,
    get_by_code,
)

DEMO_DOMAIN = "demo.example.org"

_EU = WcoRegion.EUROPE
_AP = WcoRegion.FAR_EAST_SOUTH_SOUTHEAST_ASIA_AUSTRALASIA_PACIFIC
_AM = WcoRegion.SOUTH_AMERICA_NORTH_AMERICA_CENTRAL_AMERICA_CARIBBEAN
_ESA = WcoRegion.EAST_SOUTHERN_AFRICA
_WCA = WcoRegion.WEST_CENTRAL_AFRICA
_MENA = WcoRegion.NORTH_AFRICA_NEAR_MIDDLE_EAST

MEMBER_ADMINISTRATIONS = [
    ("KR", "Korea Customs Service", _AP),
    ("JP", "Japan Customs", _AP),
    ("CN", "General Administration of Customs of China", _AP),
    ("DE", "German Customs (Zoll)", _EU),
    ("NL", "Netherlands Customs (Douane)", _EU),
    ("US", "U.S. Customs and Border Protection", _AM),
    ("BR", "Receita Federal do Brasil", _AM),
    ("FR", "French Customs (DGDDI)", _EU),
    ("GB", "UK Border Force", _EU),
    ("BE", "Belgian Customs and Excise", _EU),
    ("ES", "Spanish Customs (AEAT)", _EU),
    ("IT", "Italian Customs and Monopolies Agency", _EU),
    ("PL", "National Revenue Administration of Poland", _EU),
    ("AU", "Australian Border Force", _AP),
    ("NZ", "New Zealand Customs Service", _AP),
    ("CA", "Canada Border Services Agency", _AM),
    ("MX", "National Customs Agency of Mexico", _AM),
    ("IN", "Central Board of Indirect Taxes and Customs of India", _AP),
    ("TH", "Thai Customs Department", _AP),
    ("SG", "Singapore Customs", _AP),
    ("MY", "Royal Malaysian Customs Department", _AP),
    ("HK", "Hong Kong Customs and Excise Department", _AP),
    ("ZA", "South African Revenue Service (Customs)", _ESA),
    ("KE", "Kenya Revenue Authority (Customs)", _ESA),
    ("NG", "Nigeria Customs Service", _WCA),
    ("MA", "Moroccan Customs and Indirect Taxes Administration", _MENA),
    ("AE", "Federal Authority for Identity, Citizenship, Customs and Port Security (UAE)", _MENA),
]

OTHER_ORGANISATIONS = [
    ("WCO", "World Customs Organization Secretariat", OrganisationKind.WCO_SECRETARIAT),
    ("RILO-AP", "RILO Asia/Pacific (Seoul)", OrganisationKind.RILO),
    ("RILO-WE", "RILO Western Europe (Cologne)", OrganisationKind.RILO),
    ("UNODC", "United Nations Office on Drugs and Crime",
     OrganisationKind.INTERNATIONAL_ORGANISATION),
    ("INTERPOL", "INTERPOL", OrganisationKind.INTERNATIONAL_ORGANISATION),
    ("INCB", "International Narcotics Control Board", OrganisationKind.INTERNATIONAL_ORGANISATION),
]

# (local part, name, organisation code, platform admin, secretariat)
ACCOUNTS = [
    ("admin", "Platform Administrator", "WCO", True, False),
    ("secretariat", "Amélie Dupont", "WCO", False, True),
    ("ocu", "Kim Min-jun", "KR", False, False),
    ("cp.kr", "Park Ji-woo", "KR", False, False),
    ("cp.jp", "Sato Haruto", "JP", False, False),
    ("cp.cn", "Wang Fang", "CN", False, False),
    ("cp.de", "Lukas Schneider", "DE", False, False),
    ("cp.nl", "Sanne de Vries", "NL", False, False),
    ("cp.us", "Emily Johnson", "US", False, False),
    ("cp.br", "Lucas Oliveira", "BR", False, False),
    ("observer", "Maria Rossi", "UNODC", False, False),
]


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


def _ensure_organisations() -> int:
    created = 0
    for code, name, region in MEMBER_ADMINISTRATIONS:
        if find_by_code(code) is None:
            create_organisation(OrganisationFields(
                code, name, OrganisationKind.MEMBER_ADMINISTRATION, code, region), actor=None)
            created += 1
    for code, name, kind in OTHER_ORGANISATIONS:
        if find_by_code(code) is None:
            create_organisation(OrganisationFields(code, name, kind), actor=None)
            created += 1
    return created


def _ensure_accounts(password: str) -> int:
    created = 0
    for local_part, name, code, is_admin, is_secretariat in ACCOUNTS:
        if find_user_by_email(demo_email(local_part)) is None:
            create_user(
                AccountFields(demo_email(local_part), name, get_by_code(code),
                              is_platform_admin=is_admin, is_secretariat=is_secretariat),
                password,
                actor=None,  # the demo loader acts as the system
            )
            created += 1
    return created


def load_demo(password: str) -> str:
    """Create whatever part of the demo dataset is missing; return a one-line summary."""
    from opsplatform.messaging import notifications
    from opsplatform.messaging.demo import load_demo_messages
    from opsplatform.operations.demo import load_demo_operations

    organisations = _ensure_organisations()
    accounts = _ensure_accounts(password)
    # The demo's people have no real mailboxes: no notices, whatever the configuration.
    with notifications.suppressed():
        operations = load_demo_operations(password)
        messages = load_demo_messages()
    return (f"Demo data loaded: {organisations} organisations, {accounts} accounts, "
            f"{operations} operations and {messages} messages created.")
