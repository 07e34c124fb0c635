"""Database plumbing: the declarative base, the engine and the request-scoped session.

One session per application context (so per request and per CLI command). The
request wrapper in ``opsplatform/__init__.py`` commits it once at the end of a
successful request and rolls it back otherwise; domain code only flushes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EXTENSION_KEY = "opsplatform.db"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Primary keys are 32-bit integers on PostgreSQL. A larger number from a URL, a form or
# a query string names nothing, and must not reach the driver, which would raise.
MAX_ID = 2**31 - 1


def is_valid_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use opsplatform.core.db.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


class _AppSession(Session):
    """A session that talks to the current app's database (or the connection tests pin)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is not None:
            return bind
        return current_app.extensions[EXTENSION_KEY].bind


def _app_context_scope() -> int:
    # One session per application context, like Flask-SQLAlchemy.
    return id(g._get_current_object())


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` with the settings each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_on_connect(dbapi_connection, _record):
            # Let SQLAlchemy issue BEGIN itself so SAVEPOINTs work (pysqlite quirk),
            # and enforce foreign keys, which SQLite leaves off by default.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_on_begin(connection):
            # A request that may write takes the write lock at once, so that concurrent
            # writers queue (busy timeout) instead of failing: in WAL mode a transaction
            # that read before another one committed cannot write ("database is locked").
            writes = has_request_context() and request.method not in SAFE_METHODS
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

        return engine
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class _DatabaseState:
    def __init__(self, engine: Engine):
        self.engine = engine
        # Tests pin a connection here so each test runs inside one outer transaction.
        self.bind: Engine | Connection = engine


class Database:
    """The app's database: ``db.session`` is the session of the current app context."""

    def __init__(self) -> None:
        self.session: scoped_session[Session] = scoped_session(
            sessionmaker(
                class_=_AppSession,
                expire_on_commit=False,
                join_transaction_mode="create_savepoint",
            ),
            scopefunc=_app_context_scope,
        )

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION_KEY] = _DatabaseState(make_engine(app.config["DATABASE_URL"]))
        app.teardown_appcontext(self._remove_session)

    def _remove_session(self, _exc: BaseException | None) -> None:
        # Closing rolls back whatever was not committed.
        self.session.remove()

    @staticmethod
    def state(app: Flask | None = None) -> _DatabaseState:
        return (app or current_app).extensions[EXTENSION_KEY]

    @property
    def engine(self) -> Engine:
        return self.state().engine

    def has_session(self) -> bool:
        return self.session.registry.has()

    def get_by_id(self, model: type[Base], value: object):
        """The ``model`` row whose id is ``value``, or None (also for ids no row can have)."""
        return self.session.get(model, value) if is_valid_id(value) else None


db = Database()
