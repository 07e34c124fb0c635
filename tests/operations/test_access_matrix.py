"""The access rules of the operation pages, proven route by route and role by role.

The expected outcome of every (route, role) pair is written out in ``CASES``
below, from the access model in ARCHITECTURE.md, not read from the code under
test: someone outside an operation (and a platform admin who is not a member)
gets 404 for it and everything under it; an anonymous visitor is sent to sign
in; a member lacking the permission gets 403; those allowed get the page or
their change. ``test_every_route_has_an_entry`` fails when a route of the
``operations`` blueprint has no entry, so a new page cannot skip this proof.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from opsplatform.auth.models import User
from opsplatform.operations import operations, participants
from opsplatform.operations.models import (
    Operation,
    OperationRole,
    ParticipationStatus,
    PeriodReturn,
    ReportingFrequency,
    ReportingPeriod,
)
from tests.conftest import demo
from tests.operations.support import DemoIds, add_colleague, audit_count, participation

# Who asks, as a demo account (None: not signed in).
ROLES = {
    "anonymous": None,
    "outsider": "cp.br",  # BR does not take part in CATALYST-DEMO
    "platform_admin": "admin",  # WCO organises CATALYST-DEMO, but admin@ has no role in it
    "invitee": "cp.mx",  # MX is invited and has not answered
    "contact_point": "cp.jp",
    "observer": "observer",
    "coordinator": "ocu",
    "secretariat": "secretariat",
}
ROLE_ORDER = list(ROLES)


def outcomes(*statuses: int) -> dict[str, int]:
    """Expected statuses in the order of ROLES: anonymous, outsider, platform admin,
    invitee, contact point, observer, coordinator, secretariat."""
    assert len(statuses) == len(ROLE_ORDER)
    return dict(zip(ROLE_ORDER, statuses, strict=True))


@dataclass
class Case:
    name: str
    endpoint: str
    method: str
    expected: dict[str, int]
    # URL arguments other than operation_id, from the demo ids and what arrange() returned.
    values: Callable[[DemoIds, dict], dict] = lambda ids, made: {}
    data: Callable[[DemoIds, dict], dict] = lambda ids, made: {}
    # Prepares the data the request needs (inside the test's transaction).
    arrange: Callable[[object, DemoIds], dict] | None = None
    # Where an allowed redirect goes (a regex over the Location header).
    redirect: str | None = None
    operation_scoped: bool = True


def _plan_form(ids: DemoIds, made: dict) -> dict:
    return {"code": "CATALYST-DEMO", "title": "Operation CATalyst (demonstration)",
            "host": "KR", "organisers": ["RILO-AP", "WCO"], "handling_code": "H1",
            "tlp": "TLP:AMBER", "reporting_frequency": "weekly", "report_deadline_days": "2",
            "substance_groups": ["synthetic_cathinones"], "transport_modes": ["postal"]}


def _new_operation_form(ids: DemoIds, made: dict) -> dict:
    return {"code": "MATRIX-NEW", "title": "A new operation", "host": "KR",
            "handling_code": "H0", "tlp": "TLP:AMBER", "reporting_frequency": "weekly",
            "report_deadline_days": "2", "planning_starts_on": date.today().isoformat()}


def _phases_form(ids: DemoIds, made: dict) -> dict:
    data = {}
    for number, (kind, name, starts_on, ends_on) in enumerate(ids.phases):
        data.update({f"phases-{number}-kind": kind, f"phases-{number}-name": name,
                     f"phases-{number}-starts_on": starts_on.isoformat(),
                     f"phases-{number}-ends_on": ends_on.isoformat() if ends_on else ""})
    return data


def _close_catalyst(session, ids: DemoIds) -> dict:
    operation = session.get(Operation, ids.catalyst)
    operations.close_operation(operation, actor=session.get(User, ids.users["secretariat"]))
    return {}


def _jp_colleague(session, ids: DemoIds) -> dict:
    user = add_colleague(session, "JP", "cp2.jp", "Suzuki Aoi")
    return {"user_id": user.id}


def _second_jp_contact_point(session, ids: DemoIds) -> dict:
    user = add_colleague(session, "JP", "cp2.jp", "Suzuki Aoi")
    membership = participants.add_member(
        participation(session, ids.catalyst, "JP"), user, OperationRole.CONTACT_POINT,
        actor=session.get(User, ids.users["secretariat"]))
    return {"membership_id": membership.id}


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
       b"trailer << /Root 1 0 R >>\n%%EOF\n")


def _a_document(session, ids: DemoIds) -> dict:
    from opsplatform.operations.documents import upload_document

    document = upload_document(session.get(Operation, ids.catalyst), PDF, "plan.pdf", "Plan",
                               "operational_plan", "", actor=session.get(User, ids.users["ocu"]))
    return {"document_id": document.id}


def _periods(session, ids: DemoIds) -> list[ReportingPeriod]:
    return list(session.scalars(select(ReportingPeriod).where(
        ReportingPeriod.operation_id == ids.catalyst).order_by(ReportingPeriod.starts_on)))


def _jp_owes_a_return(session, ids: DemoIds) -> dict:
    """JP has reported for every period so far: take back its latest return."""
    started = [p for p in _periods(session, ids) if p.starts_on <= date.today()]
    latest = session.scalar(select(PeriodReturn).where(
        PeriodReturn.period_id == started[-1].id,
        PeriodReturn.organisation_id == ids.organisations["JP"]))
    session.delete(latest)
    return {"period_id": started[-1].id}


def _first_period(session, ids: DemoIds) -> dict:
    return {"period_id": _periods(session, ids)[0].id}


def _custom_reporting(session, ids: DemoIds) -> dict:
    session.get(Operation, ids.catalyst).reporting_frequency = ReportingFrequency.CUSTOM
    rows = {}
    for number, period in enumerate(_periods(session, ids)):
        rows[f"rows-{number}-starts_on"] = period.starts_on.isoformat()
        rows[f"rows-{number}-ends_on"] = period.ends_on.isoformat()
    return {"rows": rows}


DENIED_TO_NON_MEMBERS = (302, 404, 404)  # anonymous, outsider, platform admin
A, O, P = DENIED_TO_NON_MEMBERS
OVERVIEW = r"^/operations/\d+$"
PARTICIPANTS = r"^/operations/\d+/participants$"

CASES = [
    # Not tied to one operation.
    Case("list", "operations.index", "GET",
         outcomes(302, 200, 200, 200, 200, 200, 200, 200), operation_scoped=False),
    Case("new-form", "operations.create", "GET",
         outcomes(302, 403, 403, 403, 403, 403, 403, 200), operation_scoped=False),
    Case("new", "operations.create", "POST",
         outcomes(302, 403, 403, 403, 403, 403, 403, 302), data=_new_operation_form,
         redirect=r"^/operations/\d+/phases$", operation_scoped=False),
    # The dashboard (the invitation page for the invitee).
    Case("overview", "operations.overview", "GET",
         outcomes(A, O, P, 200, 200, 200, 200, 200)),
    # The plan and the phases: the secretariat's.
    Case("edit-form", "operations.edit", "GET",
         outcomes(A, O, P, 403, 403, 403, 403, 200)),
    Case("edit", "operations.edit", "POST",
         outcomes(A, O, P, 403, 403, 403, 403, 302), data=_plan_form, redirect=OVERVIEW),
    Case("phases-form", "operations.edit_phases", "GET",
         outcomes(A, O, P, 403, 403, 403, 403, 200)),
    Case("phases", "operations.edit_phases", "POST",
         outcomes(A, O, P, 403, 403, 403, 403, 302), data=_phases_form, redirect=OVERVIEW),
    Case("close", "operations.close", "POST",
         outcomes(A, O, P, 403, 403, 403, 403, 302), redirect=OVERVIEW),
    Case("reopen", "operations.reopen", "POST",
         outcomes(A, O, P, 403, 403, 403, 403, 302), arrange=_close_catalyst, redirect=OVERVIEW),
    # The invitation: answered by the invited administration only.
    Case("accept", "operations.respond", "POST",
         outcomes(A, O, P, 302, 403, 403, 403, 403),
         values=lambda ids, made: {"answer": "accept"}, redirect=OVERVIEW),
    Case("decline", "operations.respond", "POST",
         outcomes(A, O, P, 302, 403, 403, 403, 403),
         values=lambda ids, made: {"answer": "decline"}, redirect=r"^/$"),
    # Participants: everyone taking part sees them; the secretariat invites and withdraws.
    Case("participants", "operations.participants", "GET",
         outcomes(A, O, P, 403, 200, 200, 200, 200)),
    Case("invite", "operations.invite", "POST",
         outcomes(A, O, P, 403, 403, 403, 403, 302),
         data=lambda ids, made: {"invite-organisation": "BR"}, redirect=PARTICIPANTS),
    Case("withdraw", "operations.withdraw", "POST",
         outcomes(A, O, P, 403, 403, 403, 403, 302),
         values=lambda ids, made: {"participation_id": ids.participations["US"]},
         redirect=PARTICIPANTS),
    # People: coordinators and the secretariat for anyone, a contact point for its own
    # administration (cp.jp is JP's contact point).
    Case("add-member", "operations.add_member", "POST",
         outcomes(A, O, P, 403, 302, 403, 302, 302), arrange=_jp_colleague,
         values=lambda ids, made: {"participation_id": ids.participations["JP"]},
         data=lambda ids, made: {
             f"member-{ids.participations['JP']}-user": str(made["user_id"]),
             f"member-{ids.participations['JP']}-role": "contact_point"},
         redirect=PARTICIPANTS),
    Case("change-role", "operations.change_role", "POST",
         outcomes(A, O, P, 403, 302, 403, 302, 302),
         values=lambda ids, made: {"membership_id": ids.memberships["cp.jp"]},
         data=lambda ids, made: {"role": "contact_point"}, redirect=PARTICIPANTS),
    Case("remove-member", "operations.remove_member", "POST",
         outcomes(A, O, P, 403, 302, 403, 302, 302), arrange=_second_jp_contact_point,
         values=lambda ids, made: {"membership_id": made["membership_id"]},
         redirect=PARTICIPANTS),
    # The contact-point directory: members only.
    Case("directory", "operations.directory", "GET",
         outcomes(A, O, P, 403, 200, 200, 200, 200)),
    Case("directory-csv", "operations.directory_csv", "GET",
         outcomes(A, O, P, 403, 200, 200, 200, 200)),
    Case("directory-vcard", "operations.directory_vcard", "GET",
         outcomes(A, O, P, 403, 200, 200, 200, 200)),
    # Reporting: every member sees the summary; the full administration × period table
    # (and its export) and reminders are for coordinators and the secretariat; a contact
    # point files its own administration's returns; custom periods are the secretariat's.
    Case("reporting", "operations.compliance", "GET",
         outcomes(A, O, P, 403, 200, 200, 200, 200)),
    Case("reporting-csv", "operations.compliance_csv", "GET",
         outcomes(A, O, P, 403, 403, 403, 200, 200)),
    Case("file-return", "operations.compliance_file_return", "POST",
         outcomes(A, O, P, 403, 302, 403, 403, 403), arrange=_jp_owes_a_return,
         data=lambda ids, made: {"period": str(made["period_id"]), "kind": "nil"},
         redirect=r"^/operations/\d+/reporting$"),
    Case("remind", "operations.compliance_remind", "POST",
         outcomes(A, O, P, 403, 403, 403, 302, 302), arrange=_first_period,
         values=lambda ids, made: {"period_id": made["period_id"]},
         data=lambda ids, made: {f"remind-{made['period_id']}-scope": "all",
                                 f"remind-{made['period_id']}-message": "Please report."},
         redirect=r"^/operations/\d+/reporting(#reminders)?$"),
    Case("custom-periods", "operations.compliance_periods", "POST",
         outcomes(A, O, P, 403, 403, 403, 403, 302), arrange=_custom_reporting,
         data=lambda ids, made: made["rows"], redirect=r"^/operations/\d+/reporting$"),
    # Documents: members read and download; coordinators and the secretariat upload and delete.
    Case("documents", "operations.documents", "GET",
         outcomes(A, O, P, 403, 200, 200, 200, 200)),
    Case("upload", "operations.documents_upload", "POST",
         outcomes(A, O, P, 403, 403, 403, 302, 302),
         data=lambda ids, made: {"file": (PDF, "plan.pdf"), "title": "Plan",
                                 "category": "operational_plan", "description": ""},
         redirect=r"^/operations/\d+/documents$"),
    Case("download", "operations.documents_download", "GET",
         outcomes(A, O, P, 403, 200, 200, 200, 200), arrange=_a_document,
         values=lambda ids, made: {"document_id": made["document_id"]}),
    Case("delete-document", "operations.documents_delete", "POST",
         outcomes(A, O, P, 403, 403, 403, 302, 302), arrange=_a_document,
         values=lambda ids, made: {"document_id": made["document_id"]},
         redirect=r"^/operations/\d+/documents$"),
]


def _url(app, case: Case, ids: DemoIds, made: dict, operation_id: int | None = None) -> str:
    values = case.values(ids, made)
    if case.operation_scoped:
        values["operation_id"] = operation_id or ids.catalyst
    return app.url_map.bind("localhost").build(case.endpoint, values, method=case.method)


def _request(client, case: Case, url: str, data: dict):
    if case.method == "GET":
        return client.get(url)
    if any(isinstance(value, tuple) for value in data.values()):
        # A file upload, encoded in memory (the client would spool it to a temporary file
        # it never closes: a ResourceWarning, so an error here).
        fields = {name: FileStorage(io.BytesIO(value[0]), value[1])
                  if isinstance(value, tuple) else value for name, value in data.items()}
        boundary, body = encode_multipart({"csrf_token": client.csrf_token(), **fields})
        return client.post(url, data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    return client.post_form(url, data)


def test_every_route_has_an_entry(app):
    """A route added to the blueprint must be added to CASES, with its expected outcomes."""
    covered = {(case.endpoint, case.method) for case in CASES}
    routes = {(rule.endpoint, method)
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("operations.")
              for method in ("GET", "POST", "PUT", "PATCH", "DELETE") if method in rule.methods}
    missing = sorted(routes - covered)
    assert not missing, f"routes without an entry in the access matrix: {missing}"
    assert not covered - routes, f"entries for routes that do not exist: {covered - routes}"


@pytest.mark.parametrize("role", ROLE_ORDER)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_access(app, client_as, in_app, ids, case, role):
    made = {}
    if case.arrange is not None:
        with in_app() as session:
            made = case.arrange(session, ids)
    with in_app() as session:
        audited_before = audit_count(session, ids.catalyst)
    client = client_as(ROLES[role])
    url = _url(app, case, ids, made)

    response = _request(client, case, url, case.data(ids, made))

    expected = case.expected[role]
    assert response.status_code == expected, (
        f"{case.method} {url} as {role}: {response.status_code}, expected {expected}")
    if role == "anonymous":
        assert response.headers["Location"].startswith("/sign-in?next=")
    elif expected == 302 and case.redirect:
        assert re.match(case.redirect, response.headers["Location"]), response.headers["Location"]
    if expected in (403, 404) or role == "anonymous":
        with in_app() as session:
            assert audit_count(session, ids.catalyst) == audited_before, "a refused request left a trace"
    if expected == 404:
        # Not even the operation's code or title: the outsider must not learn it exists.
        assert "CATALYST" not in response.text
        assert "CATalyst" not in response.text


@pytest.mark.parametrize("case", [case for case in CASES if case.method == "POST"],
                         ids=lambda case: case.name)
def test_a_change_without_its_csrf_token_is_refused(app, client_as, in_app, ids, case):
    """Someone allowed, tricked into sending the form from another site."""
    allowed = next(role for role in reversed(ROLE_ORDER) if case.expected[role] == 302)
    made = {}
    if case.arrange is not None:
        with in_app() as session:
            made = case.arrange(session, ids)
    with in_app() as session:
        audited_before = audit_count(session, ids.catalyst)
    data = {name: value for name, value in case.data(ids, made).items()
            if not isinstance(value, tuple)}
    response = client_as(ROLES[allowed]).post(_url(app, case, ids, made), data=data)
    assert response.status_code == 400
    assert "security token" in response.text
    with in_app() as session:
        assert audit_count(session, ids.catalyst) == audited_before


# -- a child of another operation under CATALYST-DEMO's URL ------------------------------------

# (endpoint, the child's URL argument, who may act on a child of CATALYST-DEMO there).
FOREIGN_CHILDREN = [
    ("operations.withdraw",
     lambda ids: {"participation_id": ids.precursor_participations["BR"]}, "secretariat"),
    ("operations.add_member",
     lambda ids: {"participation_id": ids.precursor_participations["BR"]}, "secretariat"),
    ("operations.add_member",
     lambda ids: {"participation_id": ids.precursor_participations["BR"]}, "ocu"),
    ("operations.add_member",
     lambda ids: {"participation_id": ids.precursor_participations["BR"]}, "cp.jp"),
    ("operations.change_role",
     lambda ids: {"membership_id": ids.precursor_memberships["cp.br"]}, "secretariat"),
    ("operations.change_role",
     lambda ids: {"membership_id": ids.precursor_memberships["cp.br"]}, "ocu"),
    ("operations.remove_member",
     lambda ids: {"membership_id": ids.precursor_memberships["cp.br"]}, "secretariat"),
    ("operations.remove_member",
     lambda ids: {"membership_id": ids.precursor_memberships["cp.br"]}, "cp.jp"),
]


@pytest.mark.parametrize("endpoint, values, who", FOREIGN_CHILDREN,
                         ids=[f"{endpoint}-{who}" for endpoint, _, who in FOREIGN_CHILDREN])
def test_a_child_of_another_operation_is_not_found(app, client_as, in_app, ids, endpoint,
                                                    values, who):
    """PRECURSOR-DEMO's BR participation and cp.br's role, under CATALYST-DEMO's URL."""
    url = app.url_map.bind("localhost").build(
        endpoint, {"operation_id": ids.catalyst, **values(ids)}, method="POST")
    response = client_as(who).post_form(url, {"role": "contact_point"})
    assert response.status_code == 404
    with in_app() as session:
        br = participation(session, ids.precursor, "BR")
        assert br.status is ParticipationStatus.ACCEPTED
        assert [m.role for m in br.members] == [OperationRole.CONTACT_POINT]


