"""Time requests through the app against a generated database; print p50/p95 per scenario.

    python bench/run.py                                   # bench/out/bench.sqlite
    python bench/run.py --database-url postgresql://postgres@127.0.0.1:5432/opsplatform_bench
    python bench/run.py --scenario api_me --requests 500

The app is built with create_app() on that database and driven in-process with
Flask's test client (no network, no server): what is measured is the app, its
queries and the database. Before timing, the runner signs a user in through the
real sign-in form (with its CSRF token) and creates an API token for them.

Adding a scenario: write ``def my_page(bench: Bench) -> None`` that makes ONE
request with ``bench.anonymous``, ``bench.browser`` (signed in) or ``bench.api``
(bearer token) and checks its status with ``expect``, and add it to SCENARIOS.
Ids it needs (an operation the user takes part in, ...) come from
``bench.once(key, make)``, which runs ``make(session)`` once in an app context.
A scenario that needs another account signs it in with ``bench.browser_as(email)``
or ``bench.api_as(email)`` (once per account, during the untimed requests), and
raises ``SkipScenario`` when the database or the app lacks what it needs.

The operation scenarios find their accounts and operations by these rules, which
``generate.py --operations N`` makes sure the data satisfies (it prints its picks):
- the busy contact point: the active account holding the contact-point role, through
  an accepted participation, in the most operations (ties: the lowest id);
- the secretariat: the first active secretariat account;
- the large dashboard: of the operations under way today, the one with the most
  participations (any status); the small one: of the others under way with the same
  calendar (first day), the one with the fewest (else the fewest of all under way);
  each is opened by its coordinator.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from common import BENCH_DATA_KEY, BENCH_PASSWORD, OUT, database_url, display_url
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from opsplatform import create_app
from opsplatform.auth.models import User
from opsplatform.auth.operations import create_token, find_user_by_email
from opsplatform.core.db import Database, db
from opsplatform.operations.models import (
    Membership,
    Operation,
    OperationRole,
    Participation,
    ParticipationStatus,
)
from opsplatform.organisations.models import Organisation, OrganisationKind

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


class UnexpectedResponse(AssertionError):
    pass


class SkipScenario(Exception):
    """The data or the app lacks what the scenario needs; the run goes on without it."""


def expect(response, status: int = 200):
    """Fail the run loudly when a scenario does not get the answer it should."""
    if response.status_code != status:
        raise UnexpectedResponse(
            f"{response.request.method} {response.request.path}: expected {status}, "
            f"got {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return response


@dataclass
class Bench:
    app: Flask
    email: str  # the signed-in user of ``browser`` and owner of ``api``'s token
    anonymous: FlaskClient
    browser: FlaskClient
    api: FlaskClient
    _memo: dict[str, Any] = field(default_factory=dict)
    _clients: dict[tuple[str, str], FlaskClient] = field(default_factory=dict)
    # What the scenarios found (accounts, operations), printed under the table.
    notes: list[str] = field(default_factory=list)

    def once(self, key: str, make: Callable[[Any], Any]) -> Any:
        """``make(db.session)`` in an app context, the first time ``key`` is asked for."""
        if key not in self._memo:
            with self.app.app_context():
                self._memo[key] = make(db.session)
        return self._memo[key]

    def browser_as(self, email: str) -> FlaskClient:
        """A client signed in as ``email`` through the sign-in form (once per account)."""
        if email == self.email:
            return self.browser
        if ("browser", email) not in self._clients:
            client = self.app.test_client()
            sign_in(client, email)
            self._clients["browser", email] = client
        return self._clients["browser", email]

    def api_as(self, email: str) -> FlaskClient:
        """A client with a bearer token of ``email`` (once per account)."""
        if email == self.email:
            return self.api
        if ("api", email) not in self._clients:
            self._clients["api", email] = api_client(self.app, email)
        return self._clients["api", email]

    def has_route(self, rule: str) -> bool:
        return any(r.rule == rule for r in self.app.url_map.iter_rules())


# -- scenarios: name -> function making one request ---------------------------------------


def sign_in_page(bench: Bench) -> None:
    expect(bench.anonymous.get("/sign-in"))


def api_me(bench: Bench) -> None:
    body = expect(bench.api.get("/api/v1/me")).get_json()
    assert body["email"] == bench.email, body


# -- operations (issue 3) -----------------------------------------------------------------


def _under_way(today: date):
    """Operations whose calendar says they are under way today (Operation.status_on)."""
    return ((Operation.closed_at.is_(None)) & (Operation.starts_on <= today)
            & (Operation.ends_on >= today))


def _busy_contact_point(session) -> dict | None:
    row = session.execute(
        select(User.email, func.count(Membership.operation_id).label("operations"))
        .join(Membership, Membership.user_id == User.id)
        .join(Participation, Participation.id == Membership.participation_id)
        .where(Membership.role == OperationRole.CONTACT_POINT, User.is_active,
               Participation.status == ParticipationStatus.ACCEPTED)
        .group_by(User.id, User.email)
        .order_by(func.count(Membership.operation_id).desc(), User.id).limit(1)).first()
    return None if row is None else {"email": row.email, "operations": row.operations}


def _secretariat(session) -> str | None:
    return session.scalar(select(User.email).where(User.is_secretariat, User.is_active)
                          .order_by(User.id).limit(1))


def _coordinator_of(session, operation_id: int) -> str | None:
    return session.scalar(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .join(Participation, Participation.id == Membership.participation_id)
        .where(Membership.operation_id == operation_id, User.is_active,
               Membership.role == OperationRole.COORDINATOR,
               Participation.status == ParticipationStatus.ACCEPTED)
        .order_by(Membership.id).limit(1))


def _dashboard_operations(session) -> dict[str, dict]:
    """{"large": ..., "small": ...}, each {"id", "code", "participants", "email"}."""
    participants = func.count(Participation.id)
    rows = session.execute(
        select(Operation.id, Operation.code, Operation.starts_on, participants)
        .join(Participation, Participation.operation_id == Operation.id)
        .where(_under_way(date.today()))
        .group_by(Operation.id, Operation.code, Operation.starts_on)
        .order_by(participants.desc(), Operation.id)).all()
    if not rows:
        return {}
    large = rows[0]
    others = [row for row in rows[1:] if row.starts_on == large.starts_on] or rows[1:]
    picked = {"large": large}
    if others:
        picked["small"] = min(others, key=lambda row: (row[3], row.id))
    found = {}
    for size, row in picked.items():
        accepted = session.scalar(select(func.count()).where(
            Participation.operation_id == row.id,
            Participation.status == ParticipationStatus.ACCEPTED))
        email = _coordinator_of(session, row.id)
        if email is not None:
            found[size] = {"id": row.id, "code": row.code, "participants": row[3],
                           "taking_part": accepted, "email": email}
    return found


def _require_operations(bench: Bench) -> None:
    if not bench.once("operations", lambda session: session.scalar(
            select(func.count(Operation.id)))):
        raise SkipScenario("no operations: generate with --operations N")


def _busy(bench: Bench) -> str:
    busy = bench.once("busy_contact_point", _busy_contact_point)
    if busy is None:
        raise SkipScenario("no contact point: generate with --operations N")
    note = (f"contact point {busy['email']}: contact point in {busy['operations']} "
            "operations")
    if note not in bench.notes:
        bench.notes.append(note)
    return busy["email"]


def _dashboard(bench: Bench, size: str) -> dict:
    operation = bench.once("dashboard_operations", _dashboard_operations).get(size)
    if operation is None:
        raise SkipScenario(f"no {size} operation under way: generate with --operations N")
    note = (f"{size} dashboard: {operation['code']} (id {operation['id']}), "
            f"{operation['participants']} participations, {operation['taking_part']} "
            f"taking part; as its coordinator {operation['email']}")
    if note not in bench.notes:
        bench.notes.append(note)
    return operation


def operations_list(bench: Bench) -> None:
    """The list of operations of a contact point who takes part in many."""
    page = expect(bench.browser_as(_busy(bench)).get("/operations/")).get_data(as_text=True)
    assert "BENCH-" in page, page[:300]


def operations_list_secretariat(bench: Bench) -> None:
    """The first page of every operation, as the secretariat sees them."""
    _require_operations(bench)
    email = bench.once("secretariat", _secretariat)
    if email is None:
        raise SkipScenario("no secretariat account")
    page = expect(bench.browser_as(email).get("/operations/")).get_data(as_text=True)
    assert "BENCH-" in page, page[:300]


def home(bench: Bench) -> None:
    """The home page (my operations) of the busy contact point."""
    page = expect(bench.browser_as(_busy(bench)).get("/")).get_data(as_text=True)
    assert "BENCH-" in page, page[:300]


def _operation_dashboard(bench: Bench, size: str) -> None:
    operation = _dashboard(bench, size)
    page = expect(bench.browser_as(operation["email"]).get(
        f"/operations/{operation['id']}")).get_data(as_text=True)
    assert operation["code"] in page, page[:300]


def operation_dashboard_small(bench: Bench) -> None:
    _operation_dashboard(bench, "small")


def operation_dashboard_large(bench: Bench) -> None:
    _operation_dashboard(bench, "large")


def api_operations_list(bench: Bench) -> None:
    """GET /api/v1/operations (first page) as the busy contact point."""
    if not bench.has_route("/api/v1/operations"):
        raise SkipScenario("the app has no GET /api/v1/operations")
    body = expect(bench.api_as(_busy(bench)).get("/api/v1/operations")).get_json()
    assert body["items"], body


def _api_operation(bench: Bench, size: str) -> None:
    if not bench.has_route("/api/v1/operations/<int:operation_id>"):
        raise SkipScenario("the app has no GET /api/v1/operations/<id>")
    operation = _dashboard(bench, size)
    body = expect(bench.api_as(operation["email"]).get(
        f"/api/v1/operations/{operation['id']}")).get_json()
    assert body["code"] == operation["code"], body


def api_operation(bench: Bench) -> None:
    """GET /api/v1/operations/<id> of the large operation, as its coordinator."""
    _api_operation(bench, "large")


def api_operation_small(bench: Bench) -> None:
    """The same for the small operation: its query count should be api_operation's."""
    _api_operation(bench, "small")


