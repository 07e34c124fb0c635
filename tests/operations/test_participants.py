"""Who takes part in an operation, and the people of each participating organisation."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from opsplatform.audit.models import AuditAction
from opsplatform.auth.models import User
from opsplatform.operations import participants
from opsplatform.operations.models import Membership, OperationRole, ParticipationStatus
from tests.operations.support import add_colleague, audit_entries, participation
from tests.support.clients import demo


def _text(page) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.text)))


def _status(in_app, ids, code: str) -> ParticipationStatus | None:
    with in_app() as session:
        found = participation(session, ids.catalyst, code)
        return found.status if found else None


def _role(in_app, ids, local_part: str) -> OperationRole | None:
    with in_app() as session:
        return session.scalar(select(Membership.role).join(Membership.user).where(
            Membership.operation_id == ids.catalyst, User.email == demo(local_part)))


def _last_audit(in_app, ids, action: AuditAction):
    with in_app() as session:
        entries = audit_entries(session, ids.catalyst, action)
        assert entries, f"no {action} entry"
        entry = entries[-1]
        return entry.operation_id, entry.actor.email, entry.subject, entry.details


def _colleague(in_app, code: str, local_part: str, name: str = "A Colleague") -> int:
    with in_app():
        return add_colleague(code, local_part, name).id


def _member_form(ids, code: str, user_id: int | str, role: str = "contact_point") -> dict:
    prefix = f"member-{ids.participations[code]}"
    return {f"{prefix}-user": str(user_id), f"{prefix}-role": role}


def _add_url(ids, code: str) -> str:
    return f"/operations/{ids.catalyst}/participants/{ids.participations[code]}/members"


def _page_of(ids, code: str) -> str:
    """The page of one organisation asked, which holds what is done to it."""
    return f"/operations/{ids.catalyst}/participants/{ids.participations[code]}"


# -- invitations ------------------------------------------------------------------------------


def test_the_secretariat_invites_an_organisation(client_as, in_app, ids):
    client = client_as("secretariat")
    page = client.get(f"/operations/{ids.catalyst}/participants")
    assert 'name="invite-organisation"' in page.text
    assert '<option value="BR">' in page.text
    assert '<option value="JP">' not in page.text  # JP already takes part

    response = client.post_form(f"/operations/{ids.catalyst}/participants",
                                {"invite-organisation": "BR"})

    assert response.status_code == 302
    assert _status(in_app, ids, "BR") is ParticipationStatus.INVITED
    operation_id, actor, subject, _details = _last_audit(in_app, ids,
                                                         AuditAction.PARTICIPANT_INVITED)
    assert (operation_id, actor, subject) == (ids.catalyst, demo("secretariat"), "BR")
    # BR now sees the invitation, and only that.
    invitation = client_as("cp.br").get(f"/operations/{ids.catalyst}")
    assert invitation.status_code == 200
    assert "BR is invited to take part" in invitation.text
    assert client_as("cp.br").get(f"/operations/{ids.catalyst}/participants").status_code == 403


@pytest.mark.parametrize("who", ["ocu", "cp.jp", "observer"])
def test_only_the_secretariat_invites(client_as, in_app, ids, who):
    client = client_as(who)
    assert 'name="invite-organisation"' not in client.get(
        f"/operations/{ids.catalyst}/participants").text
    response = client.post_form(f"/operations/{ids.catalyst}/participants",
                                {"invite-organisation": "BR"})
    assert response.status_code == 403
    assert _status(in_app, ids, "BR") is None


@pytest.mark.parametrize("code, message", [
    ("MX", "MX has already been invited."),
    ("JP", "JP already takes part."),
    ("XX", "There is no organisation with the code XX."),
], ids=["invited", "taking-part", "forged"])
def test_an_invitation_that_cannot_be_sent_names_the_problem(client_as, in_app, ids, code,
                                                             message):
    with in_app() as session:
        before = len(audit_entries(session, ids.catalyst))
    response = client_as("secretariat").post_form(f"/operations/{ids.catalyst}/participants",
                                                  {"invite-organisation": code})
    assert response.status_code == 422
    assert message in _text(response)
    assert 'id="invite-organisation-error"' in response.text
    with in_app() as session:
        assert len(audit_entries(session, ids.catalyst)) == before


def test_an_inactive_organisation_cannot_be_invited(client_as, in_app, ids):
    with in_app():
        from opsplatform.organisations.operations import find_by_code

        find_by_code("BR").is_active = False
    response = client_as("secretariat").post_form(f"/operations/{ids.catalyst}/participants",
                                                  {"invite-organisation": "BR"})
    assert response.status_code == 422
    assert "BR is not an active organisation." in _text(response)
    assert _status(in_app, ids, "BR") is None


def test_the_invitee_accepts_and_becomes_its_contact_point(client_as, in_app, ids):
    client = client_as("cp.mx")

    response = client.post_form(f"/operations/{ids.catalyst}/invitation/accept")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/operations/{ids.catalyst}"
    assert _status(in_app, ids, "MX") is ParticipationStatus.ACCEPTED
    assert _role(in_app, ids, "cp.mx") is OperationRole.CONTACT_POINT
    operation_id, actor, subject, _details = _last_audit(in_app, ids,
                                                         AuditAction.PARTICIPATION_ACCEPTED)
    assert (operation_id, actor, subject) == (ids.catalyst, demo("cp.mx"), "MX")
    dashboard = client.get(f"/operations/{ids.catalyst}")
    assert "MX now takes part in CATALYST-DEMO; you are its contact point." in _text(dashboard)
    assert 'aria-label="Operation sections"' in dashboard.text
    assert "Latest activity" in dashboard.text
    assert client.get(f"/operations/{ids.catalyst}/contacts").status_code == 200
    # Answering again is refused: there is no invitation any more.
    assert client.post_form(
        f"/operations/{ids.catalyst}/invitation/decline").status_code == 403


def test_the_invitee_declines(client_as, in_app, ids):
    client = client_as("cp.mx")

    response = client.post_form(f"/operations/{ids.catalyst}/invitation/decline")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _status(in_app, ids, "MX") is ParticipationStatus.DECLINED
    assert _role(in_app, ids, "cp.mx") is None
    operation_id, actor, subject, _details = _last_audit(in_app, ids,
                                                         AuditAction.PARTICIPATION_DECLINED)
    assert (operation_id, actor, subject) == (ids.catalyst, demo("cp.mx"), "MX")
    assert client.get(f"/operations/{ids.catalyst}").status_code == 404
    assert "CATALYST-DEMO" not in client.get("/").text


def test_a_declined_organisation_can_be_invited_again(client_as, in_app, ids):
    response = client_as("secretariat").post_form(f"/operations/{ids.catalyst}/participants",
                                                  {"invite-organisation": "ZA"})
    assert response.status_code == 302
    assert _status(in_app, ids, "ZA") is ParticipationStatus.INVITED


# -- withdrawal -------------------------------------------------------------------------------


def test_withdrawing_an_administration_shuts_its_people_out(client_as, in_app, ids):
    cp_us = client_as("cp.us")
    assert cp_us.get(f"/operations/{ids.catalyst}").status_code == 200

    response = client_as("secretariat").post_form(
        f"/operations/{ids.catalyst}/participants/{ids.participations['US']}/withdraw")

    assert response.status_code == 302
    assert _status(in_app, ids, "US") is ParticipationStatus.WITHDRAWN
    operation_id, actor, subject, _details = _last_audit(in_app, ids,
                                                         AuditAction.PARTICIPATION_WITHDRAWN)
    assert (operation_id, actor, subject) == (ids.catalyst, demo("secretariat"), "US")
    for path in ("", "/participants", "/contacts", "/contacts.vcf", "/reporting",
                 "/documents"):
        assert cp_us.get(f"/operations/{ids.catalyst}{path}").status_code == 404, path
    assert "CATALYST-DEMO" not in cp_us.get("/").text
    # Its people are no longer in the directory; the history stays on the participants page.
    assert "Emily Johnson" not in client_as("cp.jp").get(
        f"/operations/{ids.catalyst}/contacts").text
    assert "Withdrawn" in client_as("cp.jp").get(f"/operations/{ids.catalyst}/participants").text


def test_withdrawing_an_invitation(client_as, in_app, ids):
    response = client_as("secretariat").post_form(
        f"/operations/{ids.catalyst}/participants/{ids.participations['MX']}/withdraw")
    assert response.status_code == 302
    assert client_as("cp.mx").get(f"/operations/{ids.catalyst}").status_code == 404


def test_the_host_cannot_be_withdrawn(client_as, in_app, ids):
    client = client_as("secretariat")
    host = client.get(_page_of(ids, "KR")).text
    assert f"/participants/{ids.participations['KR']}/withdraw" not in host
    assert "The host administration cannot be withdrawn." in host
    assert f"/participants/{ids.participations['US']}/withdraw" in client.get(
        _page_of(ids, "US")).text

    response = client.post_form(
        f"/operations/{ids.catalyst}/participants/{ids.participations['KR']}/withdraw")

    assert response.status_code == 422
    assert "The host administration cannot be withdrawn." in response.text
    assert _status(in_app, ids, "KR") is ParticipationStatus.ACCEPTED


def test_withdrawing_twice_says_it_no_longer_takes_part(client_as, in_app, ids):
    url = f"/operations/{ids.catalyst}/participants/{ids.participations['ZA']}/withdraw"
    response = client_as("secretariat").post_form(url)
    assert response.status_code == 409
    assert "ZA does not take part." in response.text


# -- people -----------------------------------------------------------------------------------


def test_a_contact_point_adds_a_colleague_of_its_own_administration(client_as, in_app, ids):
    colleague = _colleague(in_app, "JP", "cp2.jp", "Suzuki Aoi")
    client = client_as("cp.jp")
    page = client.get(_page_of(ids, "JP")).text
    # Only JP's form, offering only the contact-point role and only JP's people.
    assert f'action="{_add_url(ids, "JP")}"' in page
    assert _add_url(ids, "US") not in client.get(_page_of(ids, "US")).text
    assert "Suzuki Aoi" in page
    form = re.search(rf'action="{_add_url(ids, "JP")}".*?</form>', page, re.DOTALL).group(0)
    assert re.findall(r'<option[^>]*value="([a-z_]+)"', form) == ["contact_point"]

    response = client.post_form(_add_url(ids, "JP"), _member_form(ids, "JP", colleague))

    assert response.status_code == 302
    assert _role(in_app, ids, "cp2.jp") is OperationRole.CONTACT_POINT
    operation_id, actor, subject, details = _last_audit(in_app, ids, AuditAction.MEMBER_ADDED)
    assert (operation_id, actor, subject) == (ids.catalyst, demo("cp.jp"), demo("cp2.jp"))
    assert details == {"role": "contact_point", "organisation": "JP"}


def test_a_contact_point_cannot_add_people_to_another_administration(client_as, in_app, ids):
    colleague = _colleague(in_app, "US", "cp2.us")
    response = client_as("cp.jp").post_form(_add_url(ids, "US"),
                                            _member_form(ids, "US", colleague))
    assert response.status_code == 403
    assert _role(in_app, ids, "cp2.us") is None


@pytest.mark.parametrize("role", ["coordinator", "observer", "nonsense"])
def test_a_contact_point_gives_only_the_contact_point_role(client_as, in_app, ids, role):
    colleague = _colleague(in_app, "JP", "cp2.jp")
    response = client_as("cp.jp").post_form(_add_url(ids, "JP"),
                                            _member_form(ids, "JP", colleague, role))
    assert response.status_code == 403
    assert _role(in_app, ids, "cp2.jp") is None


def test_an_observer_manages_no_one(client_as, in_app, ids):
    colleague = _colleague(in_app, "UNODC", "analyst")
    response = client_as("observer").post_form(
        _add_url(ids, "UNODC"), _member_form(ids, "UNODC", colleague, "observer"))
    assert response.status_code == 403
    assert _role(in_app, ids, "analyst") is None
    for path in ("", f"/{ids.participations['UNODC']}", f"/{ids.participations['JP']}"):
        page = client_as("observer").get(f"/operations/{ids.catalyst}/participants{path}").text
        for action in ("/members\"", "/role\"", "/remove\"", "/withdraw\""):
            assert action not in page


@pytest.mark.parametrize("code, role", [("US", "coordinator"), ("JP", "observer"),
                                        ("UNODC", "observer"), ("NL", "contact_point")])
def test_the_coordinator_adds_anyone_with_any_role(client_as, in_app, ids, code, role):
    local_part = f"new.{code.lower()}"
    colleague = _colleague(in_app, code, local_part)
    response = client_as("ocu").post_form(_add_url(ids, code),
                                          _member_form(ids, code, colleague, role))
    assert response.status_code == 302
    assert _role(in_app, ids, local_part) is OperationRole(role)
    operation_id, actor, _subject, details = _last_audit(in_app, ids, AuditAction.MEMBER_ADDED)
    assert (operation_id, actor, details["role"]) == (ids.catalyst, demo("ocu"), role)


def test_a_person_of_another_organisation_is_refused_naming_no_one(client_as, in_app, ids):
    stranger = _colleague(in_app, "US", "cp2.us")
    response = client_as("ocu").post_form(_add_url(ids, "JP"),
                                          _member_form(ids, "JP", stranger))
    assert response.status_code == 422
    assert "Choose one of the active people of JP." in _text(response)
    assert _role(in_app, ids, "cp2.us") is None


def _account_ids(in_app) -> dict[str, int]:
    with in_app() as session:
        return {email: user_id for email, user_id in session.execute(select(User.email, User.id))}


def test_trying_account_ids_reveals_no_one(client_as, in_app, ids):
    """The probe looped user ids 1 to 30 as JP's contact point and read every account."""
    accounts = _account_ids(in_app)
    with in_app():
        deactivated = add_colleague("JP", "gone.jp", "Gone Away")
        deactivated.is_active = False
    client = client_as("cp.jp")
    page = client.get(_page_of(ids, "JP")).text
    hidden = [email for email in accounts if email not in page]  # not the people it lists
    assert demo("cp.br") in hidden and demo("secretariat") in hidden
    tried = [accounts[email] for email in hidden] + [deactivated.id, max(accounts.values()) + 1]
    answers = set()
    for user_id in tried:
        response = client.post_form(_add_url(ids, "JP"), _member_form(ids, "JP", user_id))
        assert response.status_code == 422
        assert "Choose one of the active people of JP." in _text(response)
        assert not [email for email in hidden if email in response.text]
        # The CSRF token is signed with the time: the one part allowed to differ.
        answers.add(re.sub(r'(csrf[-_]token"[^>]*(content|value)=")[^"]+', r"\1", response.text))
    # Nobody, somebody elsewhere (the WCO included), somebody deactivated: one answer.
    assert len(answers) == 1


