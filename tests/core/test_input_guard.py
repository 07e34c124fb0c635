"""Input no database can store is a 400 naming the field, on every route, before any view.

PostgreSQL refuses NUL characters (SQLite stores them), so these ran as 500s there.
The walk covers every route of the URL map and every text field of every body in
the OpenAPI document; both grow with the app.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import PathConverter, UnicodeConverter

from opsplatform.core.input_guard import MAX_JSON_DEPTH
from tests.api.openapi_bodies import BODIES, TEXT_FIELDS, Api
from tests.support.clients import assert_api_error
from tests.url_rules import RULES, build_url, route_id

NUL = "a\x00b"
METHODS = ("GET", "POST", "PATCH")
ROUTES = [(rule, method) for rule in RULES for method in METHODS if method in rule.methods]
# Path values that may be any text (the static files' names); ints cannot hold a NUL.
TEXT_PATH_ROUTES = [(rule, method) for rule, method in ROUTES
                    if any(type(converter) in (UnicodeConverter, PathConverter)
                           for converter in rule._converters.values())]


@pytest.fixture
def api(api_as, in_app) -> Api:
    return Api(api_as, in_app)


def _caller(request_as: str, rule, client_as, api_as):
    """Anonymous, or someone who may do much: a browser for pages, a token for the API."""
    who = None if request_as == "anonymous" else "secretariat"
    return api_as(who) if rule.rule.startswith("/api/") else client_as(who)


def assert_refused(response, field: str, code: str = "unstorable_character") -> None:
    assert response.status_code == 400, (response.status_code, response.text[:500])
    if response.mimetype == "application/json":
        assert_api_error(response, 400, code, field=field)
    else:
        # The platform's own error page, naming the field.
        assert 'class="site-header"' in response.text
        assert f"“{field}”" in response.text


@pytest.mark.parametrize("request_as", ["anonymous", "signed in"])
@pytest.mark.parametrize("rule, method", ROUTES, ids=[route_id(*route) for route in ROUTES])
def test_a_nul_in_the_query_string_is_refused(client_as, api_as, request_as, rule, method):
    caller = _caller(request_as, rule, client_as, api_as)
    url = build_url(rule) + "?q=" + "a%00b"
    if method == "GET":
        response = caller.get(url)
    elif rule.rule.startswith("/api/"):
        response = caller.open(method, url, {})
    else:
        response = caller.post_form(url)
    assert_refused(response, "q")


@pytest.mark.parametrize("request_as", ["anonymous", "signed in"])
@pytest.mark.parametrize("rule, method", [route for route in ROUTES if route[1] != "GET"],
                         ids=[route_id(*route) for route in ROUTES if route[1] != "GET"])
def test_a_nul_in_a_form_or_json_field_is_refused(client_as, api_as, request_as, rule, method):
    caller = _caller(request_as, rule, client_as, api_as)
    url = build_url(rule)
    if rule.rule.startswith("/api/"):
        response = caller.open(method, url, {"title": NUL})
    else:
        # The sign-in form's own field (the anonymous probe), which other forms ignore.
        response = caller.post_form(url, {"email": NUL, "password": "x"})
    assert_refused(response, "title" if rule.rule.startswith("/api/") else "email")


@pytest.mark.parametrize("rule, method", TEXT_PATH_ROUTES,
                         ids=[route_id(*route) for route in TEXT_PATH_ROUTES])
def test_a_nul_in_a_path_value_is_refused(client, rule, method):
    name = next(name for name, converter in rule._converters.items()
                if type(converter) in (UnicodeConverter, PathConverter))
    response = client.open(build_url(rule, {name: NUL}), method=method)
    assert_refused(response, name)


def test_every_kind_of_route_is_walked():
    assert TEXT_PATH_ROUTES, "the static files' route takes any name"
    assert {"auth.sign_in", "api.create_operation", "api.update_operation",
            "operations.documents_upload"} <= {rule.endpoint for rule, _ in ROUTES}


def test_a_nul_in_an_uploaded_file_name_is_refused(client_as, in_app):
    from io import BytesIO

    from sqlalchemy import select

    from opsplatform.operations.models import Operation

    client = client_as("secretariat")
    with in_app() as session:
        operation_id = session.scalar(select(Operation.id).where(Operation.code == "CATALYST-DEMO"))
    response = client.post(f"/operations/{operation_id}/documents", data={
        "csrf_token": client.csrf_token(), "title": "Plan", "category": "operational_plan",
        "file": (BytesIO(b"%PDF-1.4 plan"), "plan\x00.pdf")}, content_type="multipart/form-data")
    assert_refused(response, "file")


# -- JSON bodies, from the OpenAPI document -------------------------------------------------


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=str)
def test_a_nul_in_any_text_field_of_any_body_is_refused(api, field):
    response = api.send(field.body, field.body_with(NUL))
    assert_refused(response, field.name)


@pytest.mark.parametrize("body", BODIES, ids=str)
def test_a_nul_in_a_json_key_is_refused(api, body):
    response = api.send(body, {"ti\x00tle": "x"})
    assert_refused(response, "ti\\u0000tle")


@pytest.mark.parametrize("body", BODIES, ids=str)
@pytest.mark.parametrize("text", [r'"\u0000"', r'"\ud800"', r'"\udfff"'])
def test_characters_no_text_column_holds_are_refused_however_escaped(api, body, text):
    response = api.send(body, data=f'{{"title": {text}}}', content_type="application/json")
    assert_refused(response, "title")


@pytest.mark.parametrize("body", BODIES, ids=str)
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_refused(api, body, depth):
    # 100,000 levels is deeper than Python's parser goes (a RecursionError, once a 500).
    payload = '{"title": ' + "[" * depth + "]" * depth + "}"
    response = api.send(body, data=payload, content_type="application/json")
    error = assert_api_error(response, 400, "too_deeply_nested")
    assert str(MAX_JSON_DEPTH) in error["message"]


@pytest.mark.parametrize("body", BODIES, ids=str)
def test_json_as_deep_as_allowed_reaches_the_view(api, body):
    # Nesting up to the limit is the schema's to judge: a 422 for the unknown field.
    depth = MAX_JSON_DEPTH - 1
    payload = '{"nested": ' + "[" * depth + "]" * depth + "}"
    response = api.send(body, data=payload, content_type="application/json")
    assert_api_error(response, 422, "validation_failed", field="nested")
