from __future__ import annotations

import pytest
from sqlalchemy import func, select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.organisations.models import Organisation, OrganisationKind, WcoRegion
from opsplatform.organisations.operations import find_by_code

EUROPE = WcoRegion.EUROPE.value
MEMBER = OrganisationKind.MEMBER_ADMINISTRATION.value


def _form(**values):
    data = {"code": "LU", "name": "Luxembourg Customs and Excise Agency", "kind": MEMBER,
            "country_code": "LU", "wco_region": EUROPE, "is_active": "y"}
    data.update(values)
    return {name: value for name, value in data.items() if value is not None}


def _organisation(in_app, code):
    with in_app():
        return find_by_code(code)


def _count(in_app):
    with in_app() as session:
        return session.scalar(select(func.count(Organisation.id)))


def _audit(in_app, action, object_id):
    with in_app() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.object_id == object_id)).all()
        return [(entry, entry.actor and entry.actor.email) for entry in entries]


def test_index_lists_organisations_with_their_account_counts(client_as):
    client = client_as("admin")
    page = client.get("/admin/organisations/")
    assert page.status_code == 200
    assert "RILO-AP" in page.text
    assert "Korea, Republic of" in page.text
    filtered = client.get("/admin/organisations/", query_string={"kind": "rilo"})
    assert "RILO-AP" in filtered.text
    assert "Korea Customs Service" not in filtered.text


def test_admin_creates_a_member_administration(client_as, in_app):
    client = client_as("admin")
    assert client.get("/admin/organisations/new").status_code == 200
    response = client.post_form("/admin/organisations/new", _form(code="lu"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/organisations/"

    organisation = _organisation(in_app, "LU")
    assert organisation.code == "LU"
    assert organisation.name == "Luxembourg Customs and Excise Agency"
    assert organisation.kind is OrganisationKind.MEMBER_ADMINISTRATION
    assert organisation.country_code == "LU"
    assert organisation.wco_region is WcoRegion.EUROPE
    assert organisation.is_active
    [(entry, actor)] = _audit(in_app, AuditAction.ORGANISATION_CREATED, organisation.id)
    assert entry.subject == "LU"
    assert actor == "admin@demo.example.org"
    assert entry.details["kind"] == MEMBER


def test_admin_creates_an_international_organisation_without_country(client_as, in_app):
    response = client_as("admin").post_form("/admin/organisations/new", _form(
        code="EUROPOL", name="Europol", kind=OrganisationKind.INTERNATIONAL_ORGANISATION.value,
        country_code="", wco_region=""))
    assert response.status_code == 302
    organisation = _organisation(in_app, "EUROPOL")
    assert organisation.country_code is None
    assert organisation.wco_region is None


@pytest.mark.parametrize("values, message", [
    ({"code": "L"}, "A code is 2 to 20 capital letters, digits or hyphens"),
    ({"code": "LU X"}, "A code is 2 to 20 capital letters, digits or hyphens"),
    ({"code": "-LU"}, "A code is 2 to 20 capital letters, digits or hyphens"),
    ({"code": "LU/1"}, "A code is 2 to 20 capital letters, digits or hyphens"),
    ({"code": ""}, "Code: This field is required."),
    ({"code": "kr"}, "The code KR is already used by Korea Customs Service."),
    ({"code": "Rilo-Ap"}, "The code RILO-AP is already used by"),
    ({"name": "   "}, "Name: "),
    ({"country_code": ""}, "A member administration needs its country."),
    ({"wco_region": ""}, "A member administration needs its WCO region."),
    ({"country_code": "ZZ"}, "ZZ is not an ISO 3166-1 country code."),
    ({"country_code": "LUX"}, "LUX is not an ISO 3166-1 country code."),
    ({"wco_region": "atlantis"}, "WCO region: Not a valid choice."),
    ({"kind": "club"}, "Kind: Not a valid choice."),
])
def test_invalid_organisation_is_refused_with_a_clear_message(client_as, in_app, values, message):
    before = _count(in_app)
    response = client_as("admin").post_form("/admin/organisations/new", _form(**values))
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert message in response.text
    assert _count(in_app) == before
    assert _organisation(in_app, "LU") is None


def test_a_refused_form_keeps_what_was_typed(client_as):
    response = client_as("admin").post_form("/admin/organisations/new",
                                          _form(country_code="", name="Typed name"))
    assert response.status_code == 422
    assert 'value="Typed name"' in response.text


def test_admin_edits_an_organisation(client_as, in_app):
    organisation = _organisation(in_app, "NZ")
    client = client_as("admin")
    page = client.get(f"/admin/organisations/{organisation.id}")
    assert page.status_code == 200
    assert 'value="New Zealand Customs Service"' in page.text

    response = client.post_form(f"/admin/organisations/{organisation.id}", _form(
        code="nz", name="New Zealand Customs Service (Te Mana Ārai o Aotearoa)",
        country_code="NZ", wco_region=WcoRegion.FAR_EAST_SOUTH_SOUTHEAST_ASIA_AUSTRALASIA_PACIFIC,
        is_active=None))
    assert response.status_code == 302

    edited = _organisation(in_app, "NZ")
    assert edited.id == organisation.id
    assert edited.name == "New Zealand Customs Service (Te Mana Ārai o Aotearoa)"
    assert not edited.is_active
    [(entry, _actor)] = _audit(in_app, AuditAction.ORGANISATION_UPDATED, organisation.id)
    assert entry.details["changes"]["name"] == [
        "New Zealand Customs Service", "New Zealand Customs Service (Te Mana Ārai o Aotearoa)"]
    assert entry.details["changes"]["is_active"] == [True, False]
    assert "code" not in entry.details["changes"]


def test_saving_an_unchanged_organisation_writes_no_audit_entry(client_as, in_app):
    organisation = _organisation(in_app, "NZ")
    response = client_as("admin").post_form(f"/admin/organisations/{organisation.id}", _form(
        code="NZ", name=organisation.name, country_code="NZ",
        wco_region=organisation.wco_region.value))
    assert response.status_code == 302
    assert _audit(in_app, AuditAction.ORGANISATION_UPDATED, organisation.id) == []


@pytest.mark.parametrize("values, message", [
    ({"code": "au"}, "The code AU is already used by Australian Border Force."),
    ({"code": "N"}, "A code is 2 to 20 capital letters"),
    ({"country_code": "QQ"}, "QQ is not an ISO 3166-1 country code."),
    ({"country_code": ""}, "A member administration needs its country."),
])
def test_invalid_edit_is_refused_and_nothing_saved(client_as, in_app, values, message):
    organisation = _organisation(in_app, "NZ")
    form = _form(code="NZ", name="Renamed", country_code="NZ",
                 wco_region=WcoRegion.FAR_EAST_SOUTH_SOUTHEAST_ASIA_AUSTRALASIA_PACIFIC.value)
    form.update(values)
    response = client_as("admin").post_form(f"/admin/organisations/{organisation.id}", form)
    assert response.status_code == 422
    assert message in response.text
    after = _organisation(in_app, "NZ")
    assert after.name == "New Zealand Customs Service"
    assert _audit(in_app, AuditAction.ORGANISATION_UPDATED, organisation.id) == []


@pytest.mark.parametrize("organisation_id", ["999999", "2147483648", "99999999999999999999"])
def test_unknown_organisation_is_404(client_as, organisation_id):
    client = client_as("admin")
    assert client.get(f"/admin/organisations/{organisation_id}").status_code == 404
    response = client.post_form(f"/admin/organisations/{organisation_id}", _form())
    assert response.status_code == 404
