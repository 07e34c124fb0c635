from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import func, inspect, select, text

from opsplatform import create_app
from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.models import ApiToken, User
from opsplatform.auth.operations import find_user_by_email, set_active
from opsplatform.auth.passwords import verify_password
from opsplatform.core.db import Base, Database, db
from opsplatform.demo import (
    ACCOUNTS,
    MEMBER_ADMINISTRATIONS,
    OTHER_ORGANISATIONS,
    demo_email,
)
from tests.conftest import _postgres_test_database
from tests.support.clients import demo

PASSWORD = "a fine long passphrase"
TOKEN_LINE = re.compile(r"^opsp_[A-Za-z0-9_-]{43}$")


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


def _fresh_app(database_url: str, tmp_path):
    return create_app({"DATABASE_URL": database_url}, instance_path=tmp_path / "instance",
                      environ={"OPSPLATFORM_ENV": "testing"})


# -- db upgrade and demo -------------------------------------------------------------------


def test_db_upgrade_and_demo_on_an_empty_sqlite_file(tmp_path):
    database = tmp_path / "fresh.sqlite"
    database.touch()  # an empty file, as a newcomer's first run finds it
    app = _fresh_app(f"sqlite:///{database}", tmp_path)
    runner = app.test_cli_runner()
    try:
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "head" in result.output
        with app.app_context():
            tables = set(inspect(db.engine).get_table_names())
        assert {"alembic_version", "organisations", "users", "api_tokens",
                "audit_entries"} <= tables
        assert {table.name for table in Base.metadata.sorted_tables} <= tables

        # Upgrading an up-to-date database is harmless.
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0

        first = runner.invoke(args=["demo"])
        assert first.exit_code == 0, first.output
        counts = _row_counts(app)
        assert counts["organisations"] == len(MEMBER_ADMINISTRATIONS) + len(OTHER_ORGANISATIONS)
        assert counts["users"] >= len(ACCOUNTS)

        second = runner.invoke(args=["demo"])
        assert second.exit_code == 0, second.output
        assert _row_counts(app) == counts
        assert re.search(r"\b0 organisations\b", second.output)
        assert re.search(r"\b0 accounts\b", second.output)

        with app.app_context():
            for local_part, *_ in ACCOUNTS:
                user = find_user_by_email(demo_email(local_part))
                assert user is not None, local_part
                assert verify_password(user.password_hash, "demo-password")
    finally:
        Database.state(app).engine.dispose()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="needs the PostgreSQL server named by DATABASE_URL")
def test_db_upgrade_on_an_empty_postgresql_database(tmp_path):
    url, admin, name = _postgres_test_database(os.environ["DATABASE_URL"])
    app = _fresh_app(url.render_as_string(hide_password=False), tmp_path)
    try:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            tables = set(inspect(db.engine).get_table_names())
            version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        assert {table.name for table in Base.metadata.sorted_tables} <= tables
        assert version
    finally:
        Database.state(app).engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_demo_on_a_loaded_database_changes_nothing(app, runner):
    before = _row_counts(app)
    for _ in range(2):
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
    assert _row_counts(app) == before


def test_demo_accounts_cover_every_role(in_app):
    with in_app():
        admin = find_user_by_email(demo("admin"))
        secretariat = find_user_by_email(demo("secretariat"))
        assert admin.is_platform_admin and admin.organisation.code == "WCO"
        assert secretariat.is_secretariat and secretariat.organisation.code == "WCO"
        assert find_user_by_email(demo("observer")).organisation.code == "UNODC"
        for code in ("kr", "jp", "cn", "de", "nl", "us", "br"):
            assert find_user_by_email(demo(f"cp.{code}")).organisation.code == code.upper()


# -- users create --------------------------------------------------------------------------


def _create_user(runner, *args, password=PASSWORD):
    return runner.invoke(args=["users", "create", *args], input=f"{password}\n")


def _users(in_app) -> int:
    with in_app() as session:
        return session.scalar(select(func.count(User.id)))


