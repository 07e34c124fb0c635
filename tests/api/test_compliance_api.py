"""POST /api/v1/operations/{id}/nil-returns and GET /api/v1/operations/{id}/compliance.

Against the demo: CATALYST-DEMO's weekly periods 1 and 2 are past their deadline,
3 is under way (DE has not reported for it yet, JP has), 4 has not started.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from opsplatform.audit.models import AuditEntry
from opsplatform.auth.operations import create_token, find_user_by_email
from opsplatform.core.db import utcnow
from opsplatform.operations.models import (
    Operation,
    PeriodReturn,
    ReportingPeriod,
    ReturnKind,
)
from opsplatform.organisations.models import Organisation
from tests.conftest import demo

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


@pytest.fixture
def token_of(in_app):
    tokens: dict[str, str] = {}

    def _token_of(local_part: str) -> str:
        if local_part not in tokens:
            with in_app():
                _token, tokens[local_part] = create_token(
                    find_user_by_email(demo(local_part)), "test", 30, actor=None)
        return tokens[local_part]

    return _token_of


@pytest.fixture
def api(client, token_of):
    """``api("cp.jp").post(path, json=...)``: requests with that account's bearer token."""

    class _Caller:
        def __init__(self, local_part: str):
            self.headers = {"Authorization": f"Bearer {token_of(local_part)}"}

        def get(self, path: str):
            return client.get(path, headers=self.headers)

        def post(self, path: str, **kwargs):
            return client.post(path, headers=self.headers, **kwargs)

    return _Caller


def _nil_url(ids: dict, operation: str = "catalyst") -> str:
    return f"/api/v1/operations/{ids[operation]}/nil-returns"


def _compliance_url(ids: dict, operation: str = "catalyst") -> str:
    return f"/api/v1/operations/{ids[operation]}/compliance"


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.mimetype == "application/json"
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    return response.json["error"]


def _return_count(in_app) -> int:
    with in_app() as session:
        return session.scalar(select(func.count(PeriodReturn.id)))


def _returns_of(in_app, period_id: int) -> dict[str, PeriodReturn]:
    with in_app() as session:
        rows = session.execute(select(Organisation.code, PeriodReturn).join(
            Organisation, Organisation.id == PeriodReturn.organisation_id).where(
            PeriodReturn.period_id == period_id))
        return {code: period_return for code, period_return in rows}


# -- access: every role, both endpoints ------------------------------------------------------

ROLES = ["cp.br", "admin", "cp.mx", "cp.jp", "observer", "ocu", "secretariat"]


@pytest.mark.parametrize("role, status", list(zip(ROLES, [404, 404, 403, 200, 200, 200, 200],
                                                    strict=True)))
def test_compliance_access(api, ids, role, status):
    response = api(role).get(_compliance_url(ids))
    assert response.status_code == status
    if status == 404:
        assert "CATALYST" not in response.text


@pytest.mark.parametrize("role, status", list(zip(ROLES, [404, 404, 403, 409, 403, 403, 403],
                                                    strict=True)))
def test_nil_return_access(api, ids, in_app, role, status):
    # Period 1: cp.jp (JP) has reported it already, hence 409 for the one caller let through.
    before = _return_count(in_app)
    response = api(role).post(_nil_url(ids), json={"period_id": ids["periods"][0]})
    assert response.status_code == status
    assert _return_count(in_app) == before


def test_without_a_token(client, ids):
    _error(client.get(_compliance_url(ids)), 401, "missing_token")
    _error(client.post(_nil_url(ids), json={"period_id": ids["periods"][2]}), 401,
           "missing_token")


def test_outsider_gets_404_for_an_operation_it_does_not_take_part_in(api, ids):
    # JP does not take part in PRECURSOR-DEMO.
    _error(api("cp.jp").get(_compliance_url(ids, "precursor")), 404, "not_found")
    _error(api("cp.jp").post(_nil_url(ids, "precursor"), json={
        "period_id": ids["precursor_periods"][0]}), 404, "not_found")


# -- filing a nil return -----------------------------------------------------------------------


