"""Reporting reminders become messages: each administration reminded gets an urgent
request asking for acknowledgement, addressed to it alone (and an e-mail notice), while
the Reminder row the reporting tables read is kept. On CATALYST-DEMO: ES, FR, NZ and TH
have not reported for period 2 (tests/operations/test_compliance_views.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from opsplatform.messaging.models import Message, MessageKind, MessagePriority
from opsplatform.operations import compliance
from opsplatform.operations.models import (
    Operation,
    OperationRole,
    Reminder,
    ReportingPeriod,
)
from opsplatform.organisations.models import Organisation
from tests.messaging.test_notifications import mailbox  # noqa: F401  (a fixture)
from tests.support import factories
from tests.support.clients import demo

REMINDED = ["ES", "FR", "NZ", "TH"]


@pytest.fixture
def catalyst(in_app) -> tuple[int, int]:
    """CATALYST-DEMO's id and its second period's."""
    with in_app() as session:
        operation = session.scalar(select(Operation.id).where(Operation.code == "CATALYST-DEMO"))
        period = list(session.scalars(select(ReportingPeriod.id).where(
            ReportingPeriod.operation_id == operation).order_by(ReportingPeriod.starts_on)))[1]
        return operation, period


def _remind(client_as, catalyst, who="ocu"):
    operation, period = catalyst
    client = client_as(who)
    prefix = f"remind-{period}-"
    return client.post_form(f"/operations/{operation}/reporting/periods/{period}/reminders", {
        f"{prefix}csrf_token": client.csrf_token(), f"{prefix}scope": "all",
        f"{prefix}message": "Please file it today."})


def _reminder_messages(session, operation_id: int) -> list[Message]:
    """The reminders' messages sent by the test (the demo's own came before them)."""
    return list(session.scalars(select(Message).where(
        Message.operation_id == operation_id, Message.subject.like("Return for %"),
        Message.id > DEMO_LAST_MESSAGE[0]).order_by(Message.id)))


DEMO_LAST_MESSAGE = [0]


@pytest.fixture(autouse=True)
def _last_demo_message(in_app):
    with in_app() as session:
        DEMO_LAST_MESSAGE[0] = session.scalar(select(func.max(Message.id))) or 0


@pytest.mark.parametrize("who", ["ocu", "secretariat"])
def test_each_administration_reminded_gets_its_own_message(client_as, in_app, catalyst, who,
                                                           mailbox):  # noqa: F811
    assert _remind(client_as, catalyst, who).status_code == 302
    with in_app() as session:
        messages = _reminder_messages(session, catalyst[0])
        addressed = [[a.organisation.code for a in m.addressees] for m in messages]
        assert sorted(addressed) == [[code] for code in REMINDED]
        for message in messages:
            assert message.kind is MessageKind.REQUEST
            assert message.priority is MessagePriority.URGENT and message.requires_ack
            assert message.subject.endswith(" overdue") and "–" in message.subject
            assert message.sender.email == demo(who)
            assert "Please file it today." in message.body
        # The reporting tables still read the reminders.
        reminded = session.scalars(select(Organisation.code).join(
            Reminder, Reminder.organisation_id == Organisation.id).where(
            Reminder.period_id == catalyst[1]))
        assert sorted(reminded) == REMINDED
    # The notices go to the people of those administrations only.
    assert mailbox.recipients == {demo(f"cp.{code.lower()}") for code in REMINDED}


def test_the_reminded_administration_sees_its_message_and_no_other(client_as, in_app,
                                                                   catalyst):
    _remind(client_as, catalyst)
    with in_app() as session:
        by_code = {m.addressees[0].organisation.code: m.id
                   for m in _reminder_messages(session, catalyst[0])}
    es = client_as("cp.es")
    assert es.get(f"/operations/{catalyst[0]}/messages/{by_code['ES']}").status_code == 200
    assert es.get(f"/operations/{catalyst[0]}/messages/{by_code['FR']}").status_code == 404
    # Awaiting Spain's acknowledgement: on its home page.
    assert f"/operations/{catalyst[0]}/messages/{by_code['ES']}" in es.get("/").text


def test_a_coordinator_reminding_their_own_administration_sends_it_no_message(in_app):
    with in_app() as session:
        secretariat = factories.secretariat()
        host = factories.organisation()
        operation = factories.operation(actor=secretariat, host=host)
        coordinator = factories.member(operation, OperationRole.COORDINATOR,
                                       actor=secretariat, organisation=host)
        other = factories.member(operation, actor=secretariat)
        period = factories.periods(operation)[0]
        reminders = compliance.send_reminders(operation, period, actor=coordinator)
        assert {r.organisation_id for r in reminders} >= {host.id, other.organisation_id}
        messages = session.scalars(select(Message).where(
            Message.operation_id == operation.id)).all()
        assert [[a.organisation_id for a in m.addressees] for m in messages] == [
            [other.organisation_id]]