def test_users_create_reads_the_password_from_stdin(runner, in_app, client):
    result = _create_user(runner, "Lee.Min-ho@Customs.Example.kr", "--org", "kr")
    assert result.exit_code == 0, result.output
    assert "Created lee.min-ho@customs.example.kr (KR)." in result.output
    assert PASSWORD not in result.output
    with in_app() as session:
        user = find_user_by_email("lee.min-ho@customs.example.kr")
        assert user.organisation.code == "KR"
        assert user.display_name == "Lee.Min-ho"  # the local part, as typed
        assert not user.is_platform_admin and not user.is_secretariat and user.is_active
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.USER_CREATED, AuditEntry.object_id == user.id)).one()
        assert entry.actor_id is None
    assert client.submit_sign_in("lee.min-ho@customs.example.kr", PASSWORD).status_code == 302


def test_users_create_with_flags_and_name(runner, in_app):
    result = _create_user(runner, "ops.admin@wco.example.org", "--org", "WCO",
                          "--name", "Ops Admin", "--platform-admin", "--secretariat")
    assert result.exit_code == 0, result.output
    with in_app():
        user = find_user_by_email("ops.admin@wco.example.org")
        assert user.display_name == "Ops Admin"
        assert user.is_platform_admin and user.is_secretariat


@pytest.mark.parametrize("args, password, message", [
    (["someone@customs.example.kr", "--org", "XX"], PASSWORD,
     "There is no organisation with the code XX."),
    (["CP.KR@demo.example.org", "--org", "KR"], PASSWORD,
     "An account with the e-mail address cp.kr@demo.example.org already exists."),
    (["someone@customs.example.kr", "--org", "KR"], "short", "Use at least 12 characters."),
    (["someone@customs.example.kr", "--org", "KR"], "", "Enter a password."),
    (["someone@customs.example.kr", "--org", "KR"], "passwordpassword", "too common"),
    (["not-an-address", "--org", "KR"], PASSWORD, "not-an-address is not a valid e-mail address."),
])
def test_users_create_refuses_bad_input(runner, in_app, args, password, message):
    before = _users(in_app)
    result = _create_user(runner, *args, password=password)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert _users(in_app) == before


def test_users_create_needs_an_organisation(runner, in_app):
    before = _users(in_app)
    result = _create_user(runner, "someone@customs.example.kr")
    assert result.exit_code == 2
    assert "--org" in result.output
    assert _users(in_app) == before


# -- tokens create -------------------------------------------------------------------------


def test_tokens_create_prints_a_working_token_last(runner, api_as, in_app):
    result = runner.invoke(args=["tokens", "create", "CP.KR@demo.example.org", "--days", "7"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) >= 2
    secret = lines[-1]
    assert TOKEN_LINE.match(secret)
    assert "cp.kr@demo.example.org" in lines[0]

    response = api_as(secret=secret).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json["email"] == demo("cp.kr")
    with in_app() as session:
        token = session.scalars(select(ApiToken).where(ApiToken.prefix == secret[:12])).one()
        assert round((token.expires_at - token.created_at).total_seconds() / 86400) == 7
        assert token.token_hash != secret


def test_tokens_create_defaults_to_the_configured_lifetime(app, runner, in_app):
    result = runner.invoke(args=["tokens", "create", demo("cp.kr")])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    with in_app() as session:
        token = session.scalars(select(ApiToken).where(ApiToken.prefix == secret[:12])).one()
        days = (token.expires_at - token.created_at).days
    assert days == app.config["API_TOKEN_DEFAULT_DAYS"]


def _tokens(in_app) -> int:
    with in_app() as session:
        return session.scalar(select(func.count(ApiToken.id)))


@pytest.mark.parametrize("args, message", [
    (["nobody@demo.example.org"], "There is no account with the e-mail address nobody@"),
    ([demo("cp.kr"), "--days", "0"], "--days"),
    ([demo("cp.kr"), "--days", "366"], "--days"),
    ([demo("cp.kr"), "--name", " "], "Give the token a name."),
])
def test_tokens_create_refuses_bad_input(runner, in_app, args, message):
    result = runner.invoke(args=["tokens", "create", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert not any(TOKEN_LINE.match(line) for line in result.output.splitlines())
    assert _tokens(in_app) == 0


def test_tokens_create_refuses_a_deactivated_account(runner, in_app):
    with in_app():
        set_active(find_user_by_email(demo("cp.jp")), False, actor=None)
    result = runner.invoke(args=["tokens", "create", demo("cp.jp")])
    assert result.exit_code != 0
    assert "deactivated" in result.output
    assert _tokens(in_app) == 0