def test_contact_point_files_a_nil_return_by_period(api, ids, in_app):
    period_id = ids["periods"][2]
    response = api("cp.de").post(_nil_url(ids), json={"period_id": period_id,
                                                      "remarks": "Nothing at FRA."})
    assert response.status_code == 201
    body = response.json
    assert body["organisation"] == "DE"
    assert body["kind"] == "nil"
    assert body["seizure_count"] is None
    assert body["remarks"] == "Nothing at FRA."
    assert body["filed_by"] == demo("cp.de")
    assert body["period"]["id"] == period_id
    assert set(body["period"]) == {"id", "starts_on", "ends_on", "deadline_at"}
    filed = _returns_of(in_app, period_id)["DE"]
    assert filed.id == body["id"] and filed.kind is ReturnKind.NIL
    with in_app() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "returns.filed")
                               .order_by(AuditEntry.id.desc()))
        assert (entry.subject, entry.object_id, entry.actor.email) == ("DE", body["id"],
                                                                        demo("cp.de"))


def test_contact_point_files_a_nil_return_by_date(api, ids, in_app):
    start, _end = ids["operational"]
    day = start + timedelta(days=15)  # inside period 3
    response = api("cp.de").post(_nil_url(ids), json={"date": day.isoformat()})
    assert response.status_code == 201
    assert response.json["period"]["id"] == ids["periods"][2]
    assert response.json["remarks"] == ""
    assert "DE" in _returns_of(in_app, ids["periods"][2])


def test_the_return_is_for_the_callers_own_administration(api, ids, in_app):
    period_id = ids["periods"][2]
    with in_app() as session:
        session.delete(session.scalar(select(PeriodReturn).join(
            Organisation, Organisation.id == PeriodReturn.organisation_id).where(
            PeriodReturn.period_id == period_id, Organisation.code == "JP")))
    kr_before = _returns_of(in_app, period_id)["KR"]
    # No field names another administration: trying is an error, nothing is filed.
    refused = _error(api("cp.jp").post(_nil_url(ids), json={
        "period_id": period_id, "organisation": "KR"}), 422, "validation_failed")
    assert "organisation" in refused["fields"]
    assert "JP" not in _returns_of(in_app, period_id)
    response = api("cp.jp").post(_nil_url(ids), json={"period_id": period_id})
    assert response.status_code == 201
    assert response.json["organisation"] == "JP"
    after = _returns_of(in_app, period_id)
    assert after["JP"].kind is ReturnKind.NIL
    assert (after["KR"].id, after["KR"].kind) == (kr_before.id, kr_before.kind)


def test_a_coordinator_who_is_not_a_contact_point_gets_403(api, ids, in_app):
    # ocu@ coordinates the operation from KR, which reports; still, only contact points file.
    before = _return_count(in_app)
    error = _error(api("ocu").post(_nil_url(ids), json={"period_id": ids["periods"][2]}),
                   403, "forbidden")
    assert "contact point" in error["message"]
    assert _return_count(in_app) == before


def test_twice_is_a_conflict(api, ids, in_app):
    caller = api("cp.de")
    assert caller.post(_nil_url(ids), json={"period_id": ids["periods"][2]}).status_code == 201
    before = _return_count(in_app)
    error = _error(caller.post(_nil_url(ids), json={"period_id": ids["periods"][2]}), 409,
                   "already_reported")
    assert "DE already filed" in error["message"]
    assert _return_count(in_app) == before


@pytest.mark.parametrize("offset", [-1, 28])  # the day before and the day after the phase
def test_a_date_outside_the_operational_phase(api, ids, in_app, offset):
    start, end = ids["operational"]
    day = start + timedelta(days=offset)
    assert not (start <= day <= end)
    before = _return_count(in_app)
    error = _error(api("cp.de").post(_nil_url(ids), json={"date": day.isoformat()}), 422,
                   "outside_operational_phase")
    assert day.isoformat() in error["message"]
    assert _return_count(in_app) == before


def test_a_period_not_started_yet(api, ids, in_app):
    start, _end = ids["operational"]
    for body in ({"period_id": ids["periods"][3]},
                 {"date": (start + timedelta(days=22)).isoformat()}):
        _error(api("cp.de").post(_nil_url(ids), json=body), 422, "period_not_started")
    assert "DE" not in _returns_of(in_app, ids["periods"][3])


