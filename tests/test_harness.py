"""The test harness does what the tests rely on: it acts as the account named, makes data
that obeys the platform's rules, and fails where it should."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.models import User, UserSession
from opsplatform.operations.models import (
    OperationRole,
    ParticipationStatus,
    ReturnKind,
)
from opsplatform.organisations.models import OrganisationKind
from tests.support import factories
from tests.support.access_matrix import AccessMatrix, Entry, assert_complete
from tests.support.clients import assert_api_error, demo
from tests.url_rules import rules_under


def test_client_as_opens_a_session_as_the_sign_in_form_does(client_as, in_app):
    client = client_as("cp.jp")
    assert "Sato Haruto" in client.get("/profile").text
    with in_app() as session:
        user = session.scalar(select(User).where(User.email == demo("cp.jp")))
        [row] = session.scalars(select(UserSession).where(UserSession.user_id == user.id))
        assert row.ended_at is None
    assert client.post_form("/sign-out").status_code == 302
    assert client.get("/profile").status_code == 302
    assert client_as(None).get("/profile").status_code == 302


def test_client_as_takes_an_account_and_drops_it_when_deactivated(client_as, in_app):
    with in_app():
        person = factories.user(display_name="Made For This Test")
    client = client_as(person)
    assert "Made For This Test" in client.get("/profile").text
    with in_app() as session:
        session.get(User, person.id).is_active = False
    assert client.get("/profile").status_code == 302


def test_api_as_sends_a_token_of_its_own_made_in_the_test(api_as, in_app):
    with in_app() as session:
        tokens_before = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == AuditAction.TOKEN_CREATED))
    caller = api_as("cp.kr")
    assert caller.get("/api/v1/me").json["email"] == demo("cp.kr")
    assert api_as("cp.kr").secret == caller.secret  # one token per account and test
    assert_api_error(api_as().get("/api/v1/me"), 401, "missing_token")
    with in_app() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == AuditAction.TOKEN_CREATED)) == tokens_before + 1


def test_assert_api_error_refuses_what_is_not_the_error_asked(client, api_as):
    with pytest.raises(AssertionError):
        assert_api_error(client.get("/profile"), 302, "not_found")  # a page, not JSON
    refused = api_as("cp.kr").get("/api/v1/nothing-here")
    with pytest.raises(AssertionError):
        assert_api_error(refused, 404, "forbidden")
    with pytest.raises(AssertionError):
        assert_api_error(refused, 404, "not_found", field="title")
    assert assert_api_error(refused, 404, "not_found")["message"]


def test_the_factories_build_an_operation_by_the_rules(in_app, api_as):
    with in_app():
        secretariat = factories.secretariat()
        operation = factories.operation(actor=secretariat)
        reporting = factories.membership(factories.participation(operation, actor=secretariat),
                                         actor=secretariat)
        coordinator = factories.member(operation, OperationRole.COORDINATOR, actor=secretariat,
                                       organisation=operation.host_organisation)
        observer = factories.member(
            operation, OperationRole.OBSERVER, actor=secretariat,
            organisation=factories.organisation(kind=OrganisationKind.INTERNATIONAL_ORGANISATION))
        statuses = [factories.participation(operation, status=status, actor=secretariat).status
                    for status in ParticipationStatus]
        periods = factories.periods(operation)
        filed = factories.period_return(reporting.participation, periods[0],
                                        actor=reporting.user, kind=ReturnKind.SEIZURES)
        url = f"/api/v1/operations/{operation.id}"
    assert statuses == list(ParticipationStatus)
    assert (len(periods), filed.seizure_count) == (4, 1)
    bodies = [api_as(person).get(url).json for person in (reporting.user, coordinator, observer)]
    assert [body["caller_role"] for body in bodies] == ["contact_point", "coordinator",
                                                        "observer"]
    assert bodies[0]["current_phase"]["kind"] == "operational"


def test_assert_complete_names_a_route_without_an_entry():
    matrix = AccessMatrix(roles=["anyone"], entries=[
        Entry("get", "api.get_operation", "GET", (200,))])
    with pytest.raises(AssertionError, match="api.update_operation"):
        assert_complete(rules_under("/api/v1/operations"), matrix)
    with pytest.raises(AssertionError, match="statuses for"):
        AccessMatrix(roles=["anyone"], entries=[
            Entry("get", "api.get_operation", "GET", {"someone": 200})])
