from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, StatementError

from opsplatform import create_app
from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.audit.operations import record
from opsplatform.auth.models import User
from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.access import public
from opsplatform.core.db import Database, db, utcnow
from opsplatform.core.errors import DomainError
from opsplatform.organisations.models import Organisation
from opsplatform.organisations.operations import find_by_code
from tests.support.clients import demo


def _new_user(organisation_id: int) -> User:
    return User(email="orphan@demo.example.org", display_name="Orphan",
                organisation_id=organisation_id, password_hash="x")


def test_foreign_keys_are_enforced(in_app):
    with in_app() as session:
        session.add(_new_user(organisation_id=999_999))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
    with in_app() as session:
        assert find_user_by_email("orphan@demo.example.org") is None
        assert session.scalar(select(func.count(User.id)).where(
            User.organisation_id == 999_999)) == 0


def test_a_row_with_a_valid_foreign_key_is_stored(in_app):
    with in_app() as session:
        session.add(_new_user(organisation_id=find_by_code("KR").id))
    with in_app():
        assert find_user_by_email("orphan@demo.example.org").organisation.code == "KR"


def test_unique_email_is_enforced_by_the_database(in_app):
    with in_app() as session:
        user = _new_user(organisation_id=find_by_code("KR").id)
        user.email = demo("cp.kr")
        session.add(user)
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_datetimes_come_back_timezone_aware_in_utc(in_app):
    seoul = timezone(timedelta(hours=9))
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=seoul)
    with in_app():
        user = find_user_by_email(demo("cp.kr"))
        user.last_sign_in_at = moment
        user_id = user.id
    with in_app() as session:
        session.expire_all()
        stored = session.get(User, user_id)
        assert stored.last_sign_in_at == moment
        assert stored.last_sign_in_at.utcoffset() == timedelta(0)
        assert stored.last_sign_in_at.hour == 0  # 09:30 in Seoul is 00:30 UTC
        assert stored.created_at.tzinfo is not None
        assert stored.created_at.utcoffset() == timedelta(0)
        # Read straight from a query too, not only through the identity map.
        raw = session.scalar(select(User.last_sign_in_at).where(User.id == user_id))
        assert raw.tzinfo is not None and raw.utcoffset() == timedelta(0)


def test_datetimes_compare_correctly_in_queries(in_app):
    with in_app() as session:
        user = find_user_by_email(demo("cp.kr"))
        user.last_sign_in_at = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=9)))
    with in_app() as session:
        # 00:00 UTC is before 09:30+09:00 (00:30 UTC) and 01:00 UTC after it.
        after = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
        before = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
        assert session.scalar(select(func.count(User.id)).where(
            User.last_sign_in_at > after, User.last_sign_in_at < before)) == 1


def test_naive_datetimes_are_refused(in_app):
    with in_app() as session:
        user = find_user_by_email(demo("cp.kr"))
        user.last_sign_in_at = datetime(2026, 3, 1, 9, 30)
        with pytest.raises(StatementError, match="naive datetimes"):
            session.flush()
        session.rollback()


def test_utcnow_is_aware():
    assert utcnow().tzinfo is UTC


# -- one transaction per request -----------------------------------------------------------


def test_a_refused_admin_form_saves_nothing(client_as, in_app):
    """Admin edits own account: new name, but also drops own admin flag: refused as a whole."""
    admin = client_as("admin")
    with in_app():
        me = find_user_by_email(demo("admin"))
        wco = find_by_code("WCO")
    response = admin.post_form(f"/admin/accounts/{me.id}", {
        "email": "renamed.admin@demo.example.org", "display_name": "Renamed",
        "organisation_id": str(wco.id), "is_active": "y",
    })
    assert response.status_code == 422
    with in_app() as session:
        after = session.get(User, me.id)
        assert after.email == demo("admin")
        assert after.display_name == "Platform Administrator"
        assert after.is_platform_admin
        assert session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == AuditAction.USER_UPDATED)) == 0


