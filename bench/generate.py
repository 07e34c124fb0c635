"""Bulk-load a platform of a given size into an empty database, for the benchmarks.

    python bench/generate.py                      # SQLite file bench/out/bench.sqlite
    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/opsplatform_bench
    python bench/generate.py --organisations 200 --users 5000 --reset

The database (``--database-url``, else ``DATABASE_URL``, else bench/out/bench.sqlite)
is migrated to the newest schema first, then each step in ``STEPS`` inserts its
rows with SQLAlchemy Core ``insert()`` in batches (executemany), never one ORM
object per row, so a million rows take seconds, not hours. The data is
deterministic for a given ``--seed``, sizes and day (operations are placed around
today, so that about a third of them are under way whenever the data is made).

Every account's password is ``bench-password`` (bench/common.py); all share one
argon2 hash computed once per run. user00001@bench.example.org is the platform
admin, the next few are the WCO Secretariat, the rest belong to the other organisations
(mostly administrations).

Adding a generator (operations, messages, seizures, ...): write a function
``generate_things(connection, platform, count) -> int`` that inserts ``count``
rows with ``insert_rows`` (reading what earlier steps made from ``platform``
and recording what later steps need on it), and append a ``Step`` to ``STEPS``.
Its ``--things N`` option appears by itself.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from common import (
    BENCH_DATA_KEY,
    BENCH_PASSWORD,
    bench_email,
    database_url,
    display_url,
)
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.passwords import hash_password
from opsplatform.core.crypto import Keyring
from opsplatform.core.db import make_engine, utcnow
from opsplatform.core.encrypted import associated_data
from opsplatform.core.files import StoredFile
from opsplatform.core.migrate import downgrade, upgrade
from opsplatform.core.vocabularies import (
    HandlingCode,
    SubstanceGroup,
    TlpLevel,
    TransportMode,
)
from opsplatform.messaging.models import (
    Message,
    MessageAddressee,
    MessageDelivery,
    MessageKind,
    MessageRead,
)
from opsplatform.models import Organisation, User
from opsplatform.operations.models import (
    DocumentCategory,
    Membership,
    Operation,
    OperationDocument,
    OperationRole,
    OperationStatus,
    Participation,
    ParticipationStatus,
    PeriodReturn,
    Phase,
    PhaseKind,
    Reminder,
    ReportingFrequency,
    ReportingPeriod,
    ReturnKind,
    operation_organisers,
)
from opsplatform.organisations.models import OrganisationKind, WcoRegion

BATCH_SIZE = 1000


# -- what the steps share -----------------------------------------------------------------


@dataclass
class OrganisationRow:
    id: int
    code: str
    kind: OrganisationKind
    is_active: bool = True


@dataclass
class OperationRow:
    id: int
    code: str
    host_id: int
    starts_on: date
    ends_on: date  # the day before the closing phase, as operations.set_phases stores it
    status: OperationStatus
    taking_part: int  # organisations whose participation is accepted
    coordinator_id: int | None
    # Per organisation taking part: the ids of its people with a role in the operation.
    people: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class Platform:
    """What the steps so far have made, for the steps that come after them."""

    rng: random.Random
    now: datetime
    password_hash: str
    organisations: list[OrganisationRow] = field(default_factory=list)
    # Ids of accounts per organisation id (platform admin and secretariat included).
    users_by_organisation: dict[int, list[int]] = field(default_factory=dict)
    # The same, active accounts only (those that can be given a role), and every e-mail.
    active_users_by_organisation: dict[int, list[int]] = field(default_factory=dict)
    emails: dict[int, str] = field(default_factory=dict)
    secretariat_ids: list[int] = field(default_factory=list)
    operations: list[OperationRow] = field(default_factory=list)
    # The accounts and operations bench/run.py times requests with. The runner is another
    # process: it finds the same ones by the rules in its docstring, which these are made
    # to satisfy; generate.py prints them so that the two can be compared.
    busy_contact_point_id: int | None = None  # a contact point in more operations than anyone
    dashboard_large_id: int | None = None  # active, the most organisations taking part
    dashboard_small_id: int | None = None  # active, same phases as the large one, ~20 taking part

    def organisation(self, code: str) -> OrganisationRow:
        return next(row for row in self.organisations if row.code == code)

    @property
    def administrations(self) -> list[OrganisationRow]:
        return [row for row in self.organisations
                if row.kind is OrganisationKind.MEMBER_ADMINISTRATION]


def insert_rows(connection: Connection, table, rows: Iterable[dict],
                batch_size: int = BATCH_SIZE) -> int:
    """Insert ``rows`` (dicts, produced lazily) into ``table`` in executemany batches."""
    statement = insert(table)
    rows = iter(rows)
    count = 0
    while batch := list(itertools.islice(rows, batch_size)):
        connection.execute(statement, batch)
        count += len(batch)
    return count


def _past(platform: Platform, max_days: int) -> datetime:
    return platform.now - timedelta(days=platform.rng.uniform(0, max_days))


# -- organisations ------------------------------------------------------------------------

# Organisations that are not administrations; WCO comes first (the staff accounts' home).
OTHER_ORGANISATIONS = [
    ("WCO", "World Customs Organization Secretariat", OrganisationKind.WCO_SECRETARIAT),
    ("RILO-AP", "RILO Asia/Pacific", OrganisationKind.RILO),
    ("RILO-WE", "RILO Western Europe", OrganisationKind.RILO),
    ("RILO-ECE", "RILO Eastern and Central Europe", OrganisationKind.RILO),
    ("RILO-ESA", "RILO Eastern and Southern Africa", OrganisationKind.RILO),
    ("UNODC", "United Nations Office on Drugs and Crime",
     OrganisationKind.INTERNATIONAL_ORGANISATION),
    ("INTERPOL", "INTERPOL", OrganisationKind.INTERNATIONAL_ORGANISATION),
]


def _administration_codes(count: int) -> Iterable[tuple[str, str, str | None]]:
    """(code, name, country) for ``count`` administrations: ISO countries, then synthetic."""
    import pycountry

    countries = sorted(pycountry.countries, key=lambda country: country.alpha_2)
    for number in range(count):
        if number < len(countries):
            country = countries[number]
            yield country.alpha_2, f"Customs administration of {country.name}", country.alpha_2
        else:
            yield f"ADM-{number + 1:04d}", f"Synthetic administration {number + 1}", None


def generate_organisations(connection: Connection, platform: Platform, count: int) -> int:
    rng = platform.rng
    others = OTHER_ORGANISATIONS[: max(1, min(len(OTHER_ORGANISATIONS), count // 20))]
    regions = list(WcoRegion)
    countries = [country for _code, _name, country in _administration_codes(249)]

    def rows():
        for code, name, kind in others:
            created = _past(platform, 900)
            yield {"code": code, "name": name, "kind": kind, "country_code": None,
                   "wco_region": None, "is_active": True,
                   "created_at": created, "updated_at": created}
        for code, name, country in _administration_codes(count - len(others)):
            created = _past(platform, 900)
            yield {"code": code, "name": name, "kind": OrganisationKind.MEMBER_ADMINISTRATION,
                   # A synthetic administration borrows a real country code.
                   "country_code": country or rng.choice(countries),
                   "wco_region": rng.choice(regions), "is_active": rng.random() > 0.01,
                   "created_at": created, "updated_at": created}

    inserted = insert_rows(connection, Organisation.__table__, rows())
    table = Organisation.__table__
    platform.organisations = [
        OrganisationRow(row.id, row.code, OrganisationKind(row.kind), row.is_active)
        for row in connection.execute(
            select(table.c.id, table.c.code, table.c.kind, table.c.is_active)
            .order_by(table.c.id))
    ]
    return inserted


# -- users --------------------------------------------------------------------------------

FIRST_NAMES = [
    "Min-jun", "Ji-woo", "Haruto", "Yui", "Wei", "Fang", "Lukas", "Anna", "Sanne", "Daan",
    "Emily", "James", "Lucas", "Ana", "Amélie", "Louis", "Olivia", "Mateo", "Aisha", "Kwame",
    "Priya", "Arjun", "Siti", "Ahmad", "Fatima", "Omar", "Chloé", "Jakub", "Zofia", "Nikos",
]
LAST_NAMES = [
    "Kim", "Park", "Sato", "Suzuki", "Wang", "Li", "Schneider", "Müller", "de Vries", "Jansen",
    "Johnson", "Smith", "Oliveira", "Santos", "Dupont", "Martin", "Rossi", "García", "Mensah",
    "Okafor", "Sharma", "Patel", "Rahman", "Hassan", "Nowak", "Kowalski", "Papadopoulos",
]
JOB_TITLES = [
    "Customs officer", "Senior customs officer", "Intelligence analyst", "Risk analyst",
    "Head of investigations", "Liaison officer", "Drug enforcement officer", None, None,
]
SECRETARIAT_ACCOUNTS = 5


def generate_users(connection: Connection, platform: Platform, count: int) -> int:
    """Account 1 is the platform admin, the next few the secretariat, the rest spread out."""
    rng = platform.rng
    wco = platform.organisation("WCO")
    staff = min(count, 1 + SECRETARIAT_ACCOUNTS)
    # Administrations mostly, but RILOs and international organisations have people too.
    homes = [row for row in platform.organisations if row.code != wco.code] or [wco]
    # Some administrations send many people, most a few: weights fall with rank.
    weights = [1 / (rank + 1) ** 0.5 for rank in range(len(homes))]
    rng.shuffle(weights)
    spread = homes[: count - staff] + rng.choices(
        homes, weights=weights, k=max(0, count - staff - len(homes)))

    def rows():
        for number in range(1, count + 1):
            home = wco if number <= staff else spread[number - staff - 1]
            created = _past(platform, 700)
            signed_in = rng.random() < 0.7
            yield {
                "email": bench_email(number),
                "display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "organisation_id": home.id,
                "password_hash": platform.password_hash,
                "is_active": number <= staff or rng.random() > 0.03,
                "is_platform_admin": number == 1,
                "is_secretariat": 1 < number <= staff,
                "job_title": rng.choice(JOB_TITLES),
                "office_phone": f"+{rng.randint(1, 99)} {rng.randint(100, 999)} "
                                f"{rng.randint(1000, 9999)}" if rng.random() < 0.6 else None,
                "created_at": created,
                "updated_at": created,
                "password_changed_at": created,
                "last_sign_in_at": _past(platform, 30) if signed_in else None,
            }

    inserted = insert_rows(connection, User.__table__, rows())
    table = User.__table__
    platform.users_by_organisation = {}
    platform.active_users_by_organisation = {}
    platform.emails = {}
    platform.secretariat_ids = []
    for user_id, organisation_id, email, is_active, is_secretariat in connection.execute(
            select(table.c.id, table.c.organisation_id, table.c.email, table.c.is_active,
                   table.c.is_secretariat).order_by(table.c.id)):
        platform.users_by_organisation.setdefault(organisation_id, []).append(user_id)
        if is_active:
            platform.active_users_by_organisation.setdefault(organisation_id, []).append(user_id)
        if is_secretariat:
            platform.secretariat_ids.append(user_id)
        platform.emails[user_id] = email
    return inserted


# -- operations ---------------------------------------------------------------------------
#
# One step makes everything an operation has: the plan, its organisers, the phases (the
# usual template, lengths varied), participations, people and their roles, weekly
# reporting periods, returns and reminders for the periods that are over, and the audit
# entries the dashboard shows as latest activity. Ids are given here (the tables are
# empty after the migration) so that children need no read-back; PostgreSQL's sequences
# are moved past them at the end.

PHASE_NAMES = {
    PhaseKind.PLANNING: "Planning",
    PhaseKind.PRE_OPERATIONAL: "Pre-operational / briefing",
    PhaseKind.OPERATIONAL: "Operational",
    PhaseKind.FOLLOW_UP: "Follow-up / investigation",
    PhaseKind.POST_OPERATIONAL: "Post-operational / debriefing",
    PhaseKind.CLOSED: "Closed",
}
PhaseRow = tuple[PhaseKind, str, date, date | None]  # kind, name, starts_on, ends_on
# (kind, shortest, longest) in days, in order; a closing phase without an end follows.
PHASE_DAYS = [
    (PhaseKind.PLANNING, 42, 84),
    (PhaseKind.PRE_OPERATIONAL, 7, 21),
    (PhaseKind.OPERATIONAL, 14, 42),
    (PhaseKind.FOLLOW_UP, 28, 56),
    (PhaseKind.POST_OPERATIONAL, 14, 35),
]
# The two operations whose dashboards are timed share this calendar: operational for
# 24 days of 35 today, so their compliance tables hold every kind of cell (seizures,
# nil, overdue, due, upcoming).
DASHBOARD_PHASE_DAYS = [56, 14, 35, 42, 28]
DASHBOARD_OPERATIONAL_DAY = 24
DASHBOARD_SMALL_ADMINISTRATIONS = 17  # + WCO, a RILO and observers: ~20 organisations
LARGE_OPERATIONS_SHARE = 0.02  # "a few" with 150-200 administrations
YEARS_BACK, YEARS_AHEAD = 5, 2

OPERATION_NAMES = [
    "Albatross", "Bittern", "Cormorant", "Dunlin", "Egret", "Falcon", "Gannet", "Heron",
    "Ibis", "Jacana", "Kestrel", "Lapwing", "Merlin", "Nightjar", "Osprey", "Petrel",
    "Quail", "Redshank", "Shearwater", "Tern", "Upupa", "Vireo", "Wagtail", "Xenops",
]
# (what it targets, substance groups, transport modes)
OPERATION_THEMES = [
    ("new psychoactive substances in postal and express consignments",
     [SubstanceGroup.SYNTHETIC_CANNABINOIDS, SubstanceGroup.SYNTHETIC_CATHINONES,
      SubstanceGroup.PHENETHYLAMINES, SubstanceGroup.OTHER_NPS],
     [TransportMode.POSTAL, TransportMode.EXPRESS_COURIER]),
    ("synthetic opioids in air cargo and courier shipments",
     [SubstanceGroup.SYNTHETIC_OPIOIDS, SubstanceGroup.PRECURSORS],
     [TransportMode.AIR_CARGO, TransportMode.EXPRESS_COURIER, TransportMode.POSTAL]),
    ("precursors of synthetic drugs in sea containers",
     [SubstanceGroup.PRECURSORS, SubstanceGroup.CONTROLLED_SYNTHETIC_DRUGS],
     [TransportMode.SEA_CONTAINER, TransportMode.ROAD, TransportMode.RAIL]),
    ("ketamine and tryptamines carried by air passengers",
     [SubstanceGroup.KETAMINE_PCP_TYPE, SubstanceGroup.TRYPTAMINES],
     [TransportMode.AIR_PASSENGER, TransportMode.AIR_CARGO]),
    ("plant-based NPS and controlled synthetic drugs crossing land borders",
     [SubstanceGroup.PLANT_BASED, SubstanceGroup.CONTROLLED_SYNTHETIC_DRUGS,
      SubstanceGroup.PIPERAZINES, SubstanceGroup.AMINOINDANES],
     [TransportMode.ROAD, TransportMode.RAIL, TransportMode.SEA_OTHER]),
]
CATEGORY_STATUSES = {  # participation answers of the invited administrations
    OperationStatus.PLANNED: ([ParticipationStatus.ACCEPTED, ParticipationStatus.INVITED,
                               ParticipationStatus.DECLINED], [0.55, 0.35, 0.10]),
    OperationStatus.ACTIVE: ([ParticipationStatus.ACCEPTED, ParticipationStatus.INVITED,
                              ParticipationStatus.DECLINED, ParticipationStatus.WITHDRAWN],
                             [0.86, 0.04, 0.07, 0.03]),
}
CATEGORY_STATUSES[OperationStatus.CLOSED] = CATEGORY_STATUSES[OperationStatus.ACTIVE]
# How reliably an administration files its returns (share of periods), and how often.
RELIABILITY = ([0.99, 0.95, 0.9, 0.75, 0.5, 0.2], [30, 25, 20, 12, 8, 5])
NIL_REMARKS = ["Nothing seized in the period.", "",
               "No detections in postal or courier streams this week.", "Nil return."]
SEIZURE_REMARKS = ["", "", "Details in the seizure reports.",
                   "Two consignments linked to the same consignee; follow-up opened.",
                   "Controlled delivery under way."]


@dataclass
class _PlannedOperation:
    """An operation before it has an id: its calendar and who is asked to take part."""

    category: OperationStatus
    phases: list[PhaseRow]
    created_at: datetime
    host: OrganisationRow
    administrations: list[OrganisationRow]  # invited, besides the host
    role: str = ""  # "large" / "small" for the two dashboard operations
    every_guest: bool = False  # with every RILO-organiser and observer chance taken

    @property
    def starts_on(self) -> date:
        return self.phases[0][2]


class _OperationsBuilder:
    """Collects the rows of every table, giving ids as it goes."""

    def __init__(self, connection: Connection, platform: Platform):
        self.platform = platform
        self.rng = platform.rng
        # Everything has happened by the start of today (UTC): the data depends on the
        # day it is made, not on the minute.
        self.now = _start_of_today(platform)
        self.today = self.now.date()
        self.tables = [Operation.__table__, Phase.__table__, Participation.__table__,
                       Membership.__table__, ReportingPeriod.__table__, PeriodReturn.__table__,
                       Reminder.__table__, AuditEntry.__table__]
        self.rows: dict[str, list[dict]] = {table.name: [] for table in self.tables}
        self.rows[operation_organisers.name] = []
        self.next_ids = {
            table.name: (connection.scalar(select(func.max(table.c.id))) or 0) + 1
            for table in self.tables
        }
        self.audit: list[tuple[datetime, int, dict]] = []  # sorted by time before inserting

    def add(self, table, **row) -> int:
        row["id"] = self.next_ids[table.name]
        self.next_ids[table.name] += 1
        self.rows[table.name].append(row)
        return row["id"]

    def record(self, when: datetime, action: AuditAction, operation_id: int, actor_id: int | None,
               object_type: str | None, object_id: int | None, subject: str | None,
               details: dict | None = None) -> None:
        self.audit.append((when, len(self.audit), {
            "occurred_at": when, "actor_id": actor_id, "action": str(action),
            "object_type": object_type, "object_id": object_id, "subject": subject,
            "operation_id": operation_id,
            "ip_address": f"198.51.100.{self.rng.randint(1, 254)}",
            "details": details or {},
        }))

    # -- time -----------------------------------------------------------------------------

    def at(self, day: date) -> datetime:
        """During office hours (UTC) on ``day``, never after now."""
        moment = datetime.combine(day, clock(self.rng.randint(6, 17), self.rng.randint(0, 59),
                                             self.rng.randint(0, 59)), tzinfo=UTC)
        return min(moment, self.now)

    def later(self, moment: datetime, max_days: float) -> datetime:
        return min(moment + timedelta(days=self.rng.uniform(0, max_days)), self.now)


def _start_of_today(platform: Platform) -> datetime:
    return datetime.combine(platform.now.date(), clock(0), tzinfo=UTC)


def _phases_from(start: date, lengths: list[int]) -> list[PhaseRow]:
    phases, day = [], start
    for (kind, _shortest, _longest), days in zip(PHASE_DAYS, lengths, strict=True):
        phases.append((kind, PHASE_NAMES[kind], day, day + timedelta(days=days - 1)))
        day += timedelta(days=days)
    phases.append((PhaseKind.CLOSED, PHASE_NAMES[PhaseKind.CLOSED], day, None))
    return phases


def _plan_operations(platform: Platform, count: int, administrations: list[OrganisationRow],
                     hosts: list[OrganisationRow],
                     busy: OrganisationRow) -> list[_PlannedOperation]:
    """Calendars and invitations: a third under way today, a third planned, a third closed."""
    rng, today = platform.rng, platform.now.date()
    most = len(administrations)  # every usable administration (the host included)
    large_size = min(most, 200)
    large_count = min(count, max(1, round(count * LARGE_OPERATIONS_SHARE)))
    roles = ["large", "small"][:count] + [""] * max(0, count - 2)
    categories = [OperationStatus.ACTIVE] * len(roles[:2])
    rest = count - len(categories)
    active_rest = max(0, round(count / 3) - len(categories))
    planned_rest = round(count / 3)
    categories += ([OperationStatus.ACTIVE] * active_rest
                   + [OperationStatus.PLANNED] * min(planned_rest, rest - active_rest))
    categories += [OperationStatus.CLOSED] * (count - len(categories))
    tail = categories[2:]
    rng.shuffle(tail)
    categories[2:] = tail
    large_extra = set(rng.sample(range(2, count), min(max(0, count - 2), large_count - 1)))

    dashboard_start = today - timedelta(days=DASHBOARD_OPERATIONAL_DAY
                                        + sum(DASHBOARD_PHASE_DAYS[:2]))
    planned = []
    for index, (role, category) in enumerate(zip(roles, categories, strict=True)):
        if role:
            phases = _phases_from(dashboard_start, DASHBOARD_PHASE_DAYS)
        else:
            lengths = [rng.randint(shortest, longest) for _kind, shortest, longest in PHASE_DAYS]
            total = sum(lengths)
            if category is OperationStatus.ACTIVE:  # closed from the closing phase's first day
                start = today - timedelta(days=rng.randint(0, total - 1))
            elif category is OperationStatus.CLOSED:
                start = today - timedelta(days=total + rng.randint(1, YEARS_BACK * 365))
            else:
                start = today + timedelta(days=rng.randint(1, YEARS_AHEAD * 365))
            if start == dashboard_start:  # the dashboard pair's calendar stays theirs
                start -= timedelta(days=1)
            phases = _phases_from(start, lengths)
        # Created when planning starts (a little before), and never in the future.
        created = datetime.combine(phases[0][2] - timedelta(days=rng.randint(0, 30)),
                                   clock(rng.randint(7, 17), rng.randint(0, 59)), tzinfo=UTC)
        if created > _start_of_today(platform) - timedelta(days=1):
            created = _start_of_today(platform) - timedelta(days=rng.uniform(1, 90))

        host = rng.choice(hosts)
        # The two dashboard operations have every organiser and observer there is, so that
        # no other operation has as many organisations as the large one.
        full = bool(role)
        if role == "large":
            size = large_size
        elif role == "small":
            size = min(DASHBOARD_SMALL_ADMINISTRATIONS, most)
        elif index in large_extra:
            size = rng.randint(min(150, large_size - 1), large_size - 1)
        else:
            size = rng.randint(min(15, most - 1), min(60, most - 1))
        size = max(1, size)
        others = [row for row in administrations if row.id != host.id]
        # The busiest administration takes part in most operations (its contact point's
        # list is long); the rest are drawn at random.
        invited = []
        if busy.id != host.id and (role == "large" or index in large_extra
                                   or role != "small" and rng.random() < 0.6):
            invited.append(busy)
        pool = [row for row in others if row.id != busy.id]
        invited += rng.sample(pool, max(0, min(len(pool), size - 1 - len(invited))))
        planned.append(_PlannedOperation(category, phases, created, host, invited, role, full))
    # Codes and ids in the order the secretariat created them.
    planned.sort(key=lambda operation: operation.created_at)
    return planned


def generate_operations(connection: Connection, platform: Platform, count: int) -> int:
    """Operations with phases, participants, roles, reporting periods, returns and activity."""
    if count == 0:
        return 0
    users = platform.active_users_by_organisation
    if not platform.secretariat_ids:
        print("    no operations: they need the WCO Secretariat's accounts (--users 6 or more)")
        return 0
    by_kind: dict[OrganisationKind, list[OrganisationRow]] = {}
    for row in platform.organisations:
        if row.is_active and users.get(row.id):
            by_kind.setdefault(row.kind, []).append(row)
    administrations = by_kind.get(OrganisationKind.MEMBER_ADMINISTRATION, [])
    if len(administrations) < 2:
        print("    no operations: they need two administrations with active accounts "
              "(raise --organisations and --users)")
        return 0
    wco = platform.organisation("WCO")
    rilos = by_kind.get(OrganisationKind.RILO, [])
    observers = by_kind.get(OrganisationKind.INTERNATIONAL_ORGANISATION, [])
    # Hosts name a coordinator and a contact point or two: they need a few people.
    hosts = [row for row in administrations if len(users[row.id]) >= 3] or administrations
    busy = max(administrations, key=lambda row: (len(users[row.id]), -row.id))
    platform.busy_contact_point_id = users[busy.id][0]

    build = _OperationsBuilder(connection, platform)
    plans = _plan_operations(platform, count, administrations, hosts, busy)
    for number, plan in enumerate(plans, start=1):
        row = _build_operation(build, plan, f"BENCH-{number:04d}", wco, rilos, observers, busy)
        platform.operations.append(row)
        if plan.role == "large":
            platform.dashboard_large_id = row.id
        elif plan.role == "small":
            platform.dashboard_small_id = row.id

    build.audit.sort(key=lambda entry: entry[:2])
    for _when, _order, entry in build.audit:
        build.add(AuditEntry.__table__, **entry)
    inserted = {}
    for table in [Operation.__table__, operation_organisers, Phase.__table__,
                  Participation.__table__, Membership.__table__, ReportingPeriod.__table__,
                  PeriodReturn.__table__, Reminder.__table__, AuditEntry.__table__]:
        inserted[table.name] = insert_rows(connection, table, build.rows[table.name])
    if connection.dialect.name == "postgresql":
        for table in build.tables:  # the next id the app gives follows the generated ones
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"))
    statuses = {status: sum(1 for row in platform.operations if row.status is status)
                for status in OperationStatus}
    print("    " + ", ".join(f"{statuses[status]} {status.value}" for status in OperationStatus)
          + "; " + ", ".join(f"{number:,} {name}" for name, number in inserted.items()
                             if name != Operation.__tablename__))
    return inserted[Operation.__tablename__]


def _build_operation(build: _OperationsBuilder, plan: _PlannedOperation, code: str,
                     wco: OrganisationRow, rilos: list[OrganisationRow],
                     observers: list[OrganisationRow], busy: OrganisationRow) -> OperationRow:
    platform, rng, now, today = build.platform, build.rng, build.now, build.today
    users = platform.active_users_by_organisation
    busy_user = platform.busy_contact_point_id
    creator = rng.choice(platform.secretariat_ids)
    created = plan.created_at
    theme, substances, modes = rng.choice(OPERATION_THEMES)
    name = rng.choice(OPERATION_NAMES)
    closing = plan.phases[-1]
    # Denormalised from the phases exactly as operations.set_phases does: an open-ended
    # closing phase is the state after the operation, whose span ends the day before.
    ends_on = closing[3] if closing[3] is not None else closing[2] - timedelta(days=1)
    closed_at = closed_by = None
    if (plan.category is OperationStatus.ACTIVE and not plan.role and rng.random() < 0.03):
        # Closed early by the secretariat, some days ago.
        closed_at = max(build.later(now - timedelta(days=10), 9), build.at(plan.starts_on))
        closed_by = creator
    # As Operation.status_on says it.
    operation_status = (
        OperationStatus.CLOSED if closed_at or ends_on < today
        else OperationStatus.PLANNED if plan.starts_on > today else OperationStatus.ACTIVE)
    deadline_days = rng.choice([2, 2, 2, 3, 1, 7])
    operation_id = build.add(
        Operation.__table__, code=code,
        title=f"Operation {name} {plan.starts_on.year}: {theme}",
        summary=(f"A joint customs operation against {theme}, coordinated by an operational "
                 f"coordination unit hosted by {plan.host.code}."),
        objectives=("Detect and seize consignments; exchange alerts on suspicious shipments in "
                    "real time; identify links for follow-up investigations."),
        substance_groups=sorted(s.value for s in rng.sample(substances,
                                                            rng.randint(1, len(substances)))),
        transport_modes=sorted(m.value for m in rng.sample(modes, rng.randint(1, len(modes)))),
        host_organisation_id=plan.host.id,
        handling_code=rng.choice(list(HandlingCode)),
        tlp=rng.choices([TlpLevel.AMBER, TlpLevel.AMBER_STRICT, TlpLevel.GREEN, TlpLevel.RED],
                        [6, 2, 2, 1])[0],
        reporting_frequency=ReportingFrequency.WEEKLY, report_deadline_days=deadline_days,
        starts_on=plan.phases[0][2], ends_on=ends_on,
        closed_at=closed_at, closed_by_id=closed_by,
        created_at=created, created_by_id=creator, updated_at=created, updated_by_id=creator,
    )
    build.record(created, AuditAction.OPERATION_CREATED, operation_id, creator, "operations",
                 operation_id, code, {"title": f"Operation {name}"})
    for position, (kind, phase_name, starts_on, ends_on) in enumerate(plan.phases):
        build.add(Phase.__table__, operation_id=operation_id, position=position, kind=kind,
                  name=phase_name, starts_on=starts_on, ends_on=ends_on)
    build.record(created, AuditAction.PHASES_CHANGED, operation_id, creator, "operations",
                 operation_id, code, {"phases": [[k.value, n, str(s), str(e) if e else None]
                                                 for k, n, s, e in plan.phases]})

    people: dict[int, list[int]] = {}  # organisation id taking part -> people with a role
    filers: dict[int, list[int]] = {}  # administration taking part -> its contact points

    def participation(organisation: OrganisationRow, status: ParticipationStatus,
                      invited_at: datetime, responder: int) -> tuple[int, datetime | None]:
        responded_at = withdrawn_at = withdrawn_by = None
        if status is not ParticipationStatus.INVITED:
            responded_at = build.later(invited_at, 21)
        if status is ParticipationStatus.WITHDRAWN:
            withdrawn_at, withdrawn_by = build.later(responded_at, 60), creator
        participation_id = build.add(
            Participation.__table__, operation_id=operation_id, organisation_id=organisation.id,
            status=status, invited_at=invited_at, invited_by_id=creator,
            responded_at=responded_at,
            responded_by_id=responder if responded_at else None,
            withdrawn_at=withdrawn_at, withdrawn_by_id=withdrawn_by)
        build.record(invited_at, AuditAction.PARTICIPANT_INVITED, operation_id, creator,
                     "participations", participation_id, organisation.code)
        if responded_at is not None:
            action = (AuditAction.PARTICIPATION_DECLINED if status is ParticipationStatus.DECLINED
                      else AuditAction.PARTICIPATION_ACCEPTED)
            build.record(responded_at, action, operation_id, responder, "participations",
                         participation_id, organisation.code)
        if withdrawn_at is not None:
            build.record(withdrawn_at, AuditAction.PARTICIPATION_WITHDRAWN, operation_id,
                         creator, "participations", participation_id, organisation.code)
        return participation_id, responded_at

    def member(organisation: OrganisationRow, participation_id: int, user_id: int,
               role: OperationRole, added_at: datetime, added_by: int) -> None:
        membership_id = build.add(Membership.__table__, operation_id=operation_id,
                                  participation_id=participation_id, user_id=user_id, role=role,
                                  added_at=added_at, added_by_id=added_by)
        build.record(added_at, AuditAction.MEMBER_ADDED, operation_id, added_by,
                     "operation_members", membership_id, platform.emails[user_id],
                     {"role": role.value, "organisation": organisation.code})

    # The host and the organisers take part from the start (operations.create_operation).
    host_people = [user for user in users[plan.host.id] if user != busy_user]
    coordinator = rng.choice(host_people or users[plan.host.id])
    host_participation, _responded = participation(plan.host, ParticipationStatus.ACCEPTED,
                                                   created, creator)
    member(plan.host, host_participation, coordinator, OperationRole.COORDINATOR,
           build.later(created, 3), creator)
    host_contacts = [user for user in users[plan.host.id] if user != coordinator]
    if busy_user in host_contacts:
        host_contacts = [busy_user]
    else:
        host_contacts = rng.sample(host_contacts, min(len(host_contacts), rng.choice([1, 1, 2])))
    for user in host_contacts:
        member(plan.host, host_participation, user, OperationRole.CONTACT_POINT,
               build.later(created, 5), creator)
    people[plan.host.id] = [coordinator, *host_contacts]
    filers[plan.host.id] = host_contacts or [coordinator]
    taking_part = 1
    organisers = [wco] + ([rng.choice(rilos)] if rilos and (plan.every_guest
                                                           or rng.random() < 0.7) else [])
    for organiser in organisers:
        build.rows[operation_organisers.name].append(
            {"operation_id": operation_id, "organisation_id": organiser.id})
        organiser_participation, _responded = participation(
            organiser, ParticipationStatus.ACCEPTED, created, creator)
        taking_part += 1
        if organiser.kind is OrganisationKind.RILO:
            analyst = rng.choice(users[organiser.id])
            member(organiser, organiser_participation, analyst, OperationRole.CONTACT_POINT,
                   build.later(created, 7), creator)
            people[organiser.id] = [analyst]

    # Invitations to the administrations and (where one exists) an observer organisation.
    statuses, weights = CATEGORY_STATUSES[plan.category]
    guests = [(row, OperationRole.CONTACT_POINT) for row in plan.administrations]
    if observers:
        wanted = 2 if plan.every_guest or rng.random() < 0.25 else 1
        guests += [(row, OperationRole.OBSERVER)
                   for row in rng.sample(observers, min(len(observers), wanted))]
    for organisation, role in guests:
        invited_at = build.later(created, 14)
        status = rng.choices(statuses, weights)[0]
        if organisation.id == busy.id:
            status = (ParticipationStatus.ACCEPTED if rng.random() < 0.95
                      else ParticipationStatus.INVITED)
        staff = users[organisation.id]
        first = busy_user if busy_user in staff else rng.choice(staff)
        participation_id, accepted_at = participation(organisation, status, invited_at, first)
        if status is ParticipationStatus.INVITED:
            if rng.random() < 0.3:  # named by the secretariat with the invitation
                member(organisation, participation_id, first, role, invited_at, creator)
            continue
        if status is ParticipationStatus.DECLINED:
            continue
        # Whoever accepted became its first contact point (observer); some name a second.
        named = [first]
        member(organisation, participation_id, first, role, accepted_at, first)
        if role is OperationRole.CONTACT_POINT and len(staff) > 1 and rng.random() < 0.3:
            second = rng.choice([user for user in staff if user != first])
            member(organisation, participation_id, second, role,
                   build.later(accepted_at, 10), first)
            named.append(second)
        if status is ParticipationStatus.ACCEPTED:
            people[organisation.id] = named
            if organisation.kind is OrganisationKind.MEMBER_ADMINISTRATION:
                filers[organisation.id] = named
            taking_part += 1

    # Member administrations taking part owe returns (compliance.reporting_participations).
    reporters = [plan.host] + [row for row, _role in guests if row.id in filers]
    _reporting(build, operation_id, plan, deadline_days, filers, coordinator, reporters)
    # A few directory exports: quiet entries the dashboard's activity leaves out.
    for _ in range(rng.randint(0, 4)):
        who = rng.choice([user for staff in people.values() for user in staff])
        build.record(build.later(created, max(1, (min(today, closing[2]) - created.date()).days)),
                     AuditAction.DIRECTORY_EXPORTED, operation_id, who, "operations",
                     operation_id, code, {"format": rng.choice(["csv", "vcard", "api"])})
    if closed_at is not None:
        build.record(closed_at, AuditAction.OPERATION_CLOSED, operation_id, closed_by,
                     "operations", operation_id, code)
    return OperationRow(operation_id, code, plan.host.id, plan.starts_on,
                        ends_on, operation_status,
                        taking_part, coordinator, people)


def _reporting(build: _OperationsBuilder, operation_id: int, plan: _PlannedOperation,
               deadline_days: int, filers: dict[int, list[int]], coordinator: int,
               reporters: list[OrganisationRow]) -> None:
    """Weekly periods over the operational phase; returns and reminders for those past."""
    rng, now, today = build.rng, build.now, build.today
    operational = next(phase for phase in plan.phases if phase[0] is PhaseKind.OPERATIONAL)
    periods, start = [], operational[2]
    while start <= operational[3]:  # as compliance._calendar_periods cuts them
        end = min(start + timedelta(days=6), operational[3])
        # As compliance.deadline_for computes it.
        deadline = datetime.combine(end + timedelta(days=deadline_days), clock(23, 59, 59),
                                    tzinfo=UTC)
        period_id = build.add(ReportingPeriod.__table__, operation_id=operation_id,
                              starts_on=start, ends_on=end, deadline_at=deadline)
        periods.append((period_id, start, end, deadline))
        start = end + timedelta(days=1)
    seizure_share = rng.uniform(0.3, 0.7)
    reliability = {row.id: rng.choices(*RELIABILITY)[0] for row in reporters}
    missing: dict[int, list[OrganisationRow]] = {}
    for period_id, starts_on, ends_on, _deadline in periods:
        if ends_on >= today:
            continue
        for organisation in reporters:
            filed_at = build.at(ends_on + timedelta(days=rng.randint(1, deadline_days + 2)))
            if filed_at >= now or rng.random() > reliability[organisation.id]:
                missing.setdefault(period_id, []).append(organisation)
                continue
            seizures = rng.random() < seizure_share
            filer = rng.choice(filers[organisation.id])
            return_id = build.add(
                PeriodReturn.__table__, operation_id=operation_id, period_id=period_id,
                organisation_id=organisation.id,
                kind=ReturnKind.SEIZURES if seizures else ReturnKind.NIL,
                seizure_count=1 + int(rng.expovariate(0.4)) if seizures else None,
                remarks=rng.choice(SEIZURE_REMARKS if seizures else NIL_REMARKS),
                filed_at=filed_at, filed_by_id=filer)
            build.record(filed_at, AuditAction.RETURN_FILED, operation_id, filer,
                         "period_returns", return_id, organisation.code,
                         {"kind": "seizures" if seizures else "nil",
                          "period": [str(starts_on), str(ends_on)],
                          "seizure_count": build.rows[PeriodReturn.__tablename__][-1][
                              "seizure_count"]})
    # The coordinator reminds the late administrations of one overdue period, sometimes.
    overdue = [period for period in periods if period[3] < now and missing.get(period[0])]
    if overdue and rng.random() < 0.5:
        period_id, starts_on, ends_on, deadline = rng.choice(overdue)
        sent_at = min(deadline + timedelta(hours=rng.uniform(1, 48)), now)
        for organisation in missing[period_id]:
            reminder_id = build.add(
                Reminder.__table__, operation_id=operation_id, period_id=period_id,
                organisation_id=organisation.id, sent_at=sent_at, sent_by_id=coordinator,
                message="Please file your return (seizures or nil) for the period.")
            build.record(sent_at, AuditAction.REMINDER_SENT, operation_id, coordinator,
                         "reporting_reminders", reminder_id, organisation.code,
                         {"period": [str(starts_on), str(ends_on)]})


# -- documents ---------------------------------------------------------------------------

# A one-page PDF's worth of bytes: the documents list shows names, kinds and sizes; a
# download decrypts it (the app's bench key, common.BENCH_DATA_KEY).
_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_DOCUMENT_TITLES = ["Operational plan", "Risk indicators", "Instructions for officers",
                    "Briefing slides", "Weekly bulletin", "Contact list", "Debriefing notes"]
LARGE_OPERATION_DOCUMENTS = 40


def generate_documents(connection: Connection, platform: Platform, count: int) -> int:
    """``count`` documents, encrypted as uploads are: 40 for the large dashboard's operation
    (its documents page), the rest spread over the operations under way or closed."""
    if count == 0 or not platform.operations:
        return 0
    ring = Keyring.parse(BENCH_DATA_KEY, BENCH_DATA_KEY)
    rng = platform.rng
    started = [row for row in platform.operations if row.status is not OperationStatus.PLANNED]
    large = next((row for row in platform.operations
                  if row.id == platform.dashboard_large_id), None)
    owners = ([large] * min(count, LARGE_OPERATION_DOCUMENTS) if large else [])
    owners += [rng.choice(started or platform.operations) for _ in range(count - len(owners))]
    categories = list(DocumentCategory)
    files, documents = [], []
    first_file = (connection.scalar(select(func.max(StoredFile.id))) or 0) + 1
    for number, row in enumerate(owners):
        file_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        title = rng.choice(_DOCUMENT_TITLES)
        uploader = row.coordinator_id or next(
            (ids[0] for ids in row.people.values() if ids), None)
        if uploader is None:
            continue
        when = _past(platform, 60)
        files.append({"id": first_file + number, "uuid": file_uuid,
                      "filename": f"{row.code}-{title.lower().replace(' ', '-')}.pdf",
                      "content_type": "application/pdf", "size_bytes": len(_PDF),
                      "key_id": ring.current_key_id, "created_at": when,
                      "created_by_id": uploader,
                      "ciphertext": ring.encrypt(_PDF, file_uuid.encode())})
        documents.append({"operation_id": row.id, "stored_file_id": first_file + number,
                          "title": title, "category": rng.choice(categories).value,
                          "description": "", "uploaded_at": when,
                          "uploaded_by_id": uploader})
    insert_rows(connection, StoredFile.__table__, files)
    if connection.dialect.name == "postgresql":  # ids given explicitly: move the sequence on
        connection.execute(text("SELECT setval(pg_get_serial_sequence('stored_files', 'id'), "
                                "(SELECT max(id) FROM stored_files))"))
    return insert_rows(connection, OperationDocument.__table__, documents)


# -- messages ------------------------------------------------------------------------------

_SUBJECTS = ["Suspicious parcel from NL", "Express consignment to watch", "Request: lab results",
             "Weekly OCU bulletin", "Seizure follow-up", "Air cargo profile", "Postal hub alert",
             "Question on the reporting form", "Controlled delivery request", "New NPS analogue"]
_BODY = ("Consignment declared as bath salts, 2 kg, routed via a transit hub. Please check "
         "your systems for the consignee and tell us whether you hold related seizures. ")
# The shares of each audience: chosen administrations (1-3), the OCU, everyone.
_AUDIENCES = [("chosen", 0.80), ("ocu", 0.15), ("all", 0.05)]


def _deliveries(platform: Platform, row: OperationRow, message: dict, addressed: set[int],
                addressee_rows: list[dict], readers: set[int]) -> list[dict]:
    """The inbox rows of one message (messaging/deliveries.py's rule, on the generator's
    own records): the people with a role of the sender's and the addressed organisations,
    the coordinator, and the secretariat's people when WCO is among them."""
    seeing = {message["sender_organisation_id"], *addressed}
    awaited = {entry["organisation_id"] for entry in addressee_rows
               if message["requires_ack"] and entry["acknowledged_at"] is None}
    people = {person: organisation for organisation in seeing
              for person in row.people.get(organisation, [])}
    if row.coordinator_id is not None:
        people.setdefault(row.coordinator_id, None)
    wco = platform.organisation("WCO").id
    if wco in seeing:
        people.update({person: wco for person in platform.secretariat_ids
                       if person not in people})
    return [{"user_id": person, "message_id": message["id"],
             "operation_id": message["operation_id"], "sent_at": message["sent_at"],
             "unread": person not in readers,
             "awaits_ack": organisation in awaited and person in row.people.get(organisation, [])}
            for person, organisation in people.items()]


