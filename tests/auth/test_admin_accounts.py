from __future__ import annotations

import pytest
from sqlalchemy import func, select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.models import User
from opsplatform.auth.operations import find_user_by_email, set_active
from opsplatform.organisations.operations import find_by_code
from tests.support import factories
from tests.support.clients import assert_api_error, demo
from tests.url_rules import build_url, route_id, routes

ADMIN_ROUTES = routes("accounts", "organisations")
GOOD_PASSWORD = "a fine long passphrase"


def _user(in_app, email):
    with in_app():
        return find_user_by_email(email)


def _org_id(in_app, code):
    with in_app():
        return find_by_code(code).id


def _user_count(in_app):
    with in_app() as session:
        return session.scalar(select(func.count(User.id)))


def _admin_changes(in_app) -> int:
    """How many account and organisation changes the audit trail holds."""
    with in_app() as session:
        return session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action.in_([action for action in AuditAction
                                   if action.startswith(("users.", "organisations."))])))


def _token_of(in_app, local_part: str) -> str:
    """The secret of a new API token of that demo account."""
    with in_app():
        return factories.api_token(find_user_by_email(demo(local_part)), name="national system",
                                   days=30)[1]


def _me(api_as, secret):
    return api_as(secret=secret).get("/api/v1/me")


# -- who may use the admin pages -----------------------------------------------------------


def _route_values(in_app) -> dict:
    """Real objects for the URL arguments, so that an admin's request reaches the view."""
    return {"user_id": _user(in_app, demo("cp.cn")).id, "organisation_id": _org_id(in_app, "CN")}


def _request(client, rule, method, in_app):
    url = build_url(rule, _route_values(in_app))
    assert not set(rule.arguments) - {"user_id", "organisation_id"}, (
        f"{rule.rule}: give its new argument a real value in _route_values")
    return client.get(url) if method == "GET" else client.post_form(url)


def test_admin_routes_are_found():
    assert len(ADMIN_ROUTES) >= 10
    assert {rule.endpoint for rule, _ in ADMIN_ROUTES} >= {
        "accounts.index", "accounts.create", "accounts.deactivate", "organisations.edit"}


@pytest.mark.parametrize("rule, method", ADMIN_ROUTES,
                         ids=[route_id(*route) for route in ADMIN_ROUTES])
def test_anonymous_visitors_are_sent_to_sign_in(client, in_app, rule, method):
    before = _admin_changes(in_app)
    response = _request(client, rule, method, in_app)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert _admin_changes(in_app) == before


@pytest.mark.parametrize("role", ["cp.kr", "ocu", "observer", "secretariat"])
@pytest.mark.parametrize("rule, method", ADMIN_ROUTES,
                         ids=[route_id(*route) for route in ADMIN_ROUTES])
def test_everyone_but_platform_admins_is_refused(client_as, in_app, rule, method, role):
    client = client_as(role)
    before = _admin_changes(in_app)
    response = _request(client, rule, method, in_app)
    assert response.status_code == 403
    assert "Not allowed" in response.text
    assert _admin_changes(in_app) == before
    assert _user(in_app, demo("cp.cn")).is_active


@pytest.mark.parametrize("rule, method", ADMIN_ROUTES,
                         ids=[route_id(*route) for route in ADMIN_ROUTES])
def test_platform_admins_are_let_in(client_as, in_app, rule, method):
    client = client_as("admin")
    response = _request(client, rule, method, in_app)
    if method == "GET":
        assert response.status_code == 200
    else:
        # An empty form is refused as invalid, an action redirects: either way, the view ran.
        assert response.status_code in (302, 422)
        if response.status_code == 302:
            assert not response.headers["Location"].startswith("/sign-in")


def test_admin_pages_are_not_offered_to_others(client_as):
    assert "/admin/accounts/" not in client_as("secretariat").get("/").text


def test_admin_pages_are_offered_to_admins(client_as):
    home = client_as("admin").get("/").text
    assert "/admin/accounts/" in home
    assert "/admin/organisations/" in home


# -- creating accounts ---------------------------------------------------------------------


def _account_form(in_app, **values):
    data = {
        "email": "New.Officer@Customs.Example.kr",
        "display_name": "Choi Seo-yeon",
        "organisation_id": str(_org_id(in_app, "KR")),
        "password": GOOD_PASSWORD,
        "is_active": "y",
    }
    data.update(values)
    return {name: value for name, value in data.items() if value is not None}


