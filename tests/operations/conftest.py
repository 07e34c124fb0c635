"""Fixtures of the operation tests: the demo's ids, and clients signed in as someone."""

from __future__ import annotations

import pytest

from tests.conftest import demo
from tests.operations.support import DemoIds, read_ids

SESSION_COOKIE = "opsplatform_session"


@pytest.fixture(scope="session")
def ids(app) -> DemoIds:
    with app.app_context():
        return read_ids()


@pytest.fixture
def client_as(app):
    """``client_as("cp.jp")``: a fresh client signed in as that demo user (None: anonymous).

    Each user signs in through the sign-in form once per test; later clients of the
    test reuse the session cookie. (Sessions are rows that the test's rollback removes,
    so a cookie does not outlive its test.)
    """
    _session_cookies: dict[str, str] = {}

    def _client(local_part: str | None):
        client = app.test_client()
        if local_part is None:
            return client
        if local_part not in _session_cookies:
            first = app.test_client()
            assert first.sign_in(demo(local_part)).status_code == 302, local_part
            _session_cookies[local_part] = first.get_cookie(SESSION_COOKIE).value
        client.set_cookie(SESSION_COOKIE, _session_cookies[local_part])
        return client

    return _client
