"""A filed return is corrected by its administration until its period is locked or the
operation closes; contradictory returns are refused, never filed half-right."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.core.db import utcnow
from opsplatform.operations.models import (
    Operation,
    PeriodReturn,
    ReportingPeriod,
    ReturnKind,
)
from tests.operations.support import DemoIds
from tests.support.clients import assert_api_error


def _jp_returns(session, ids: DemoIds) -> list[PeriodReturn]:
    return list(session.scalars(select(PeriodReturn).join(PeriodReturn.period).where(
        PeriodReturn.operation_id == ids.catalyst,
        PeriodReturn.organisation_id == ids.organisations["JP"])
        .order_by(ReportingPeriod.starts_on)))


@pytest.fixture
def jp_return(in_app, ids) -> dict:
    """JP's first return, made a seizures return of 3 for the test."""
    with in_app() as session:
        filed = _jp_returns(session, ids)[0]
        filed.kind, filed.seizure_count, filed.remarks = ReturnKind.SEIZURES, 3, ""
        return {"id": filed.id, "period_id": filed.period_id}


def _correct(client, ids, return_id, **fields):
    data = {f"correct-{return_id}-{name}": value for name, value in fields.items()}
    return client.post_form(f"/operations/{ids.catalyst}/reporting/returns/{return_id}", data)


def _lock(client, ids, period_id, action="lock"):
    return client.post_form(
        f"/operations/{ids.catalyst}/reporting/periods/{period_id}/{action}")


def test_a_contact_point_corrects_its_return_and_the_correction_is_audited(
        client_as, in_app, ids, jp_return):
    client = client_as("cp.jp")
    page = client.get(f"/operations/{ids.catalyst}/reporting").text
    assert "Correct the return for period 1" in page
    response = _correct(client, ids, jp_return["id"], kind="seizures", seizure_count="5",
                        remarks="Two more found on re-examination.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reporting#own-returns")
    with in_app() as session:
        corrected = session.get(PeriodReturn, jp_return["id"])
        assert (corrected.kind, corrected.seizure_count) == (ReturnKind.SEIZURES, 5)
        assert corrected.corrected_at is not None
        assert corrected.corrected_by.email == "cp.jp@demo.example.org"
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.RETURN_CORRECTED)).one()
        assert entry.subject == "JP"
        assert entry.actor.email == "cp.jp@demo.example.org"
        assert entry.details["changes"]["seizure_count"] == [3, 5]
    page = client.get(f"/operations/{ids.catalyst}/reporting").text
    assert "was corrected" in page and "corrected " in page
    # The coordinator's table shows the corrected figure.
    table = client_as("ocu").get(f"/operations/{ids.catalyst}/reporting").text
    assert re.search(r"JP<span[^>]*>[^<]*</span></th>\s*<td[^>]*>.*?5 seizures", table, re.S)


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "nil", "seizure_count": "7"},
     "A nil return reports no seizures, yet 7 were given"),
    ({"kind": "seizures", "seizure_count": ""}, "Give the number of seizures (at least 1)."),
])
def test_a_contradictory_correction_is_refused_and_keeps_what_was_typed(
        client_as, in_app, ids, jp_return, fields, message):
    response = _correct(client_as("cp.jp"), ids, jp_return["id"], **fields,
                        remarks="Typed but refused")
    assert response.status_code == 422
    assert message in response.text
    assert f'<details id="correct-{jp_return["id"]}" open>' in response.text
    assert "Typed but refused" in response.text
    with in_app() as session:
        unchanged = session.get(PeriodReturn, jp_return["id"])
        assert (unchanged.kind, unchanged.seizure_count) == (ReturnKind.SEIZURES, 3)


def test_a_nil_return_with_seizures_typed_in_is_refused_when_filed(client_as, in_app, ids):
    with in_app() as session:
        latest = _jp_returns(session, ids)[-1]
        period_id = latest.period_id
        session.delete(latest)
    response = client_as("cp.jp").post_form(f"/operations/{ids.catalyst}/reporting/returns", {
        "period": str(period_id), "kind": "nil", "seizure_count": "7"})
    assert response.status_code == 422
    assert "A nil return reports no seizures, yet 7 were given" in response.text
    assert 'value="7"' in response.text
    with in_app() as session:
        assert session.scalar(select(PeriodReturn).where(
            PeriodReturn.period_id == period_id,
            PeriodReturn.organisation_id == ids.organisations["JP"])) is None