def test_a_period_of_another_operation_is_404(api, ids, in_app):
    before = _return_count(in_app)
    _error(api("cp.de").post(_nil_url(ids), json={"period_id": ids["precursor_periods"][0]}),
           404, "not_found")
    _error(api("cp.de").post(_nil_url(ids), json={"period_id": 999999}), 404, "not_found")
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
def test_bad_bodies_name_the_field(api, ids, in_app, body, field):
    before = _return_count(in_app)
    error = _error(api("cp.de").post(_nil_url(ids), json=body), 422, "validation_failed")
    assert field in error["fields"]
    assert _return_count(in_app) == before


def test_not_json(api, ids, client, token_of):
    headers = {"Authorization": f"Bearer {token_of('cp.de')}"}
    _error(client.post(_nil_url(ids), data="period_id=3", headers=headers), 415,
           "unsupported_media_type")
    _error(client.post(_nil_url(ids), data="{not json", headers=headers,
                       content_type="application/json"), 400, "malformed_json")
    _error(client.post(_nil_url(ids), data="[1]", headers=headers,
                       content_type="application/json"), 422, "validation_failed")


# -- the compliance table --------------------------------------------------------------------


def _check_shape(body: dict, periods: list[int]) -> None:
    assert set(body) == {"periods", "administrations", "totals"}
    assert [p["id"] for p in body["periods"]] == periods
    for period in body["periods"]:
        assert set(period) == {"id", "starts_on", "ends_on", "deadline_at"}
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
def test_coordinators_get_every_administration(api, ids, role):
    body = api(role).get(_compliance_url(ids)).json
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


def test_a_contact_point_gets_the_totals_and_its_own_row(api, ids):
    full = api("ocu").get(_compliance_url(ids)).json
    body = api("cp.jp").get(_compliance_url(ids)).json
    _check_shape(body, ids["periods"])
    assert [r["organisation"] for r in body["administrations"]] == ["JP"]
    assert body["administrations"][0] == next(r for r in full["administrations"]
                                              if r["organisation"] == "JP")
    assert body["totals"] == full["totals"]


def test_an_observer_gets_the_totals_only(api, ids):
    full = api("ocu").get(_compliance_url(ids)).json
    body = api("observer").get(_compliance_url(ids)).json  # UNODC does not report
    _check_shape(body, ids["periods"])
    assert body["administrations"] == []
    assert body["totals"] == full["totals"]
    assert body["periods"] == full["periods"]


def test_status_moves_from_due_to_overdue_to_nil(api, ids, in_app):
    def de_period_3() -> dict:
        return _cells(api("ocu").get(_compliance_url(ids)).json, "DE")[2]

    assert de_period_3()["status"] == "due"
    totals_before = api("ocu").get(_compliance_url(ids)).json["totals"]
    with in_app() as session:
        session.get(ReportingPeriod, ids["periods"][2]).deadline_at = (
            utcnow() - timedelta(seconds=1))
    assert de_period_3()["status"] == "overdue"
    totals = api("ocu").get(_compliance_url(ids)).json["totals"]
    # Every administration still owing period 3 moved from due to overdue.
    assert totals["due"] == 0
    assert totals["overdue"] == totals_before["overdue"] + totals_before["due"]
    assert api("cp.de").post(_nil_url(ids), json={"period_id": ids["periods"][2]}
                             ).status_code == 201
    cell = de_period_3()
    assert (cell["status"], cell["seizure_count"]) == ("nil", None)
    assert cell["filed_at"] is not None


def test_upcoming_becomes_due_when_the_period_starts(api, ids, in_app):
    assert _cells(api("ocu").get(_compliance_url(ids)).json, "DE")[3]["status"] == "upcoming"
    start, _end = ids["operational"]
    with in_app() as session:
        # Period 4 made to start today (period 3 still runs: the test only moves the start).
        session.get(ReportingPeriod, ids["periods"][3]).starts_on = start + timedelta(days=17)
    assert _cells(api("ocu").get(_compliance_url(ids)).json, "DE")[3]["status"] == "due"


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
        "periods", "administrations", "totals"}
