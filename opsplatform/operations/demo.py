"""Demo operations: CATALYST-DEMO under way, PRECURSOR-DEMO being planned.

Dates are relative to the day the demo is loaded, so the demo always shows an
operation in its operational phase. Loading twice changes nothing: an
operation whose code exists is left alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from opsplatform.auth.models import User
from opsplatform.auth.operations import AccountFields, create_user, find_user_by_email
from opsplatform.core.db import db
from opsplatform.core.pdf import render_pdf
from opsplatform.core.phones import normalise_phone
from opsplatform.core.vocabularies import (
    HandlingCode,
    SubstanceGroup,
    TlpLevel,
    TransportMode,
)
from opsplatform.organisations.operations import get_by_code

from . import compliance
from .documents import upload_document
from .models import (
    DocumentCategory,
    Operation,
    OperationRole,
    PhaseKind,
    ReportingFrequency,
    ReturnKind,
)
from .operations import PhaseFields, PlanFields, create_operation
from .participants import add_member, invite, respond_to_invitation

DEMO_DOMAIN = "demo.example.org"

# Contact details for the demo's people: (local part, name, job, office, 24/7, languages, tz).
PEOPLE = [
    ("ocu", None, "OCU duty officer", "+82 42 481 7800", "+82 10 5550 0100",
     "Korean, English", "Asia/Seoul"),
    ("cp.kr", None, "Drug investigation officer", "+82 42 481 7811", "+82 10 5550 0111",
     "Korean, English", "Asia/Seoul"),
    ("cp.jp", None, "Enforcement officer, Tokyo Customs", "+81 3 3529 0700", "+81 90 5550 0122",
     "Japanese, English", "Asia/Tokyo"),
    ("cp.cn", None, "Anti-smuggling bureau", "+86 10 6519 4114", "+86 138 5550 0133",
     "Chinese, English", "Asia/Shanghai"),
    ("cp.de", None, "Zollkriminalamt, NPS desk", "+49 221 672 0", "+49 170 5550 144",
     "German, English", "Europe/Berlin"),
    ("cp.nl", None, "FIOD / Douane intelligence", "+31 88 151 2000", "+31 6 5550 0155",
     "Dutch, English", "Europe/Amsterdam"),
    ("cp.us", None, "CBP National Targeting Center", "+1 703 555 0166", "+1 571 555 0167",
     "English, Spanish", "America/New_York"),
    ("cp.br", None, "Receita Federal, COREP", "+55 61 3412 0000", "+55 61 95550 0178",
     "Portuguese, English, Spanish", "America/Sao_Paulo"),
    ("observer", None, "Programme officer, Global SMART", "+43 1 26060 0", None,
     "English, Italian, French", "Europe/Vienna"),
]

# Extra contact points so that every participating administration has someone.
EXTRA_CONTACT_POINTS = [
    ("cp.fr", "Camille Martin", "FR", "French, English", "Europe/Paris"),
    ("cp.gb", "Oliver Hughes", "GB", "English", "Europe/London"),
    ("cp.be", "Lotte Peeters", "BE", "Dutch, French, English", "Europe/Brussels"),
    ("cp.es", "Lucía García", "ES", "Spanish, English", "Europe/Madrid"),
    ("cp.it", "Giulia Ricci", "IT", "Italian, English", "Europe/Rome"),
    ("cp.au", "Jack Wilson", "AU", "English", "Australia/Sydney"),
    ("cp.nz", "Aroha Ngata", "NZ", "English, Māori", "Pacific/Auckland"),
    ("cp.ca", "Chloé Tremblay", "CA", "English, French", "America/Toronto"),
    ("cp.sg", "Tan Wei Ling", "SG", "English, Chinese, Malay", "Asia/Singapore"),
    ("cp.th", "Somchai Srisuk", "TH", "Thai, English", "Asia/Bangkok"),
    ("cp.my", "Nur Aisyah", "MY", "Malay, English", "Asia/Kuala_Lumpur"),
    ("cp.hk", "Chan Ka-ming", "HK", "Cantonese, English", "Asia/Hong_Kong"),
    ("cp.in", "Priya Sharma", "IN", "Hindi, English", "Asia/Kolkata"),
    ("cp.mx", "Alejandro Hernández", "MX", "Spanish, English", "America/Mexico_City"),
    ("cp.za", "Thabo Nkosi", "ZA", "English, Zulu", "Africa/Johannesburg"),
]

CATALYST_ADMINISTRATIONS = ["KR", "JP", "CN", "DE", "NL", "US", "FR", "GB", "BE", "ES", "IT",
                            "AU", "NZ", "CA", "SG", "TH", "MY", "HK", "IN"]
PRECURSOR_ADMINISTRATIONS = ["NL", "BR", "DE", "US", "CN", "IN", "MX", "FR", "BE", "ZA"]

# Per administration index, what it returned for each past period: S = seizures, N = nil,
# "-" = nothing (a gap). Chosen to look like a real operation: most report, a few lag.
RETURN_PATTERNS = ["SSS", "SNS", "NSN", "SS-", "NNN", "SSS", "S-N", "NN-", "SNN", "--S",
                   "SSN", "NS-", "N--", "SSS", "NNS", "S-S", "NNN", "SN-", "-N-"]


def _email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


def _find_user(local_part: str) -> User | None:
    return find_user_by_email(_email(local_part))


def _user(local_part: str) -> User:
    """A demo account the base demo data has created."""
    user = _find_user(local_part)
    if user is None:
        raise LookupError(f"the demo account {_email(local_part)} is missing")
    return user


def _ensure_people(password: str) -> None:
    for local_part, name, code, languages, time_zone in EXTRA_CONTACT_POINTS:
        if _find_user(local_part) is None:
            create_user(AccountFields(_email(local_part), name, get_by_code(code)), password,
                        actor=None)
        user = _user(local_part)
        user.languages = user.languages or languages
        user.time_zone = user.time_zone or time_zone
    for local_part, _name, job, office, duty, languages, time_zone in PEOPLE:
        person = _find_user(local_part)
        if person is not None and not person.job_title:
            person.job_title = job
            # Stored as the profile stores them (E.164), written here as people write them.
            person.office_phone = normalise_phone(office) if office else None
            person.duty_phone = normalise_phone(duty) if duty else None
            person.languages, person.time_zone = languages, time_zone
    db.session.flush()


def _contact_point_of(code: str) -> User | None:
    return _find_user(f"cp.{code.lower()}")


def _catalyst_phases(op_start: date) -> list[PhaseFields]:
    days = timedelta
    return [
        PhaseFields(PhaseKind.PLANNING, "Planning", op_start - days(70), op_start - days(15)),
        PhaseFields(PhaseKind.PRE_OPERATIONAL, "Briefing seminar and preparation",
                    op_start - days(14), op_start - days(1)),
        PhaseFields(PhaseKind.OPERATIONAL, "Operational phase", op_start, op_start + days(27)),
        PhaseFields(PhaseKind.FOLLOW_UP, "Follow-up and controlled deliveries",
                    op_start + days(28), op_start + days(69)),
        PhaseFields(PhaseKind.POST_OPERATIONAL, "Debriefing", op_start + days(70),
                    op_start + days(97)),
        PhaseFields(PhaseKind.CLOSED, "Closed", op_start + days(98), None),
    ]


def _take_part(operation: Operation, codes: list[str], secretariat: User) -> None:
    for code in codes:
        organisation = get_by_code(code)
        participation = next((p for p in operation.participations
                              if p.organisation_id == organisation.id), None)
        contact_point = _contact_point_of(code)
        if participation is None:
            participation = invite(operation, organisation, actor=secretariat)
        if contact_point is None:
            continue
        if participation.status.value == "invited":
            respond_to_invitation(participation, accept=True, actor=contact_point)
        elif not any(m.user_id == contact_point.id for m in participation.members):
            # The host takes part from the start; its contact point is named by the secretariat.
            add_member(participation, contact_point, OperationRole.CONTACT_POINT,
                       actor=secretariat)


def _load_catalyst(today: date) -> None:
    secretariat = _user("secretariat")
    op_start = today - timedelta(days=17)
    operation = create_operation(
        PlanFields(
            code="CATALYST-DEMO",
            title="Operation CATalyst (demonstration)",
            host=get_by_code("KR"),
            summary=("A joint customs operation against new psychoactive substances, synthetic "
                     "opioids and their precursors moving through postal, express courier and "
                     "air cargo channels, coordinated by an OCU in Seoul."),
            objectives=("Detect and seize NPS and synthetic opioids in small consignments; "
                        "exchange alerts on suspicious shipments in real time; identify "
                        "cross-border links for follow-up investigation and controlled "
                        "deliveries; measure the scale of online-ordered NPS trafficking."),
            substance_groups=[SubstanceGroup.SYNTHETIC_CANNABINOIDS,
                              SubstanceGroup.SYNTHETIC_CATHINONES,
                              SubstanceGroup.SYNTHETIC_OPIOIDS, SubstanceGroup.PHENETHYLAMINES,
                              SubstanceGroup.PRECURSORS],
            transport_modes=[TransportMode.POSTAL, TransportMode.EXPRESS_COURIER,
                             TransportMode.AIR_CARGO, TransportMode.AIR_PASSENGER],
            organisers=[get_by_code("WCO"), get_by_code("RILO-AP")],
            handling_code=HandlingCode.H1,
            tlp=TlpLevel.AMBER,
            reporting_frequency=ReportingFrequency.WEEKLY,
            report_deadline_days=2,
        ),
        actor=secretariat,
        phases=_catalyst_phases(op_start),
    )
    _take_part(operation, CATALYST_ADMINISTRATIONS, secretariat)
    # Observers and the OCU.
    unodc = invite(operation, get_by_code("UNODC"), actor=secretariat)
    respond_to_invitation(unodc, accept=True, actor=_user("observer"))
    korea = next(p for p in operation.participations if p.organisation.code == "KR")
    add_member(korea, _user("ocu"), OperationRole.COORDINATOR, actor=secretariat)
    # Still to answer, and one that declined.
    invite(operation, get_by_code("MX"), actor=secretariat)
    declined = invite(operation, get_by_code("ZA"), actor=secretariat)
    respond_to_invitation(declined, accept=False, actor=_user("cp.za"))
    _file_demo_returns(operation, today)
    _attach_plan(operation, secretariat)


def _attach_plan(operation: Operation, secretariat: User) -> None:
    """The operational plan, as the secretariat would upload it (rendered by WeasyPrint)."""
    plan = {
        "code": operation.code,
        "title": operation.title,
        "host": operation.host_organisation.name,
        "organisers": ", ".join(o.name for o in operation.organisers),
        "summary": operation.summary,
        "objectives": operation.objectives,
        "substance_groups": [SubstanceGroup(v).label for v in operation.substance_groups],
        "transport_modes": [TransportMode(v).label for v in operation.transport_modes],
        "phases": [{"name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on}
                   for p in operation.phases],
        "frequency": operation.reporting_frequency.label.lower(),
        "deadline_days": operation.report_deadline_days,
        "participants": sorted(p.organisation.name
                               for p in compliance.reporting_participations(operation)),
        "marking": f"{operation.tlp.value} · {operation.handling_code.value}",
    }
    upload_document(operation, render_pdf("reports/pdf/operational_plan.html", plan=plan),
                    f"{operation.code}-operational-plan.pdf", "Operational plan",
                    DocumentCategory.OPERATIONAL_PLAN,
                    "Approved plan: targets, phases, reporting rules and participants.",
                    actor=secretariat)


def _file_demo_returns(operation: Operation, today: date) -> None:
    periods = [p for p in compliance._existing_periods(operation) if p.starts_on <= today]
    reporting = {p.organisation.code: p for p in compliance.reporting_participations(operation)}
    coordinator = _user("ocu")
    for index, code in enumerate(CATALYST_ADMINISTRATIONS):
        pattern = RETURN_PATTERNS[index % len(RETURN_PATTERNS)]
        for period, mark in zip(periods, pattern, strict=False):
            if mark == "-":
                continue
            kind = ReturnKind.SEIZURES if mark == "S" else ReturnKind.NIL
            filed = compliance.file_return(
                operation, reporting[code], period, kind=kind, actor=_user(f"cp.{code.lower()}"),
                seizure_count=(index % 5) + 1 if kind is ReturnKind.SEIZURES else None,
                remarks="" if kind is ReturnKind.SEIZURES else "Nothing seized in the period.",
                today=today,
            )
            filed.filed_at = datetime.combine(min(period.ends_on + timedelta(days=1), today),
                                              time(9, index % 60), tzinfo=UTC)
    overdue = [p for p in periods if p.deadline_at.date() < today]
    if overdue:
        compliance.send_reminders(operation, overdue[0], actor=coordinator, today=today,
                                  message="Please file your return (seizures or nil).")


def _load_precursor(today: date) -> None:
    secretariat = _user("secretariat")
    start = today - timedelta(days=20)
    operation = create_operation(
        PlanFields(
            code="PRECURSOR-DEMO",
            title="Operation on synthetic drug precursors (demonstration)",
            host=get_by_code("NL"),
            summary=("Planned operation targeting pre-precursors and designer precursors of "
                     "synthetic drugs in sea containers and air cargo."),
            objectives="Identify diversion routes of non-scheduled chemicals.",
            substance_groups=[SubstanceGroup.PRECURSORS,
                              SubstanceGroup.CONTROLLED_SYNTHETIC_DRUGS],
            transport_modes=[TransportMode.SEA_CONTAINER, TransportMode.AIR_CARGO],
            organisers=[get_by_code("WCO"), get_by_code("RILO-WE")],
            handling_code=HandlingCode.H2,
            tlp=TlpLevel.AMBER_STRICT,
            reporting_frequency=ReportingFrequency.DAILY,
        ),
        actor=secretariat,
        phases=[
            PhaseFields(PhaseKind.PLANNING, "Planning", start, start + timedelta(days=59)),
            PhaseFields(PhaseKind.PRE_OPERATIONAL, "Briefing", start + timedelta(days=60),
                        start + timedelta(days=74)),
            PhaseFields(PhaseKind.OPERATIONAL, "Operational phase", start + timedelta(days=75),
                        start + timedelta(days=95)),
            PhaseFields(PhaseKind.POST_OPERATIONAL, "Debriefing", start + timedelta(days=96),
                        start + timedelta(days=120)),
        ],
    )
    _take_part(operation, PRECURSOR_ADMINISTRATIONS, secretariat)


def load_demo_operations(password: str, today: date | None = None) -> int:
    """Create the demo operations that are missing; return how many were created."""
    today = today or date.today()
    _ensure_people(password)
    created = 0
    for code, loader in [("CATALYST-DEMO", _load_catalyst), ("PRECURSOR-DEMO", _load_precursor)]:
        if db.session.scalar(select(Operation.id).where(Operation.code == code)) is None:
            loader(today)
            created += 1
    return created
