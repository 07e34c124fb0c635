"""The dashboard's own queries give what the general ones give, in fewer statements.

``queries.compliance_summary`` is ``compliance_table(..., own_only=True)`` read in two
queries; ``queries.dashboard_counts`` is ``participant_counts`` and ``document_count``
in one; the charts drawn for the dashboard are kept by their data, so a change of the
data draws anew.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.db import Database
from opsplatform.core.permissions import AccessRole
from opsplatform.operations import charts, queries
from opsplatform.operations.access import OperationAccess, standing_in
from opsplatform.operations.models import Operation
from tests.support.clients import demo

ROLES = ["secretariat", "ocu", "cp.kr", "cp.jp", "cp.es", "observer"]


def _standing(session, local_part: str, code: str = "CATALYST-DEMO"):
    operation = session.scalar(select(Operation).where(Operation.code == code))
    user = find_user_by_email(demo(local_part))
    return operation, standing_in(user, operation)


def _cells(table):
    return [[(c.period_id, c.status, c.seizure_count, c.filed_at, c.last_reminded_at)
             for c in row.cells] for row in table.rows]


class _Statements:
    def __init__(self, app):
        self.count = 0
        self.engine = Database.state(app).engine

    def _seen(self, *_args):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.mark.parametrize("local_part", ROLES)
@pytest.mark.parametrize("day", [0, 10, 40])
def test_the_summary_is_the_own_only_table(in_app, local_part, day):
    with in_app() as session:
        operation, access = _standing(session, local_part)
        today = date.today() + timedelta(days=day)
        expected = queries.compliance_table(operation, access, own_only=True, today=today)
        summary = queries.compliance_summary(operation, access, today=today)
        assert [p.id for p in summary.periods] == [p.id for p in expected.periods]
        assert [(r.organisation_id, r.organisation_code, r.organisation_name)
                for r in summary.rows] == [(r.organisation_id, r.organisation_code,
                                            r.organisation_name) for r in expected.rows]
        assert _cells(summary) == _cells(expected)
        assert +summary.totals == +expected.totals


def test_a_contact_point_has_its_row_and_the_whole_totals(in_app):
    with in_app() as session:
        operation, access = _standing(session, "cp.kr")
        summary = queries.compliance_summary(operation, access)
        everyone = queries.compliance_table(operation, OperationAccess(AccessRole.SECRETARIAT))
        assert [row.organisation_code for row in summary.rows] == ["KR"]
        assert summary.periods, "the demo operation has reporting periods"
        assert +summary.totals == +everyone.totals


def test_the_summary_takes_two_statements(app, in_app):
    with in_app() as session:
        operation, access = _standing(session, "cp.kr")
        access.participation.organisation  # noqa: B018 (loaded, as the request has it)
        with _Statements(app) as statements:
            queries.compliance_summary(operation, access)
        assert statements.count == 2


@pytest.mark.parametrize("code", ["CATALYST-DEMO"])
def test_dashboard_counts_are_the_participant_and_document_counts(in_app, code):
    with in_app() as session:
        operation = session.scalar(select(Operation).where(Operation.code == code))
        statuses, documents = queries.dashboard_counts(operation)
        assert statuses == queries.participant_counts([operation.id])[operation.id]
        assert documents == queries.document_count(operation)
        assert sum(statuses.values()) > 0


def test_a_chart_is_drawn_anew_when_its_data_changes(in_app):
    with in_app() as session:
        operation = session.scalar(select(Operation).where(Operation.code == "CATALYST-DEMO"))
        today = date.today()
        phases = charts.timeline_phases(operation, today)
        first = charts.timeline_chart(phases, today)
        assert charts.timeline_chart(list(phases), today) is first
        renamed = [type(phases[0])(**{**vars(phases[0]), "name": "Renamed phase"}),
                   *phases[1:]]
        assert "Renamed phase" in charts.timeline_chart(renamed, today)
        assert "Renamed phase" not in first
        bar = charts.compliance_chart({queries.CellStatus.NIL: 3}, id_prefix="t")
        other = charts.compliance_chart({queries.CellStatus.NIL: 4}, id_prefix="t")
        assert bar != other
