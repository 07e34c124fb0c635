"""Sign-in throttling: budgets answered with 429 before any password is hashed, per address,
per account and address, platform-wide, and a doubling delay per account that the owner's
own browser does not wait for. API tokens have a request budget of their own."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth import passwords
from tests.conftest import written_by_the_test
from tests.support import factories
from tests.support.clients import DEMO_PASSWORD, assert_api_error, demo

ATTACKER, OWNER_OFFICE, ELSEWHERE = "198.51.100.7", "203.0.113.20", "192.0.2.33"
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def hashes(monkeypatch):
    """Counts the passwords checked (each one a full argon2 computation in production)."""
    calls = []
    real_verify, real_unknown = passwords.verify_password, passwords.verify_unknown_account
    monkeypatch.setattr(passwords, "verify_password",
                        lambda *args: calls.append(1) or real_verify(*args))
    monkeypatch.setattr(passwords, "verify_unknown_account",
                        lambda *args: calls.append(1) or real_unknown(*args))
    return calls


@pytest.fixture
def settings(app):
    """Change rate-limit settings for one test."""
    saved = dict(app.config)

    def _set(**values):
        app.config.update(values)

    yield _set
    app.config.clear()
    app.config.update(saved)


@pytest.fixture(autouse=True)
def _budgets_alone(settings):
    """The failure budgets are tested apart from the request limit (5 in 10 s), which the
    tests of the request limit set themselves."""
    settings(SIGN_IN_REQUEST_LIMIT="1000 per minute")


def attempt(client, email, password, address):
    """POST the sign-in form from ``address``, as a browser there would."""
    environ = {"REMOTE_ADDR": address}
    token = _CSRF.search(client.get("/sign-in", environ_base=environ).text).group(1)
    return client.post("/sign-in", environ_base=environ,
                       data={"csrf_token": token, "email": email, "password": password})


def fail(client, email, address, times):
    for _ in range(times):
        assert attempt(client, email, "not-the-password", address).status_code == 401


def test_an_address_over_its_failure_budget_waits_before_any_password_is_hashed(
        app, client, hashes, settings):
    settings(SIGN_IN_FAILURES_PER_ADDRESS="5 per 15 minutes")
    accounts = [demo(name) for name in ("cp.de", "cp.jp", "cp.kr", "cp.nl", "cp.us")]
    for email in accounts:
        fail(client, email, ATTACKER, 1)
    assert len(hashes) == 5

    response = attempt(client, demo("cp.cn"), DEMO_PASSWORD, ATTACKER)  # right, but too late
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed sign-ins" in response.text
    assert len(hashes) == 5
    # Someone at another address is not held up.
    assert attempt(app.test_client(), demo("cp.cn"), DEMO_PASSWORD, ELSEWHERE).status_code == 302


def test_an_attacker_at_one_address_cannot_lock_the_owner_out(app, client, hashes, in_app):
    limit = 10  # SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS
    fail(client, demo("cp.de"), ATTACKER, limit)
    assert attempt(client, demo("cp.de"), DEMO_PASSWORD, ATTACKER).status_code == 429
    assert len(hashes) == limit

    owner = app.test_client()
    assert attempt(owner, demo("cp.de"), DEMO_PASSWORD, OWNER_OFFICE).status_code == 302
    assert owner.get("/profile").status_code == 200
    with in_app() as session:
        [last_failure] = session.scalars(
            select(AuditEntry).where(written_by_the_test(app),
                                     AuditEntry.action == AuditAction.SIGN_IN_FAILED)
            .order_by(AuditEntry.id.desc()).limit(1)).all()
    # The failure that used up the budget says so in the audit trail.
    assert "sign-in-failures-account-address" in last_failure.details["throttled"]


def test_guessing_one_account_from_many_addresses_is_slowed_down(app, client, hashes,
                                                                  settings):
    settings(SIGN_IN_ACCOUNT_FREE_FAILURES=4)
    for number in range(4):
        fail(client, demo("cp.de"), f"198.51.100.{number + 1}", 1)
    # The fifth failure, from yet another address, makes the next attempt wait 1 s, the
    # sixth 2 s, and so on: a new address does not reset the account's delay.
    fail(client, demo("cp.de"), "198.51.100.50", 1)
    response = attempt(client, demo("cp.de"), "not-the-password", "198.51.100.51")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) in (1, 2)
    assert len(hashes) == 5


def sign_out(client):
    token = _CSRF.search(client.get("/profile").text).group(1)
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302


def test_the_owner_s_own_browser_is_not_held_by_the_account_delay(app, client, settings):
    owner = app.test_client()
    assert attempt(owner, demo("cp.de"), DEMO_PASSWORD, OWNER_OFFICE).status_code == 302
    sign_out(owner)
    settings(SIGN_IN_ACCOUNT_FREE_FAILURES=2)
    for number in range(3):  # a botnet spreads its guesses
        fail(client, demo("cp.de"), f"198.51.100.{number + 1}", 1)

    stranger = app.test_client()  # a browser never seen with this account waits
    assert attempt(stranger, demo("cp.de"), DEMO_PASSWORD, ELSEWHERE).status_code == 429
    assert attempt(owner, demo("cp.de"), DEMO_PASSWORD, OWNER_OFFICE).status_code == 302


def test_unknown_accounts_are_throttled_like_real_ones(client, settings):
    settings(SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS="2 per 15 minutes")
    for email in (demo("cp.de"), "nobody@demo.example.org"):
        fail(client, email, ATTACKER, 2)
        assert attempt(client, email, "not-the-password", ATTACKER).status_code == 429


def test_the_platform_wide_budget_holds_strangers_but_not_known_browsers(app, client,
                                                                          settings):
    owner = app.test_client()
    assert attempt(owner, demo("cp.jp"), DEMO_PASSWORD, OWNER_OFFICE).status_code == 302
    sign_out(owner)
    settings(SIGN_IN_FAILURES_GLOBAL="3 per 15 minutes")
    for number in range(3):
        fail(client, demo("cp.de"), f"198.51.100.{number + 1}", 1)
    assert attempt(app.test_client(), demo("cp.kr"), DEMO_PASSWORD, ELSEWHERE).status_code \
        == 429
    assert attempt(owner, demo("cp.jp"), DEMO_PASSWORD, OWNER_OFFICE).status_code == 302


def test_a_forged_known_device_cookie_is_ignored(app, client, settings):
    settings(SIGN_IN_FAILURES_GLOBAL="1 per 15 minutes")
    fail(client, demo("cp.de"), ATTACKER, 1)
    forger = app.test_client()
    forger.set_cookie("opsplatform_device", "WyJhYmMiXQ.forged.signature", domain="localhost")
    assert attempt(forger, demo("cp.kr"), DEMO_PASSWORD, ELSEWHERE).status_code == 429


def test_a_flood_of_sign_in_requests_is_refused_before_the_form_is_read(app, client, hashes,
                                                                         settings):
    settings(SIGN_IN_REQUEST_LIMIT="3 per minute")
    for _ in range(3):
        attempt(client, demo("cp.de"), "not-the-password", ATTACKER)
    response = attempt(client, demo("cp.de"), DEMO_PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert len(hashes) == 3
    # Showing the form is not limited, nor is another address.
    assert client.get("/sign-in", environ_base={"REMOTE_ADDR": ATTACKER}).status_code == 200
    assert attempt(app.test_client(), demo("cp.de"), DEMO_PASSWORD, ELSEWHERE).status_code \
        == 302


def test_each_api_token_has_its_own_request_budget(api_as, in_app, settings):
    from opsplatform.auth.operations import find_user_by_email

    with in_app():
        user = find_user_by_email(demo("cp.kr"))
        first, second = (factories.api_token(user, name=name)[1] for name in ("first", "second"))
    settings(API_RATE_LIMIT="3 per minute")
    for path in ("/api/v1/me", "/api/v1/operations", "/api/v1/me"):  # one budget for all
        assert api_as(secret=first).get(path).status_code == 200
    refused = api_as(secret=first).get("/api/v1/me")
    assert_api_error(refused, 429, "rate_limited")
    assert int(refused.headers["Retry-After"]) > 0
    assert api_as(secret=second).get("/api/v1/me").status_code == 200


def test_with_rate_limits_turned_off_nothing_is_counted_or_refused(client, settings,
                                                                   monkeypatch):
    from opsplatform.core.ratelimits import limiter

    settings(SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS="1 per hour",
             SIGN_IN_REQUEST_LIMIT="1 per hour")
    monkeypatch.setattr(limiter, "enabled", False)  # as RATELIMIT_ENABLED=False sets it
    fail(client, demo("cp.de"), ATTACKER, 3)
    assert attempt(client, demo("cp.de"), DEMO_PASSWORD, ATTACKER).status_code == 302


def test_an_address_refused_by_the_request_limit_is_answered_from_memory(app, client,
                                                                           settings):
    settings(SIGN_IN_REQUEST_LIMIT="2 per minute")
    for _ in range(2):
        attempt(client, demo("cp.de"), "not-the-password", ATTACKER)
    first = attempt(client, demo("cp.de"), DEMO_PASSWORD, ATTACKER)  # the limiter says no
    assert first.status_code == 429 and "Too many requests" in first.text
    # The next ones are answered before Flask runs: a fixed page, the same headers.
    token = _CSRF.search(client.get("/sign-in").text).group(1)
    again = client.post("/sign-in", environ_base={"REMOTE_ADDR": ATTACKER},
                        data={"csrf_token": token, "email": demo("cp.de"),
                              "password": DEMO_PASSWORD})
    assert again.status_code == 429
    assert 0 < int(again.headers["Retry-After"]) <= 61
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert again.headers["X-Frame-Options"] == "DENY"
    assert again.headers["Cache-Control"] == "no-store"
    assert "stylesheet" not in again.text  # the fixed page, not the template
    # Only that address, only that path.
    assert attempt(app.test_client(), demo("cp.de"), DEMO_PASSWORD, ELSEWHERE).status_code \
        == 302
    assert client.get("/sign-in", environ_base={"REMOTE_ADDR": ATTACKER}).status_code == 200


def test_behind_proxies_the_refusal_cache_sees_the_client_address(tmp_path):
    from werkzeug.middleware.proxy_fix import ProxyFix

    from opsplatform import create_app
    from opsplatform.core.refusals import RefusalCache

    app = create_app({"DATABASE_URL": "sqlite://"}, instance_path=tmp_path,
                     environ={"OPSPLATFORM_ENV": "testing", "OPSPLATFORM_PROXY_COUNT": "1"})
    # ProxyFix outermost: the cache inside it keys on the address the proxy forwarded.
    assert isinstance(app.wsgi_app, ProxyFix)
    assert isinstance(app.wsgi_app.app, RefusalCache)
    cache = app.wsgi_app.app
    cache.remember(ATTACKER, "/sign-in", 30)
    client = app.test_client()

    def post(forwarded_for):
        return client.post("/sign-in", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                           headers={"X-Forwarded-For": forwarded_for}, data={})

    assert post(ATTACKER).status_code == 429
    assert post(ELSEWHERE).status_code == 400  # the proxy's other clients go on (no CSRF)


def test_by_default_an_address_gets_a_short_burst_of_attempts(app, client, hashes, settings):
    from config import BaseConfig

    settings(SIGN_IN_REQUEST_LIMIT=BaseConfig.SIGN_IN_REQUEST_LIMIT)
    answers = [attempt(client, demo("cp.de"), "not-the-password", ATTACKER).status_code
               for _ in range(3)]
    assert answers == [401, 401, 429]  # two in ten seconds
    assert len(hashes) == 2
