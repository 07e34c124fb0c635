"""Test fixtures: a real database (SQLite, or PostgreSQL when DATABASE_URL says so).

The schema is built once per run by the Alembic migrations, the demo dataset is
loaded on top, and every test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from opsplatform import create_app
from opsplatform.audit.models import AuditEntry
from opsplatform.core.db import Database, db
from opsplatform.core.migrate import upgrade
from opsplatform.core import ratelimits
from opsplatform.demo import load_demo

DEMO_PASSWORD = "demo-password"
DEMO_AUDIT_MAX_ID = "tests.demo_audit_max_id"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


class OpsClient(FlaskClient):
    """A test client that signs in like a browser and sends CSRF tokens with forms."""

    def sign_in(self, email: str, password: str = DEMO_PASSWORD):
        token = _CSRF_META.search(self.get("/sign-in").text).group(1)
        response = self.post("/sign-in", data={"csrf_token": token, "email": email,
                                               "password": password})
        self._csrf = None
        return response

    def csrf_token(self) -> str:
        if getattr(self, "_csrf", None) is None:
            page = self.get("/profile" if self._signed_in() else "/sign-in")
            self._csrf = _CSRF_META.search(page.text).group(1)
        return self._csrf

    def _signed_in(self) -> bool:
        with self.session_transaction() as session:
            return "_user_id" in session

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST ``data`` as a browser form would, CSRF token included."""
        return self.post(url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)


def _postgres_test_database(url: str):
    """Create a throw-away database next to the one DATABASE_URL names; return its URL."""
    base = make_url(url).set(drivername="postgresql+psycopg")
    name = f"opsplatform_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return base.set(database=name), admin, name


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql")):
        test_url, admin, name = _postgres_test_database(url)
        yield test_url.render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {"DATABASE_URL": database_url, "SERVER_NAME": "localhost"},
        instance_path=tmp_path_factory.mktemp("instance"),
        # REDIS_URL, when set, puts the rate limits in Redis as on a cluster of app servers.
        environ={"OPSPLATFORM_ENV": "testing",
                 **{name: os.environ[name] for name in ("REDIS_URL",) if name in os.environ}},
    )
    app.test_client_class = OpsClient
    engine = Database.state(app).engine
    with engine.begin() as connection:
        upgrade(connection)
    with app.app_context():
        load_demo(password=DEMO_PASSWORD)
        db.session.commit()
        # Audit entries above this id were written by the test that reads them.
        app.extensions[DEMO_AUDIT_MAX_ID] = db.session.scalar(select(func.max(AuditEntry.id)))
    yield app
    engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(app):
    """Run each test in an outer transaction that is rolled back at the end."""
    state = Database.state(app)
    connection = state.engine.connect()
    outer = connection.begin()
    state.bind = connection
    yield connection
    state.bind = state.engine
    outer.rollback()
    connection.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    """Each test starts with every rate limit unspent (they all sign in from 127.0.0.1)."""
    ratelimits.reset(app)


@pytest.fixture
def client(app) -> OpsClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def in_app(app):
    """``with in_app() as session:`` arranges or inspects data, committing at the end.

    It opens its own app context and closes it before the test goes on, so that
    requests made by the client never share ``g`` or the session with the test.
    """

    @contextmanager
    def _in_app():
        with app.app_context():
            yield db.session
            db.session.commit()

    return _in_app


def demo(local_part: str) -> str:
    return f"{local_part}@demo.example.org"


@pytest.fixture
def sign_in(client):
    def _sign_in(local_part_or_email: str, password: str = DEMO_PASSWORD):
        email = local_part_or_email if "@" in local_part_or_email else demo(local_part_or_email)
        response = client.sign_in(email, password)
        assert response.status_code == 302, f"sign-in of {email} failed"
        return client

    return _sign_in


@pytest.fixture
def without_demo_documents(in_app):
    """Start from an operation without documents (the demo uploads an operational plan)."""
    from sqlalchemy import delete

    from opsplatform.core.files import StoredFile
    from opsplatform.operations.models import OperationDocument

    with in_app() as session:
        session.execute(delete(OperationDocument))
        session.execute(delete(StoredFile))


def written_by_the_test(app):
    """A filter on AuditEntry keeping only what the current test wrote (not the demo)."""
    return AuditEntry.id > app.extensions[DEMO_AUDIT_MAX_ID]
