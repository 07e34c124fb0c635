"""POST /api/v1/operations/{id}/nil-returns and GET /api/v1/operations/{id}/compliance.

Who gets in, and the first tests of each endpoint, run on an operation the factories
build (``world``). The others run against the demo: CATALYST-DEMO's weekly periods 1
and 2 are past their deadline, 3 is under way (DE has not reported for it yet, JP has),
4 has not started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from babel.dates import format_date
from openapi_spec_validator import validate
from sqlalchemy import func, select

from opsplatform.audit.models import AuditEntry
from opsplatform.auth.models import User
from opsplatform.core.db import db, utcnow
from opsplatform.operations.models import (
    Operation,
    OperationRole,
    ParticipationStatus,
    PeriodReturn,
    ReportingPeriod,
    ReturnKind,
)
from opsplatform.organisations.models import Organisation, OrganisationKind
from tests.support import factories
from tests.support.access_matrix import AccessMatrix, Entry
from tests.support.clients import assert_api_error, demo

STATUSES = {"seizures", "nil", "due", "overdue", "upcoming"}


@pytest.fixture
def ids(in_app) -> dict:
    with in_app() as session:
        operations = dict(session.execute(select(Operation.code, Operation.id)).all())

        def periods(code):
            return list(session.scalars(select(ReportingPeriod.id).where(
                ReportingPeriod.operation_id == operations[code])
                .order_by(ReportingPeriod.starts_on)))

        catalyst = session.get(Operation, operations["CATALYST-DEMO"])
        return {
            "catalyst": catalyst.id,
            "precursor": operations["PRECURSOR-DEMO"],
            "periods": periods("CATALYST-DEMO"),
            "precursor_periods": periods("PRECURSOR-DEMO"),
            "operational": (catalyst.operational_phase.starts_on,
                            catalyst.operational_phase.ends_on),
        }


def _nil_url(ids: dict, operation: str = "catalyst") -> str:
    return f"/api/v1/operations/{ids[operation]}/nil-returns"


def _compliance_url(ids: dict, operation: str = "catalyst") -> str:
    return f"/api/v1/operations/{ids[operation]}/compliance"


def _return_count(in_app) -> int:
    with in_app() as session:
        return session.scalar(select(func.count(PeriodReturn.id)))


def _returns_of(in_app, period_id: int) -> dict[str, PeriodReturn]:
    with in_app() as session:
        rows = session.execute(select(Organisation.code, PeriodReturn).join(
            Organisation, Organisation.id == PeriodReturn.organisation_id).where(
            PeriodReturn.period_id == period_id))
        return {code: period_return for code, period_return in rows}


# -- an operation of the test's own, with someone in every role --------------------------------


@dataclass(frozen=True)
class World:
    """What ``world`` built: the operation, its periods, and who plays each role."""

    operation_id: int
    code: str
    periods: list[int]
    host: str  # the host administration's code; the contact point's administration:
    reporting: str
    people: dict[str, User]  # role -> who plays it

    @property
    def compliance_url(self) -> str:
        return f"/api/v1/operations/{self.operation_id}/compliance"

    @property
    def nil_url(self) -> str:
        return f"/api/v1/operations/{self.operation_id}/nil-returns"


@pytest.fixture
def world(in_app) -> World:
    """An operation 14 days into its operational phase (weekly periods 1 and 2 over, 3
    started today, 4 to come), hosted by one administration whose person coordinates,
    another reporting through its contact point, an international organisation observing,
    an administration invited and one that declined; and two people outside it."""
    with in_app():
        secretariat = factories.secretariat()
        host = factories.organisation()
        operation = factories.operation(actor=secretariat, host=host, code="SPARROWHAWK")
        coordinator = factories.member(operation, OperationRole.COORDINATOR, actor=secretariat,
                                       organisation=host)
        contact_point = factories.member(operation, actor=secretariat)
        observer = factories.member(
            operation, OperationRole.OBSERVER, actor=secretariat,
            organisation=factories.organisation(kind=OrganisationKind.INTERNATIONAL_ORGANISATION))
        invited = factories.participation(operation, status=ParticipationStatus.INVITED,
                                           actor=secretariat)
        factories.participation(operation, status=ParticipationStatus.DECLINED,
                                actor=secretariat)
        people = {
            "outsider": factories.user(),
            "platform_admin": factories.user(is_platform_admin=True),
            "invitee": factories.user(organisation=invited.organisation),
            "contact_point": contact_point, "observer": observer, "coordinator": coordinator,
            "secretariat": secretariat,
        }
        return World(operation.id, operation.code,
                     [period.id for period in factories.periods(operation)], host.code,
                     contact_point.organisation.code, people)


MATRIX = AccessMatrix(
    roles=["outsider", "platform_admin", "invitee", "contact_point", "observer", "coordinator",
           "secretariat"],
    error_codes={403: "forbidden", 404: "not_found"},
    entries=[
        Entry("compliance", "api.operation_compliance", "GET",
              (404, 404, 403, 200, 200, 200, 200)),
        # Only a contact point files, for its own administration; the coordinator's
        # administration reports too, but the coordinator is not its contact point.
        Entry("nil-return", "api.file_nil_return", "POST", (404, 404, 403, 201, 403, 403, 403),
              body=lambda world: {"period_id": world.periods[2]}),
        # A contact point corrects its own administration's returns, nobody else.
        Entry("correct-return", "api.correct_return", "PATCH",
              (404, 404, 403, 200, 403, 403, 403), arrange=lambda world: _filed_nil(world),
              values=lambda world, made: {"return_id": made},
              body=lambda world: {"kind": "seizures", "seizure_count": 2}),
    ],
)


def _filed_nil(world: World) -> int:
    """A nil return the contact point's administration filed for the first period."""
    operation = db.session.get(Operation, world.operation_id)
    reporting = next(p for p in operation.participations
                     if p.organisation.code == world.reporting)
    return factories.period_return(
        reporting, db.session.get(ReportingPeriod, world.periods[0]), kind=ReturnKind.NIL,
        actor=db.session.get(User, world.people["contact_point"].id)).id