def test_admin_creates_an_account_that_can_sign_in(client_as, in_app, app):
    client = client_as("admin")
    response = client.post_form("/admin/accounts/new",
                                _account_form(in_app, is_secretariat="y"))
    assert response.status_code == 302
    user = _user(in_app, "new.officer@customs.example.kr")
    assert response.headers["Location"] == f"/admin/accounts/{user.id}"
    assert user.email == "new.officer@customs.example.kr"
    assert user.display_name == "Choi Seo-yeon"
    assert user.organisation.code == "KR"
    assert user.is_secretariat and not user.is_platform_admin and user.is_active
    assert user.password_hash != GOOD_PASSWORD

    with in_app() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.USER_CREATED, AuditEntry.object_id == user.id)).one()
        assert entry.actor.email == demo("admin")
    newcomer = app.test_client()
    assert newcomer.submit_sign_in("new.officer@customs.example.kr", GOOD_PASSWORD) \
        .status_code == 302


@pytest.mark.parametrize("email", [demo("cp.kr"), "CP.KR@DEMO.EXAMPLE.ORG",
                                   " Cp.Kr@demo.example.org "])
def test_duplicate_email_in_any_case_is_refused(client_as, in_app, email):
    client = client_as("admin")
    before = _user_count(in_app)
    response = client.post_form("/admin/accounts/new", _account_form(in_app, email=email))
    assert response.status_code == 422
    assert "already exists" in response.text
    assert "cp.kr@demo.example.org" in response.text.lower()
    assert _user_count(in_app) == before


@pytest.mark.parametrize("password, message", [
    ("", "This field is required."),
    ("   ", "This field is required."),
    ("short pw", "Use at least 12 characters."),
    ("passwordpassword", "too common or too simple"),
    ("new.officer@customs.example.kr", "Do not use your e-mail address or name"),
])
def test_weak_or_empty_password_is_refused(client_as, in_app, password, message):
    client = client_as("admin")
    before = _user_count(in_app)
    response = client.post_form("/admin/accounts/new", _account_form(in_app, password=password))
    assert response.status_code == 422
    assert message in response.text
    assert _user_count(in_app) == before
    assert _user(in_app, "new.officer@customs.example.kr") is None


@pytest.mark.parametrize("organisation_id",
                         ["999999", "0", "-1", "KR", "", "99999999999999999999"])
def test_unknown_organisation_is_refused_clearly(client_as, in_app, organisation_id):
    client = client_as("admin")
    before = _user_count(in_app)
    response = client.post_form("/admin/accounts/new",
                                _account_form(in_app, organisation_id=organisation_id))
    assert response.status_code == 422
    assert "Organisation:" in response.text  # the error names the field at fault
    assert _user_count(in_app) == before


@pytest.mark.parametrize("organisation_id", ["999999", "-1", "99999999999999999999"])
def test_forged_organisation_id_gets_a_clear_message(client_as, in_app, organisation_id):
    client = client_as("admin")
    response = client.post_form("/admin/accounts/new",
                                _account_form(in_app, organisation_id=organisation_id))
    assert response.status_code == 422
    assert "Choose an existing organisation." in response.text


@pytest.mark.parametrize("email", ["not-an-address", "someone@", "x@localhost"])
def test_invalid_email_is_refused(client_as, in_app, email):
    client = client_as("admin")
    before = _user_count(in_app)
    response = client.post_form("/admin/accounts/new", _account_form(in_app, email=email))
    assert response.status_code == 422
    assert "E-mail address:" in response.text
    assert _user_count(in_app) == before


def test_new_account_form_keeps_what_was_typed(client_as, in_app):
    client = client_as("admin")
    response = client.post_form("/admin/accounts/new",
                                _account_form(in_app, password="short", display_name="Typed Name"))
    assert 'value="Typed Name"' in response.text
    assert GOOD_PASSWORD not in response.text  # passwords are never sent back


# -- editing -------------------------------------------------------------------------------


