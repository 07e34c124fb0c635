"""Whose returns and reminders a caller sees is decided once (OperationAccess.reporting_rows).

The reporting page, its CSV, the dashboard, the activity feed and the API all read
``queries.compliance_table`` / ``queries.latest_activity`` with the caller's standing,
so they can only agree; these tests pin the rule at the query and check that the
API and the pages show the same rows.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.permissions import AccessRole
from opsplatform.operations import queries
from opsplatform.operations.access import OperationAccess, standing_in
from opsplatform.operations.models import Operation
from opsplatform.operations.queries import PER_ADMINISTRATION_REPORTING
from tests.support.clients import demo


def _standing(session, local_part: str) -> tuple[Operation, OperationAccess]:
    operation = session.scalar(select(Operation).where(Operation.code == "CATALYST-DEMO"))
    user = find_user_by_email(demo(local_part))
    return operation, standing_in(user, operation)


def _reporting_codes(operation: Operation) -> set[str]:
    everyone = OperationAccess(AccessRole.SECRETARIAT)
    return {row.organisation_code for row in queries.compliance_table(operation, everyone).rows}


@pytest.mark.parametrize(("local_part", "sees"), [
    ("secretariat", "all"), ("ocu", "all"), ("cp.kr", {"KR"}), ("cp.jp", {"JP"}),
    ("observer", set()),
])
def test_each_role_gets_the_rows_it_may_see_and_the_whole_tables_totals(
        in_app, local_part, sees):
    with in_app() as session:
        operation, access = _standing(session, local_part)
        everyone = queries.compliance_table(operation, OperationAccess(AccessRole.SECRETARIAT))
        table = queries.compliance_table(operation, access)
        codes = {row.organisation_code for row in table.rows}
        assert codes == (_reporting_codes(operation) if sees == "all" else sees)
        assert len(everyone.rows) > 2
        # Totals name no administration: every member sees the whole table's.
        assert +table.totals == +everyone.totals


def test_own_only_narrows_to_the_callers_row_even_for_a_coordinator(in_app):
    with in_app() as session:
        operation, access = _standing(session, "cp.kr")
        assert [r.organisation_code for r in queries.compliance_table(
            operation, access, own_only=True).rows] == ["KR"]
        operation, secretariat = _standing(session, "secretariat")
        # The secretariat's organisation does not report: no own row, whole totals.
        table = queries.compliance_table(operation, secretariat, own_only=True)
        assert table.rows == []
        assert sum(table.totals.values()) > 0


@pytest.mark.parametrize("local_part", ["cp.kr", "cp.es", "observer"])
def test_the_activity_feed_shows_returns_and_reminders_of_the_callers_own_only(
        in_app, local_part):
    with in_app() as session:
        operation, access = _standing(session, local_part)
        own = access.participation.organisation.code
        _, secretariat = _standing(session, "secretariat")
        everything = queries.latest_activity(operation, secretariat, limit=500)
        assert {e.subject for e in everything if e.action in PER_ADMINISTRATION_REPORTING} - {
            own}, "the demo should hold other administrations' returns"
        seen = queries.latest_activity(operation, access, limit=500)
        assert {e.subject for e in seen if e.action in PER_ADMINISTRATION_REPORTING} <= {own}
        # Everything else is the same feed.
        assert [e.id for e in seen if e.action not in PER_ADMINISTRATION_REPORTING] == [
            e.id for e in everything if e.action not in PER_ADMINISTRATION_REPORTING]


def test_the_api_and_the_page_show_the_same_rows(client_as, api_as, in_app):
    """A contact point: its own row in the API, and no other administration on the page."""
    with in_app() as session:
        operation, _access = _standing(session, "cp.kr")
        others = _reporting_codes(operation) - {"KR"}
        operation_id = operation.id
    api = api_as("cp.kr").get(f"/api/v1/operations/{operation_id}/compliance")
    assert [row["organisation"] for row in api.json["administrations"]] == ["KR"]
    page = client_as("cp.kr").get(f"/operations/{operation_id}/reporting").text
    assert "Your administration (KR)" in page
    assert not any(f"<th scope=\"row\">{code}" in page for code in others)
