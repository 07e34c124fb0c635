from __future__ import annotations

import re
from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from opsplatform.auth.models import ApiToken
from opsplatform.auth.operations import find_user_by_email, revoke_token, set_active
from opsplatform.core.db import utcnow
from tests.support.clients import assert_api_error, demo


def _token(session, secret: str) -> ApiToken:
    return session.scalars(select(ApiToken).where(ApiToken.prefix == secret[:12])).one()


# -- who am I -------------------------------------------------------------------------------


def test_me_describes_the_caller(api_as, in_app):
    response = api_as("cp.kr").get("/api/v1/me")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    with in_app():
        user = find_user_by_email(demo("cp.kr"))
    assert response.json == {
        "id": user.id,
        "email": "cp.kr@demo.example.org",
        "name": "Park Ji-woo",
        "organisation": "KR",
        "is_platform_admin": False,
        "is_secretariat": False,
    }


@pytest.mark.parametrize("local_part, organisation, admin, secretariat", [
    ("admin", "WCO", True, False),
    ("secretariat", "WCO", False, True),
    ("observer", "UNODC", False, False),
])
def test_me_shows_organisation_and_flags(api_as, local_part, organisation, admin, secretariat):
    body = api_as(local_part).get("/api/v1/me").json
    assert body["email"] == demo(local_part)
    assert body["organisation"] == organisation
    assert body["is_platform_admin"] is admin
    assert body["is_secretariat"] is secretariat


def test_the_scheme_is_case_insensitive(api_as):
    caller = api_as("cp.kr")
    response = caller.get("/api/v1/me", headers={"Authorization": f"bearer {caller.secret}"})
    assert response.status_code == 200


def test_use_is_recorded_on_the_token(api_as, in_app):
    caller = api_as("cp.kr")
    with in_app() as session:
        assert _token(session, caller.secret).last_used_at is None
    assert caller.get("/api/v1/me").status_code == 200
    with in_app() as session:
        assert _token(session, caller.secret).last_used_at is not None


# -- refusals -------------------------------------------------------------------------------


UNKNOWN_SECRET = "opsp_" + "A" * 43


@pytest.mark.parametrize("authorization, code", [
    (None, "missing_token"),
    ("", "missing_token"),
    ("Basic Y3Aua3I6ZGVtby1wYXNzd29yZA==", "malformed_token"),
    ("Token " + UNKNOWN_SECRET, "malformed_token"),
    ("Bearer", "malformed_token"),
    ("Bearer not-a-token", "malformed_token"),
    ("Bearer opsp_short", "malformed_token"),
    (f"Bearer {UNKNOWN_SECRET}x", "malformed_token"),
    (f"Bearer {UNKNOWN_SECRET}", "invalid_token"),
])
def test_bad_authorization_header_is_refused(api_as, authorization, code):
    headers = {"Authorization": authorization} if authorization is not None else {}
    assert_api_error(api_as().get("/api/v1/me", headers=headers), 401, code)


def test_expired_token_is_refused(api_as, in_app):
    caller = api_as("cp.kr")
    with in_app() as session:
        _token(session, caller.secret).expires_at = utcnow() - timedelta(seconds=1)
    error = assert_api_error(caller.get("/api/v1/me"), 401, "token_expired")
    assert "expired" in error["message"]


def test_revoked_token_is_refused(api_as, in_app):
    caller = api_as("cp.kr")
    with in_app() as session:
        revoke_token(_token(session, caller.secret), actor=None)
    assert_api_error(caller.get("/api/v1/me"), 401, "token_revoked")


def test_token_of_a_deactivated_account_is_refused(api_as, in_app):
    caller = api_as("cp.kr")
    with in_app():
        set_active(find_user_by_email(demo("cp.kr")), False, actor=None)
    assert_api_error(caller.get("/api/v1/me"), 401, "account_inactive")


def test_a_session_cookie_is_not_accepted(client_as):
    client = client_as("cp.kr")
    assert client.get("/profile").status_code == 200
    assert_api_error(client.get("/api/v1/me"), 401, "missing_token")


def test_the_api_needs_no_csrf_token_but_a_bearer_token(api_as):
    # POST is not allowed on /me; the point is that the refusal is about the method, not CSRF.
    assert_api_error(api_as("cp.kr").post("/api/v1/me"), 405, "method_not_allowed")


def test_unknown_api_path_is_a_json_404(api_as):
    assert_api_error(api_as().get("/api/v1/nothing-here"), 404, "not_found")
    assert_api_error(api_as("cp.kr").get("/api/v1/nothing-here"), 404, "not_found")
    assert_api_error(api_as().get("/api/v1/"), 404, "not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_wrong_method_is_a_json_405(api_as, method):
    assert_api_error(api_as("cp.kr").open(method, "/api/v1/me"), 405, "method_not_allowed")


def test_errors_never_leak_internals(api_as):
    response = api_as().get("/api/v1/me", headers={"Authorization": "Bearer " + "x" * 5000})
    assert_api_error(response, 401, "malformed_token")
    assert "Traceback" not in response.text


# -- OpenAPI document -----------------------------------------------------------------------


def test_openapi_document_is_public_and_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.json
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_document_lists_every_api_endpoint(app, client):
    document = client.get("/api/v1/openapi.json").json
    expected = {
        _openapi_path(rule.rule): sorted(rule.methods - {"HEAD", "OPTIONS"})
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document"
    }
    assert "/api/v1/me" in expected
    for path, methods in expected.items():
        assert path in document["paths"], f"{path} is missing from the OpenAPI document"
        for method in methods:
            operation = document["paths"][path].get(method.lower())
            assert operation is not None, f"{method} {path} is missing from the OpenAPI document"
            assert operation["responses"], f"{method} {path} documents no response"


def test_openapi_describes_me(client):
    document = client.get("/api/v1/openapi.json").json
    me = document["paths"]["/api/v1/me"]["get"]
    assert set(me["responses"]) >= {"200", "401"}
    schema = document["components"]["schemas"]["Me"]
    assert set(schema["properties"]) == {"id", "email", "name", "organisation",
                                         "is_platform_admin", "is_secretariat"}
