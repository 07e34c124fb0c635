"""Each text field has one limit: the OpenAPI document states it, the API and the forms keep it.

The walk covers every text field of every body in the OpenAPI document, so a field
added later must state and keep its limit too.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from opsplatform.operations.models import Operation
from opsplatform.operations.operations import CODE_PATTERN, MAX_DEADLINE_DAYS
from tests.api.openapi_bodies import BODY, DOCUMENT, TEXT_FIELDS, Api, deref
from tests.support.clients import assert_api_error

SCHEMAS = DOCUMENT["components"]["schemas"]
# Text a client chooses from a list or writes in a fixed format needs no length of its own.
FREE_TEXT = [field for field in TEXT_FIELDS
             if "enum" not in field.schema and field.schema.get("format") not in ("date",
                                                                                  "date-time")]


@pytest.fixture
def api(api_as, in_app) -> Api:
    return Api(api_as, in_app)


def _operations(in_app) -> int:
    with in_app() as session:
        return session.scalar(select(func.count(Operation.id)))


@pytest.mark.parametrize("field", FREE_TEXT, ids=str)
def test_every_free_text_field_states_its_limit(field):
    assert isinstance(field.schema.get("maxLength"), int), f"{field} has no maxLength"


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=str)
def test_a_text_longer_than_its_field_takes_is_refused_naming_it(api, in_app, field):
    limit = field.schema.get("maxLength")
    before = _operations(in_app)
    response = api.send(field.body, field.body_with("A" * ((limit or 1000) + 1)))
    error = assert_api_error(response, 422, "validation_failed")
    messages = field.errors_in(error["fields"])
    assert messages, f"{field.name} not named in {error['fields']}"
    if limit is not None:
        assert any(str(limit) in message for message in messages), messages
    assert _operations(in_app) == before


def test_a_five_megabyte_summary_is_refused(api, in_app):
    before = _operations(in_app)
    response = api.send(BODY["POST /api/v1/operations"], {
        "code": "HUGE", "title": "Huge", "host": "KR", "summary": "S" * 5_000_000})
    assert_api_error(response, 422, "validation_failed", field="summary")
    assert _operations(in_app) == before


# -- one limit for both skins -----------------------------------------------------------------

PLAN_TEXT = ["code", "title", "summary", "objectives"]


def _limit(schema: str, name: str) -> int:
    return SCHEMAS[schema]["properties"][name]["maxLength"]


def _at_most(name: str, length: int) -> str:
    return "C" * length if name == "code" else "é" * length  # counted in characters


@pytest.mark.parametrize("name", PLAN_TEXT)
def test_the_api_takes_a_plan_text_up_to_its_limit(api, in_app, name):
    limit = _limit("OperationCreate", name)
    create = BODY["POST /api/v1/operations"]
    body = {"code": "AT-LIMIT", "title": "At the limit", "host": "KR",
            name: _at_most(name, limit)}
    response = api.send(create, body)
    assert response.status_code == 201, response.text[:500]
    assert len(response.json[name]) == limit
    body[name] = _at_most(name, limit + 1)
    body["code"] = body["code"] if name == "code" else "OVER-LIMIT"
    assert api.send(create, body).status_code == 422


@pytest.mark.parametrize("name", PLAN_TEXT)
def test_the_form_takes_a_plan_text_up_to_the_same_limit(client_as, in_app, name):
    limit = _limit("OperationCreate", name)
    client = client_as("secretariat")
    form = {"code": "AT-LIMIT", "title": "At the limit", "host": "KR", "handling_code": "H0",
            "tlp": "TLP:AMBER", "reporting_frequency": "weekly", "report_deadline_days": "2",
            "planning_starts_on": date.today().isoformat()}
    before = _operations(in_app)
    over = client.post_form("/operations/new", {**form, name: _at_most(name, limit + 1)})
    assert over.status_code == 422
    assert re.search(rf"longer than {limit}|at most {limit}", over.text), over.text[-2000:]
    assert _operations(in_app) == before
    at_limit = client.post_form("/operations/new", {**form, name: _at_most(name, limit)})
    assert at_limit.status_code == 302, at_limit.text[-2000:]
    assert _operations(in_app) == before + 1


# -- rules the document states beside the lengths -----------------------------------------


def test_the_document_states_the_operation_code_pattern(api):
    for schema in ("OperationCreate", "OperationPatch"):
        code = SCHEMAS[schema]["properties"]["code"]
        assert code["pattern"] == CODE_PATTERN.pattern
        assert code["maxLength"] == 30
    create = BODY["POST /api/v1/operations"]
    refused = api.send(create, {"code": "-LEADING-HYPHEN", "title": "T", "host": "KR"})
    assert_api_error(refused, 422, "invalid_code", field="code")


def test_the_document_states_the_deadline_range(api):
    deadline = SCHEMAS["OperationCreate"]["properties"]["report_deadline_days"]
    assert (deadline["minimum"], deadline["maximum"]) == (0, MAX_DEADLINE_DAYS)
    create = BODY["POST /api/v1/operations"]
    body = {"code": "DEADLINE", "title": "T", "host": "KR"}
    assert api.send(create, {**body, "report_deadline_days": MAX_DEADLINE_DAYS + 1}) \
        .status_code == 422
    assert api.send(create, {**body, "report_deadline_days": MAX_DEADLINE_DAYS}) \
        .status_code == 201


def test_the_document_states_exactly_one_of_period_id_or_date(api):
    schema = deref(SCHEMAS["NilReturnRequest"])
    assert schema["oneOf"] == [{"required": ["period_id"]}, {"required": ["date"]}]
    nil_return = BODY["POST /api/v1/operations/{operation_id}/nil-returns"]
    for body in ({}, {"period_id": 1, "date": "2030-01-01"}):
        error = assert_api_error(api.send(nil_return, body), 422, "validation_failed")
        assert "exactly one" in str(error["fields"])
