"""The participants list (a table in pages of 50, by code, filtered by status with counts,
searched literally) and the page of each organisation asked, which holds its role controls
and, apart at the bottom, what takes access away. The API's list takes the same arguments."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import event, select

from opsplatform.audit.models import AuditAction
from opsplatform.core.db import Database
from opsplatform.operations import participants
from opsplatform.operations.models import (
    Membership,
    Operation,
    OperationRole,
    Participation,
    ParticipationStatus,
)
from opsplatform.organisations.models import Organisation
from tests.operations.support import add_colleague, audit_entries, participation
from tests.support import factories
from tests.support.clients import demo

_NEXT = re.compile(r'<a [^>]*rel="next" href="([^"]+)"')
# A row's link: "<name> (<code>)".
_ROW = re.compile(
    r'<th scope="row"><a href="/operations/\d+/participants/(\d+)">[^<]*\(([^)]+)\)</a>')
_POST = re.compile(r'<form method="post"')


def _main(page) -> str:
    """The page's own content (the header's sign-out form left out)."""
    return page.text.split("<main", 1)[1].split("</main>", 1)[0]


def _operation(session) -> Operation:
    return session.scalar(select(Operation).where(Operation.code == "CATALYST-DEMO"))


def _next_link(page) -> str | None:
    found = _NEXT.search(page.text)
    return html.unescape(found.group(1)) if found else None


def _codes(page) -> list[str]:
    return [code for _id, code in _ROW.findall(page.text)]


def _text(page) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.text)))


def _codes_by_status(session, operation_id: int) -> dict[ParticipationStatus, list[str]]:
    found: dict[ParticipationStatus, list[str]] = {status: [] for status in ParticipationStatus}
    for code, status in session.execute(
        select(Organisation.code, Participation.status)
        .join(Participation, Participation.organisation_id == Organisation.id)
        .where(Participation.operation_id == operation_id).order_by(Organisation.code)):
        found[status].append(code)
    return found


# -- the list ---------------------------------------------------------------------------------


def test_page_by_page_every_organisation_once_by_code(client_as, in_app):
    with in_app() as session:
        operation = _operation(session)
        expected = session.scalars(
            select(Organisation.code).join(Participation,
                                           Participation.organisation_id == Organisation.id)
            .where(Participation.operation_id == operation.id)
            .order_by(Organisation.code)).all()
        url = f"/operations/{operation.id}/participants?status=all&limit=2"
    client, seen = client_as("ocu"), []
    while url:
        page = client.get(url)
        assert page.status_code == 200
        assert f"{len(expected)} organisations" in page.text
        codes = _codes(page)
        assert 0 < len(codes) <= 2
        seen += codes
        url = _next_link(page)
        assert url is None or "status=all" in url
    assert seen == expected


def test_it_opens_on_those_taking_part_with_every_status_counted(client_as, in_app, ids):
    with in_app() as session:
        by_status = _codes_by_status(session, ids.catalyst)
    page = client_as("ocu").get(f"/operations/{ids.catalyst}/participants")
    assert page.status_code == 200
    assert _codes(page) == by_status[ParticipationStatus.ACCEPTED]
    text = _text(page)
    for label, status in (("Taking part", ParticipationStatus.ACCEPTED),
                          ("Invited, no answer", ParticipationStatus.INVITED),
                          ("Declined", ParticipationStatus.DECLINED),
                          ("Withdrawn", ParticipationStatus.WITHDRAWN)):
        assert f"{label} ({len(by_status[status])})" in text
    assert f"All ({sum(len(codes) for codes in by_status.values())})" in text
    assert 'aria-current="true">Taking part' in page.text


@pytest.mark.parametrize("status", ["invited", "declined", "withdrawn", "accepted"])
def test_each_status_lists_only_its_organisations(client_as, in_app, ids, status):
    with in_app() as session:
        expected = _codes_by_status(session, ids.catalyst)[ParticipationStatus(status)]
    page = client_as("observer").get(f"/operations/{ids.catalyst}/participants?status={status}")
    assert page.status_code == 200
    assert _codes(page) == expected
    assert f"{len(expected)} organisation" in page.text


def test_the_list_holds_no_forms_but_search_and_invitation(client_as, ids):
    url = f"/operations/{ids.catalyst}/participants?status=all"
    for who in ("ocu", "cp.jp", "observer"):
        page = client_as(who).get(url)
        assert not _POST.search(_main(page)), who
        assert "button--danger" not in page.text
    secretariat = _main(client_as("secretariat").get(url))
    assert len(_POST.findall(secretariat)) == 1  # inviting
    assert 'name="invite-organisation"' in secretariat


def test_every_cell_names_its_column_for_phones(client_as, ids):
    """On a phone each row stacks, each cell under its column's name (data-label)."""
    page = client_as("ocu").get(f"/operations/{ids.catalyst}/participants?status=all")
    assert 'class="table--stack participants-table"' in page.text
    body = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    assert len(rows) == len(ids.participations)
    for row in rows:
        cells = re.findall(r"<td[^>]*>", row)
        assert len(cells) == 4 and all("data-label=" in cell for cell in cells), row


