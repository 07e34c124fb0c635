"""Acting as someone: a signed-in page client, an API caller, and the API error check.

Tests do not sign in through the form to act as someone (only the tests of signing in
do): ``sign_in_as`` opens the session the sign-in form would open, inside the test's
transaction, and ``ApiCaller`` sends a bearer token made the same way.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from flask import session
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from opsplatform.auth.models import User
from opsplatform.auth.operations import find_user_by_email
from opsplatform.auth.sessions import start_session
from opsplatform.core.db import db

DEMO_PASSWORD = "demo-password"
DEMO_DOMAIN = "demo.example.org"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
# What an error body's "error" object may hold besides its code and message.
_ERROR_EXTRAS = {"field", "fields"}

# Who a test acts as: an account, an e-mail address, or a demo account's local part.
Who = User | str


def demo(local_part: str) -> str:
    """The e-mail address of a demo account: ``demo("cp.jp")``."""
    return f"{local_part}@{DEMO_DOMAIN}"


def find_user(who: Who) -> User:
    """``who`` as an account of the current app context's session."""
    if isinstance(who, User):
        user = db.session.get(User, who.id)
    else:
        user = find_user_by_email(who if "@" in who else demo(who))
    if user is None:
        raise LookupError(f"no account {who!r}")
    return user


class OpsClient(FlaskClient):
    """A test client that sends CSRF tokens with forms, as a browser would."""

    def submit_sign_in(self, email: str, password: str = DEMO_PASSWORD) -> TestResponse:
        """Fill in and send the sign-in form: for tests of signing in (to act as someone,
        use the ``client_as`` fixture)."""
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
        with self.session_transaction() as cookie_session:
            return "_user_id" in cookie_session

    def post_form(self, url: str, data: dict | None = None, **kwargs) -> TestResponse:
        """POST ``data`` as a browser form would, CSRF token included."""
        return self.post(url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)


def sign_in_as(client: OpsClient, who: Who) -> OpsClient:
    """Give ``client`` the session the sign-in form would give ``who`` (no password needed).

    The session row is written through the app's own ``start_session``, in a request
    context that looks like this client, and committed to the test's transaction.
    """
    with client.application.test_request_context(environ_base=client.environ_base):
        start_session(find_user(who))
        db.session.commit()
        values = dict(session)
    with client.session_transaction() as cookie_session:
        cookie_session.clear()
        cookie_session.update(values)
        cookie_session.permanent = True
    client._csrf = None
    return client


class ApiCaller:
    """Calls the API with one bearer token (``secret``), or with none when it is None."""

    def __init__(self, client: FlaskClient, secret: str | None):
        self.client = client
        self.secret = secret
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def open(self, method: str, url: str, json=None, *, headers: dict | None = None,
             **kwargs) -> TestResponse:
        """Send ``json`` as the body (or ``data=`` with a ``content_type=``)."""
        if json is not None:
            kwargs["json"] = json
        return self.client.open(url, method=method, headers={**self.headers, **(headers or {})},
                                **kwargs)

    def get(self, url: str, **kwargs) -> TestResponse:
        return self.open("GET", url, **kwargs)

    def post(self, url: str, json=None, **kwargs) -> TestResponse:
        return self.open("POST", url, json, **kwargs)

    def patch(self, url: str, json=None, **kwargs) -> TestResponse:
        return self.open("PATCH", url, json, **kwargs)

    def put(self, url: str, json=None, **kwargs) -> TestResponse:
        return self.open("PUT", url, json, **kwargs)

    def delete(self, url: str, **kwargs) -> TestResponse:
        return self.open("DELETE", url, **kwargs)


def assert_api_error(response: TestResponse, status: int, code: str, *,
                     field: str | None = None, fields: Collection[str] | None = None) -> dict:
    """Assert an API error: its status, the ``{"error": {"code", "message"}}`` body and its
    code; when given, a ``field`` it names (as its ``field``, or among its ``fields``), and
    the ``fields`` a validation failure names, all of them and no others.

    Returns the ``error`` object for further checks.
    """
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.mimetype == "application/json", response.mimetype
    assert "<html" not in response.text.lower()
    body = response.json
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message"} | _ERROR_EXTRAS, error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    if field is not None:
        assert error.get("field") == field or field in error.get("fields", {}), error
    if fields is not None:
        assert sorted(error.get("fields", {})) == sorted(fields), error
    return error