@pytest.mark.parametrize("user", ["0", "", "2147483648", "abc"])
def test_no_person_chosen_is_an_error(client_as, in_app, ids, user):
    response = client_as("ocu").post_form(_add_url(ids, "JP"),
                                          _member_form(ids, "JP", user))
    assert response.status_code == 422


def test_one_role_per_person_per_operation(client_as, in_app, ids):
    response = client_as("ocu").post_form(
        _add_url(ids, "JP"), _member_form(ids, "JP", ids.users["cp.jp"], "observer"))
    assert response.status_code == 422
    assert (f"{demo('cp.jp')} already has a role in this operation (Contact point)."
            in _text(response))
    assert _role(in_app, ids, "cp.jp") is OperationRole.CONTACT_POINT


def test_the_same_person_holds_different_roles_in_different_operations(client_as, in_app, ids):
    """ocu coordinates CATALYST-DEMO; KR does not take part in PRECURSOR-DEMO. cp.de is a
    contact point in both; made an observer in one, it stays a contact point in the other."""
    _colleague(in_app, "DE", "cp2.de")
    with in_app() as session:

        de = participation(session, ids.catalyst, "DE")
        participants.add_member(de, session.scalar(select(User).where(
            User.email == demo("cp2.de"))), OperationRole.CONTACT_POINT,
            actor=session.get(User, ids.users["secretariat"]))
    response = client_as("ocu").post_form(
        f"/operations/{ids.catalyst}/members/{ids.memberships['cp.de']}/role",
        {"role": "observer"})
    assert response.status_code == 302
    assert _role(in_app, ids, "cp.de") is OperationRole.OBSERVER
    with in_app() as session:
        assert session.scalar(select(Membership.role).where(
            Membership.operation_id == ids.precursor,
            Membership.user_id == ids.users["cp.de"])) is OperationRole.CONTACT_POINT