def inbox(bench: Bench) -> None:
    """The busy contact point's inbox across its operations (unread first)."""
    if not bench.has_route("/messages/"):
        raise SkipScenario("the app has no inbox")
    page = expect(bench.browser_as(_busy(bench)).get("/messages/")).get_data(as_text=True)
    assert "BENCH-" in page, page[:300]


def operation_messages(bench: Bench) -> None:
    """The large operation's messages, as its coordinator (who sees every one)."""
    if not bench.has_route("/operations/<int:operation_id>/messages"):
        raise SkipScenario("the app has no message list")
    operation = _dashboard(bench, "large")
    expect(bench.browser_as(operation["email"]).get(f"/operations/{operation['id']}/messages"))


def api_inbox(bench: Bench) -> None:
    """GET /api/v1/inbox (first page) as the busy contact point."""
    if not bench.has_route("/api/v1/inbox"):
        raise SkipScenario("the app has no GET /api/v1/inbox")
    body = expect(bench.api_as(_busy(bench)).get("/api/v1/inbox")).get_json()
    assert "items" in body, body


def _fifty_administrations(operation_id: int, coordinator_email: str):
    def find(session) -> list[str]:
        own = select(User.organisation_id).where(User.email == coordinator_email)
        return list(session.scalars(
            select(Organisation.code).join(Participation,
                                           Participation.organisation_id == Organisation.id)
            .where(Participation.operation_id == operation_id,
                   Participation.status == ParticipationStatus.ACCEPTED,
                   Organisation.id.not_in(own))
            .order_by(Organisation.code).limit(50)))
    return find


