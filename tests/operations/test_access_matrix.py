"""The access rules of the operation pages, proven route by route and role by role.

The expected outcome of every (route, role) pair is written out in ``MATRIX``
below, from the access model in ARCHITECTURE.md, not read from the code under
test: someone outside an operation (and a platform admin who is not a member)
gets 404 for it and everything under it; an anonymous visitor is sent to sign
in; a member lacking the permission gets 403; those allowed get the page or
their change. ``test_every_route_has_an_entry`` fails when a route of the
``operations`` blueprint has no entry, so a new page cannot skip this proof
(the helper: tests/support/access_matrix.py).
"""

from __future__ import annotations

import io
import re
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
from tests.operations.support import DemoIds, add_colleague, audit_count, participation
from tests.support.access_matrix import AccessMatrix, Entry, assert_complete
from tests.support.clients import demo
from tests.url_rules import rules_of_blueprint

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


def outcomes(*statuses: int) -> tuple[int, ...]:
    """Expected statuses in the order of ROLES: anonymous, outsider, platform admin,
    invitee, contact point, observer, coordinator, secretariat."""
    return statuses


# An entry's ``values`` (URL arguments other than operation_id) and ``body`` (the form)
# are called with the demo's ids and what its ``arrange(session, ids)`` returned.


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
    user = add_colleague("JP", "cp2.jp", "Suzuki Aoi")
    return {"user_id": user.id}


def _second_jp_contact_point(session, ids: DemoIds) -> dict:
    user = add_colleague("JP", "cp2.jp", "Suzuki Aoi")
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


def _jp_return(session, ids: DemoIds) -> dict:
    """A return JP has filed (the demo files several)."""
    filed = session.scalars(select(PeriodReturn).where(
        PeriodReturn.operation_id == ids.catalyst,
        PeriodReturn.organisation_id == ids.organisations["JP"])).first()
    return {"return_id": filed.id}


def _first_period(session, ids: DemoIds) -> dict:
    return {"period_id": _periods(session, ids)[0].id}


def _second_period(session, ids: DemoIds) -> dict:
    # Not the first: the demo reminded its missing administrations today, and nobody is
    # reminded twice within a day (compliance.REMINDER_INTERVAL).
    return {"period_id": _periods(session, ids)[1].id}


def _custom_reporting(session, ids: DemoIds) -> dict:
    session.get(Operation, ids.catalyst).reporting_frequency = ReportingFrequency.CUSTOM
    rows = {}
    for number, period in enumerate(_periods(session, ids)):
        rows[f"rows-{number}-starts_on"] = period.starts_on.isoformat()
        rows[f"rows-{number}-ends_on"] = period.ends_on.isoformat()
    return {"rows": rows}


DENIED_TO_NON_MEMBERS = (302, 404, 404)  # anonymous, outsider, platform admin
A, O, P = DENIED_TO_NON_MEMBERS  # noqa: E741 - the roles' initials
OVERVIEW = r"^/operations/\d+$"
# The list (inviting shows those invited: ?status=invited), and one organisation's page,
# where what is done to it leads back.
PARTICIPANTS = r"^/operations/\d+/participants(\?status=invited)?$"
PARTICIPANT = r"^/operations/\d+/participants/\d+$"