def test_the_coordinator_changes_a_role(client_as, in_app, ids):
    colleague = _colleague(in_app, "JP", "cp2.jp")
    assert client_as("ocu").post_form(_add_url(ids, "JP"),
                                      _member_form(ids, "JP", colleague)).status_code == 302
    with in_app() as session:
        membership_id = session.scalar(select(Membership.id).where(
            Membership.user_id == colleague, Membership.operation_id == ids.catalyst))

    response = client_as("ocu").post_form(
        f"/operations/{ids.catalyst}/members/{membership_id}/role", {"role": "coordinator"})

    assert response.status_code == 302
    assert _role(in_app, ids, "cp2.jp") is OperationRole.COORDINATOR
    operation_id, actor, subject, details = _last_audit(in_app, ids,
                                                        AuditAction.MEMBER_ROLE_CHANGED)
    assert (operation_id, actor, subject) == (ids.catalyst, demo("ocu"), demo("cp2.jp"))
    assert details == {"changes": {"role": ["contact_point", "coordinator"]}}
    # A coordinator from JP now sees the full reporting table.
    page = client_as("ocu").get(f"/operations/{ids.catalyst}/participants")
    assert "Coordinator (OCU)" in page.text


def test_a_contact_point_cannot_change_roles(client_as, in_app, ids):
    response = client_as("cp.kr").post_form(
        f"/operations/{ids.catalyst}/members/{ids.memberships['ocu']}/role",
        {"role": "contact_point"})
    assert response.status_code == 403
    assert _role(in_app, ids, "ocu") is OperationRole.COORDINATOR
    response = client_as("cp.kr").post_form(
        f"/operations/{ids.catalyst}/members/{ids.memberships['ocu']}/remove")
    assert response.status_code == 403
    assert _role(in_app, ids, "ocu") is OperationRole.COORDINATOR


