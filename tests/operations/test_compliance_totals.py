"""The dashboard's totals, counted in SQL, agree with the full compliance table."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.permissions import AccessRole
from opsplatform.operations import participants, queries
from opsplatform.operations.access import OperationAccess
from opsplatform.operations.models import Operation, Participation
from opsplatform.organisations.models import Organisation
from tests.support.clients import demo

# The secretariat's standing: every administration's row.
SEES_EVERY_ROW = OperationAccess(AccessRole.SECRETARIAT)


def _catalyst(session) -> Operation:
    return session.scalar(select(Operation).where(Operation.code == "CATALYST-DEMO"))


def _agree(operation, today=None) -> None:
    table = queries.compliance_table(operation, SEES_EVERY_ROW, today=today)
    totals = queries.compliance_totals(operation, today=today)
    assert {k: v for k, v in totals.items() if v} == {k: v for k, v in table.totals.items() if v}


def test_totals_agree_with_the_table_on_the_demo(in_app):
    with in_app() as session:
        operation = _catalyst(session)
        assert sum(queries.compliance_totals(operation).values()) > 0
        _agree(operation)
        first = operation.operational_phase.starts_on
        _agree(operation, today=first - timedelta(days=1))
        _agree(operation, today=first + timedelta(days=40))


def test_a_withdrawn_administration_no_longer_counts(in_app):
    with in_app() as session:
        operation = _catalyst(session)
        before = queries.compliance_totals(operation)
        france = session.scalar(select(Participation).join(Participation.organisation).where(
            Participation.operation_id == operation.id, Organisation.code == "FR"))
        participants.withdraw_participation(france, actor=find_user_by_email(demo("secretariat")))
        after = queries.compliance_totals(operation)
        assert sum(after.values()) == sum(before.values()) - len(
            queries.compliance_table(operation, SEES_EVERY_ROW).periods)
        _agree(operation)


def test_the_dashboard_shows_the_totals_and_only_the_viewers_row(client_as, in_app):
    with in_app() as session:
        operation_id = _catalyst(session).id
    page = client_as("cp.jp").get(f"/operations/{operation_id}").text
    assert "Your administration (JP)" in page
    assert "Returns for the periods so far" in page