@pytest.mark.parametrize("entry, role", MATRIX.cases())
def test_who_gets_in(api_as, in_app, world, entry, role):
    made = None
    if entry.arrange is not None:
        with in_app():
            made = entry.arrange(world)
    before = _return_count(in_app)
    url = entry.url(operation_id=world.operation_id, **entry.values(world, made))
    response = api_as(world.people[role]).open(entry.method, url, entry.body_for(world))
    MATRIX.check(entry, role, response, url=url, hidden=[world.code])
    assert _return_count(in_app) == before + (response.status_code == 201)


def test_without_a_token(api_as, world):
    assert_api_error(api_as().get(world.compliance_url), 401, "missing_token")
    assert_api_error(api_as().post(world.nil_url, {"period_id": world.periods[2]}), 401,
                     "missing_token")


def test_a_contact_point_files_for_its_own_administration(api_as, in_app, world):
    caller = api_as(world.people["contact_point"])
    response = caller.post(world.nil_url, {"period_id": world.periods[2], "remarks": "None."})
    assert response.status_code == 201, response.text
    assert (response.json["organisation"], response.json["kind"]) == (world.reporting, "nil")
    [row] = caller.get(world.compliance_url).json["administrations"]
    assert row["organisation"] == world.reporting
    assert [cell["status"] for cell in row["cells"]] == ["overdue", "due", "nil", "upcoming"]
    assert_api_error(caller.post(world.nil_url, {"period_id": world.periods[2]}), 409,
                     "already_reported", field="period")
    assert_api_error(caller.post(world.nil_url, {"period_id": world.periods[3]}), 422,
                     "period_not_started", field="period")


def test_the_table_has_a_row_per_administration_taking_part(api_as, in_app, world):
    with in_app() as session:
        operation = session.get(Operation, world.operation_id)
        reporting = next(p for p in operation.participations
                         if p.organisation.code == world.reporting)
        factories.period_return(reporting, session.get(ReportingPeriod, world.periods[0]),
                                kind=ReturnKind.SEIZURES, seizure_count=3,
                                actor=session.get(User, world.people["contact_point"].id))
    body = api_as(world.people["coordinator"]).get(world.compliance_url).json
    _check_shape(body, world.periods)
    # Not the observing international organisation, nor the invited or declined ones.
    rows = {row["organisation"]: row["cells"] for row in body["administrations"]}
    assert sorted(rows) == sorted([world.host, world.reporting])
    assert [c["status"] for c in rows[world.host]] == ["overdue", "due", "due", "upcoming"]
    assert [(c["status"], c["seizure_count"]) for c in rows[world.reporting]] == [
        ("seizures", 3), ("due", None), ("due", None), ("upcoming", None)]
    assert body["totals"] == {"seizures": 1, "nil": 0, "overdue": 1, "due": 4, "upcoming": 2}
    observed = api_as(world.people["observer"]).get(world.compliance_url).json
    assert (observed["administrations"], observed["totals"]) == ([], body["totals"])