def test_an_unknown_role_is_a_bad_request(client_as, in_app, ids):
    response = client_as("ocu").post_form(
        f"/operations/{ids.catalyst}/members/{ids.memberships['cp.jp']}/role",
        {"role": "admin"})
    assert response.status_code == 400
    assert _role(in_app, ids, "cp.jp") is OperationRole.CONTACT_POINT


@pytest.mark.parametrize("action, data", [("role", {"role": "observer"}), ("remove", {})])
def test_the_last_contact_point_of_an_administration_stays(client_as, in_app, ids, action,
                                                           data):
    response = client_as("ocu").post_form(
        f"/operations/{ids.catalyst}/members/{ids.memberships['cp.jp']}/{action}", data)
    assert response.status_code == 422
    assert ("JP must keep at least one contact point: add another one first."
            in _text(response))
    assert _role(in_app, ids, "cp.jp") is OperationRole.CONTACT_POINT
    with in_app() as session:
        assert audit_entries(session, ids.catalyst, AuditAction.MEMBER_REMOVED) == []


def test_a_contact_point_removes_a_colleague_once_another_remains(client_as, in_app, ids):
    colleague = _colleague(in_app, "JP", "cp2.jp")
    client = client_as("cp.jp")
    assert client.post_form(_add_url(ids, "JP"),
                            _member_form(ids, "JP", colleague)).status_code == 302
    # cp.jp removes itself: cp2.jp is still there.
    response = client.post_form(
        f"/operations/{ids.catalyst}/members/{ids.memberships['cp.jp']}/remove")
    assert response.status_code == 302
    assert _role(in_app, ids, "cp.jp") is None
    operation_id, actor, subject, details = _last_audit(in_app, ids, AuditAction.MEMBER_REMOVED)
    assert (operation_id, actor, subject) == (ids.catalyst, demo("cp.jp"), demo("cp.jp"))
    assert details == {"role": "contact_point"}
    # Without a role cp.jp no longer sees the operation.
    assert client.get(f"/operations/{ids.catalyst}").status_code == 404


