"""Bulk-load a platform of a given size into an empty database, for the benchmarks.

    python bench/generate.py                      # SQLite file bench/out/bench.sqlite
    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/opsplatform_bench
    python bench/generate.py --organisations 200 --users 5000 --reset

The database (``--database-url``, else ``DATABASE_URL``, else bench/out/bench.sqlite)
is migrated to the newest schema first, then each step in ``STEPS`` inserts its
rows with SQLAlchemy Core ``insert()`` in batches (executemany), never one ORM
object per row, so a million rows take seconds, not hours. The data is
deterministic for a given ``--seed`` and sizes.

Every account's password is ``bench-password`` (bench/common.py); all share one
argon2 hash computed once per run. user00001@bench.example.org is the platform
admin, the next few are the WCO Secretariat, the rest belong to the other organisations (mostly administrations).

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from common import (
    BENCH_PASSWORD,
    bench_email,
    database_url,
    display_url,
)
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from opsplatform.auth.passwords import hash_password
from opsplatform.core.db import make_engine, utcnow
from opsplatform.core.migrate import downgrade, upgrade
from opsplatform.models import Organisation, User
from opsplatform.organisations.models import OrganisationKind, WcoRegion

BATCH_SIZE = 1000


# -- what the steps share -----------------------------------------------------------------


@dataclass
class OrganisationRow:
    id: int
    code: str
    kind: OrganisationKind


@dataclass
class Platform:
    """What the steps so far have made, for the steps that come after them."""

    rng: random.Random
    now: datetime
    password_hash: str
    organisations: list[OrganisationRow] = field(default_factory=list)
    # Ids of accounts per organisation id (platform admin and secretariat included).
    users_by_organisation: dict[int, list[int]] = field(default_factory=dict)

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
        OrganisationRow(row.id, row.code, OrganisationKind(row.kind))
        for row in connection.execute(
            select(table.c.id, table.c.code, table.c.kind).order_by(table.c.id))
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
                "session_nonce": f"{rng.getrandbits(128):032x}",
                "created_at": created,
                "updated_at": created,
                "password_changed_at": created,
                "last_sign_in_at": _past(platform, 30) if signed_in else None,
            }

    inserted = insert_rows(connection, User.__table__, rows())
    table = User.__table__
    platform.users_by_organisation = {}
    for user_id, organisation_id in connection.execute(
            select(table.c.id, table.c.organisation_id).order_by(table.c.id)):
        platform.users_by_organisation.setdefault(organisation_id, []).append(user_id)
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
    # Later issues append their steps here: operations, messages, seizures, ...
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
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else bench/out/bench.sqlite")
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
        # Fresh planner statistics, as autovacuum would gather them shortly after a load.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        print(f"{'analyze':<16}{'':>10}{time.perf_counter() - started:9.2f} s")
    engine.dispose()
    print(f"Every account's password is {BENCH_PASSWORD!r}; the platform admin is "
          f"{bench_email(1)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
