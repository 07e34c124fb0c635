"""Every route refuses anonymous visitors unless it is on the short list of public ones.

The routes are read from the app, so a route added later is checked too: making it
public means adding it to PUBLIC_ENDPOINTS here, on purpose.
"""

from __future__ import annotations

import pytest

from tests.support.clients import assert_api_error
from tests.url_rules import RULES, build_url, route_id, routes

PUBLIC_ENDPOINTS = {"static", "main.health", "auth.sign_in", "api.openapi_document"}
PROTECTED_ROUTES = [(rule, method) for rule, method in routes()
                    if rule.endpoint not in PUBLIC_ENDPOINTS]


def test_the_allowlist_names_real_endpoints():
    assert {rule.endpoint for rule in RULES} >= PUBLIC_ENDPOINTS
    assert len(PROTECTED_ROUTES) > 10


@pytest.mark.parametrize("rule, method", PROTECTED_ROUTES,
                         ids=[route_id(*route) for route in PROTECTED_ROUTES])
def test_anonymous_requests_are_refused(client, rule, method):
    url = build_url(rule)
    # A valid CSRF token, so that a POST is refused for being anonymous, not for lacking it.
    response = client.get(url) if method == "GET" else client.post_form(url)
    if rule.rule.startswith("/api/"):
        assert_api_error(response, 401, "missing_token")
    else:
        assert response.status_code == 302, response.status_code
        assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("endpoint, url", [
    ("main.health", "/healthz"),
    ("auth.sign_in", "/sign-in"),
    ("api.openapi_document", "/api/v1/openapi.json"),
    ("static", "/static/favicon.svg"),
])
def test_public_endpoints_answer_anonymous_visitors(client, endpoint, url):
    assert endpoint in PUBLIC_ENDPOINTS
    with client.get(url) as response:
        assert response.status_code == 200


PAGE_POSTS = [(rule, method) for rule, method in routes()
              if method == "POST" and not rule.rule.startswith("/api/")]


@pytest.mark.parametrize("rule, method", PAGE_POSTS,
                         ids=[route_id(*route) for route in PAGE_POSTS])
def test_every_form_post_needs_a_csrf_token(client_as, rule, method):
    # Signed in with every power, so only the missing token can explain the refusal.
    client = client_as("admin")
    response = client.post(build_url(rule), data={})
    assert response.status_code == 400
    assert "security token" in response.text