def test_the_last_observer_of_an_international_organisation_can_go(client_as, in_app, ids):
    response = client_as("ocu").post_form(
        f"/operations/{ids.catalyst}/members/{ids.memberships['observer']}/remove")
    assert response.status_code == 302
    assert client_as("observer").get(f"/operations/{ids.catalyst}").status_code == 404


def test_the_participants_page_lists_organisations_and_people(client_as, ids):
    page = client_as("observer").get(f"/operations/{ids.catalyst}/participants")
    assert page.status_code == 200
    text = _text(page)
    for expected in ("Korea Customs Service", "Host", "Taking part", "Invited", "Declined",
                     "Sato Haruto", "Coordinator (OCU)", "Observer"):
        assert expected in text
    assert "Lucas Oliveira" not in text  # BR takes no part


def test_every_change_of_participation_is_audited_with_the_operation(client_as, in_app, ids):
    secretariat = client_as("secretariat")
    secretariat.post_form(f"/operations/{ids.catalyst}/participants",
                          {"invite-organisation": "BR"})
    client_as("cp.br").post_form(f"/operations/{ids.catalyst}/invitation/accept")
    colleague = _colleague(in_app, "BR", "cp2.br")
    with in_app() as session:
        br_id = participation(session, ids.catalyst, "BR").id
    client_as("cp.br").post_form(
        f"/operations/{ids.catalyst}/participants/{br_id}/members",
        {f"member-{br_id}-user": str(colleague), f"member-{br_id}-role": "contact_point"})
    secretariat.post_form(f"/operations/{ids.catalyst}/participants/{br_id}/withdraw")
    with in_app() as session:
        entries = [(e.action, e.subject) for e in audit_entries(session, ids.catalyst)
                   if e.subject in ("BR", demo("cp.br"), demo("cp2.br"))]
        assert all(e.operation_id == ids.catalyst for e in audit_entries(session, ids.catalyst))
    assert entries == [
        (AuditAction.PARTICIPANT_INVITED, "BR"),
        (AuditAction.MEMBER_ADDED, demo("cp.br")),
        (AuditAction.PARTICIPATION_ACCEPTED, "BR"),
        (AuditAction.MEMBER_ADDED, demo("cp2.br")),
        (AuditAction.PARTICIPATION_WITHDRAWN, "BR"),
    ]
