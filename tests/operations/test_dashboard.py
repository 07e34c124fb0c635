"""The operation dashboard says where the operation stands (issue 8, item 4).

Its cards each say something of their own; the timeline and the list under it never cut
a phase's name; the activity says which period a return, reminder or lock is about; who
is overdue shows to those who see every administration's returns (their own to contact
points); an operation in preparation is not "Under way", and the "planned" filter finds it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import event

from opsplatform.audit.models import AuditAction
from opsplatform.audit.operations import record
from opsplatform.core.db import Database
from opsplatform.operations import compliance, queries
from opsplatform.operations.access import standing_in
from opsplatform.operations.models import (
    Operation,
    OperationRole,
    Participation,
    PhaseKind,
    ReportingPeriod,
)
from opsplatform.operations.operations import PhaseFields, phase_template
from opsplatform.organisations.models import OrganisationKind
from tests.support import factories

TODAY = date.today()
# A phase name as long as a phase name may be (100 characters).
LONG_NAME = ("Debriefing of every participating administration's front-line officers, "
             "analysts and liaison staff")


def _day(value: date) -> str:
    return format_date(value, "medium", locale="en")


def _span(start: date, end: date) -> str:
    return f"{_day(start)} – {_day(end)}"


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _section(page, title_id: str) -> str | None:
    found = re.search(rf'<section[^>]*aria-labelledby="{title_id}".*?</section>', page.text,
                      re.DOTALL)
    return found.group(0) if found else None


def _cards(page) -> list[str]:
    grid = re.search(r'<div class="stat-grid[^"]*">(.*?)\n</div>', page.text, re.DOTALL)
    return [_text(card) for card in re.findall(r'<div class="stat">(.*?)</div>', grid.group(1),
                                                re.DOTALL)]


def _activity(page) -> list[str]:
    return [_text(item).split(" — ", 1)[1]
            for item in re.findall(r"<li>(.*?)</li>", _section(page, "activity-title"),
                                   re.DOTALL)]


@dataclass
class World:
    operation_id: int
    periods: list  # (id, starts_on, ends_on)
    people: dict
    codes: dict


@pytest.fixture
def world(in_app) -> World:
    """An operation 14 days into its operational phase (weekly period 1 overdue, 2 due
    tomorrow, 3 started today), hosted by an administration whose person coordinates; two
    more administrations report through their contact points; an observer."""
    with in_app():
        secretariat = factories.secretariat()
        host = factories.organisation()
        operation = factories.operation(actor=secretariat, host=host, phases=[
            *phase_template(TODAY - timedelta(days=84))[:2],
            PhaseFields(PhaseKind.OPERATIONAL, "Operational", TODAY - timedelta(days=14),
                        TODAY + timedelta(days=13)),
            PhaseFields(PhaseKind.POST_OPERATIONAL, LONG_NAME, TODAY + timedelta(days=14),
                        TODAY + timedelta(days=40))])
        coordinator = factories.member(operation, OperationRole.COORDINATOR, actor=secretariat,
                                       organisation=host)
        filer = factories.member(operation, actor=secretariat)
        late = factories.member(operation, actor=secretariat)
        observer = factories.member(operation, OperationRole.OBSERVER, actor=secretariat,
                                    organisation=factories.organisation(
                                        kind=OrganisationKind.INTERNATIONAL_ORGANISATION))
        periods = factories.periods(operation)
        return World(operation.id, [(p.id, p.starts_on, p.ends_on) for p in periods],
                     {"secretariat": secretariat, "coordinator": coordinator, "filer": filer,
                      "late": late, "observer": observer},
                     {"host": host.code, "filer": filer.organisation.code,
                      "late": late.organisation.code})


def _participation(session, world: World, who: str):
    person = world.people[who]
    return session.query(Participation).filter_by(
        operation_id=world.operation_id, organisation_id=person.organisation_id).one()


def _period(session, world: World, index: int):
    return session.get(ReportingPeriod, world.periods[index][0])


# -- activity -------------------------------------------------------------------------------


def test_the_activity_says_which_period_a_return_reminder_or_lock_is_for(client_as, in_app,
                                                                         world):
    with in_app() as session:
        filer = _participation(session, world, "filer")
        first, second = _period(session, world, 0), _period(session, world, 1)
        person = session.merge(world.people["filer"])
        coordinator = session.merge(world.people["coordinator"])
        nil = factories.period_return(filer, first, actor=person)
        factories.period_return(filer, second, actor=person, kind="seizures", seizure_count=3)
        compliance.correct_return(nil, kind="seizures", seizure_count=2, actor=person)
        compliance.send_reminders(first.operation, first, actor=coordinator)
        compliance.set_period_lock(first, locked=True, actor=coordinator)
    code, late = world.codes["filer"], world.codes["late"]
    first_span = _span(*world.periods[0][1:])
    second_span = _span(*world.periods[1][1:])
    shown = _activity(client_as(world.people["coordinator"]).get(
        f"/operations/{world.operation_id}"))
    name, boss = world.people["filer"].display_name, world.people["coordinator"].display_name
    assert f"{code} filed a nil return for {first_span} ({name})." in shown
    assert f"{code} reported 3 seizures for {second_span} ({name})." in shown
    assert f"{code} corrected its return for {first_span} to 2 seizures ({name})." in shown
    assert f"{boss} reminded {late} to report for {first_span}." in shown
    assert f"{boss} locked the reporting period {first_span}." in shown
    # The filer's own contact point sees its returns, not the reminder to another.
    own = _activity(client_as(world.people["filer"]).get(f"/operations/{world.operation_id}"))
    assert f"{code} reported 3 seizures for {second_span} ({name})." in own
    assert not any(f"reminded {late}" in line for line in own)


def test_entries_recorded_without_their_period_read_as_before(client_as, in_app, world):
    with in_app() as session:
        filer = _participation(session, world, "filer")
        person = session.merge(world.people["filer"])
        for action in (AuditAction.RETURN_FILED, AuditAction.RETURN_CORRECTED):
            record(action, actor=person, operation=world.operation_id,
                   subject=filer.organisation.code, details={"kind": "nil"})
        record(AuditAction.REMINDER_SENT, actor=person, operation=world.operation_id,
               subject=filer.organisation.code, details={"period": ["not a day", None]})
    shown = _activity(client_as("secretariat").get(f"/operations/{world.operation_id}"))
    code, name = world.codes["filer"], world.people["filer"].display_name
    assert shown[:3] == [f"{name} reminded {code} to report.",
                         f"{code} corrected a return ({name}).",
                         f"{code} filed a return ({name})."]


# -- who is overdue -------------------------------------------------------------------------


def _overdue(page) -> list[str]:
    section = _section(page, "overdue-title")
    return [] if section is None else [
        _text(item) for item in re.findall(r'<li class="overdue__item">(.*?)</li>', section,
                                           re.DOTALL)]


def test_the_coordinator_sees_every_administration_overdue(client_as, in_app, world):
    with in_app() as session:
        first = _period(session, world, 0)
        factories.period_return(_participation(session, world, "filer"), first,
                                actor=session.merge(world.people["filer"]))
        compliance.send_reminders(first.operation, first,
                                  actor=session.merge(world.people["coordinator"]))
    page = client_as(world.people["coordinator"]).get(f"/operations/{world.operation_id}")
    overdue = _overdue(page)
    # Period 1's deadline passed six days ago; period 2's return is not due until tomorrow.
    assert [line.split(" ")[0] for line in overdue] == sorted(
        [world.codes["host"], world.codes["late"]])
    span = _span(*world.periods[0][1:])
    assert all(f"1 return overdue, the latest for {span}; the first was due 6 days ago." in line
               and "Last reminded " in line for line in overdue)
    section = _section(page, "overdue-title")
    assert "Remind them on the reporting page" in section
    assert f'href="/operations/{world.operation_id}/reporting"' in section
    # The secretariat sees the same; a contact point only its own.
    assert _overdue(client_as("secretariat").get(f"/operations/{world.operation_id}")) == overdue
    own = client_as(world.people["late"]).get(f"/operations/{world.operation_id}")
    assert [line.split(" ")[0] for line in _overdue(own)] == [world.codes["late"]]
    assert "Your overdue returns" in _section(own, "overdue-title")
    assert world.codes["host"] not in _section(own, "overdue-title")
    # Up to date, or without returns to file: nothing to show.
    assert _section(client_as(world.people["filer"]).get(
        f"/operations/{world.operation_id}"), "overdue-title") is None
    assert _section(client_as(world.people["observer"]).get(
        f"/operations/{world.operation_id}"), "overdue-title") is None


def test_the_overdue_list_is_bounded_and_leads_to_the_reporting_page(client_as, in_app, world):
    with in_app() as session:
        operation = session.get(Operation, world.operation_id)
        secretariat = session.merge(world.people["secretariat"])
        for _n in range(10):
            factories.participation(operation, actor=secretariat)
    page = client_as(world.people["coordinator"]).get(f"/operations/{world.operation_id}")
    assert len(_overdue(page)) == 10  # of 13: the host, both contact points' and ten more
    section = _section(page, "overdue-title")
    assert "and 3 more administrations: see the reporting page" in _text(section)


def test_nobody_overdue_is_said_to_the_coordinator(client_as, in_app, world):
    with in_app() as session:
        first = _period(session, world, 0)
        for who in ("filer", "late"):
            factories.period_return(_participation(session, world, who), first,
                                    actor=session.merge(world.people[who]))
        host = factories.member(first.operation, actor=session.merge(world.people["secretariat"]),
                                organisation=session.merge(world.people["coordinator"]).organisation)
        factories.period_return(_participation(session, world, "coordinator"), first, actor=host)
    page = client_as(world.people["coordinator"]).get(f"/operations/{world.operation_id}")
    assert _overdue(page) == []
    assert "No return is overdue." in _section(page, "overdue-title")


def test_the_overdue_list_takes_one_statement_whatever_its_length(app, in_app, world):

    def statements_for_overdue() -> int:
        seen = []
        engine = Database.state(app).engine
        listener = lambda *args: seen.append(1)  # noqa: E731
        with in_app() as session:
            operation = session.get(Operation, world.operation_id)
            access = standing_in(session.merge(world.people["coordinator"]), operation)
            event.listen(engine, "before_cursor_execute", listener)
            try:
                found = queries.overdue_reporters(operation, access)
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        return len(seen), found.total

    few = statements_for_overdue()
    with in_app() as session:
        operation = session.get(Operation, world.operation_id)
        for _n in range(5):
            factories.participation(operation, actor=session.merge(world.people["secretariat"]))
    many = statements_for_overdue()
    assert few == (1, 3) and many == (1, 8)


# -- cards and status -----------------------------------------------------------------------


def test_no_two_cards_say_the_same_thing(client_as, world):
    page = client_as(world.people["coordinator"]).get(f"/operations/{world.operation_id}")
    cards = _cards(page)
    assert cards[0] == "Status Under way Phase 3 of 4: Operational"
    operational = _span(TODAY - timedelta(days=14), TODAY + timedelta(days=13))
    assert cards[1] == f"Operational phase 14 days left {operational}"
    assert cards[2] == "Organisations taking part 4 0 invited, 0 declined"
    # The period followed is the latest over: period 2, due tomorrow.
    assert cards[3] == (f"Returns for {_span(*world.periods[1][1:])} 0 of 3 filed "
                        f"3 not yet due (due {_day(world.periods[1][2] + timedelta(days=2))})")
    # The time left and the operational phase's dates are said once, on its own card.
    assert [("14 days left" in card, operational in card) for card in cards] == [
        (False, False), (True, True), (False, False), (False, False)]


def test_an_operation_in_its_planning_phase_is_in_preparation(client_as, api_as, in_app):
    with in_app():
        secretariat = factories.secretariat()
        operation = factories.operation(actor=secretariat, code="PLANNING-NOW",
                                        operational_starts_on=TODAY + timedelta(days=30))
        operation_id = operation.id
    page = client_as(secretariat).get(f"/operations/{operation_id}")
    cards = _cards(page)
    assert cards[0].startswith("Status In preparation Phase 1 of 6: Planning until ")
    assert cards[1].startswith("Operational phase Starts in 30 days ")
    assert "Under way" not in _text(page.text)
    # Reporting periods exist but none has started.
    first = _day(TODAY + timedelta(days=30))
    assert cards[3] == f"Returns None due yet The first period starts on {first}"

    # Nothing can be overdue yet, so nothing is said about it; the reporting card says when
    # returns start instead of drawing an empty chart.
    assert _section(page, "overdue-title") is None
    reporting = _text(_section(page, "compliance-title"))
    assert f"No return is due yet: the first reporting period starts on {first}." in reporting
    assert "<svg" not in _section(page, "compliance-title")

    def listed(status: str) -> bool:
        return ">PLANNING-NOW</a>" in client_as(secretariat).get(
            "/operations/", query_string={"status": status}).text
    assert listed("planned") and not listed("active")
    codes = [item["code"] for item in api_as(secretariat).get(
        "/api/v1/operations?status=planned").json["items"]]
    assert "PLANNING-NOW" in codes
    assert "PLANNING-NOW" not in [item["code"] for item in api_as(secretariat).get(
        "/api/v1/operations?status=active").json["items"]]
    assert api_as(secretariat).get(f"/api/v1/operations/{operation_id}").json["status"] == \
        "planned"


# -- the timeline ---------------------------------------------------------------------------


def test_the_timeline_and_its_list_never_cut_a_phase_name(client_as, world):
    page = client_as(world.people["observer"]).get(f"/operations/{world.operation_id}")
    section = _section(page, "timeline-title")
    svg = re.search(r"<svg.*?</svg>", section, re.DOTALL).group(0)
    assert "…" not in _text(section)
    assert "…" not in svg
    items = [_text(item) for item in re.findall(
        r'<li class="phase-list__item[^"]*"[^>]*>(.*?)</li>', section, re.DOTALL)]
    assert [item.split(" ")[0] for item in items] == ["1", "2", "3", "4"]
    operational = _span(TODAY - timedelta(days=14), TODAY + timedelta(days=13))
    last = _span(TODAY + timedelta(days=14), TODAY + timedelta(days=40))
    assert items[2] == f"3 Operational (current) {operational} (28 days)"
    assert items[3] == f"4 {LONG_NAME} {last} (27 days)"
    assert 'aria-current="step"' in section


def test_the_dashboard_takes_as_many_statements_whatever_the_number_overdue(app, client_as,
                                                                           in_app, world):
    engine = Database.state(app).engine

    def statements() -> int:
        client = client_as(world.people["coordinator"])
        seen: list[str] = []

        def listener(_conn, _cursor, statement, *_args) -> None:
            seen.append(statement)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/operations/{world.operation_id}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements()
    with in_app() as session:
        operation = session.get(Operation, world.operation_id)
        for _n in range(12):
            factories.participation(operation, actor=session.merge(world.people["secretariat"]))
    assert statements() == few