@pytest.mark.parametrize("path", [
    "/operations/{huge}", "/operations/{huge}/participants",
    "/operations/{catalyst}/participants/{huge}/withdraw",
    "/operations/{catalyst}/members/{huge}/role", "/operations/{catalyst}/members/{huge}/remove",
    "/operations/{catalyst}/participants/{missing}/withdraw",
])
def test_ids_that_name_nothing_are_not_found(client_as, ids, path):
    """Also ids beyond what the database's integer column holds (a 500 on PostgreSQL)."""
    url = path.format(huge=2**31, missing=2**31 - 1, catalyst=ids.catalyst)
    client = client_as("secretariat")
    response = client.get(url) if url.count("/") <= 3 else client.post_form(url)
    assert response.status_code == 404


# -- lists, counts and search ------------------------------------------------------------------


def _tables(html: str) -> str:
    return "".join(re.findall(r"<table.*?</table>", html, re.DOTALL))


@pytest.mark.parametrize("who", ["cp.br", "admin"])
def test_an_operation_appears_in_no_list_of_those_outside_it(client_as, who):
    client = client_as(who)
    pages = [client.get("/"), client.get("/operations/"),
             client.get("/operations/", query_string={"q": "CATALYST"}),
             client.get("/operations/", query_string={"q": "catalyst", "status": "active"}),
             client.get("/operations/", query_string={"status": "active"}),
             client.get("/operations/", query_string={"q": "Seoul"})]
    for page in pages:
        assert page.status_code == 200
        listing = _tables(page.text)  # the search box echoes what was typed
        assert "CATALYST" not in listing
        assert "CATalyst" not in listing
    assert "CATALYST" not in pages[0].text
    listed = re.findall(r'href="/operations/(\d+)"', client.get("/operations/").text)
    if who == "cp.br":
        # BR takes part in PRECURSOR-DEMO, and sees only that one.
        assert "PRECURSOR-DEMO" in pages[1].text
        assert len(set(listed)) == 1
    else:
        assert listed == []