def generate_messages(connection: Connection, platform: Platform, count: int) -> int:
    """``count`` messages over the operations under way or closed, encrypted as sent ones
    are, each with its addressees (mostly one to three administrations, some to the OCU,
    a few to all), its sender's read, and a read by a person of most addressed
    administrations; a fifth are replies in an earlier message's thread; a tenth ask for
    acknowledgement, most of them acknowledged."""
    started = [row for row in platform.operations
               if row.status is not OperationStatus.PLANNED and len(row.people) >= 2]
    if count == 0 or not started:
        return 0
    rng, ring = platform.rng, Keyring.parse(BENCH_DATA_KEY, BENCH_DATA_KEY)
    body_column = Message.__table__.c.body_ciphertext
    kinds = [kind.value for kind in MessageKind if kind is not MessageKind.REPLY]
    first_id = (connection.scalar(select(func.max(Message.id))) or 0) + 1
    # Spread in proportion to the people taking part: big operations talk more.
    weights = [sum(map(len, row.people.values())) for row in started]
    owners = rng.choices(started, weights=weights, k=count)
    threads: dict[int, list[tuple[int, int]]] = {}  # operation -> (message id, sender org)
    inserted = 0
    for batch_start in range(0, count, BATCH_SIZE):
        messages, addressees, reads, deliveries = [], [], [], []
        for number in range(batch_start, min(count, batch_start + BATCH_SIZE)):
            row = owners[number]
            message_id = first_id + number
            organisations = list(row.people)
            sender_org = rng.choice(organisations)
            sender = rng.choice(row.people[sender_org])
            earlier = threads.setdefault(row.id, [])
            reply_to = rng.choice(earlier) if earlier and rng.random() < 0.2 else None
            audience = ("chosen" if reply_to else
                        rng.choices([a for a, _w in _AUDIENCES], [w for _a, w in _AUDIENCES])[0])
            others = [org for org in organisations if org != sender_org]
            if reply_to:
                addressed = {reply_to[1]} - {sender_org} or {rng.choice(others)}
            elif audience == "chosen":
                addressed = set(rng.sample(others, k=min(len(others), rng.randint(1, 3))))
            elif audience == "ocu":
                addressed = {row.host_id} - {sender_org} or {rng.choice(others)}
            else:
                addressed = set(others)
            message_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            requires_ack = rng.random() < 0.1
            sent_at = _past(platform, 90)
            messages.append({
                "id": message_id, "uuid": message_uuid, "operation_id": row.id,
                "thread_id": reply_to[0] if reply_to else message_id,
                "in_reply_to_id": reply_to[0] if reply_to else None,
                "sender_id": sender, "sender_organisation_id": sender_org,
                "subject": rng.choice(_SUBJECTS),
                "body_ciphertext": ring.encrypt(_BODY.encode(),
                                                associated_data(body_column, message_uuid)),
                "kind": "reply" if reply_to else rng.choice(kinds),
                "priority": rng.choices(["routine", "urgent", "flash"], [0.85, 0.12, 0.03])[0],
                "handling_code": "H1", "tlp": "TLP:AMBER", "audience": audience,
                "requires_ack": requires_ack, "sent_at": sent_at})
            readers = {sender}
            for organisation_id in sorted(addressed):
                acknowledged = requires_ack and rng.random() < 0.7
                reader = row.people[organisation_id][0]
                addressees.append({
                    "message_id": message_id, "organisation_id": organisation_id,
                    "acknowledged_at": sent_at + timedelta(hours=2) if acknowledged else None,
                    "acknowledged_by_id": reader if acknowledged else None})
                if rng.random() < 0.8 and reader != sender:
                    readers.add(reader)
                    reads.append({"message_id": message_id, "user_id": reader,
                                  "read_at": sent_at + timedelta(hours=1)})
            reads.append({"message_id": message_id, "user_id": sender, "read_at": sent_at})
            earlier.append((message_id, sender_org))
            deliveries.extend(_deliveries(
                platform, row, messages[-1], addressed, addressees[-len(addressed):],
                readers))
        inserted += insert_rows(connection, Message.__table__, messages)
        insert_rows(connection, MessageAddressee.__table__, addressees)
        insert_rows(connection, MessageRead.__table__, reads)
        insert_rows(connection, MessageDelivery.__table__, deliveries)
    if connection.dialect.name == "postgresql":  # ids given explicitly: move the sequence on
        connection.execute(text("SELECT setval(pg_get_serial_sequence('messages', 'id'), "
                                "(SELECT max(id) FROM messages))"))
    return inserted


