"""An unforeseen error gets the platform's own 500 page, with its headers, whatever broke.

The routes that fail are registered on an app of their own (the shared one takes no
routes once it has served a request), over the same database connection as the test.
"""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select

from opsplatform import create_app
from opsplatform.core.access import public
from opsplatform.core.db import Database, db
from opsplatform.organisations.models import Organisation, OrganisationKind
from tests.support.clients import assert_api_error

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                    "Referrer-Policy")


@pytest.fixture(scope="module")
def failing_app(database_url, tmp_path_factory):
    app = create_app({"DATABASE_URL": database_url, "SERVER_NAME": "localhost"},
                     instance_path=tmp_path_factory.mktemp("failing-instance"),
                     environ={"OPSPLATFORM_ENV": "testing"})

    @app.context_processor
    def _reads_the_database():
        # As a page does for the signed-in user: reading while rendering needs a usable session.
        if g.get("break_templates"):
            raise RuntimeError("a template helper broke")
        return {"organisation_count": db.session.scalar(select(func.count(Organisation.id)))}

    @app.get("/fails")
    @public
    def fails():
        raise RuntimeError("an unforeseen error")

    @app.get("/fails-after-a-failed-flush")
    @public
    def fails_after_a_failed_flush():
        # A second "KR": the flush fails and leaves the session refusing every query.
        db.session.add(Organisation(code="KR", name="Duplicate",
                                    kind=OrganisationKind.MEMBER_ADMINISTRATION))
        db.session.flush()

    @app.get("/fails-and-so-does-the-page")
    @public
    def fails_and_so_does_the_page():
        g.break_templates = True
        raise RuntimeError("an unforeseen error")

    @app.get("/api/v1/fails")
    @public
    def api_fails():
        raise RuntimeError("an unforeseen error")

    yield app
    Database.state(app).engine.dispose()


@pytest.fixture
def failing(failing_app, _transaction):
    """A client of the failing app, inside the test's transaction (rolled back at the end)."""
    state = Database.state(failing_app)
    state.bind = _transaction
    yield failing_app.test_client()
    state.bind = state.engine


def _assert_security_headers(response) -> None:
    for name in SECURITY_HEADERS:
        assert response.headers.get(name), f"{name} missing"


def test_an_unforeseen_error_gets_the_platforms_page(failing):
    response = failing.get("/fails")
    assert response.status_code == 500
    assert 'class="site-header"' in response.text  # the platform's layout, not a bare page
    assert "Something went wrong" in response.text
    assert "RuntimeError" not in response.text
    _assert_security_headers(response)


def test_a_failed_flush_is_rolled_back_before_the_page_renders(failing, in_app):
    response = failing.get("/fails-after-a-failed-flush")
    assert response.status_code == 500
    # The full page rendered, so its database read worked after the rollback.
    assert 'class="site-header"' in response.text
    _assert_security_headers(response)
    with in_app() as session:
        assert session.scalar(select(func.count()).where(Organisation.code == "KR")) == 1


def test_when_the_error_page_fails_too_a_static_one_keeps_the_headers(failing):
    response = failing.get("/fails-and-so-does-the-page")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "Something went wrong" in response.text
    assert "a template helper broke" not in response.text
    assert 'class="site-header"' not in response.text  # the static fallback
    _assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unforeseen_api_error_is_json(failing):
    response = failing.get("/api/v1/fails")
    assert_api_error(response, 500, "internal_error")
    _assert_security_headers(response)