def test_search_finds_an_operation_only_for_those_who_may_see_it(client_as):
    found = client_as("cp.jp").get("/operations/", query_string={"q": "catalyst"})
    assert "CATALYST-DEMO" in found.text
    assert "PRECURSOR-DEMO" not in found.text  # JP does not take part in it
    hidden = client_as("cp.jp").get("/operations/", query_string={"q": "precursor"})
    assert "PRECURSOR-DEMO" not in hidden.text


def test_counts_on_lists_leave_out_operations_the_user_cannot_see(client_as, ids, in_app):
    """BR sees PRECURSOR-DEMO's participant count, nothing about CATALYST-DEMO's."""
    with in_app() as session:
        taking_part = sum(1 for p in session.get(Operation, ids.precursor).participations
                          if p.status is ParticipationStatus.ACCEPTED)
    page = client_as("cp.br").get("/operations/").text
    row = re.search(r"PRECURSOR-DEMO.*?</tr>", page, re.DOTALL).group(0)
    assert f'<td class="num">{taking_part}</td>' in row
    assert page.count('<td class="num">') == 1


# -- the invitee -------------------------------------------------------------------------------


def test_the_invitee_sees_only_the_invitation(client_as, ids):
    client = client_as("cp.mx")
    page = client.get(f"/operations/{ids.catalyst}")
    assert page.status_code == 200
    assert "MX is invited to take part" in page.text
    assert f"/operations/{ids.catalyst}/invitation/accept" in page.text
    # No tabs, no dashboard content.
    assert 'aria-label="Operation sections"' not in page.text
    for hidden in ("Latest activity", "Organisations taking part", "The plan",
                   f"/operations/{ids.catalyst}/participants",
                   f"/operations/{ids.catalyst}/contacts", "Sato Haruto"):
        assert hidden not in page.text
    listed = client.get("/").text
    assert "CATALYST-DEMO" in listed
    assert "Invited" in listed