# -- the demo: someone outside another operation ------------------------------------------------


def test_outsider_gets_404_for_an_operation_it_does_not_take_part_in(api_as, ids):
    # JP does not take part in PRECURSOR-DEMO.
    caller = api_as("cp.jp")
    assert_api_error(caller.get(_compliance_url(ids, "precursor")), 404, "not_found")
    assert_api_error(caller.post(_nil_url(ids, "precursor"), json={
        "period_id": ids["precursor_periods"][0]}), 404, "not_found")


# -- filing a nil return -----------------------------------------------------------------------


def test_contact_point_files_a_nil_return_by_period(api_as, ids, in_app):
    period_id = ids["periods"][2]
    response = api_as("cp.de").post(_nil_url(ids), json={"period_id": period_id,
                                                         "remarks": "Nothing at FRA."})
    assert response.status_code == 201
    body = response.json
    assert body["organisation"] == "DE"
    assert body["kind"] == "nil"
    assert body["seizure_count"] is None
    assert body["remarks"] == "Nothing at FRA."
    assert body["filed_by"] == demo("cp.de")
    assert body["period"]["id"] == period_id
    assert set(body["period"]) == {"id", "starts_on", "ends_on", "deadline_at", "locked_at"}
    filed = _returns_of(in_app, period_id)["DE"]
    assert filed.id == body["id"] and filed.kind is ReturnKind.NIL
    with in_app() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "returns.filed")
                               .order_by(AuditEntry.id.desc()))
        assert (entry.subject, entry.object_id, entry.actor.email) == ("DE", body["id"],
                                                                        demo("cp.de"))


def test_contact_point_files_a_nil_return_by_date(api_as, ids, in_app):
    start, _end = ids["operational"]
    day = start + timedelta(days=15)  # inside period 3
    response = api_as("cp.de").post(_nil_url(ids), json={"date": day.isoformat()})
    assert response.status_code == 201
    assert response.json["period"]["id"] == ids["periods"][2]
    assert response.json["remarks"] == ""
    assert "DE" in _returns_of(in_app, ids["periods"][2])


def test_the_return_is_for_the_callers_own_administration(api_as, ids, in_app):
    period_id = ids["periods"][2]
    with in_app() as session:
        session.delete(session.scalar(select(PeriodReturn).join(
            Organisation, Organisation.id == PeriodReturn.organisation_id).where(
            PeriodReturn.period_id == period_id, Organisation.code == "JP")))
    kr_before = _returns_of(in_app, period_id)["KR"]
    # No field names another administration: trying is an error, nothing is filed.
    assert_api_error(api_as("cp.jp").post(_nil_url(ids), json={
        "period_id": period_id, "organisation": "KR"}), 422, "validation_failed",
        field="organisation")
    assert "JP" not in _returns_of(in_app, period_id)
    response = api_as("cp.jp").post(_nil_url(ids), json={"period_id": period_id})
    assert response.status_code == 201
    assert response.json["organisation"] == "JP"
    after = _returns_of(in_app, period_id)
    assert after["JP"].kind is ReturnKind.NIL
    assert (after["KR"].id, after["KR"].kind) == (kr_before.id, kr_before.kind)


def test_a_coordinator_who_is_not_a_contact_point_gets_403(api_as, ids, in_app):
    # ocu@ coordinates the operation from KR, which reports; still, only contact points file.
    before = _return_count(in_app)
    error = assert_api_error(api_as("ocu").post(_nil_url(ids), json={
        "period_id": ids["periods"][2]}), 403, "forbidden")
    assert "contact point" in error["message"]
    assert _return_count(in_app) == before


def test_twice_is_a_conflict(api_as, ids, in_app):
    caller = api_as("cp.de")
    assert caller.post(_nil_url(ids), json={"period_id": ids["periods"][2]}).status_code == 201
    before = _return_count(in_app)
    error = assert_api_error(caller.post(_nil_url(ids), json={"period_id": ids["periods"][2]}),
                             409, "already_reported", field="period")
    assert "DE already filed" in error["message"]
    assert _return_count(in_app) == before


