"""The contact-point directory of an operation: on screen, as CSV and as vCards."""

from __future__ import annotations

import csv
import io

import pytest
import vobject
from sqlalchemy import select

from opsplatform.audit.models import AuditAction
from opsplatform.auth.models import User
from opsplatform.operations import participants
from opsplatform.operations.models import (
    Membership,
    Operation,
    OperationRole,
    ParticipationStatus,
)
from opsplatform.organisations.operations import find_by_code
from tests.operations.support import audit_entries, participation
from tests.support.clients import demo

CSV_HEADER = ["name", "job_title", "organisation_code", "organisation_name", "role",
              "office_phone", "duty_phone", "email", "languages", "time_zone"]


def _user(session, local_part: str) -> User:
    return session.scalar(select(User).where(User.email == demo(local_part)))


def _csv_rows(response) -> list[dict]:
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == CSV_HEADER
    return [dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]]


def _cards(response) -> dict:
    return {card.fn.value: card for card in vobject.readComponents(response.text)}


def _people_in_directory(session, operation_id: int) -> set[str]:
    """Who should be listed: active people of the organisations taking part."""
    return set(session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .join(Membership.participation)
        .where(Membership.operation_id == operation_id, User.is_active.is_(True),
               Membership.participation.has(status=ParticipationStatus.ACCEPTED))))


@pytest.fixture
def everyone_named(in_app, ids):
    """People named in a withdrawn, a declined and an invited-only participation."""
    with in_app() as session:
        secretariat = _user(session, "secretariat")
        # MX is invited (not answered); its contact point is named with the invitation.
        participants.add_member(participation(session, ids.catalyst, "MX"), _user(session, "cp.mx"),
                              OperationRole.CONTACT_POINT, actor=secretariat)
        # ZA is invited again with its contact point named, and declines again.
        za = participants.invite(session.get(Operation, ids.catalyst), find_by_code("ZA"),
                               actor=secretariat, contact_points=[_user(session, "cp.za")])
        participants.respond_to_invitation(za, accept=False, actor=_user(session, "cp.za"))
        # US takes part no longer.
        participants.withdraw_participation(participation(session, ids.catalyst, "US"),
                                          actor=secretariat)


def test_the_directory_lists_the_people_of_organisations_taking_part(client_as, in_app, ids,
                                                                      everyone_named):
    page = client_as("cp.jp").get(f"/operations/{ids.catalyst}/contacts")

    assert page.status_code == 200
    for shown in ("Sato Haruto", "Enforcement officer, Tokyo Customs", "+81 3-3529-0700",
                  'href="tel:+81335290700"', "mailto:cp.jp@demo.example.org",
                  # A time zone may break after its slash, an address at @ and dots.
                  "Japanese, English", "Asia/<wbr>Tokyo", "cp<wbr>.jp<wbr>@demo<wbr>.example",
                  "Kim Min-jun", "Coordinator (OCU)",
                  "Maria Rossi", "Observer"):
        assert shown in page.text
    for hidden in ("Emily Johnson",  # US withdrawn
                   "Thabo Nkosi",  # ZA declined
                   "Alejandro Hernández",  # MX invited, not yet taking part
                   "Lucas Oliveira"):  # BR takes no part
        assert hidden not in page.text
    with in_app() as session:
        expected = _people_in_directory(session, ids.catalyst)
    listed = {line.split('"mailto:')[1].split('"')[0] for line in page.text.splitlines()
              if '"mailto:' in line}
    assert listed == expected
    # 18 administrations' contact points (19 less US), the OCU and UNODC's observer.
    assert len(listed) == 20


def test_a_deactivated_account_leaves_the_directory(client_as, in_app, ids):
    with in_app() as session:
        _user(session, "cp.de").is_active = False
    page = client_as("cp.jp").get(f"/operations/{ids.catalyst}/contacts")
    assert "Lukas Schneider" not in page.text


