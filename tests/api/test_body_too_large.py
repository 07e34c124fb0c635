"""A body over the platform's limit is refused with 413 in the API's words, as documented."""

from __future__ import annotations

import pytest

from tests.support.clients import assert_api_error
from tests.url_rules import openapi_document


@pytest.fixture
def small_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2_000)


def test_a_body_over_the_limit_gets_413_as_json(api_as, small_limit, in_app):
    response = api_as("secretariat").post(
        "/api/v1/operations", {"code": "BIG", "title": "x" * 5_000, "host": "KR"})
    assert_api_error(response, 413, "too_large")


def test_the_document_says_so_for_every_body():
    with_body = [(path, method) for path, methods in openapi_document()["paths"].items()
                 for method, operation in methods.items() if "requestBody" in operation]
    assert with_body
    for path, method in with_body:
        responses = openapi_document()["paths"][path][method]["responses"]
        assert responses["413"] == {"$ref": "#/components/responses/TooLarge"}, (path, method)
