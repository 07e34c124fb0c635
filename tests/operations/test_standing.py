"""Who stands where: named invitees, inactive organisations, organisers left withdrawn."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from config import ConfigurationError
from opsplatform import create_app
from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.errors import DomainError
from opsplatform.operations import operations, participants
from opsplatform.operations.models import (
    Operation,
    Participation,
    ParticipationStatus,
    PhaseKind,
)
from opsplatform.organisations.models import Organisation
from opsplatform.organisations.operations import find_by_code
from tests.support import factories
from tests.support.clients import demo


def _catalyst(session) -> Operation:
    return session.scalar(select(Operation).where(Operation.code == "CATALYST-DEMO"))


def test_when_an_invitation_names_people_only_they_can_answer_it(client_as, in_app):
    with in_app() as session:
        operation = _catalyst(session)
        named, other = (factories.user(organisation=find_by_code("PL")) for _ in range(2))
        participants.invite(operation, find_by_code("PL"), actor=find_user_by_email(
            demo("secretariat")), contact_points=[named])
        operation_id = operation.id

    client = client_as(other)
    assert client.get(f"/operations/{operation_id}").status_code == 404
    assert "CATALYST-DEMO" not in client.get("/operations/").text
    assert client.post_form(f"/operations/{operation_id}/invitation/accept").status_code == 404

    named = client_as(named)
    page = named.get(f"/operations/{operation_id}")
    assert page.status_code == 200 and "Accept for PL" in page.text
    assert named.post_form(f"/operations/{operation_id}/invitation/accept").status_code == 302
    assert named.get(f"/operations/{operation_id}/participants").status_code == 200


def test_when_nobody_is_named_anyone_of_the_administration_can_answer(client_as, in_app):
    with in_app() as session:
        operation = _catalyst(session)
        anyone = factories.user(organisation=find_by_code("PL"))
        participants.invite(operation, find_by_code("PL"),
                            actor=find_user_by_email(demo("secretariat")))
        operation_id = operation.id
    assert "Accept for PL" in client_as(anyone).get(f"/operations/{operation_id}").text


def test_people_of_a_deactivated_organisation_lose_access(client_as, in_app):
    client = client_as("cp.jp")
    with in_app() as session:
        operation_id = _catalyst(session).id
    assert client.get(f"/operations/{operation_id}").status_code == 200
    with in_app() as session:
        session.scalar(select(Organisation).where(Organisation.code == "JP")).is_active = False
    assert client.get(f"/operations/{operation_id}").status_code == 404
    assert "CATALYST-DEMO" not in client.get("/").text
    assert "CATALYST-DEMO" not in client.get("/operations/").text


def test_a_withdrawn_organiser_stays_withdrawn_when_the_plan_is_saved(in_app):
    with in_app() as session:
        operation = _catalyst(session)
        secretariat = find_user_by_email(demo("secretariat"))
        rilo = session.scalar(select(Participation).join(Participation.organisation).where(
            Participation.operation_id == operation.id, Organisation.code == "RILO-AP"))
        participants.withdraw_participation(rilo, actor=secretariat)
        fields = operations.PlanFields(
            code=operation.code, title=operation.title + " (renamed)",
            host=operation.host_organisation, organisers=list(operation.organisers),
            summary=operation.summary, objectives=operation.objectives,
            substance_groups=operation.substance_groups,
            transport_modes=operation.transport_modes,
            handling_code=operation.handling_code, tlp=operation.tlp,
            reporting_frequency=operation.reporting_frequency,
            report_deadline_days=operation.report_deadline_days)
        operations.update_operation(operation, fields, actor=secretariat)
        assert rilo.status is ParticipationStatus.WITHDRAWN
        # Naming a new organiser brings it in.
        fields.organisers = [*fields.organisers, find_by_code("RILO-WE")]
        operations.update_operation(operation, fields, actor=secretariat)
        rilo_we = session.scalar(select(Participation).join(Participation.organisation).where(
            Participation.operation_id == operation.id, Organisation.code == "RILO-WE"))
        assert rilo_we.status is ParticipationStatus.ACCEPTED
        assert rilo.status is ParticipationStatus.WITHDRAWN


def test_an_operational_phase_longer_than_a_year_is_refused(in_app):
    with in_app() as session:
        operation = _catalyst(session)
        before = [(p.starts_on, p.ends_on) for p in operation.phases]
        with pytest.raises(DomainError) as refused:
            operations.set_phases(operation, [operations.PhaseFields(
                PhaseKind.OPERATIONAL, "Endless", date(2026, 1, 1), date(2027, 6, 1))],
                actor=find_user_by_email(demo("secretariat")))
        assert refused.value.code == "operational_phase_too_long"
        assert [(p.starts_on, p.ends_on) for p in operation.phases] == before


def test_a_malformed_data_key_stops_the_app_at_start(tmp_path):
    with pytest.raises(ConfigurationError, match="not 32 bytes"):
        create_app({"DATA_KEYS": "c2hvcnQ="}, instance_path=tmp_path,
                   environ={"OPSPLATFORM_ENV": "testing"})
