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
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from common import BENCH_DATA_KEY, BENCH_PASSWORD, OUT, database_url, display_url
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from opsplatform import create_app
from opsplatform.auth.models import User
from opsplatform.auth.operations import create_token, find_user_by_email
from opsplatform.core.db import Database, db
from opsplatform.organisations.models import Organisation, OrganisationKind

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


class UnexpectedResponse(AssertionError):
    pass


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

    def once(self, key: str, make: Callable[[Any], Any]) -> Any:
        """``make(db.session)`` in an app context, the first time ``key`` is asked for."""
        if key not in self._memo:
            with self.app.app_context():
                self._memo[key] = make(db.session)
        return self._memo[key]


# -- scenarios: name -> function making one request ---------------------------------------


def sign_in_page(bench: Bench) -> None:
    expect(bench.anonymous.get("/sign-in"))


def api_me(bench: Bench) -> None:
    body = expect(bench.api.get("/api/v1/me")).get_json()
    assert body["email"] == bench.email, body


SCENARIOS: dict[str, Callable[[Bench], None]] = {
    "sign_in_page": sign_in_page,
    "api_me": api_me,
}


# -- setting up ---------------------------------------------------------------------------


def make_app(url: str) -> Flask:
    environ = {
        "OPSPLATFORM_ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret-key-bench-secret-key-bench",
        "OPSPLATFORM_DATA_KEY": BENCH_DATA_KEY,
    }
    return create_app(instance_path=OUT / "instance", environ=environ)


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
        _token, secret = create_token(user, "bench/run.py", 1)
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def describe_database(app: Flask) -> str:
    engine = Database.state(app).engine
    with app.app_context():
        users = db.session.scalar(select(func.count(User.id)))
        organisations = db.session.scalar(select(func.count(Organisation.id)))
    with engine.connect() as connection:
        version = ".".join(str(part) for part in connection.dialect.server_version_info or ())
    return (f"{engine.dialect.name} {version}, {users:,} users, "
            f"{organisations:,} organisations")


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

    def row(self) -> str:
        timings = self.timings_ms
        if len(timings) > 1:
            cuts = statistics.quantiles(timings, n=100, method="inclusive")
            p50, p95 = cuts[49], cuts[94]
        else:
            p50 = p95 = timings[0]
        return (f"| {self.scenario} | {self.backend} | {p50:.1f} | {p95:.1f} | "
                f"{statistics.fmean(timings):.1f} | {len(timings)} | "
                f"{self.queries / len(timings):.1f} |")


HEADER = ("| scenario | backend | p50 ms | p95 ms | mean ms | n | queries/request |\n"
          "|---|---|---:|---:|---:|---:|---:|")


def measure(bench: Bench, name: str, requests: int, warmup: int, counter: QueryCounter,
            backend: str) -> Result:
    scenario = SCENARIOS[name]
    for _ in range(warmup):
        scenario(bench)
    timings = []
    queries_before = counter.count
    for _ in range(requests):
        started = time.perf_counter()
        scenario(bench)
        timings.append((time.perf_counter() - started) * 1000)
    return Result(name, backend, timings, counter.count - queries_before)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else bench/out/bench.sqlite")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario "
                        "(default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first "
                        "(default 20)")
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
    for name in options.scenario or list(SCENARIOS):
        result = measure(bench, name, options.requests, options.warmup, counter, backend)
        print(result.row(), flush=True)
    Database.state(app).engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