def test_admin_edits_an_account(client_as, in_app):
    user = _user(in_app, demo("cp.cn"))
    client = client_as("admin")
    assert client.get(f"/admin/accounts/{user.id}").status_code == 200
    response = client.post_form(f"/admin/accounts/{user.id}", _account_form(
        in_app, email="Wang.Fang@demo.example.org", display_name="Wang Fang (GACC)",
        organisation_id=str(_org_id(in_app, "RILO-AP")), password=None, is_secretariat="y"))
    assert response.status_code == 302

    edited = _user(in_app, "wang.fang@demo.example.org")
    assert edited.id == user.id
    assert edited.display_name == "Wang Fang (GACC)"
    assert edited.organisation.code == "RILO-AP"
    assert edited.is_secretariat
    with in_app() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.USER_UPDATED, AuditEntry.object_id == user.id)).one()
        assert entry.details["changes"]["organisation"] == ["CN", "RILO-AP"]
        assert entry.details["changes"]["email"] == [demo("cp.cn"), "wang.fang@demo.example.org"]


def test_editing_to_another_accounts_email_is_refused(client_as, in_app):
    user = _user(in_app, demo("cp.cn"))
    client = client_as("admin")
    response = client.post_form(f"/admin/accounts/{user.id}", _account_form(
        in_app, email="CP.JP@demo.example.org", display_name="Renamed", password=None))
    assert response.status_code == 422
    assert "already exists" in response.text
    after = _user(in_app, demo("cp.cn"))
    assert after.display_name == "Wang Fang"


@pytest.mark.parametrize("user_id", ["999999", "2147483648", "99999999999999999999"])
def test_unknown_account_is_404(client_as, user_id):
    client = client_as("admin")
    assert client.get(f"/admin/accounts/{user_id}").status_code == 404
    assert client.post_form(f"/admin/accounts/{user_id}/deactivate").status_code == 404
    assert client.post_form(f"/admin/accounts/{user_id}/password",
                            {"new_password": GOOD_PASSWORD}).status_code == 404


# -- deactivating and reactivating ---------------------------------------------------------


def test_deactivation_ends_the_session_and_stops_the_tokens(client_as, api_as, in_app):
    secret = _token_of(in_app, "cp.cn")
    person = client_as("cp.cn")
    assert person.get("/profile").status_code == 200
    assert _me(api_as, secret).status_code == 200

    user = _user(in_app, demo("cp.cn"))
    admin = client_as("admin")
    response = admin.post_form(f"/admin/accounts/{user.id}/deactivate")
    assert response.status_code == 302
    assert "was deactivated" in admin.get(response.headers["Location"]).text

    assert not _user(in_app, demo("cp.cn")).is_active
    assert person.get("/profile").status_code == 302
    assert_api_error(_me(api_as, secret), 401, "account_inactive")
    assert person.submit_sign_in(demo("cp.cn")).status_code == 401
    with in_app() as session:
        assert session.scalar(select(AuditEntry).where(
            AuditEntry.action == AuditAction.USER_DEACTIVATED,
            AuditEntry.object_id == user.id)) is not None


def test_unticking_active_in_the_form_deactivates(client_as, in_app):
    person = client_as("cp.cn")
    user = _user(in_app, demo("cp.cn"))
    response = client_as("admin").post_form(f"/admin/accounts/{user.id}", _account_form(
        in_app, email=demo("cp.cn"), display_name="Wang Fang", password=None, is_active=None,
        organisation_id=str(_org_id(in_app, "CN"))))
    assert response.status_code == 302
    assert not _user(in_app, demo("cp.cn")).is_active
    assert person.get("/profile").status_code == 302


def test_reactivation_lets_the_account_back_in(app, client_as, in_app):
    with in_app():
        user = find_user_by_email(demo("cp.cn"))
        set_active(user, False, actor=None)
    admin = client_as("admin")
    response = admin.post_form(f"/admin/accounts/{user.id}/reactivate")
    assert response.status_code == 302
    assert _user(in_app, demo("cp.cn")).is_active
    assert app.test_client().submit_sign_in(demo("cp.cn")).status_code == 302
    with in_app() as session:
        assert session.scalar(select(AuditEntry).where(
            AuditEntry.action == AuditAction.USER_REACTIVATED,
            AuditEntry.object_id == user.id)) is not None


def test_tokens_work_again_after_reactivation(client_as, api_as, in_app):
    secret = _token_of(in_app, "cp.cn")
    with in_app():
        user = find_user_by_email(demo("cp.cn"))
        set_active(user, False, actor=None)
    assert _me(api_as, secret).status_code == 401
    client_as("admin").post_form(f"/admin/accounts/{user.id}/reactivate")
    assert _me(api_as, secret).status_code == 200


# -- resetting a password ------------------------------------------------------------------