@pytest.mark.parametrize("offset", [-1, 28])  # the day before and the day after the phase
def test_a_date_outside_the_operational_phase(api_as, ids, in_app, offset):
    start, end = ids["operational"]
    day = start + timedelta(days=offset)
    assert not (start <= day <= end)
    before = _return_count(in_app)
    error = assert_api_error(api_as("cp.de").post(_nil_url(ids), json={"date": day.isoformat()}),
                             422, "outside_operational_phase")
    # Written as the pages write days (core/dates), not as ISO.
    assert format_date(day, "medium", locale="en") in error["message"]
    assert _return_count(in_app) == before


def test_a_period_not_started_yet(api_as, ids, in_app):
    start, _end = ids["operational"]
    for body in ({"period_id": ids["periods"][3]},
                 {"date": (start + timedelta(days=22)).isoformat()}):
        assert_api_error(api_as("cp.de").post(_nil_url(ids), json=body), 422,
                         "period_not_started")
    assert "DE" not in _returns_of(in_app, ids["periods"][3])


def test_a_period_of_another_operation_is_404(api_as, ids, in_app):
    before = _return_count(in_app)
    caller = api_as("cp.de")
    assert_api_error(caller.post(_nil_url(ids), json={"period_id": ids["precursor_periods"][0]}),
                     404, "not_found")
    assert_api_error(caller.post(_nil_url(ids), json={"period_id": 999999}), 404, "not_found")
    assert _return_count(in_app) == before


@pytest.mark.parametrize("body, field", [
    ({}, "_schema"),
    ({"remarks": "no period"}, "_schema"),
    ({"period_id": 1, "date": "2026-01-01"}, "_schema"),
    ({"period_id": "3"}, "period_id"),
    ({"period_id": None}, "period_id"),
    ({"period_id": True}, "period_id"),
    ({"period_id": 2**70}, "period_id"),
    ({"date": "next tuesday"}, "date"),
    ({"date": "2026-02-30"}, "date"),
    ({"period_id": 1, "remarks": "x" * 2001}, "remarks"),
    ({"period_id": 1, "kind": "seizures"}, "kind"),
])
def test_bad_bodies_name_the_field(api_as, ids, in_app, body, field):
    before = _return_count(in_app)
    assert_api_error(api_as("cp.de").post(_nil_url(ids), json=body), 422, "validation_failed",
                     field=field)
    assert _return_count(in_app) == before


def test_not_json(api_as, ids):
    caller = api_as("cp.de")
    assert_api_error(caller.post(_nil_url(ids), data="period_id=3"), 415,
                     "unsupported_media_type")
    assert_api_error(caller.post(_nil_url(ids), data="{not json",
                                 content_type="application/json"), 400, "malformed_json")
    assert_api_error(caller.post(_nil_url(ids), data="[1]", content_type="application/json"),
                     422, "validation_failed")


# -- the compliance table --------------------------------------------------------------------


def _check_shape(body: dict, periods: list[int]) -> None:
    assert set(body) == {"periods", "administrations", "totals", "view", "counts", "total",
                         "next_cursor"}
    assert set(body["counts"]) == {"all", "not_reported", "overdue"}
    assert body["total"] == body["counts"][body["view"]]
    assert [p["id"] for p in body["periods"]] == periods
    for period in body["periods"]:
        assert set(period) == {"id", "starts_on", "ends_on", "deadline_at", "locked_at"}
    assert set(body["totals"]) == STATUSES
    for row in body["administrations"]:
        assert set(row) == {"organisation", "cells"}
        assert [c["period_id"] for c in row["cells"]] == periods
        for cell in row["cells"]:
            assert set(cell) == {"period_id", "status", "seizure_count", "filed_at",
                                 "last_reminded_at"}
            assert cell["status"] in STATUSES


def _cells(body: dict, code: str) -> list[dict]:
    return next(r["cells"] for r in body["administrations"] if r["organisation"] == code)