# -- the steps, in order ------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str  # the table-ish name; also the option --<name> N
    default: int
    minimum: int
    help: str
    generate: Callable[[Connection, Platform, int], int]


STEPS = [
    Step("organisations", 200, 2, "organisations: WCO, RILOs, international organisations, "
         "then administrations (ISO countries first, then synthetic)", generate_organisations),
    Step("users", 5000, 1, "accounts, spread over the organisations", generate_users),
    Step("operations", 300, 0, "operations (BENCH-0001, ...): a third under way, a third "
         "planned, a third closed, with phases, 15-60 administrations taking part (a few "
         "150-200), their people's roles, weekly reporting periods, returns, reminders and "
         "audit entries", generate_operations),
    Step("documents", 600, 0, "operation documents (encrypted PDFs): 40 for the large "
         "dashboard's operation, the rest spread over those under way or closed",
         generate_documents),
    Step("messages", 500_000, 0, "messages over the operations under way or closed, with "
         "their addressees, reads and acknowledgements", generate_messages),
    # Later issues append their steps here: seizures, ...
]


# -- running ------------------------------------------------------------------------------


def _prepare(engine: Engine, reset: bool) -> None:
    """Migrate to the newest schema; refuse a database that already holds data."""
    with engine.begin() as connection:
        upgrade(connection)
        table = User.__table__
        users = connection.scalar(select(func.count()).select_from(table))
        organisations = connection.scalar(select(func.count()).select_from(Organisation.__table__))
        if not (users or organisations):
            return
        if not reset:
            raise SystemExit("The database already holds data; run with --reset to empty it "
                             "first (only a database filled by this script).")
        foreign = connection.scalar(select(func.count()).select_from(table).where(
            ~table.c.email.like("%@bench.example.org")))
        if foreign:
            raise SystemExit(f"Refusing --reset: {foreign} accounts were not made by this "
                             "script; this does not look like a benchmark database.")
    with engine.begin() as connection:
        downgrade(connection, "base")
        upgrade(connection)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url",
                        help="default: $DATABASE_URL, else bench/out/bench.sqlite")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--reset", action="store_true",
                        help="empty a database this script filled before (drops every table)")
    for step in STEPS:
        parser.add_argument(f"--{step.name}", type=int, default=step.default, metavar="N",
                            help=f"{step.help} (default {step.default})")
    options = parser.parse_args(argv)
    for step in STEPS:
        if getattr(options, step.name) < step.minimum:
            parser.error(f"--{step.name} must be at least {step.minimum}")

    url = database_url(options.database_url)
    engine = make_engine(url)
    print(f"Database: {display_url(url)} ({engine.dialect.name})")
    started = time.perf_counter()
    _prepare(engine, options.reset)
    print(f"{'migrate':<16}{'':>10}{time.perf_counter() - started:9.2f} s")

    platform = Platform(rng=random.Random(options.seed), now=utcnow(),
                        password_hash=hash_password(BENCH_PASSWORD))
    for step in STEPS:
        started = time.perf_counter()
        with engine.begin() as connection:
            inserted = step.generate(connection, platform, getattr(options, step.name))
        print(f"{step.name:<16}{inserted:>10,}{time.perf_counter() - started:9.2f} s")

    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        # Fresh planner statistics and visibility map, as autovacuum would make them shortly
        # after a load (without the map, counting an index's entries reads every row).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        print(f"{'vacuum analyze':<16}{'':>10}{time.perf_counter() - started:9.2f} s")
    engine.dispose()
    print(f"Every account's password is {BENCH_PASSWORD!r}; the platform admin is "
          f"{bench_email(1)}.")
    _print_bench_accounts(platform)
    return 0


def _print_bench_accounts(platform: Platform) -> None:
    """Who bench/run.py should find for its operation scenarios (it looks them up itself)."""
    if platform.busy_contact_point_id is None:
        return
    by_id = {row.id: row for row in platform.operations}
    busy = platform.busy_contact_point_id
    listed = sum(1 for row in platform.operations if any(
        busy in people for people in row.people.values()))
    print(f"Contact point in the most operations: {platform.emails[busy]} (in {listed}).")
    for label, operation_id in [("large", platform.dashboard_large_id),
                                ("small", platform.dashboard_small_id)]:
        if operation_id is not None:
            row = by_id[operation_id]
            print(f"Dashboard ({label}): {row.code}, id {row.id}, {row.taking_part} "
                  f"organisations taking part, coordinator "
                  f"{platform.emails[row.coordinator_id]}.")


if __name__ == "__main__":
    sys.exit(main())
