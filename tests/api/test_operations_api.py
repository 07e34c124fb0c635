"""/api/v1/operations through the app, on the demo data.

CATALYST-DEMO: ocu@ coordinates (KR), cp.jp@ is a contact point, observer@ (UNODC)
observes, MX is invited and has not answered (cp.mx@ is an invitee), BR does not take
part (cp.br@ is an outsider); admin@ is a platform admin without a role in it.
PRECURSOR-DEMO: BR takes part, JP does not.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import event, func, select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.operations import find_user_by_email
from opsplatform.operations.models import (
    Membership,
    Operation,
    Participation,
    Phase,
    PhaseKind,
)
from opsplatform.operations.operations import PhaseFields, PlanFields, create_operation
from opsplatform.organisations.operations import find_by_code
from tests.support.access_matrix import AccessMatrix, Entry
from tests.support.clients import assert_api_error, demo

API = "/api/v1"
TODAY = date.today()


@pytest.fixture
def ids(in_app) -> dict[str, int]:
    with in_app() as session:
        return {code: id_ for code, id_ in session.execute(select(Operation.code, Operation.id))}


@pytest.fixture
def catalyst(ids) -> str:
    return f"{API}/operations/{ids['CATALYST-DEMO']}"


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json["items"]]


def _rows(in_app) -> dict[str, int]:
    """How many rows the tables an operation writes to hold."""
    with in_app() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Operation, Phase, Participation, Membership, AuditEntry)}


def _phases(start: date, *spans: int) -> list[dict]:
    kinds = ["planning", "pre_operational", "operational", "follow_up", "post_operational"]
    phases, day = [], start
    for kind, days in zip(kinds, spans, strict=False):
        end = day + timedelta(days=days - 1)
        phases.append({"kind": kind, "name": kind.title(), "starts_on": day.isoformat(),
                       "ends_on": end.isoformat()})
        day = end + timedelta(days=1)
    return phases


# -- who gets in ----------------------------------------------------------------------------

OK, CREATED, FORBIDDEN, HIDDEN = 200, 201, 403, 404
# What the caller is to the operation it asks about: the secretariat, someone taking part,
# someone of an administration invited and not yet answering, or someone outside it.
MATRIX = AccessMatrix(
    roles=["secretariat", "member", "invitee", "outsider"],
    error_codes={FORBIDDEN: "forbidden", HIDDEN: "not_found"},
    entries=[
        Entry("list", "api.list_operations", "GET", (OK, OK, OK, OK)),
        Entry("create", "api.create_operation", "POST", (CREATED, FORBIDDEN, FORBIDDEN, FORBIDDEN),
              body={"code": "API-NEW", "title": "New", "host": "KR"}),
        Entry("get", "api.get_operation", "GET", (OK, OK, OK, HIDDEN)),
        Entry("patch", "api.update_operation", "PATCH", (OK, FORBIDDEN, FORBIDDEN, HIDDEN),
              body={"title": "Renamed"}),
        # Invited, not yet taking part: sees the invitation, nothing more.
        Entry("participants", "api.list_participants", "GET", (OK, OK, FORBIDDEN, HIDDEN)),
        Entry("invite", "api.invite", "POST", (CREATED, FORBIDDEN, FORBIDDEN, HIDDEN),
              body={"organisation": "PL"}),
        Entry("contacts", "api.list_contacts", "GET", (OK, OK, FORBIDDEN, HIDDEN)),
    ],
)
# Who plays each role, in which demo operation (admin@ is a platform admin with no role).
PLAYERS = {
    "secretariat": [("CATALYST-DEMO", "secretariat"), ("PRECURSOR-DEMO", "secretariat")],
    "member": [("CATALYST-DEMO", "ocu"), ("CATALYST-DEMO", "cp.jp"),
               ("CATALYST-DEMO", "observer"), ("PRECURSOR-DEMO", "cp.mx"),
               ("PRECURSOR-DEMO", "cp.br")],
    "invitee": [("CATALYST-DEMO", "cp.mx")],
    "outsider": [("CATALYST-DEMO", "cp.br"), ("CATALYST-DEMO", "admin"),
                 ("PRECURSOR-DEMO", "ocu"), ("PRECURSOR-DEMO", "cp.jp"),
                 ("PRECURSOR-DEMO", "observer"), ("PRECURSOR-DEMO", "admin")],
}
OF_ONE_OPERATION = [entry for entry in MATRIX.entries if "operation_id" in entry.rule.arguments]


@pytest.mark.parametrize("entry, role, operation, who", [
    pytest.param(entry, role, operation, who, id=f"{entry.name}-{operation}-{who}")
    for entry, role in MATRIX.pairs() for operation, who in PLAYERS[role]])
def test_who_gets_in(api_as, ids, entry, role, operation, who):
    url = entry.url(operation_id=ids[operation])
    response = api_as(who).open(entry.method, url, entry.body_for())
    MATRIX.check(entry, role, response, url=url)


@pytest.mark.parametrize("entry", OF_ONE_OPERATION, ids=lambda entry: entry.name)
@pytest.mark.parametrize("role", ["secretariat", "cp.jp"])
@pytest.mark.parametrize("operation_id", [999_999, 2**31, 10**20])
def test_an_unknown_operation_is_a_404(api_as, role, entry, operation_id):
    response = api_as(role).open(entry.method, entry.url(operation_id=operation_id),
                                 entry.body_for())
    assert_api_error(response, 404, "not_found")


@pytest.mark.parametrize("entry", MATRIX.entries, ids=lambda entry: entry.name)
def test_no_token_no_entry(api_as, ids, entry):
    response = api_as().open(entry.method, entry.url(operation_id=ids["CATALYST-DEMO"]),
                             entry.body_for())
    assert_api_error(response, 401, "missing_token")


# -- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize("role, visible", [
    ("secretariat", ["PRECURSOR-DEMO", "CATALYST-DEMO"]),
    ("ocu", ["CATALYST-DEMO"]),
    ("cp.jp", ["CATALYST-DEMO"]),
    ("observer", ["CATALYST-DEMO"]),
    ("cp.br", ["PRECURSOR-DEMO"]),
    ("cp.mx", ["PRECURSOR-DEMO", "CATALYST-DEMO"]),
    ("admin", []),
])
def test_the_list_shows_only_what_the_caller_may_see(api_as, role, visible):
    assert _codes(api_as(role).get(f"{API}/operations")) == visible


def test_an_outsider_finds_nothing_by_search(api_as):
    caller = api_as("cp.br")
    assert _codes(caller.get(f"{API}/operations?q=catalyst")) == []
    assert _codes(caller.get(f"{API}/operations?q=precursor")) == ["PRECURSOR-DEMO"]
    # PRECURSOR-DEMO is in its planning phase: in preparation, not under way.
    assert _codes(caller.get(f"{API}/operations?q=DEMO&status=active")) == []
    assert _codes(caller.get(f"{API}/operations?q=DEMO&status=planned")) == ["PRECURSOR-DEMO"]


def test_list_items_are_the_operation_json(api_as, catalyst):
    caller = api_as("ocu")
    [item] = caller.get(f"{API}/operations").json["items"]
    assert item == caller.get(catalyst).json


def test_an_invitee_sees_what_the_invitation_shows(api_as, catalyst):
    items = {item["code"]: item for item in api_as("cp.mx").get(f"{API}/operations")
             .json["items"]}
    invited, member = items["CATALYST-DEMO"], items["PRECURSOR-DEMO"]
    assert invited["caller_role"] == "invitee"
    assert member["caller_role"] == "contact_point"
    assert set(invited) == {"id", "code", "title", "summary", "host", "status",
                            "current_phase", "phases", "starts_on", "ends_on", "closed_at",
                            "caller_role"}
    assert {"participants", "objectives", "organisers", "tlp"} <= set(member)
    assert api_as("cp.mx").get(catalyst).json == invited


def test_contact_points_named_with_an_invitation_are_still_invitees(api_as, catalyst):
    response = api_as("secretariat").post(f"{catalyst}/participants", {
        "organisation": "BR", "contact_points": [demo("cp.br")]})
    assert response.status_code == 201, response.text
    assert response.json["people"] == [{"name": "Lucas Oliveira", "email": demo("cp.br"),
                                        "role": "contact_point"}]
    brazil = api_as("cp.br")
    items = {item["code"]: item for item in brazil.get(f"{API}/operations").json["items"]}
    assert items["CATALYST-DEMO"]["caller_role"] == "invitee"
    assert "participants" not in items["CATALYST-DEMO"]
    assert "participants" not in brazil.get(catalyst).json
    assert_api_error(brazil.get(f"{catalyst}/participants"), 403, "forbidden")
    assert_api_error(brazil.get(f"{catalyst}/contacts"), 403, "forbidden")


def _create_operations(in_app, codes: list[str]) -> None:
    with in_app():
        secretariat = find_user_by_email(demo("secretariat"))
        for code in codes:
            create_operation(PlanFields(code=code, title=f"Operation {code}",
                                        host=find_by_code("DE"),
                                        organisers=[find_by_code("RILO-WE")]),
                             actor=secretariat,
                             phases=[PhaseFields(PhaseKind.PLANNING, "Planning", TODAY,
                                                 TODAY + timedelta(days=30))])


@pytest.fixture
def more_operations(in_app) -> list[str]:
    """Five more operations, so that the list has pages (codes newest first)."""
    codes = [f"PAGE-{n}" for n in range(1, 6)]
    _create_operations(in_app, codes)
    return codes[::-1]


def test_pages_follow_each_other_without_gaps_or_repeats(api_as, more_operations):
    caller = api_as("secretariat")
    seen, cursor, pages = [], None, 0
    while True:
        url = f"{API}/operations?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = caller.get(url).json
        assert len(body["items"]) <= 2
        assert body["total"] == 7
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert seen == sorted(seen, reverse=True)
    everything = caller.get(f"{API}/operations?limit=100").json
    assert everything["next_cursor"] is None
    assert [item["id"] for item in everything["items"]] == seen
    assert _codes(caller.get(f"{API}/operations?limit=7")) == [
        *more_operations, "PRECURSOR-DEMO", "CATALYST-DEMO"]


def test_the_default_page_size_is_50(api_as, in_app):
    _create_operations(in_app, [f"BULK-{n}" for n in range(50)])
    body = api_as("secretariat").get(f"{API}/operations").json
    assert len(body["items"]) == 50
    assert body["next_cursor"] is not None and body["total"] == 52


def test_the_status_filter(api_as, ids):
    caller = api_as("secretariat")
    today = date.today()
    future = caller.post(f"{API}/operations", {
        "code": "LATER", "title": "Later", "host": "FR",
        "phases": _phases(today + timedelta(days=30), 10, 10)})
    assert future.status_code == 201
    assert future.json["status"] == "planned"
    assert future.json["current_phase"] is None
    closed = caller.patch(f"{API}/operations/{ids['PRECURSOR-DEMO']}", {"status": "closed"})
    assert closed.json["status"] == "closed"
    assert _codes(caller.get(f"{API}/operations?status=planned")) == ["LATER"]
    assert _codes(caller.get(f"{API}/operations?status=active")) == ["CATALYST-DEMO"]
    assert _codes(caller.get(f"{API}/operations?status=closed")) == ["PRECURSOR-DEMO"]


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=many", "limit"),
    ("status=finished", "status"), ("q=" + "x" * 101, "q"),
])
def test_bad_list_parameters_are_named(api_as, query, field):
    error = assert_api_error(api_as("cp.jp").get(f"{API}/operations?{query}"), 422,
                             "validation_failed")
    assert list(error["fields"]) == [field]


def test_the_list_runs_the_same_queries_for_one_or_many_operations(api_as, more_operations,
                                                                   _transaction):
    caller = api_as("secretariat")
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def queries_for(limit: int) -> int:
        statements.clear()
        response = caller.get(f"{API}/operations?limit={limit}")
        assert len(response.json["items"]) == limit
        return len(statements)

    caller.get(f"{API}/operations?limit=1")  # the token's first use is recorded once
    event.listen(_transaction, "before_cursor_execute", count)
    try:
        one, seven = queries_for(1), queries_for(7)
    finally:
        event.remove(_transaction, "before_cursor_execute", count)
    assert one > 0
    assert seven == one, "\n".join(s[:150] for s in statements)


# -- one operation --------------------------------------------------------------------------


def test_a_member_sees_the_whole_operation(api_as, catalyst):
    body = api_as("cp.jp").get(catalyst).json
    assert body["code"] == "CATALYST-DEMO"
    assert body["host"] == "KR"
    assert body["status"] == "active"
    assert body["caller_role"] == "contact_point"
    assert body["current_phase"]["kind"] == "operational"
    assert body["current_phase"] in body["phases"]
    assert [phase["kind"] for phase in body["phases"]] == [
        "planning", "pre_operational", "operational", "follow_up", "post_operational", "closed"]
    assert set(body["phases"][0]) == {"name", "kind", "starts_on", "ends_on"}
    assert body["phases"][-1]["ends_on"] is None
    assert body["starts_on"] == body["phases"][0]["starts_on"]
    assert body["organisers"] == ["RILO-AP", "WCO"]
    assert body["handling_code"] == "H1"
    assert body["tlp"] == "TLP:AMBER"
    assert body["reporting_frequency"] == "weekly"
    assert "synthetic_opioids" in body["substance_groups"]
    assert "postal" in body["transport_modes"]
    participants = {p["organisation"]: p["status"] for p in body["participants"]}
    assert participants["JP"] == participants["KR"] == "accepted"
    assert participants["MX"] == "invited"
    assert participants["ZA"] == "declined"
    assert "BR" not in participants
    assert [p["organisation"] for p in body["participants"]] == sorted(participants)


def test_the_document_describes_every_field_the_api_sends(api_as, client, catalyst):
    schema = client.get(f"{API}/openapi.json").json["components"]["schemas"]["Operation"]
    assert set(api_as("secretariat").get(catalyst).json) == set(schema["properties"])
    hidden_from_invitees = {name for name, prop in schema["properties"].items()
                            if "x-permission" in prop}
    assert hidden_from_invitees & set(api_as("cp.mx").get(catalyst).json) == set()


# -- create ---------------------------------------------------------------------------------


def test_the_secretariat_creates_an_operation(api_as, in_app):
    caller = api_as("secretariat")
    start = date.today() + timedelta(days=7)
    response = caller.post(f"{API}/operations", {
        "code": "nightjar-1",
        "title": "  Operation Nightjar ",
        "host": "jp",
        "summary": "Postal NPS.",
        "objectives": "Seize.",
        "substance_groups": ["synthetic_cathinones", "tryptamines"],
        "transport_modes": ["postal"],
        "organisers": ["WCO", "RILO-AP"],
        "handling_code": "H2",
        "tlp": "TLP:GREEN",
        "reporting_frequency": "daily",
        "report_deadline_days": 3,
        "phases": _phases(start, 10, 5, 14),
    })
    assert response.status_code == 201, response.text
    body = response.json
    assert response.headers["Location"] == f"{API}/operations/{body['id']}"
    assert caller.get(response.headers["Location"]).json == body
    assert body["code"] == "NIGHTJAR-1"
    assert body["title"] == "Operation Nightjar"
    assert body["host"] == "JP"
    assert body["organisers"] == ["RILO-AP", "WCO"]
    assert body["substance_groups"] == ["synthetic_cathinones", "tryptamines"]
    assert (body["handling_code"], body["tlp"]) == ("H2", "TLP:GREEN")
    assert (body["reporting_frequency"], body["report_deadline_days"]) == ("daily", 3)
    assert body["status"] == "planned"
    assert [p["name"] for p in body["phases"]] == ["Planning", "Pre_Operational", "Operational"]
    assert body["starts_on"] == start.isoformat()
    assert {p["organisation"]: p["status"] for p in body["participants"]} == {
        "JP": "accepted", "WCO": "accepted", "RILO-AP": "accepted"}
    with in_app() as session:
        operation = session.get(Operation, body["id"])
        assert operation.created_by.email == demo("secretariat")
        assert session.scalar(select(AuditEntry).where(
            AuditEntry.operation_id == operation.id,
            AuditEntry.action == AuditAction.OPERATION_CREATED)) is not None


def test_without_phases_the_usual_cycle_starts_today(api_as):
    body = api_as("secretariat").post(f"{API}/operations", {
        "code": "CYCLE", "title": "Cycle", "host": "DE"}).json
    assert body["phases"][0]["starts_on"] == date.today().isoformat()
    assert [p["kind"] for p in body["phases"]] == [
        "planning", "pre_operational", "operational", "follow_up", "post_operational", "closed"]
    assert body["current_phase"]["kind"] == "planning"
    assert (body["summary"], body["handling_code"], body["tlp"]) == ("", "H0", "TLP:AMBER")


VALID = {"code": "API-NEW", "title": "New", "host": "KR"}


@pytest.mark.parametrize("change, status, code, field", [
    ({"code": "CATALYST-DEMO"}, 409, "duplicate_code", "code"),
    ({"code": "catalyst-demo"}, 409, "duplicate_code", "code"),
    ({"code": "X"}, 422, "invalid_code", "code"),
    ({"code": "NO SPACES"}, 422, "invalid_code", "code"),
    ({"title": "   "}, 422, "missing_title", "title"),
    ({"host": "XX"}, 422, "unknown_organisation", "host"),
    ({"host": "UNODC"}, 422, "invalid_host", "host"),
    ({"organisers": ["WCO", "NOPE"]}, 422, "unknown_organisation", "organisers"),
    ({"report_deadline_days": 31}, 422, "invalid_deadline", "report_deadline_days"),
    ({"phases": []}, 422, "no_phases", "phases"),
    ({"phases": [{"kind": "planning", "starts_on": "2030-02-01", "ends_on": "2030-01-01"}]},
     422, "reversed_dates", "phases"),
    ({"phases": _phases(TODAY, 10, 10)[:1] + [
        {"kind": "operational", "starts_on": TODAY.isoformat(),
         "ends_on": (TODAY + timedelta(days=20)).isoformat()}]},
     422, "overlapping_phases", "phases"),
    ({"phases": [{"kind": "operational", "starts_on": "9999-12-20", "ends_on": "9999-12-31"}]},
     422, "date_out_of_range", "phases"),
    ({"phases": [{"kind": "planning", "starts_on": "0001-01-01", "ends_on": "2030-01-01"}]},
     422, "date_out_of_range", "phases"),
    ({"phases": [{"kind": "planning", "starts_on": "2030-01-01", "ends_on": None},
                 {"kind": "operational", "starts_on": "2030-02-01", "ends_on": "2030-03-01"}]},
     422, "missing_date", "phases"),
])
def test_a_refused_operation_names_the_problem_and_saves_nothing(api_as, in_app, change,
                                                                  status, code, field):
    caller = api_as("secretariat")
    before = _rows(in_app)
    assert_api_error(caller.post(f"{API}/operations", {**VALID, **change}), status, code,
                     field=field)
    assert _rows(in_app) == before


@pytest.mark.parametrize("body, field", [
    ({"title": "No code", "host": "KR"}, "code"),
    ({"code": "NO-TITLE", "host": "KR"}, "title"),
    ({"code": "NO-HOST", "title": "No host"}, "host"),
    ({**VALID, "id": 5}, "id"),
    ({**VALID, "status": "closed"}, "status"),
    ({**VALID, "substance_groups": ["cocaine"]}, "substance_groups"),
    ({**VALID, "transport_modes": "postal"}, "transport_modes"),
    ({**VALID, "tlp": "RED"}, "tlp"),
    ({**VALID, "report_deadline_days": "2"}, "report_deadline_days"),
    ({**VALID, "summary": None}, "summary"),
    ({**VALID, "phases": [{"kind": "planning", "starts_on": "1 May"}]}, "phases"),
    ({**VALID, "phases": [{"kind": "party", "starts_on": "2030-01-01"}]}, "phases"),
])
def test_invalid_fields_are_named(api_as, in_app, body, field):
    caller = api_as("secretariat")
    before = _rows(in_app)
    assert_api_error(caller.post(f"{API}/operations", body), 422, "validation_failed",
                     fields=[field])
    assert _rows(in_app) == before


# -- change ---------------------------------------------------------------------------------


def test_only_the_fields_sent_change(api_as, catalyst, in_app):
    caller = api_as("secretariat")
    before = caller.get(catalyst).json
    response = caller.patch(catalyst, {"title": "CATalyst, renamed", "tlp": "TLP:RED"})
    assert response.status_code == 200, response.text
    after = caller.get(catalyst).json
    assert after == response.json
    assert (after["title"], after["tlp"]) == ("CATalyst, renamed", "TLP:RED")
    unchanged = set(before) - {"title", "tlp", "updated_at"}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    with in_app() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.OPERATION_UPDATED)
            .order_by(AuditEntry.id.desc())).first()
        assert set(entry.details["changes"]) == {"title", "tlp"}


def test_a_new_host_and_organisers_take_part(api_as, catalyst):
    body = api_as("secretariat").patch(catalyst, {"host": "PL", "organisers": ["INTERPOL"]}).json
    assert body["host"] == "PL"
    assert body["organisers"] == ["INTERPOL"]
    participants = {p["organisation"]: p["status"] for p in body["participants"]}
    assert participants["PL"] == participants["INTERPOL"] == "accepted"


def test_phases_are_replaced(api_as, ids):
    caller = api_as("secretariat")
    url = f"{API}/operations/{ids['PRECURSOR-DEMO']}"
    phases = _phases(TODAY - timedelta(days=3), 10, 10, 10)
    body = caller.patch(url, {"phases": phases}).json
    assert body["phases"] == phases
    assert body["current_phase"] == phases[0]
    assert (body["starts_on"], body["ends_on"]) == (phases[0]["starts_on"],
                                                    phases[-1]["ends_on"])


@pytest.mark.parametrize("phases, code", [
    ([{"kind": "planning", "starts_on": "2030-03-01", "ends_on": "2030-02-01"}],
     "reversed_dates"),
    (_phases(TODAY, 10)
     + [{"kind": "operational", "starts_on": (TODAY + timedelta(days=9)).isoformat(),
         "ends_on": (TODAY + timedelta(days=30)).isoformat()}], "overlapping_phases"),
    (_phases(TODAY, 10, 10, 10) + [{"kind": "operational", "name": "Second",
                                     "starts_on": (TODAY + timedelta(days=40)).isoformat(),
                                     "ends_on": (TODAY + timedelta(days=50)).isoformat()}],
     "several_operational_phases"),
])
def test_bad_phases_leave_the_operation_as_it_was(api_as, catalyst, in_app, phases, code):
    caller = api_as("secretariat")
    before, rows = caller.get(catalyst).json, _rows(in_app)
    assert_api_error(caller.patch(catalyst, {"title": "Half-saved?", "phases": phases}), 422,
                     code, field="phases")
    assert caller.get(catalyst).json == before
    assert _rows(in_app) == rows


def test_closing_early_and_reopening(api_as, catalyst):
    caller = api_as("secretariat")
    closed = caller.patch(catalyst, {"status": "closed"}).json
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None
    assert closed["current_phase"]["kind"] == "closed"
    again = caller.patch(catalyst, {"status": "closed"})
    assert again.status_code == 200
    assert again.json["closed_at"] == closed["closed_at"]
    reopened = caller.patch(catalyst, {"status": "active"}).json
    assert reopened["status"] == "active"
    assert reopened["closed_at"] is None
    assert reopened["current_phase"]["kind"] == "operational"
    assert caller.patch(catalyst, {"status": "active"}).status_code == 200


def test_a_planned_operation_cannot_be_made_active(api_as):
    caller = api_as("secretariat")
    later = caller.post(f"{API}/operations", {"code": "LATER", "title": "Later", "host": "FR",
                                              "phases": _phases(TODAY + timedelta(days=9), 5)})
    assert_api_error(caller.patch(later.headers["Location"], {"status": "active"}), 409,
                     "not_closed")
    assert caller.get(later.headers["Location"]).json["status"] == "planned"


@pytest.mark.parametrize("body, field", [
    ({"status": "planned"}, "status"),
    ({"id": 1}, "id"),
    ({"participants": []}, "participants"),
    ({"title": None}, "title"),
    ({"phases": [{"kind": "planning"}]}, "phases"),
])
def test_a_patch_with_invalid_fields_is_refused(api_as, catalyst, body, field):
    caller = api_as("secretariat")
    before = caller.get(catalyst).json
    assert_api_error(caller.patch(catalyst, body), 422, "validation_failed", fields=[field])
    assert caller.get(catalyst).json == before


def test_a_member_may_not_change_anything(api_as, catalyst):
    coordinator = api_as("ocu")
    for body in ({}, {"title": "Mine"}, {"phases": []}, {"status": "closed"}):
        assert_api_error(coordinator.patch(catalyst, body), 403, "forbidden")
    # Refused before the body is read, so nothing is learnt from validation either.
    assert_api_error(coordinator.patch(catalyst, data="{", content_type="application/json"), 403,
                     "forbidden")
    assert coordinator.get(catalyst).json["title"] == "Operation CATalyst (demonstration)"


# -- participants ---------------------------------------------------------------------------


def test_participants_with_their_people(api_as, catalyst):
    items = api_as("observer").get(f"{catalyst}/participants").json["items"]
    by_code = {item["organisation"]: item for item in items}
    assert [item["organisation"] for item in items] == sorted(by_code)
    korea = by_code["KR"]
    assert korea["name"] == "Korea Customs Service"
    assert korea["kind"] == "member_administration"
    assert korea["status"] == "accepted"
    assert korea["invited_at"] and korea["responded_at"]
    assert {"name": "Kim Min-jun", "email": demo("ocu"),
            "role": "coordinator"} in korea["people"]
    assert [p["name"] for p in korea["people"]] == sorted(p["name"] for p in korea["people"])
    assert by_code["UNODC"]["kind"] == "international_organisation"
    assert by_code["UNODC"]["people"] == [{"name": "Maria Rossi",
                                           "email": demo("observer"), "role": "observer"}]
    assert (by_code["MX"]["status"], by_code["MX"]["responded_at"]) == ("invited", None)
    assert by_code["ZA"]["status"] == "declined"
    assert "BR" not in by_code


def test_inviting_an_organisation(api_as, catalyst, in_app):
    caller = api_as("secretariat")
    response = caller.post(f"{catalyst}/participants", {"organisation": "pl"})
    assert response.status_code == 201, response.text
    assert response.json["organisation"] == "PL"
    assert response.json["status"] == "invited"
    assert response.json["people"] == []
    listed = {item["organisation"]: item for item in
              caller.get(f"{catalyst}/participants").json["items"]}
    assert listed["PL"] == response.json
    with in_app() as session:
        assert session.scalar(select(AuditEntry).where(
            AuditEntry.action == AuditAction.PARTICIPANT_INVITED, AuditEntry.subject == "PL"))


def test_a_declined_organisation_can_be_invited_again(api_as, catalyst):
    response = api_as("secretariat").post(f"{catalyst}/participants", {"organisation": "ZA"})
    assert response.status_code == 201
    assert (response.json["status"], response.json["responded_at"]) == ("invited", None)


@pytest.mark.parametrize("code", ["JP", "MX"])
def test_inviting_twice_is_a_conflict(api_as, catalyst, in_app, code):
    caller = api_as("secretariat")
    before = _rows(in_app)
    error = assert_api_error(caller.post(f"{catalyst}/participants", {"organisation": code}), 409,
                             "already_invited", field="organisation")
    assert code in error["message"]
    assert _rows(in_app) == before


def test_an_invitation_names_no_account_it_refuses(api_as, catalyst):
    """Someone elsewhere and no one at all get the same answer, naming only what was sent."""
    caller = api_as("secretariat")
    messages = {
        assert_api_error(caller.post(f"{catalyst}/participants",
                                     {"organisation": "PL", "contact_points": [email]}), 422,
                         "unknown_person")["message"].replace(email, "<email>")
        for email in (demo("cp.br"), demo("secretariat"), "nobody@demo.example.org")
    }
    assert messages == {"No active account of PL has the e-mail address <email>."}


def test_the_second_of_two_invitations_is_a_conflict(api_as, catalyst):
    caller = api_as("secretariat")
    assert caller.post(f"{catalyst}/participants", {"organisation": "PL"}).status_code == 201
    assert_api_error(caller.post(f"{catalyst}/participants", {"organisation": "PL"}), 409,
                     "already_invited")


@pytest.mark.parametrize("body, code, field", [
    ({"organisation": "XX"}, "unknown_organisation", "organisation"),
    ({"organisation": "PL", "contact_points": [demo("cp.br")]}, "unknown_person",
     "contact_points"),
    ({"organisation": "BR", "contact_points": ["nobody@demo.example.org"]}, "unknown_person",
     "contact_points"),
])
def test_a_refused_invitation_names_the_problem_and_saves_nothing(api_as, catalyst, in_app,
                                                                  body, code, field):
    caller = api_as("secretariat")
    before = _rows(in_app)
    assert_api_error(caller.post(f"{catalyst}/participants", body), 422, code, field=field)
    assert _rows(in_app) == before


@pytest.mark.parametrize("body, field", [
    ({}, "organisation"),
    ({"organisation": "PL", "contact_points": ["not an e-mail"]}, "contact_points"),
    ({"organisation": "PL", "role": "coordinator"}, "role"),
])
def test_an_invitation_with_invalid_fields_is_refused(api_as, catalyst, body, field):
    assert_api_error(api_as("secretariat").post(f"{catalyst}/participants", body), 422,
                     "validation_failed", fields=[field])


def test_no_invitations_to_a_closed_operation(api_as, catalyst):
    caller = api_as("secretariat")
    caller.patch(catalyst, {"status": "closed"})
    assert_api_error(caller.post(f"{catalyst}/participants", {"organisation": "PL"}), 409,
                     "operation_closed")


# -- contacts -------------------------------------------------------------------------------


def test_the_directory(api_as, catalyst, in_app):
    items = api_as("cp.jp").get(f"{catalyst}/contacts").json["items"]
    by_email = {item["email"]: item for item in items}
    assert by_email[demo("cp.jp")] == {
        "name": "Sato Haruto", "job_title": "Enforcement officer, Tokyo Customs",
        "organisation": "JP", "organisation_name": "Japan Customs", "role": "contact_point",
        "email": demo("cp.jp"), "office_phone": "+81335290700",
        "duty_phone": "+819055500122", "languages": "Japanese, English",
        "time_zone": "Asia/Tokyo"}
    assert by_email[demo("ocu")]["role"] == "coordinator"
    assert by_email[demo("observer")]["organisation"] == "UNODC"
    # Only organisations taking part: not BR, not the invited MX, not the declined ZA.
    assert {item["organisation"] for item in items}.isdisjoint({"BR", "MX", "ZA"})
    assert [item["organisation"] for item in items] == sorted(item["organisation"]
                                                              for item in items)
    with in_app() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.DIRECTORY_EXPORTED)
            .order_by(AuditEntry.id.desc())).first()
        assert entry.actor.email == demo("cp.jp")
        assert entry.details == {"format": "api"}


# -- bodies that are not JSON objects -------------------------------------------------------

WRITES = [entry for entry in MATRIX.entries if entry.method != "GET"]


@pytest.mark.parametrize("entry", WRITES, ids=lambda entry: entry.name)
@pytest.mark.parametrize("data, content_type, status, code", [
    ('{"title": ', "application/json", 400, "malformed_json"),
    ("", "application/json", 400, "malformed_json"),
    ("title=New", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ('{"title": "New"}', "text/plain", 415, "unsupported_media_type"),
    ('["title"]', "application/json", 422, "validation_failed"),
])
def test_a_body_that_is_not_a_json_object(api_as, ids, in_app, entry, data, content_type,
                                          status, code):
    caller = api_as("secretariat")
    before = _rows(in_app)
    response = caller.open(entry.method, entry.url(operation_id=ids["CATALYST-DEMO"]),
                           data=data, content_type=content_type)
    assert_api_error(response, status, code)
    assert _rows(in_app) == before


# -- the OpenAPI document -------------------------------------------------------------------


def test_the_document_describes_the_operations_api(client):
    document = client.get(f"{API}/openapi.json").json
    validate(document)
    paths = document["paths"]
    for entry in MATRIX.entries:
        path = entry.rule.rule.replace("<int:operation_id>", "{operation_id}")
        operation = paths[path][entry.method.lower()]
        assert operation["summary"] and operation["tags"]
        assert operation["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}
        if "{operation_id}" in path:
            assert {"in": "path", "name": "operation_id", "required": True,
                    "schema": {"type": "integer"}} in operation["parameters"]
            assert "404" in operation["responses"]
        if entry.body is not None:
            assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert {"400", "415", "422"} <= set(operation["responses"])
    listing = paths["/api/v1/operations"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"limit", "cursor", "status", "q"}
    schemas = document["components"]["schemas"]
    assert set(schemas["OperationCreate"]["required"]) == {"code", "title", "host"}
    assert "required" not in schemas["OperationPatch"]
    assert {"id", "code", "title", "status", "current_phase", "phases"} <= set(
        schemas["Operation"]["required"])
    assert set(schemas["Phase"]["properties"]) == {"name", "kind", "starts_on", "ends_on"}
    assert set(schemas["Participant"]["properties"]) == {
        "organisation", "name", "kind", "status", "invited_at", "responded_at", "people"}