def test_the_queries_do_not_grow_with_the_organisations(app, client_as, in_app):
    with in_app() as session:
        operation_id = _operation(session).id
    client = client_as("ocu")
    counts = []
    engine = Database.state(app).engine
    for limit in (1, 10):
        statements = []

        def seen(*_args, statements=statements):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert client.get(f"/operations/{operation_id}/participants?status=all&limit={limit}"
                              ).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        counts.append(len(statements))
    assert counts[0] == counts[1]


@dataclass
class Searched:
    operation_id: int
    coordinator: object
    codes: dict[str, str]  # what the test calls it -> its code


@pytest.fixture
def searched(in_app) -> Searched:
    """An operation whose participants' names hold % and _, beside names that the same
    search read as a pattern would match too; one is only invited, one has a person named
    Zebulon Quist."""
    with in_app() as session:
        secretariat = factories.secretariat()
        host = factories.organisation(name="Host Customs")
        operation = factories.operation(actor=secretariat, host=host)
        coordinator = factories.member(operation, OperationRole.COORDINATOR, actor=secretariat,
                                       organisation=host)
        made = {
            "percent": factories.organisation(name="Douane 100% Ouest"),
            "wildcard_percent": factories.organisation(name="Douane 1000 Nord"),
            "underscore": factories.organisation(name="Douane_Est"),
            "wildcard_underscore": factories.organisation(name="DouaneXEst"),
        }
        for name, organisation in made.items():
            factories.participation(
                operation, organisation, actor=secretariat,
                status=(ParticipationStatus.INVITED if name == "wildcard_underscore"
                        else ParticipationStatus.ACCEPTED))
        zebulon = factories.user(organisation=made["percent"], display_name="Zebulon Quist")
        factories.membership(participation(session, operation.id, made["percent"].code),
                             zebulon, actor=secretariat)
        return Searched(operation.id, coordinator,
                        {name: organisation.code for name, organisation in made.items()})


@pytest.mark.parametrize("term, found", [
    ("100%", ["percent"]),
    ("e_E", ["underscore"]),
    ("douane", ["percent", "wildcard_percent", "underscore", "wildcard_underscore"]),
    ("zebulon", ["percent"]),
    ("%", ["percent"]),
    ("_", ["underscore"]),
])
def test_the_search_is_literal_and_finds_people_too(client_as, api_as, searched, term, found):
    expected = sorted(searched.codes[name] for name in found)
    page = client_as(searched.coordinator).get(
        f"/operations/{searched.operation_id}/participants",
        query_string={"q": term, "status": "all"})
    assert page.status_code == 200
    assert sorted(_codes(page)) == expected
    # The API, given the same search, finds the same (every status by default).
    response = api_as(searched.coordinator).get(
        f"/api/v1/operations/{searched.operation_id}/participants", query_string={"q": term})
    assert response.status_code == 200, response.text
    assert sorted(item["organisation"] for item in response.json["items"]) == expected
    assert response.json["total"] == len(expected)


def test_the_counts_follow_the_search(client_as, searched):
    page = client_as(searched.coordinator).get(
        f"/operations/{searched.operation_id}/participants", query_string={"q": "Douane"})
    text = _text(page)
    assert "Taking part (3)" in text and "Invited, no answer (1)" in text
    assert "Declined (0)" in text and "All (4)" in text
    assert sorted(_codes(page)) == sorted(searched.codes[name] for name in (
        "percent", "wildcard_percent", "underscore"))
    # The status links keep the search.
    assert "q=Douane" in re.search(r'href="([^"]*status=invited[^"]*)"', page.text).group(1)


@pytest.mark.parametrize("query, field, message", [
    ({"status": "maybe"}, "status", "Choose one of the statuses offered."),
    ({"q": "x" * 101}, "q", "Search for at most 100 characters."),
    ({"cursor": "not-a-cursor!"}, "cursor", "This cursor was not given out by this list"),
])
def test_refused_arguments_say_why_and_keep_what_was_typed(client_as, ids, query, field,
                                                           message):
    page = client_as("ocu").get(f"/operations/{ids.catalyst}/participants",
                                query_string=query)
    assert page.status_code == 422
    assert message in _text(page)
    assert 'class="error-summary"' in page.text
    assert _codes(page)  # the list is still shown
    if field == "q":
        assert f'value="{"x" * 101}"' in page.text