@pytest.mark.parametrize("role", ["ocu", "secretariat"])
def test_coordinators_get_every_administration(api_as, ids, role):
    body = api_as(role).get(_compliance_url(ids)).json
    _check_shape(body, ids["periods"])
    codes = [r["organisation"] for r in body["administrations"]]
    assert len(codes) == 19 and codes == sorted(codes)
    assert "UNODC" not in codes and "WCO" not in codes  # only reporting administrations
    assert sum(body["totals"].values()) == 19 * 4
    es = _cells(body, "ES")
    assert [c["status"] for c in es] == ["overdue", "overdue", "seizures", "upcoming"]
    assert es[0]["last_reminded_at"] is not None and es[1]["last_reminded_at"] is None
    assert es[2]["seizure_count"] == 5 and es[2]["filed_at"] is not None
    jp = _cells(body, "JP")
    assert [(c["status"], c["seizure_count"]) for c in jp] == [
        ("seizures", 2), ("nil", None), ("seizures", 2), ("upcoming", None)]


def test_a_contact_point_gets_the_totals_and_its_own_row(api_as, ids):
    full = api_as("ocu").get(_compliance_url(ids)).json
    body = api_as("cp.jp").get(_compliance_url(ids)).json
    _check_shape(body, ids["periods"])
    assert [r["organisation"] for r in body["administrations"]] == ["JP"]
    assert body["administrations"][0] == next(r for r in full["administrations"]
                                              if r["organisation"] == "JP")
    assert body["totals"] == full["totals"]


def test_an_observer_gets_the_totals_only(api_as, ids):
    full = api_as("ocu").get(_compliance_url(ids)).json
    body = api_as("observer").get(_compliance_url(ids)).json  # UNODC does not report
    _check_shape(body, ids["periods"])
    assert body["administrations"] == []
    assert body["totals"] == full["totals"]
    assert body["periods"] == full["periods"]


def test_status_moves_from_due_to_overdue_to_nil(api_as, ids, in_app):
    def de_period_3() -> dict:
        return _cells(api_as("ocu").get(_compliance_url(ids)).json, "DE")[2]

    assert de_period_3()["status"] == "due"
    totals_before = api_as("ocu").get(_compliance_url(ids)).json["totals"]
    with in_app() as session:
        session.get(ReportingPeriod, ids["periods"][2]).deadline_at = (
            utcnow() - timedelta(seconds=1))
    assert de_period_3()["status"] == "overdue"
    totals = api_as("ocu").get(_compliance_url(ids)).json["totals"]
    # Every administration still owing period 3 moved from due to overdue.
    assert totals["due"] == 0
    assert totals["overdue"] == totals_before["overdue"] + totals_before["due"]
    assert api_as("cp.de").post(_nil_url(ids), json={"period_id": ids["periods"][2]}
                             ).status_code == 201
    cell = de_period_3()
    assert (cell["status"], cell["seizure_count"]) == ("nil", None)
    assert cell["filed_at"] is not None


def test_upcoming_becomes_due_when_the_period_starts(api_as, ids, in_app):
    assert _cells(api_as("ocu").get(_compliance_url(ids)).json, "DE")[3]["status"] == "upcoming"
    start, _end = ids["operational"]
    with in_app() as session:
        # Period 4 made to start today (period 3 still runs: the test only moves the start).
        session.get(ReportingPeriod, ids["periods"][3]).starts_on = start + timedelta(days=17)
    assert _cells(api_as("ocu").get(_compliance_url(ids)).json, "DE")[3]["status"] == "due"


# -- the OpenAPI document ----------------------------------------------------------------------


def test_both_endpoints_are_documented(client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    nil_returns = document["paths"]["/api/v1/operations/{operation_id}/nil-returns"]["post"]
    body_schema = nil_returns["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema["$ref"].endswith("/NilReturnRequest")
    assert {"201", "403", "404", "409", "422"} <= set(nil_returns["responses"])
    request_schema = document["components"]["schemas"]["NilReturnRequest"]
    assert {"period_id", "date", "remarks"} <= set(request_schema["properties"])
    compliance = document["paths"]["/api/v1/operations/{operation_id}/compliance"]["get"]
    assert compliance["responses"]["200"]["content"]["application/json"]["schema"][
        "$ref"].endswith("/Compliance")
    assert set(document["components"]["schemas"]["Compliance"]["properties"]) == {
        "periods", "administrations", "totals", "view", "counts", "total", "next_cursor"}
    # The same arguments as the reporting page: the view, the cursor and the page size.
    assert {p["name"] for p in compliance["parameters"] if p["in"] == "query"} == {
        "view", "cursor", "limit"}