ENTRIES = [
    # Not tied to one operation.
    Entry("list", "operations.index", "GET",
          outcomes(302, 200, 200, 200, 200, 200, 200, 200)),
    Entry("new-form", "operations.create", "GET",
          outcomes(302, 403, 403, 403, 403, 403, 403, 200)),
    Entry("new", "operations.create", "POST",
          outcomes(302, 403, 403, 403, 403, 403, 403, 302), body=_new_operation_form,
          redirect=r"^/operations/\d+/phases$"),
    # The dashboard (the invitation page for the invitee).
    Entry("overview", "operations.overview", "GET",
          outcomes(A, O, P, 200, 200, 200, 200, 200)),
    # The plan and the phases: the secretariat's.
    Entry("edit-form", "operations.edit", "GET",
          outcomes(A, O, P, 403, 403, 403, 403, 200)),
    Entry("edit", "operations.edit", "POST",
          outcomes(A, O, P, 403, 403, 403, 403, 302), body=_plan_form, redirect=OVERVIEW),
    Entry("phases-form", "operations.edit_phases", "GET",
          outcomes(A, O, P, 403, 403, 403, 403, 200)),
    Entry("phases", "operations.edit_phases", "POST",
          outcomes(A, O, P, 403, 403, 403, 403, 302), body=_phases_form, redirect=OVERVIEW),
    Entry("close", "operations.close", "POST",
          outcomes(A, O, P, 403, 403, 403, 403, 302), redirect=OVERVIEW),
    Entry("reopen", "operations.reopen", "POST",
          outcomes(A, O, P, 403, 403, 403, 403, 302), arrange=_close_catalyst, redirect=OVERVIEW),
    # The invitation: answered by the invited administration only.
    Entry("accept", "operations.respond", "POST",
          outcomes(A, O, P, 302, 403, 403, 403, 403),
          values=lambda ids, made: {"answer": "accept"}, redirect=OVERVIEW),
    Entry("decline", "operations.respond", "POST",
          outcomes(A, O, P, 302, 403, 403, 403, 403),
          values=lambda ids, made: {"answer": "decline"}, redirect=r"^/$"),
    # Participants: everyone taking part sees them; the secretariat invites and withdraws.
    Entry("participants", "operations.participants", "GET",
          outcomes(A, O, P, 403, 200, 200, 200, 200)),
    Entry("participant", "operations.participant", "GET",
          outcomes(A, O, P, 403, 200, 200, 200, 200),
          values=lambda ids, made: {"participation_id": ids.participations["US"]}),
    Entry("invite", "operations.invite", "POST",
          outcomes(A, O, P, 403, 403, 403, 403, 302),
          body=lambda ids, made: {"invite-organisation": "BR"}, redirect=PARTICIPANTS),
    Entry("withdraw", "operations.withdraw", "POST",
          outcomes(A, O, P, 403, 403, 403, 403, 302),
          values=lambda ids, made: {"participation_id": ids.participations["US"]},
          redirect=PARTICIPANT),
    # People: coordinators and the secretariat for anyone, a contact point for its own
    # administration (cp.jp is JP's contact point).
    Entry("add-member", "operations.add_member", "POST",
          outcomes(A, O, P, 403, 302, 403, 302, 302), arrange=_jp_colleague,
          values=lambda ids, made: {"participation_id": ids.participations["JP"]},
          body=lambda ids, made: {
             f"member-{ids.participations['JP']}-user": str(made["user_id"]),
             f"member-{ids.participations['JP']}-role": "contact_point"},
          redirect=PARTICIPANT),
    Entry("change-role", "operations.change_role", "POST",
          outcomes(A, O, P, 403, 302, 403, 302, 302),
          values=lambda ids, made: {"membership_id": ids.memberships["cp.jp"]},
          body=lambda ids, made: {"role": "contact_point"}, redirect=PARTICIPANT),
    Entry("remove-member", "operations.remove_member", "POST",
          outcomes(A, O, P, 403, 302, 403, 302, 302), arrange=_second_jp_contact_point,
          values=lambda ids, made: {"membership_id": made["membership_id"]},
          redirect=PARTICIPANT),
    # The contact-point directory: members only.
    Entry("directory", "operations.directory", "GET",
          outcomes(A, O, P, 403, 200, 200, 200, 200)),
    Entry("directory-csv", "operations.directory_csv", "GET",
          outcomes(A, O, P, 403, 200, 200, 200, 200)),
    Entry("directory-vcard", "operations.directory_vcard", "GET",
          outcomes(A, O, P, 403, 200, 200, 200, 200)),
    # Reporting: every member sees the summary; the full administration × period table
    # (and its export) and reminders are for coordinators and the secretariat; a contact
    # point files its own administration's returns; custom periods are the secretariat's.
    Entry("reporting", "operations.compliance", "GET",
          outcomes(A, O, P, 403, 200, 200, 200, 200)),
    Entry("reporting-csv", "operations.compliance_csv", "GET",
          outcomes(A, O, P, 403, 403, 403, 200, 200)),
    Entry("file-return", "operations.compliance_file_return", "POST",
          outcomes(A, O, P, 403, 302, 403, 403, 403), arrange=_jp_owes_a_return,
          body=lambda ids, made: {"period": str(made["period_id"]), "kind": "nil"},
          redirect=r"^/operations/\d+/reporting$"),
    Entry("correct-return", "operations.compliance_correct_return", "POST",
          outcomes(A, O, P, 403, 302, 403, 403, 403), arrange=_jp_return,
          values=lambda ids, made: {"return_id": made["return_id"]},
          body=lambda ids, made: {f"correct-{made['return_id']}-kind": "nil"},
          redirect=r"^/operations/\d+/reporting(#own-returns)?$"),
    # Coordinators and the secretariat make a period's returns final (and undo it).
    Entry("lock-period", "operations.compliance_lock_period", "POST",
          outcomes(A, O, P, 403, 403, 403, 302, 302), arrange=_first_period,
          values=lambda ids, made: {"period_id": made["period_id"], "action": "lock"},
          redirect=r"^/operations/\d+/reporting(#periods)?$"),
    Entry("remind", "operations.compliance_remind", "POST",
          outcomes(A, O, P, 403, 403, 403, 302, 302), arrange=_second_period,
          values=lambda ids, made: {"period_id": made["period_id"]},
          body=lambda ids, made: {f"remind-{made['period_id']}-scope": "all",
                                  f"remind-{made['period_id']}-message": "Please report."},
          redirect=r"^/operations/\d+/reporting(#reminders)?$"),
    Entry("custom-periods", "operations.compliance_periods", "POST",
          outcomes(A, O, P, 403, 403, 403, 403, 302), arrange=_custom_reporting,
          body=lambda ids, made: made["rows"], redirect=r"^/operations/\d+/reporting$"),
    # Documents: members read and download; coordinators and the secretariat upload and delete.
    Entry("documents", "operations.documents", "GET",
          outcomes(A, O, P, 403, 200, 200, 200, 200)),
    Entry("upload", "operations.documents_upload", "POST",
          outcomes(A, O, P, 403, 403, 403, 302, 302),
          body=lambda ids, made: {"file": (PDF, "plan.pdf"), "title": "Plan",
                                  "category": "operational_plan", "description": ""},
          redirect=r"^/operations/\d+/documents$"),
    Entry("download", "operations.documents_download", "GET",
          outcomes(A, O, P, 403, 200, 200, 200, 200), arrange=_a_document,
          values=lambda ids, made: {"document_id": made["document_id"]}),
    Entry("delete-document", "operations.documents_delete", "POST",
          outcomes(A, O, P, 403, 403, 403, 302, 302), arrange=_a_document,
          values=lambda ids, made: {"document_id": made["document_id"]},
          redirect=r"^/operations/\d+/documents$"),
]


