"""Test fixtures: a real database (SQLite, or PostgreSQL when DATABASE_URL says so).

The schema is built once per run by the Alembic migrations, the demo dataset is
loaded on top, and every test runs inside a transaction that is rolled back. Tests act
as someone through ``client_as`` (pages) and ``api_as`` (the API); the harness behind
them, the factories and the access-matrix helper are in tests/support/.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from opsplatform import create_app
from opsplatform.audit.models import AuditEntry
from opsplatform.auth.models import User
from opsplatform.core import ratelimits
from opsplatform.core.db import Database, db
from opsplatform.core.migrate import upgrade
from opsplatform.demo import load_demo
from tests.support.clients import (
    DEMO_PASSWORD,
    ApiCaller,
    OpsClient,
    Who,
    find_user,
    sign_in_as,
)
from tests.support.factories import api_token

DEMO_AUDIT_MAX_ID = "tests.demo_audit_max_id"


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
    """An anonymous browser (``client_as(None)`` is another one)."""
    return app.test_client()


@pytest.fixture
def client_as(app):
    """``client_as(who)``: a browser of its own, signed in as ``who`` (None: anonymous).

    ``who`` is an account, an e-mail address, or a demo account's local part ("cp.jp").
    The session is opened as the sign-in form opens it, inside the test's transaction;
    tests of the form itself use ``client.submit_sign_in``.
    """

    def _client_as(who: Who | None) -> OpsClient:
        client = app.test_client()
        return client if who is None else sign_in_as(client, who)

    return _client_as


@pytest.fixture
def api_as(app):
    """``api_as(who)``: calls the API with a bearer token of ``who`` (as for ``client_as``).

    The token is made for the test, inside its transaction, once per ``who``;
    ``api_as(secret=...)`` sends a given token and ``api_as()`` none at all.
    """
    secrets: dict[object, str] = {}

    def _api_as(who: Who | None = None, *, secret: str | None = None) -> ApiCaller:
        if who is not None:
            key = ("user", who.id) if isinstance(who, User) else who
            if key not in secrets:
                with app.app_context():
                    _token, secrets[key] = api_token(find_user(who))
                    db.session.commit()
            secret = secrets[key]
        return ApiCaller(app.test_client(), secret)

    return _api_as


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


@pytest.fixture
def without_demo_documents(in_app):
    """Start from an operation without documents (the demo uploads an operational plan)
    and without messages (the demo sends some, with attachments): no stored file and no
    encrypted field of the demo's is left for tests of the file store and of rotation."""
    from sqlalchemy import delete

    from opsplatform.core.files import StoredFile
    from opsplatform.messaging.models import (
        AlertDetails,
        Message,
        MessageAddressee,
        MessageAttachment,
        MessageRead,
    )
    from opsplatform.operations.models import OperationDocument

    with in_app() as session:
        session.execute(delete(OperationDocument))
        for model in (MessageAttachment, AlertDetails, MessageRead, MessageAddressee, Message):
            session.execute(delete(model))
        session.execute(delete(StoredFile))


def written_by_the_test(app):
    """A filter on AuditEntry keeping only what the current test wrote (not the demo)."""
    return AuditEntry.id > app.extensions[DEMO_AUDIT_MAX_ID]