def test_the_csv_export(client_as, in_app, ids, everyone_named):
    response = client_as("observer").get(f"/operations/{ids.catalyst}/contacts.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="CATALYST-DEMO-contact-points.csv"')
    rows = _csv_rows(response)
    by_email = {row["email"]: row for row in rows}
    assert by_email[demo("cp.jp")] == {
        "name": "Sato Haruto", "job_title": "Enforcement officer, Tokyo Customs",
        "organisation_code": "JP", "organisation_name": by_email[demo("cp.jp")][
            "organisation_name"],
        "role": "Contact point",
        # A leading "+" would start a formula in a spreadsheet: the cell is kept as text.
        "office_phone": "'+81335290700", "duty_phone": "'+819055500122",
        "email": demo("cp.jp"), "languages": "Japanese, English", "time_zone": "Asia/Tokyo"}
    assert by_email[demo("ocu")]["role"] == "Coordinator (OCU)"
    assert by_email[demo("observer")]["organisation_code"] == "UNODC"
    assert demo("cp.us") not in by_email
    assert demo("cp.za") not in by_email
    assert demo("cp.mx") not in by_email
    with in_app() as session:
        assert set(by_email) == _people_in_directory(session, ids.catalyst)
    assert [row["organisation_code"] for row in rows] == sorted(
        row["organisation_code"] for row in rows)


@pytest.mark.parametrize("field, value", [
    ("display_name", '=HYPERLINK("http://evil.example","Click")'),
    ("display_name", "@SUM(A1:A9)"),
    ("job_title", "+1+2"),
    ("languages", "-2+3"),
    ("job_title", "\t=1+1"),
])
def test_the_csv_export_neutralises_formulas(client_as, in_app, ids, field, value):
    with in_app() as session:
        setattr(_user(session, "cp.jp"), field, value)
    response = client_as("cp.jp").get(f"/operations/{ids.catalyst}/contacts.csv")
    row = next(row for row in _csv_rows(response) if row["email"] == demo("cp.jp"))
    column = {"display_name": "name"}.get(field, field)
    assert row[column] == "'" + value
    for other in _csv_rows(response):
        assert all(not cell.startswith(("=", "+", "-", "@", "\t")) for cell in other.values())


def test_the_vcard_export(client_as, in_app, ids, everyone_named):
    response = client_as("ocu").get(f"/operations/{ids.catalyst}/contacts.vcf")

    assert response.status_code == 200
    assert response.mimetype == "text/vcard"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="CATALYST-DEMO-contact-points.vcf"')
    cards = _cards(response)
    with in_app() as session:
        assert {card.email.value for card in cards.values()} == _people_in_directory(
            session, ids.catalyst)
    sato = cards["Sato Haruto"]
    assert sato.email.value == demo("cp.jp")
    assert sato.org.value == [find_org_name(in_app, "JP")]
    assert sato.title.value == "Enforcement officer, Tokyo Customs"
    assert sato.role.value == "Contact point"
    phones = {tel.type_param: tel.value for tel in sato.contents["tel"]}
    assert phones == {"WORK": "+81335290700", "CELL": "+819055500122"}  # E.164
    assert "Japanese, English" in sato.note.value
    assert cards["Kim Min-jun"].role.value == "Coordinator (OCU)"
    # Someone without phones gets a card without TEL lines.
    assert "tel" not in cards["Camille Martin"].contents
    for hidden in ("Emily Johnson", "Thabo Nkosi", "Alejandro Hernández"):
        assert hidden not in cards


def find_org_name(in_app, code: str) -> str:
    with in_app():
        return find_by_code(code).name


def test_a_name_with_special_characters_survives_the_vcard(client_as, in_app, ids):
    with in_app() as session:
        _user(session, "cp.jp").display_name = "Sato; Haruto, \"Jr\"\nthe second"
    cards = _cards(client_as("cp.jp").get(f"/operations/{ids.catalyst}/contacts.vcf"))
    assert any(card.email.value == demo("cp.jp") for card in cards.values())
    assert len(cards) == 21


@pytest.mark.parametrize("path, fmt", [("contacts.csv", "csv"), ("contacts.vcf", "vcf")])
def test_every_export_is_audited(client_as, in_app, ids, path, fmt):
    client = client_as("cp.jp")
    client.get(f"/operations/{ids.catalyst}/{path}")
    client.get(f"/operations/{ids.catalyst}/{path}")
    with in_app() as session:
        entries = audit_entries(session, ids.catalyst, AuditAction.DIRECTORY_EXPORTED)
        assert [(e.actor.email, e.operation_id, e.subject, e.details) for e in entries] == [
            (demo("cp.jp"), ids.catalyst, "CATALYST-DEMO", {"format": fmt})] * 2


def test_each_export_through_either_skin_is_one_entry(client_as, api_as, in_app, ids):
    """The page download and the API read share one audited domain function."""
    page, api = client_as("cp.jp"), api_as("cp.jp")
    assert page.get(f"/operations/{ids.catalyst}/contacts.csv").status_code == 200
    assert api.get(f"/api/v1/operations/{ids.catalyst}/contacts").status_code == 200
    assert page.get(f"/operations/{ids.catalyst}/contacts.vcf").status_code == 200
    with in_app() as session:
        entries = audit_entries(session, ids.catalyst, AuditAction.DIRECTORY_EXPORTED)
        assert [(e.actor.email, e.object_type, e.object_id, e.details) for e in entries] == [
            (demo("cp.jp"), "operations", ids.catalyst, {"format": fmt})
            for fmt in ("csv", "api", "vcf")]


def test_viewing_the_directory_is_not_an_export(client_as, in_app, ids):
    client_as("cp.jp").get(f"/operations/{ids.catalyst}/contacts")
    with in_app() as session:
        assert audit_entries(session, ids.catalyst, AuditAction.DIRECTORY_EXPORTED) == []


@pytest.mark.parametrize("who", ["cp.br", "admin"])
@pytest.mark.parametrize("path", ["contacts", "contacts.csv", "contacts.vcf"])
def test_outsiders_get_404_and_leave_no_export_trace(client_as, in_app, ids, who, path):
    response = client_as(who).get(f"/operations/{ids.catalyst}/{path}")
    assert response.status_code == 404
    assert "Sato Haruto" not in response.text
    with in_app() as session:
        assert audit_entries(session, ids.catalyst, AuditAction.DIRECTORY_EXPORTED) == []


def test_the_invitee_does_not_see_the_directory(client_as, ids):
    assert client_as("cp.mx").get(f"/operations/{ids.catalyst}/contacts.csv").status_code == 403