def test_a_member_sees_the_tabs_the_role_allows(client_as, ids):
    observer = client_as("observer").get(f"/operations/{ids.catalyst}").text
    assert 'aria-label="Operation sections"' in observer
    assert f"/operations/{ids.catalyst}/contacts" in observer
    assert f"/operations/{ids.catalyst}/edit" not in observer
    secretariat = client_as("secretariat").get(f"/operations/{ids.catalyst}").text
    assert f"/operations/{ids.catalyst}/edit" in secretariat


def test_a_platform_admin_who_is_also_a_member_sees_the_operation(client_as, ids, in_app):
    with in_app() as session:
        admin = session.scalar(select(User).where(User.email == demo("admin")))
        wco = participation(session, ids.catalyst, "WCO")
        participants.add_member(wco, admin, OperationRole.OBSERVER,
                              actor=session.get(User, ids.users["secretariat"]))
    client = client_as("admin")
    assert client.get(f"/operations/{ids.catalyst}").status_code == 200
    assert "CATALYST-DEMO" in client.get("/operations/").text


def test_a_deactivated_member_loses_access(client_as, ids, in_app):
    client = client_as("cp.jp")
    assert client.get(f"/operations/{ids.catalyst}").status_code == 200
    with in_app() as session:
        session.get(User, ids.users["cp.jp"]).is_active = False
    assert client.get(f"/operations/{ids.catalyst}").status_code == 302  # signed out


def test_previously_member_of_a_withdrawn_administration_gets_404(client_as, ids, in_app):
    with in_app() as session:
        participants.withdraw_participation(participation(session, ids.catalyst, "JP"),
                                          actor=session.get(User, ids.users["secretariat"]))
    client = client_as("cp.jp")
    for path in ("", "/participants", "/contacts", "/contacts.csv", "/reporting"):
        assert client.get(f"/operations/{ids.catalyst}{path}").status_code == 404
    assert "CATALYST" not in client.get("/").text


def test_closing_does_not_widen_or_narrow_access(client_as, ids, in_app):
    with in_app() as session:
        _close_catalyst(session, ids)
    assert client_as("cp.jp").get(f"/operations/{ids.catalyst}").status_code == 200
    assert client_as("cp.br").get(f"/operations/{ids.catalyst}").status_code == 404
