"""Sessions live server-side: signing out, expiring or changing a password ends them for good.

``client_as`` opens the same session the sign-in form does (auth.sessions.start_session);
the tests of what signing in itself records go through the form.
"""

from __future__ import annotations

from sqlalchemy import select

from opsplatform.auth.models import SessionEndReason, UserSession
from opsplatform.auth.operations import find_user_by_email, reset_password
from tests.support.clients import demo

COOKIE = "opsplatform_session"


def _copy_of_session(app, client):
    """A second browser holding a copy of ``client``'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value, domain="localhost")
    return thief


def _sessions_of(in_app, email):
    with in_app() as session:
        user = find_user_by_email(email)
        return session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                               .order_by(UserSession.id)).all()


def test_a_copy_of_the_cookie_opens_nothing_after_sign_out(app, client_as, in_app):
    client = client_as("cp.jp")
    thief = _copy_of_session(app, client)
    assert thief.get("/profile").status_code == 200  # the copy works while the session lives

    assert client.post_form("/sign-out").status_code == 302
    response = thief.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    [ended] = _sessions_of(in_app, demo("cp.jp"))
    assert ended.end_reason is SessionEndReason.SIGNED_OUT and ended.ended_at is not None


def test_signing_out_ends_only_this_browser_s_session(client_as, in_app):
    laptop, phone = client_as("cp.jp"), client_as("cp.jp")
    laptop.post_form("/sign-out")
    assert laptop.get("/profile").status_code == 302
    assert phone.get("/profile").status_code == 200
    assert [s.end_reason for s in _sessions_of(in_app, demo("cp.jp"))] == [
        SessionEndReason.SIGNED_OUT, None]


def test_a_session_records_where_it_was_opened(client, in_app):
    client.submit_sign_in(demo("cp.jp"))
    [opened] = _sessions_of(in_app, demo("cp.jp"))
    assert opened.ip_address == "127.0.0.1" and opened.ended_at is None
    # Only a hash of the cookie's key is stored.
    with client.session_transaction() as cookie:
        assert cookie["session_key"] not in opened.key_hash


def test_an_expired_session_is_ended_server_side(app, client_as, in_app):
    client = client_as("cp.jp")
    thief = _copy_of_session(app, client)
    with client.session_transaction() as cookie:
        cookie["seen_at"] -= int(app.config["SESSION_IDLE_TIMEOUT"].total_seconds()) + 1
    assert client.get("/profile").status_code == 302
    assert thief.get("/profile").status_code == 302  # its own seen_at is fresh; the row is not
    [ended] = _sessions_of(in_app, demo("cp.jp"))
    assert ended.end_reason is SessionEndReason.EXPIRED


def test_a_password_reset_ends_every_session_of_the_account(client_as, in_app):
    laptop, phone = client_as("cp.jp"), client_as("cp.jp")
    with in_app():
        reset_password(find_user_by_email(demo("cp.jp")), "a-brand-new-password-42", actor=None)
    assert laptop.get("/profile").status_code == 302
    assert phone.get("/profile").status_code == 302
    assert {s.end_reason for s in _sessions_of(in_app, demo("cp.jp"))} == {
        SessionEndReason.PASSWORD_RESET}


def test_a_forged_or_foreign_session_key_opens_nothing(client_as):
    client, other = client_as("cp.jp"), client_as("cp.kr")
    with other.session_transaction() as cookie:
        kr_key = cookie["session_key"]
    # cp.jp's signed cookie carrying cp.kr's live key: the key must belong to the account.
    with client.session_transaction() as cookie:
        cookie["session_key"] = kr_key
    assert client.get("/profile").status_code == 302
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["session_key"] = "1", 12345
    assert client.get("/profile").status_code == 302


def test_ended_sessions_are_pruned_at_the_next_sign_in(app, client, in_app):
    for _ in range(3):
        client.submit_sign_in(demo("cp.jp"))
        client.post_form("/sign-out")
    client.submit_sign_in(demo("cp.jp"))
    assert [s.ended_at for s in _sessions_of(in_app, demo("cp.jp"))] == [None]