def test_the_api_takes_the_same_arguments(api_as, client_as, in_app, ids):
    with in_app() as session:
        by_status = _codes_by_status(session, ids.catalyst)
    caller = api_as("ocu")
    url = f"/api/v1/operations/{ids.catalyst}/participants"
    everyone = caller.get(url).json
    assert everyone["total"] == sum(len(codes) for codes in by_status.values())
    invited = caller.get(url, query_string={"status": "invited"}).json
    assert [item["organisation"] for item in invited["items"]] == by_status[
        ParticipationStatus.INVITED]
    assert invited["total"] == len(by_status[ParticipationStatus.INVITED])
    # In pages, with a cursor bound to its filters.
    first = caller.get(url, query_string={"status": "accepted", "limit": 3}).json
    second = caller.get(url, query_string={"status": "accepted", "limit": 3,
                                           "cursor": first["next_cursor"]}).json
    assert [i["organisation"] for i in first["items"] + second["items"]] == by_status[
        ParticipationStatus.ACCEPTED][:6]
    refused = caller.get(url, query_string={"status": "invited", "cursor": first["next_cursor"]})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "invalid_cursor"
    bad = caller.get(url, query_string={"status": "maybe"})
    assert bad.status_code == 422
    assert bad.json["error"]["field"] == "status"


# -- one organisation's page ------------------------------------------------------------------


def _page_url(ids, code: str, operation: str = "catalyst") -> str:
    participations = ids.participations if operation == "catalyst" else \
        ids.precursor_participations
    return f"/operations/{ids.catalyst}/participants/{participations[code]}"


def test_each_row_leads_to_the_organisations_page(client_as, ids):
    client = client_as("ocu")
    page = client.get(f"/operations/{ids.catalyst}/participants")
    links = dict((code, participation_id) for participation_id, code in _ROW.findall(page.text))
    assert int(links["JP"]) == ids.participations["JP"]
    jp = client.get(_page_url(ids, "JP"))
    assert jp.status_code == 200
    assert re.search(r'<h2 id="participant-title">[^<]+ \(JP\)</h2>', jp.text)
    assert "Sato Haruto" in jp.text and demo("cp.jp") in jp.text


@pytest.mark.parametrize("who, status", [
    (None, 302), ("cp.br", 404), ("admin", 404), ("cp.mx", 403),
    ("cp.jp", 200), ("observer", 200), ("ocu", 200), ("secretariat", 200),
])
def test_who_may_open_an_organisations_page(client_as, ids, who, status):
    assert client_as(who).get(_page_url(ids, "US")).status_code == status


@pytest.mark.parametrize("participation_id", ["other-operation", "unknown", "huge"])
def test_a_participation_not_of_this_operation_is_not_found(client_as, ids, participation_id):
    own = set(ids.participations.values())
    value = {"other-operation": next(p for p in ids.precursor_participations.values()
                                     if p not in own),
             "unknown": max(own | set(ids.precursor_participations.values())) + 1000,
             "huge": 2**40}[participation_id]
    for who in ("secretariat", "ocu"):
        response = client_as(who).get(f"/operations/{ids.catalyst}/participants/{value}")
        assert response.status_code == 404


def test_the_coordinator_finds_role_controls_and_destructive_actions_apart(client_as, ids):
    page = client_as("ocu").get(_page_url(ids, "JP")).text
    controls, danger = page.split('class="danger-zone"')
    assert f"/members/{ids.memberships['cp.jp']}/role" in controls
    assert f'action="/operations/{ids.catalyst}/participants/{ids.participations["JP"]}/members"' \
        in controls
    assert "Add a person from JP" in controls
    assert "button--danger" not in controls and "/remove" not in controls
    assert "Remove people or withdraw JP" in danger
    assert f"/members/{ids.memberships['cp.jp']}/remove" in danger
    assert "data-confirm=" in danger
    # Withdrawing is the secretariat's.
    assert "/withdraw" not in danger
    secretariat = client_as("secretariat").get(_page_url(ids, "JP")).text
    assert f"/participants/{ids.participations['JP']}/withdraw" in secretariat.split(
        'class="danger-zone"')[1]


def test_a_contact_point_manages_only_its_own_administrations_people(client_as, ids):
    client = client_as("cp.jp")
    own = client.get(_page_url(ids, "JP")).text
    assert "Add a person from JP" in own
    assert "/withdraw" not in own
    other = _main(client.get(_page_url(ids, "US")))
    assert not _POST.search(other)
    assert "danger-zone" not in other