def send_message_to_50(bench: Bench) -> None:
    """POST /api/v1/operations/<id>/messages from the large operation's coordinator to 50
    administrations, asking for acknowledgement: one message written per request."""
    if not bench.has_route("/api/v1/operations/<int:operation_id>/messages"):
        raise SkipScenario("the app has no POST /api/v1/operations/<id>/messages")
    operation = _dashboard(bench, "large")
    codes = bench.once("fifty_administrations",
                       _fifty_administrations(operation["id"], operation["email"]))
    if len(codes) < 50:
        raise SkipScenario(f"the large operation has {len(codes)} other administrations, "
                           "not 50")
    body = {"subject": "Weekly OCU bulletin", "body": "Watch express parcels from NL.",
            "kind": "general", "priority": "routine", "recipients": codes,
            "requires_ack": True}
    expect(bench.api_as(operation["email"]).post(
        f"/api/v1/operations/{operation['id']}/messages", json=body), 201)


SCENARIOS: dict[str, Callable[[Bench], None]] = {
    "sign_in_page": sign_in_page,
    "api_me": api_me,
    "operations_list": operations_list,
    "operations_list_secretariat": operations_list_secretariat,
    "home": home,
    "operation_dashboard_small": operation_dashboard_small,
    "operation_dashboard_large": operation_dashboard_large,
    "api_operations_list": api_operations_list,
    "api_operation_small": api_operation_small,
    "api_operation": api_operation,
    "inbox": inbox,
    "operation_messages": operation_messages,
    "api_inbox": api_inbox,
    "send_message_to_50": send_message_to_50,
}