def test_password_reset_replaces_the_password_and_ends_sessions(client_as, in_app):
    person = client_as("cp.cn")
    user = _user(in_app, demo("cp.cn"))
    admin = client_as("admin")
    response = admin.post_form(f"/admin/accounts/{user.id}/password",
                               {"new_password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert "sessions were ended" in admin.get(response.headers["Location"]).text

    assert person.get("/profile").status_code == 302
    assert person.submit_sign_in(demo("cp.cn")).status_code == 401
    assert person.submit_sign_in(demo("cp.cn"), GOOD_PASSWORD).status_code == 302
    with in_app() as session:
        assert session.scalar(select(AuditEntry).where(
            AuditEntry.action == AuditAction.USER_PASSWORD_RESET,
            AuditEntry.object_id == user.id)) is not None


@pytest.mark.parametrize("password, message", [
    ("", "This field is required."),
    ("tooshort", "Use at least 12 characters."),
])
def test_password_reset_refuses_weak_passwords(app, client_as, in_app, password, message):
    person = client_as("cp.cn")
    user = _user(in_app, demo("cp.cn"))
    response = client_as("admin").post_form(f"/admin/accounts/{user.id}/password",
                                          {"new_password": password})
    assert response.status_code == 422
    assert message in response.text
    assert person.get("/profile").status_code == 200
    assert app.test_client().submit_sign_in(demo("cp.cn")).status_code == 302


# -- admins cannot lock themselves out -----------------------------------------------------


def test_admin_cannot_deactivate_their_own_account(client_as, in_app):
    admin = _user(in_app, demo("admin"))
    client = client_as("admin")
    response = client.post_form(f"/admin/accounts/{admin.id}/deactivate")
    assert response.status_code == 422
    assert "You cannot deactivate your own account" in response.text
    assert _user(in_app, demo("admin")).is_active
    assert client.get("/admin/accounts/").status_code == 200


def test_own_account_page_offers_no_deactivation(client_as, in_app):
    admin = _user(in_app, demo("admin"))
    page = client_as("admin").get(f"/admin/accounts/{admin.id}").text
    assert f"/admin/accounts/{admin.id}/deactivate" not in page


@pytest.mark.parametrize("untick, message", [
    ("is_active", "You cannot deactivate your own account"),
    ("is_platform_admin", "You cannot remove your own platform administrator role"),
])
def test_admin_cannot_untick_their_own_flags(client_as, in_app, untick, message):
    admin = _user(in_app, demo("admin"))
    form = _account_form(in_app, email=demo("admin"), display_name="Renamed Admin",
                         organisation_id=str(_org_id(in_app, "WCO")), password=None,
                         is_platform_admin="y")
    del form[untick]
    response = client_as("admin").post_form(f"/admin/accounts/{admin.id}", form)
    assert response.status_code == 422
    assert message in response.text
    after = _user(in_app, demo("admin"))
    assert after.is_active and after.is_platform_admin
    assert after.display_name == "Platform Administrator"


def test_admin_can_edit_their_own_other_details(client_as, in_app):
    admin = _user(in_app, demo("admin"))
    response = client_as("admin").post_form(f"/admin/accounts/{admin.id}", _account_form(
        in_app, email=demo("admin"), display_name="Renamed Admin", password=None,
        organisation_id=str(_org_id(in_app, "WCO")), is_platform_admin="y"))
    assert response.status_code == 302
    assert _user(in_app, demo("admin")).display_name == "Renamed Admin"


def test_another_admin_can_deactivate_an_admin(client_as, in_app):
    with in_app():
        second = factories.user(organisation=find_by_code("WCO"), is_platform_admin=True)
    first = _user(in_app, demo("admin"))
    client = client_as(second)
    response = client.post_form(f"/admin/accounts/{first.id}/deactivate")
    assert response.status_code == 302
    assert not _user(in_app, demo("admin")).is_active


def test_a_password_reset_revokes_the_account_s_api_tokens(client_as, api_as, in_app):
    secret = _token_of(in_app, "cp.jp")
    user_id = _user(in_app, demo("cp.jp")).id
    admin = client_as("admin")
    response = admin.post_form(f"/admin/accounts/{user_id}/password",
                               {"new_password": "a-brand-new-password-42"})
    assert response.status_code == 302
    assert "API tokens revoked" in admin.get(response.headers["Location"]).text
    assert_api_error(_me(api_as, secret), 401, "token_revoked")