def test_the_count_says_when_it_is_needed_instead_of_optional(client_as, ids, jp_return):
    page = client_as("cp.jp").get(f"/operations/{ids.catalyst}/reporting").text
    label = re.search(rf'<label for="correct-{jp_return["id"]}-seizure_count">(.*?)</label>',
                      page, re.S).group(1)
    assert "optional" not in label
    assert "Needed with “Seizures reported”" in page


def test_a_locked_period_is_final_until_unlocked(client_as, in_app, ids, jp_return):
    coordinator = client_as("ocu")
    assert _lock(coordinator, ids, jp_return["period_id"]).status_code == 302
    contact_point = client_as("cp.jp")
    page = contact_point.get(f"/operations/{ids.catalyst}/reporting").text
    assert f'id="correct-{jp_return["id"]}"' not in page
    response = _correct(contact_point, ids, jp_return["id"], kind="nil")
    assert response.status_code == 409
    assert "is locked: its returns are final" in response.text
    assert_api_error(client_as(None).application.test_client().patch(
        f"/api/v1/operations/{ids.catalyst}/returns/{jp_return['id']}", json={}), 401,
        "missing_token")
    assert _lock(coordinator, ids, jp_return["period_id"], "unlock").status_code == 302
    assert _correct(contact_point, ids, jp_return["id"], kind="nil").status_code == 302
    with in_app() as session:
        actions = [entry.action for entry in session.scalars(select(AuditEntry).where(
            AuditEntry.operation_id == ids.catalyst).order_by(AuditEntry.id.desc()).limit(3))]
        assert actions == [AuditAction.RETURN_CORRECTED, AuditAction.PERIOD_UNLOCKED,
                           AuditAction.PERIOD_LOCKED]


def test_the_api_corrects_and_refuses_alike(api_as, client_as, in_app, ids, jp_return):
    url = f"/api/v1/operations/{ids.catalyst}/returns/{jp_return['id']}"
    caller = api_as("cp.jp")
    response = caller.patch(url, {"seizure_count": 4})
    assert response.status_code == 200, response.text
    assert (response.json["kind"], response.json["seizure_count"]) == ("seizures", 4)
    assert response.json["corrected_at"] is not None
    assert_api_error(caller.patch(url, {"kind": "nil", "seizure_count": 2}), 422,
                     "contradictory_return", field="seizure_count")
    assert caller.patch(url, {"kind": "nil"}).json["seizure_count"] is None
    # Another administration's return is not there for KR's contact point.
    assert_api_error(api_as("cp.kr").patch(url, {"kind": "nil"}), 404, "not_found")
    _lock(client_as("secretariat"), ids, jp_return["period_id"])
    assert_api_error(caller.patch(url, {"kind": "seizures", "seizure_count": 1}), 409,
                     "period_locked", field="period")


def test_a_closed_operation_keeps_its_returns_final(api_as, in_app, ids, jp_return):
    with in_app() as session:
        session.get(Operation, ids.catalyst).closed_at = utcnow()
    assert_api_error(api_as("cp.jp").patch(
        f"/api/v1/operations/{ids.catalyst}/returns/{jp_return['id']}", {"kind": "nil"}),
        409, "operation_closed", field="period")


def test_others_see_no_correction_of_another_administrations_return(
        client_as, in_app, ids, jp_return):
    _correct(client_as("cp.jp"), ids, jp_return["id"], kind="nil")
    kr = client_as("cp.kr").get(f"/operations/{ids.catalyst}").text
    assert "JP corrected its return for " not in kr
    assert "JP corrected its return for " in client_as("ocu").get(
        f"/operations/{ids.catalyst}").text
    # Nor may KR's contact point send one: the return is not KR's (404, not 403).
    assert _correct(client_as("cp.kr"), ids, jp_return["id"], kind="nil").status_code == 404
    assert date.today()  # the demo's calendar is relative to today