# -- setting up ---------------------------------------------------------------------------


def make_app(url: str) -> Flask:
    environ = {
        "OPSPLATFORM_ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret-key-bench-secret-key-bench",
        "OPSPLATFORM_DATA_KEY": BENCH_DATA_KEY,
        "OPSPLATFORM_BLIND_INDEX_KEY": BENCH_DATA_KEY,
    }
    # What is timed is the pages and the API, not the rate limits that would stop a
    # runner making hundreds of requests a minute with one token (bench/flood.py tests those).
    return create_app({"RATELIMIT_ENABLED": False}, instance_path=OUT / "instance",
                      environ=environ)


def default_email(app: Flask) -> str:
    """The first active account of a member administration: an ordinary user."""
    with app.app_context():
        email = db.session.scalar(
            select(User.email).join(User.organisation)
            .where(User.is_active, ~User.is_platform_admin, ~User.is_secretariat,
                   Organisation.kind == OrganisationKind.MEMBER_ADMINISTRATION)
            .order_by(User.id).limit(1))
    if email is None:
        raise SystemExit("No account to sign in with: generate the data first "
                         "(python bench/generate.py).")
    return email


def sign_in(client: FlaskClient, email: str) -> None:
    """Through the real form, as a browser does: GET for the CSRF token, then POST."""
    token = _CSRF_META.search(expect(client.get("/sign-in")).get_data(as_text=True)).group(1)
    expect(client.post("/sign-in", data={"csrf_token": token, "email": email,
                                         "password": BENCH_PASSWORD}), 302)


def api_client(app: Flask, email: str) -> FlaskClient:
    with app.app_context():
        user = find_user_by_email(email)
        _token, secret = create_token(user, "bench/run.py", 1, actor=None)
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def describe_database(app: Flask) -> str:
    engine = Database.state(app).engine
    with app.app_context():
        users = db.session.scalar(select(func.count(User.id)))
        organisations = db.session.scalar(select(func.count(Organisation.id)))
        operations = db.session.scalar(select(func.count(Operation.id)))
    with engine.connect() as connection:
        version = ".".join(str(part) for part in connection.dialect.server_version_info or ())
    return (f"{engine.dialect.name} {version}, {users:,} users, "
            f"{organisations:,} organisations, {operations:,} operations")


_TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}


class QueryCounter:
    """Counts the SQL statements the app sends, to see N+1 patterns next to the timings."""

    def __init__(self, app: Flask):
        self.count = 0
        event.listen(Database.state(app).engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection, _cursor, statement: str, *_args) -> None:
        # SQLite's BEGIN goes through the cursor too; PostgreSQL's does not: count neither.
        if statement.lstrip()[:8].upper() not in _TRANSACTION_CONTROL:
            self.count += 1


# -- measuring ----------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    backend: str
    timings_ms: list[float]
    queries: int
    cpu_ms: float = 0.0  # the app's process, all timed requests together

    def row(self) -> str:
        timings = self.timings_ms
        if len(timings) > 1:
            cuts = statistics.quantiles(timings, n=100, method="inclusive")
            p50, p95 = cuts[49], cuts[94]
        else:
            p50 = p95 = timings[0]
        return (f"| {self.scenario} | {self.backend} | {p50:.1f} | {p95:.1f} | "
                f"{statistics.fmean(timings):.1f} | {self.cpu_ms / len(timings):.1f} | "
                f"{len(timings)} | {self.queries / len(timings):.1f} |")


# "app CPU ms": the mean CPU time of the app's process per request (time.process_time),
# next to the wall-clock figures: on a busy machine wall time includes waiting for a
# core, CPU time does not. The database server's own CPU (PostgreSQL) is not in it.
HEADER = ("| scenario | backend | p50 ms | p95 ms | mean ms | app CPU ms | n | "
          "queries/request |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|")


def measure(bench: Bench, name: str, requests: int, warmup: int, counter: QueryCounter,
            backend: str) -> Result:
    scenario = SCENARIOS[name]
    # At least one untimed request: it signs the scenario's account in and finds its ids.
    for _ in range(max(1, warmup)):
        scenario(bench)
    timings = []
    queries_before = counter.count
    cpu_started = time.process_time()
    for _ in range(requests):
        started = time.perf_counter()
        scenario(bench)
        timings.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.process_time() - cpu_started) * 1000
    return Result(name, backend, timings, counter.count - queries_before, cpu_ms)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url",
                        help="default: $DATABASE_URL, else bench/out/bench.sqlite")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario "
                        "(default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first "
                        "(default 20; at least 1 is made)")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS),
                        help="run only this scenario (repeatable; default: all)")
    parser.add_argument("--email", help="the account to sign in and make a token for "
                        "(default: the first ordinary account of an administration)")
    options = parser.parse_args(argv)
    if options.requests < 1:
        parser.error("--requests must be at least 1")

    url = database_url(options.database_url)
    app = make_app(url)
    backend = Database.state(app).engine.dialect.name
    email = (options.email or default_email(app)).lower()
    browser = app.test_client()
    sign_in(browser, email)
    bench = Bench(app=app, email=email, anonymous=app.test_client(), browser=browser,
                  api=api_client(app, email))
    counter = QueryCounter(app)

    print(f"<!-- {display_url(url)}: {describe_database(app)}; signed in as {email}; "
          f"{options.warmup} warm-up + {options.requests} timed requests per scenario -->")
    print(HEADER, flush=True)
    skipped = []
    for name in options.scenario or list(SCENARIOS):
        try:
            result = measure(bench, name, options.requests, options.warmup, counter, backend)
        except SkipScenario as reason:
            skipped.append(f"{name} skipped: {reason}")
            continue
        print(result.row(), flush=True)
    for note in bench.notes + skipped:
        print(f"<!-- {note} -->")
    Database.state(app).engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