MATRIX = AccessMatrix(roles=list(ROLES), entries=ENTRIES, anonymous="anonymous",
                      # Not even the operation's code or title: the outsider must not
                      # learn that it exists.
                      hidden=("CATALYST", "CATalyst"))


def _arrange(in_app, entry: Entry, ids: DemoIds) -> dict:
    if entry.arrange is None:
        return {}
    with in_app() as session:
        return entry.arrange(session, ids)


def _url(entry: Entry, ids: DemoIds, made: dict) -> str:
    return entry.url(operation_id=ids.catalyst, **entry.values(ids, made))


def _request(client, entry: Entry, url: str, data: dict):
    if entry.method == "GET":
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


def test_every_route_has_an_entry():
    """A route added to the blueprint must be added to ENTRIES, with its expected outcomes."""
    assert_complete(rules_of_blueprint("operations"), MATRIX)


@pytest.mark.parametrize("entry, role", MATRIX.cases())
def test_access(client_as, in_app, ids, entry, role):
    made = _arrange(in_app, entry, ids)
    with in_app() as session:
        audited_before = audit_count(session, ids.catalyst)
    url = _url(entry, ids, made)

    response = _request(client_as(ROLES[role]), entry, url, entry.body_for(ids, made) or {})

    MATRIX.check(entry, role, response, url=url)
    if entry.expected[role] in (403, 404) or role == "anonymous":
        with in_app() as session:
            assert audit_count(session, ids.catalyst) == audited_before, (
                "a refused request left a trace")


@pytest.mark.parametrize("entry", [entry for entry in MATRIX.entries if entry.method == "POST"],
                         ids=lambda entry: entry.name)
def test_a_change_without_its_csrf_token_is_refused(client_as, in_app, ids, entry):
    """Someone allowed, tricked into sending the form from another site."""
    allowed = MATRIX.allowed_role(entry, statuses=[302])
    made = _arrange(in_app, entry, ids)
    with in_app() as session:
        audited_before = audit_count(session, ids.catalyst)
    data = {name: value for name, value in (entry.body_for(ids, made) or {}).items()
            if not isinstance(value, tuple)}
    response = client_as(ROLES[allowed]).post(_url(entry, ids, made), data=data)
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
    assert f'<td class="num" data-label="Taking part">{taking_part}</td>' in row
    assert page.count('<td class="num"') == 1


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