@pytest.fixture
def renaming_app(database_url, tmp_path, _transaction):
    """An app with one extra view that renames KR, flushes, then ends as the URL says.

    It shares the test's pinned connection, so what it commits is seen by ``in_app``
    and rolled back after the test like everything else.
    """
    app = create_app({"DATABASE_URL": database_url}, instance_path=tmp_path,
                     environ={"OPSPLATFORM_ENV": "testing"})

    @app.get("/_test/rename-then/<outcome>")
    @public
    def rename_then(outcome: str):
        find_by_code("KR").name = "Renamed by a request"
        db.session.flush()
        if outcome == "refuse":
            raise DomainError("Refused after the change was flushed.")
        if outcome == "crash":
            raise RuntimeError("a bug after the change was flushed")
        if outcome == "answer-422":
            return "refused", 422
        return "done"

    state = Database.state(app)
    state.bind = _transaction
    yield app
    state.bind = state.engine
    state.engine.dispose()


@pytest.mark.parametrize("outcome, status", [("refuse", None), ("crash", 500),
                                             ("answer-422", 422)])
def test_a_failed_request_undoes_what_it_flushed(renaming_app, in_app, outcome, status):
    response = renaming_app.test_client().get(f"/_test/rename-then/{outcome}")
    assert response.status_code >= 400
    assert status is None or response.status_code == status
    assert "Traceback" not in response.text
    with in_app():
        assert find_by_code("KR").name == "Korea Customs Service"


def test_a_successful_request_commits_what_it_flushed(renaming_app, in_app):
    assert renaming_app.test_client().get("/_test/rename-then/succeed").status_code == 200
    with in_app():
        assert find_by_code("KR").name == "Renamed by a request"


def test_a_successful_request_commits(client_as, in_app):
    client = client_as("cp.kr")
    data = {f"details-{name}": value for name, value in {
        "display_name": "Park Ji-woo", "job_title": "Committed title"}.items()}
    assert client.post_form("/profile/details", data).status_code == 302
    with in_app():
        assert find_user_by_email(demo("cp.kr")).job_title == "Committed title"


# -- the audit trail is append-only --------------------------------------------------------


@pytest.fixture
def audit_entry_id(in_app):
    with in_app():
        entry = record(AuditAction.USER_UPDATED, actor=None, target=find_by_code("KR"),
                       subject="test")
    return entry.id


def test_audit_entries_cannot_be_changed(in_app, audit_entry_id):
    with in_app() as session:
        entry = session.get(AuditEntry, audit_entry_id)
        entry.subject = "rewritten"
        with pytest.raises(RuntimeError, match="append-only"):
            session.flush()
        session.rollback()
    with in_app() as session:
        assert session.get(AuditEntry, audit_entry_id).subject == "test"


def test_audit_entries_cannot_be_deleted(in_app, audit_entry_id):
    with in_app() as session:
        session.delete(session.get(AuditEntry, audit_entry_id))
        with pytest.raises(RuntimeError, match="append-only"):
            session.flush()
        session.rollback()
    with in_app() as session:
        assert session.get(AuditEntry, audit_entry_id) is not None


def test_other_rows_can_still_be_changed(in_app):
    with in_app() as session:
        session.get(Organisation, find_by_code("KR").id).name = "Korea Customs Service (KCS)"
    with in_app():
        assert find_by_code("KR").name == "Korea Customs Service (KCS)"


def test_orm_bulk_update_of_the_audit_trail_is_refused(in_app, audit_entry_id):
    with in_app() as session:
        with pytest.raises(RuntimeError, match="append-only"):
            session.execute(update(AuditEntry).where(AuditEntry.id == audit_entry_id)
                            .values(subject="rewritten"))
        session.rollback()
    with in_app() as session:
        assert session.get(AuditEntry, audit_entry_id).subject == "test"


def test_orm_bulk_delete_of_the_audit_trail_is_refused(in_app, audit_entry_id):
    with in_app() as session:
        with pytest.raises(RuntimeError, match="append-only"):
            session.execute(delete(AuditEntry).where(AuditEntry.id == audit_entry_id))
        session.rollback()
    with in_app() as session:
        assert session.get(AuditEntry, audit_entry_id) is not None
