"""The operations domain's chart adapters: plain data in, the charts the pages have drawn."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from flask import has_request_context
from sqlalchemy import select

from opsplatform.core import charts
from opsplatform.core.charts import Segment
from opsplatform.core.db import utcnow
from opsplatform.core.permissions import AccessRole
from opsplatform.operations import queries
from opsplatform.operations.access import OperationAccess
from opsplatform.operations.charts import (
    TimelinePhase,
    compliance_chart,
    compliance_segments,
    timeline_chart,
    timeline_phases,
)
from opsplatform.operations.models import Operation
from opsplatform.operations.queries import CellStatus

# The secretariat's standing: every administration's row.
SEES_EVERY_ROW = OperationAccess(AccessRole.SECRETARIAT)


def _operation(session, code: str = "CATALYST-DEMO") -> Operation:
    return session.scalar(select(Operation).where(Operation.code == code))


def _days_to_draw(operation: Operation) -> list[date]:
    """Before, at each edge of each phase, and after: every case of the current phase."""
    days = [operation.phases[0].starts_on - timedelta(days=10)]
    for phase in operation.phases:
        days += [phase.starts_on, phase.ends_on or phase.starts_on + timedelta(days=60)]
    return days


# The views' code before the adapters, kept here as the reference they must match.
def _dashboard_timeline_before(operation: Operation, today: date):
    return charts.phase_timeline(operation.phases, today, id_prefix="timeline",
                                 current=operation.phase_on(today))


def _compliance_chart_before(totals: Counter, id_prefix: str):
    segments = [{"label": status.label, "value": totals[status], "kind": kind}
                for status, kind in [(CellStatus.SEIZURES, "reported"), (CellStatus.NIL, "nil"),
                                     (CellStatus.OVERDUE, "missing"), (CellStatus.DUE, "pending")]]
    return charts.stacked_bar(segments, id_prefix=id_prefix,
                              title="Returns for the periods so far")


# -- the phase timeline ---------------------------------------------------------------------------


def test_timeline_phases_are_plain_data_with_the_current_phase_marked(in_app, ids):
    with in_app() as session:
        operation = _operation(session)
        today = operation.operational_phase.starts_on + timedelta(days=3)
        phases = timeline_phases(operation, today)
    # Read after the session has closed: nothing in them is loaded from the database.
    assert all(type(phase) is TimelinePhase for phase in phases)
    assert [(p.kind, p.name, p.starts_on, p.ends_on) for p in phases] == ids.phases
    assert [p.kind for p in phases if p.is_current] == ["operational"]
    # Outside any app context the chart draws from them alone.
    svg = str(timeline_chart(phases, today, id_prefix="plan"))
    assert 'aria-labelledby="plan-title plan-desc"' in svg
    assert re.findall(r"<title>([^<]*) phase \(current\)", svg) == ["Operational"]


@pytest.mark.parametrize("code", ["CATALYST-DEMO", "PRECURSOR-DEMO"])
def test_timeline_chart_draws_what_the_dashboard_drew(in_app, code):
    with in_app() as session:
        operation = _operation(session, code)
        for day in _days_to_draw(operation):
            assert str(timeline_chart(timeline_phases(operation, day), day)) == str(
                _dashboard_timeline_before(operation, day)), day


def test_an_operation_closed_early_shows_its_closing_phase_as_current(in_app):
    with in_app() as session:
        operation = _operation(session)
        operation.closed_at = utcnow()
        day = operation.operational_phase.starts_on
        phases = timeline_phases(operation, day)
        assert [p.kind for p in phases if p.is_current] == ["closed"]
        chart = timeline_chart(phases, day)
        assert str(chart) == str(_dashboard_timeline_before(operation, day))
    assert re.findall(r"<title>([^<:]*\(current\))", str(chart)) == ["Closed phase (current)"]


def test_timeline_chart_without_a_current_phase_or_phases():
    phases = [TimelinePhase("Planning", "planning", date(2026, 1, 1), date(2026, 1, 31))]
    assert "(current)" not in str(timeline_chart(phases, date(2026, 1, 10)))
    assert "No phases planned" in str(timeline_chart([], date(2026, 1, 10)))


# -- the returns summary ---------------------------------------------------------------------------


def test_compliance_segments_from_a_counter_or_plain_counts():
    totals = Counter({CellStatus.SEIZURES: 5, CellStatus.NIL: 2, CellStatus.OVERDUE: 1,
                      CellStatus.UPCOMING: 9})
    segments = compliance_segments(totals)
    assert segments == [Segment("Seizures reported", 5, "reported"),
                        Segment("Nil return", 2, "nil"),
                        Segment("Not reported, overdue", 1, "missing"),
                        Segment("Not reported, not yet due", 0, "pending")]
    # Counts keyed by the status values, as an SQL aggregate gives them; periods not
    # started owe nothing and are left out.
    assert compliance_segments({"seizures": 5, "nil": 2, "overdue": 1, "upcoming": 9}) == segments


def test_compliance_chart_draws_what_the_pages_drew(in_app):
    with in_app() as session:
        operation = _operation(session)
        first = operation.operational_phase.starts_on
        assert sum(queries.compliance_totals(operation).values()) > 0
        for totals in (queries.compliance_totals(operation),
                       queries.compliance_table(operation, SEES_EVERY_ROW).totals,
                       queries.compliance_totals(operation, today=first + timedelta(days=40)),
                       Counter()):
            assert str(compliance_chart(totals, id_prefix="compliance-summary")) == str(
                _compliance_chart_before(totals, "compliance-summary"))


def test_compliance_chart_takes_a_title():
    svg = str(compliance_chart({"nil": 1}, id_prefix="pack-returns", title="Returns, week 3"))
    assert '<title id="pack-returns-title">Returns, week 3</title>' in svg


# -- the pages draw them, and a job without a request draws the same ---------------------------


def test_the_pages_show_the_charts_the_adapters_draw_without_a_request(client_as, in_app, ids):
    client = client_as("secretariat")
    today = date.today()
    dashboard = client.get(f"/operations/{ids.catalyst}").text
    reporting = client.get(f"/operations/{ids.catalyst}/reporting").text
    with in_app() as session:
        assert not has_request_context()
        operation = session.get(Operation, ids.catalyst)
        # The dashboard lists the phases in text under the timeline, without its legend.
        timeline = timeline_chart(timeline_phases(operation, today), today, legend=False)
        # So does its returns chart, its legend the text list under it.
        summary = compliance_chart(queries.compliance_totals(operation, today=today),
                                   id_prefix="compliance-summary", legend=False)
        table = queries.compliance_table(operation, SEES_EVERY_ROW, today=today)
        # The reporting page lists the statuses in text beside the bar, without its legend.
        reporting_summary = compliance_chart(table.totals, id_prefix="reporting-summary",
                                             legend=False)
    assert str(timeline) in dashboard
    assert str(summary) in dashboard
    assert str(reporting_summary) in reporting