def test_actions_on_the_page_come_back_to_it(client_as, in_app, ids):
    with in_app():
        colleague = add_colleague("JP", "cp2.jp", "Suzuki Aoi").id
    client = client_as("ocu")
    prefix = f"member-{ids.participations['JP']}"
    added = client.post_form(f"{_page_url(ids, 'JP')}/members",
                             {f"{prefix}-user": str(colleague), f"{prefix}-role": "observer"})
    assert added.status_code == 302
    assert added.headers["Location"] == _page_url(ids, "JP")
    with in_app() as session:
        membership_id = session.scalar(select(Membership.id).where(
            Membership.user_id == colleague, Membership.operation_id == ids.catalyst))
    changed = client.post_form(f"/operations/{ids.catalyst}/members/{membership_id}/role",
                               {"role": "contact_point"})
    assert changed.headers["Location"] == _page_url(ids, "JP")
    removed = client.post_form(f"/operations/{ids.catalyst}/members/{membership_id}/remove")
    assert removed.headers["Location"] == _page_url(ids, "JP")
    assert "Suzuki Aoi no longer has a role in this operation." in _text(
        client.get(removed.headers["Location"]))


def test_a_refused_person_is_shown_on_the_organisations_page(client_as, ids):
    prefix = f"member-{ids.participations['JP']}"
    response = client_as("ocu").post_form(f"{_page_url(ids, 'JP')}/members",
                                          {f"{prefix}-user": "0", f"{prefix}-role": "observer"})
    assert response.status_code == 422
    assert "(JP)</h2>" in response.text
    assert " open>" in response.text  # the form stays open with its error


def test_removing_ones_own_role_leads_home(client_as, in_app, ids):
    with in_app() as session:
        colleague = add_colleague("JP", "cp2.jp", "Suzuki Aoi")
        participants.add_member(participation(session, ids.catalyst, "JP"), colleague,
                                OperationRole.CONTACT_POINT, actor=colleague)
    response = client_as("cp.jp").post_form(
        f"/operations/{ids.catalyst}/members/{ids.memberships['cp.jp']}/remove")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_destructive_actions_from_the_page_are_audited(client_as, in_app, ids):
    """Withdrawing and removing, with the forms the page gives, each leave an entry."""
    with in_app() as session:
        colleague = add_colleague("US", "cp2.us", "Second Person")
        membership = participants.add_member(participation(session, ids.catalyst, "US"),
                                             colleague, OperationRole.OBSERVER, actor=colleague)
        membership_id = membership.id
    client = client_as("secretariat")
    page = client.get(_page_url(ids, "US")).text
    danger = page.split('class="danger-zone"')[1]
    remove = html.unescape(re.search(
        rf'action="([^"]*/members/{membership_id}/remove)"', danger).group(1))
    withdraw = html.unescape(re.search(r'action="([^"]*/withdraw)"', danger).group(1))
    assert client.post_form(remove).status_code == 302
    response = client.post_form(withdraw)
    assert response.status_code == 302
    assert response.headers["Location"] == _page_url(ids, "US")
    with in_app() as session:
        removed = audit_entries(session, ids.catalyst, AuditAction.MEMBER_REMOVED)
        withdrawn = audit_entries(session, ids.catalyst, AuditAction.PARTICIPATION_WITHDRAWN)
        assert [(e.actor.email, e.subject) for e in removed] == [
            (demo("secretariat"), colleague.email)]
        assert [(e.actor.email, e.subject) for e in withdrawn] == [(demo("secretariat"), "US")]
    withdrawn_page = client.get(_page_url(ids, "US")).text
    assert "Withdrawn" in withdrawn_page and "Invite US again" in withdrawn_page


def test_inviting_shows_the_invitations_without_answer(client_as, in_app, ids):
    client = client_as("secretariat")
    response = client.post_form(f"/operations/{ids.catalyst}/participants",
                                {"invite-organisation": "BR"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/participants?status=invited")
    page = client.get(response.headers["Location"])
    assert "BR" in _codes(page)
    assert "BR was invited." in _text(page)


def test_a_declined_organisation_is_invited_again_from_its_page(client_as, in_app, ids):
    client = client_as("secretariat")
    page = client.get(_page_url(ids, "ZA")).text
    form = re.search(r'<form method="post" action="([^"]+)" class="invite-again">(.*?)</form>',
                     page, re.DOTALL)
    assert form, "no invite-again form"
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    fields.pop("csrf_token")
    assert client.post_form(html.unescape(form.group(1)), fields).status_code == 302
    with in_app() as session:
        assert session.get(Participation, ids.participations["ZA"]).status is \
            ParticipationStatus.INVITED
    # Only the secretariat is offered it.
    assert "invite-again" not in client_as("ocu").get(_page_url(ids, "ZA")).text


def test_an_invitation_is_withdrawn_as_such(client_as, ids):
    danger = client_as("secretariat").get(_page_url(ids, "MX")).text.split(
        'class="danger-zone"')[1]
    assert "Withdraw the invitation to MX" in danger
    assert f"/participants/{ids.participations['MX']}/withdraw" in danger
    assert "Withdraw MX from the operation" not in danger
