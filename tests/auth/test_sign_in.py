from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.operations import find_user_by_email, set_active
from tests.support.clients import demo

GENERIC_FAILURE = "The e-mail address or password is not correct"


def _audit(in_app, action, subject):
    with in_app() as session:
        return session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.subject == subject)
        ).all()


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_contact_point_signs_in_and_out(client, in_app):
    response = client.submit_sign_in(demo("cp.kr"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Park Ji-woo" in home.text

    assert client.post_form("/sign-out").status_code == 302
    assert client.get("/").status_code == 302
    assert len(_audit(in_app, AuditAction.SIGN_IN, demo("cp.kr"))) == 1
    assert len(_audit(in_app, AuditAction.SIGN_OUT, demo("cp.kr"))) == 1


def test_email_is_case_insensitive(client):
    assert client.submit_sign_in("CP.KR@Demo.Example.org").status_code == 302


@pytest.mark.parametrize(
    "email, password",
    [(demo("cp.kr"), "wrong-password-123"), ("nobody@demo.example.org", "demo-password")],
)
def test_failure_message_is_the_same_whatever_the_reason(client, in_app, email, password):
    response = client.submit_sign_in(email, password)
    assert response.status_code == 401
    assert GENERIC_FAILURE in response.text
    assert client.get("/").status_code == 302
    entries = _audit(in_app, AuditAction.SIGN_IN_FAILED, email)
    assert len(entries) == 1
    assert entries[0].ip_address == "127.0.0.1"


def test_deactivated_account_cannot_sign_in(client, in_app):
    with in_app():
        set_active(find_user_by_email(demo("cp.jp")), False, actor=None)
    response = client.submit_sign_in(demo("cp.jp"))
    assert response.status_code == 401
    assert GENERIC_FAILURE in response.text


def test_deactivation_ends_an_open_session(client_as, in_app):
    client = client_as("cp.jp")
    assert client.get("/profile").status_code == 200
    with in_app():
        set_active(find_user_by_email(demo("cp.jp")), False, actor=None)
    assert client.get("/profile").status_code == 302


def test_sign_in_without_csrf_token_is_refused(client):
    response = client.post("/sign-in", data={"email": demo("cp.kr"), "password": "demo-password"})
    assert response.status_code == 400
    assert "security token" in response.text
    assert client.get("/").status_code == 302


def test_sign_out_without_csrf_token_is_refused(client_as):
    client = client_as("cp.kr")
    assert client.post("/sign-out").status_code == 400
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/profile", "/profile"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com/x", "/"),
        ("/\\evil.example.com", "/"),
    ],
)
def test_next_only_redirects_within_the_site(client, target, expected):
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/sign-in", query_string={"next": target},
        data={"csrf_token": token, "email": demo("cp.kr"), "password": "demo-password"},
    )
    assert response.headers["Location"] == expected


def test_session_cookie_is_http_only_and_same_site(client):
    response = client.submit_sign_in(demo("cp.kr"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_idle_session_expires(app, client_as, monkeypatch):
    client = client_as("cp.kr")
    idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    later = time.time() + idle + 5
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_session_expires_after_its_lifetime_even_when_active(app, client_as, monkeypatch):
    client = client_as("cp.kr")
    start = time.time()
    step = app.config["SESSION_IDLE_TIMEOUT"].total_seconds() - 60
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    elapsed = 0.0
    while elapsed <= lifetime:
        elapsed += step
        monkeypatch.setattr(time, "time", lambda elapsed=elapsed: start + elapsed)
        response = client.get("/profile")
    assert response.status_code == 302


def test_pages_carry_security_headers(client):
    response = client.get("/sign-in")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_passwords_are_hashed_with_argon2id_at_full_strength_outside_the_tests(app):
    from config import DevelopmentConfig
    from opsplatform.auth import passwords

    with app.app_context():
        cheap = passwords.hash_password("correct horse battery")
    app.config["PASSWORD_HASHING"] = DevelopmentConfig.PASSWORD_HASHING
    try:
        with app.app_context():
            strong = passwords.hash_password("correct horse battery")
            assert passwords.verify_password(cheap, "correct horse battery")
            assert passwords.needs_rehash(cheap)  # upgraded at the next sign-in
    finally:
        app.config["PASSWORD_HASHING"] = "cheapest"
    assert strong.startswith("$argon2id$") and "m=65536,t=3,p=4" in strong
