from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.models import ApiToken
from opsplatform.auth.operations import create_token, find_user_by_email
from opsplatform.auth.tokens import hash_secret
from opsplatform.core.db import Base
from tests.support import factories
from tests.support.clients import assert_api_error, demo

TOKEN_PATTERN = re.compile(r"opsp_[A-Za-z0-9_-]{43}")
NEW_PASSWORD = "a long new passphrase 42"


def _user(in_app, local_part):
    with in_app():
        return find_user_by_email(demo(local_part))


def _details(**values):
    data = {"display_name": "Park Ji-woo", "job_title": "", "office_phone": "",
            "duty_phone": "", "languages": "", "time_zone": ""}
    data.update(values)
    return {f"details-{name}": value for name, value in data.items()}


def _token_of(in_app, local_part: str, name: str, days: int = 30):
    """A token of that demo account, and its secret."""
    with in_app():
        return factories.api_token(find_user_by_email(demo(local_part)), name=name, days=days)


# -- contact details -----------------------------------------------------------------------


def test_contact_details_are_saved_and_audited(client_as, in_app):
    before = _user(in_app, "cp.kr")
    client = client_as("cp.kr")
    response = client.post_form("/profile/details", _details(
        display_name="  Park Ji-woo (RILO liaison) ", job_title="Intelligence officer",
        office_phone="+82 42 481 7800", duty_phone="+82 10 5555 0101",
        languages="Korean, English", time_zone="Europe/Brussels",
    ))
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"

    user = _user(in_app, "cp.kr")
    assert user.display_name == "Park Ji-woo (RILO liaison)"
    assert user.job_title == "Intelligence officer"
    # Stored in E.164 (core/phones.py), whatever the spacing typed.
    assert user.office_phone == "+82424817800"
    assert user.duty_phone == "+821055550101"
    assert user.languages == "Korean, English"
    assert user.time_zone == "Europe/Brussels"
    page = client.get("/profile")
    assert "Your contact details were saved." in page.text
    assert 'value="Intelligence officer"' in page.text
    assert 'value="+82 42-481-7800"' in page.text  # shown as Koreans write it
    # The time zone list (rendered once, core/forms.LongSelect) marks the saved one alone.
    assert page.text.count("<option selected") == 1
    assert '<option selected value="Europe/Brussels">Belgium — Brussels</option>' in page.text
    assert '<select id="details-time_zone" name="details-time_zone">' in page.text
    with in_app() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.PROFILE_UPDATED, AuditEntry.object_id == user.id,
        )).one()
        assert entry.actor_id == user.id
        assert entry.details["changes"]["time_zone"] == [before.time_zone, "Europe/Brussels"]


def test_clearing_an_optional_detail_stores_nothing(client_as, in_app):
    client = client_as("cp.kr")
    client.post_form("/profile/details", _details(job_title="Analyst"))
    assert client.post_form("/profile/details", _details(job_title="   ")).status_code == 302
    assert _user(in_app, "cp.kr").job_title is None


def test_a_failed_save_keeps_what_was_typed_and_saves_nothing(client_as, in_app):
    before = _user(in_app, "cp.kr")
    client = client_as("cp.kr")
    response = client.post_form("/profile/details", _details(
        display_name="", job_title="Typed but not saved", office_phone="+82 2 000 0000",
    ))
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert 'value="Typed but not saved"' in response.text
    assert 'value="+82 2 000 0000"' in response.text
    user = _user(in_app, "cp.kr")
    assert user.display_name == before.display_name == "Park Ji-woo"
    assert user.job_title == before.job_title != "Typed but not saved"
    assert user.office_phone == before.office_phone


def test_an_unknown_time_zone_is_refused(client_as, in_app):
    before = _user(in_app, "cp.kr")
    client = client_as("cp.kr")
    response = client.post_form("/profile/details", _details(time_zone="Mars/Olympus_Mons",
                                                             job_title="Analyst"))
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert _user(in_app, "cp.kr").time_zone == before.time_zone
    assert _user(in_app, "cp.kr").job_title == before.job_title


@pytest.mark.parametrize("zone", ["Factory", "localtime", "US/Eastern", "Etc/GMT+5"])
def test_aliases_and_pseudo_zones_are_neither_offered_nor_accepted(client_as, in_app, zone):
    client = client_as("cp.kr")
    page = client.get("/profile")
    assert f'value="{zone}"' not in page.text
    response = client.post_form("/profile/details", _details(time_zone=zone))
    assert response.status_code == 422
    assert "Choose a time zone from the list." in response.text
    assert _user(in_app, "cp.kr").time_zone != zone


def test_the_time_zones_are_grouped_by_region_and_named_by_country(client_as):
    page = client_as("cp.kr").get("/profile").text
    picker = page[page.index('<select id="details-time_zone"'):]
    picker = picker[:picker.index("</select>")]
    groups = re.findall(r'<optgroup label="([^"]+)">', picker)
    assert groups == ["Africa", "Americas", "Antarctica", "Arctic", "Asia", "Atlantic Ocean",
                      "Australia", "Europe", "Indian Ocean", "Pacific Ocean"]
    assert picker.index('value="UTC"') < picker.index("<optgroup")
    asia = picker[picker.index('label="Asia"'):picker.index('label="Atlantic Ocean"')]
    assert '<option selected value="Asia/Seoul">South Korea — Seoul</option>' in asia


def test_a_zone_saved_before_the_list_was_narrowed_stays_on_offer(client_as, in_app):
    with in_app():
        find_user_by_email(demo("cp.kr")).time_zone = "Asia/Calcutta"
    client = client_as("cp.kr")
    assert '<option selected value="Asia/Calcutta">' in client.get("/profile").text
    response = client.post_form("/profile/details",
                                _details(time_zone="Asia/Calcutta", job_title="Analyst"))
    assert response.status_code == 302
    assert _user(in_app, "cp.kr").job_title == "Analyst"


@pytest.mark.parametrize(("typed", "message"), [
    ("call me maybe", "This is not a phone number."),
    ("+82 12", "too short for its country"),
    ("+999 123 4567", "no country code"),
])
def test_a_phone_number_that_cannot_be_one_is_refused_on_its_field(client_as, in_app,
                                                                    typed, message):
    before = _user(in_app, "cp.kr")
    response = client_as("cp.kr").post_form("/profile/details", _details(
        duty_phone=typed, job_title="Typed but not saved"))
    assert response.status_code == 422
    assert message in response.text
    assert f'value="{typed}"' in response.text
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="details-duty_phone"|'
                     r'<input[^>]*id="details-duty_phone"[^>]*aria-invalid="true"',
                     response.text)
    assert _user(in_app, "cp.kr").duty_phone == before.duty_phone


def test_a_national_number_is_read_in_the_country_of_ones_administration(client_as, in_app):
    """Korea's contact point writes 042-481-7800 as a Korean would dial it."""
    client_as("cp.kr").post_form("/profile/details", _details(office_phone="042-481-7800"))
    assert _user(in_app, "cp.kr").office_phone == "+82424817800"
    # Someone of the WCO (no country) must give the country code.
    response = client_as("secretariat").post_form("/profile/details", _details(
        display_name="Amélie Dupont", office_phone="02 12 34 56 78"))
    assert response.status_code == 422
    assert "no country code" in response.text


def test_the_directory_shows_numbers_readably_and_dials_them_exactly(client_as, in_app):
    from opsplatform.operations.models import Operation

    client_as("cp.kr").post_form("/profile/details", _details(duty_phone="+82 10 5555 0101"))
    with in_app() as session:
        catalyst = session.scalar(select(Operation.id).where(Operation.code == "CATALYST-DEMO"))
    page = client_as("cp.jp").get(f"/operations/{catalyst}/contacts").text
    assert ('<a class="phone" href="tel:+821055550101">+82 10-5555-0101</a>') in page


def test_the_demo_accounts_phone_numbers_are_stored_in_e164(in_app):
    from opsplatform.auth.models import User

    with in_app() as session:
        phones = [phone for user in session.scalars(select(User))
                  for phone in (user.office_phone, user.duty_phone) if phone]
    assert phones and all(re.fullmatch(r"\+[1-9]\d{6,14}", phone) for phone in phones), phones


# -- own password --------------------------------------------------------------------------


def test_wrong_current_password_is_refused(client_as):
    client = client_as("cp.kr")
    response = client.post_form("/profile/password", {
        "password-current_password": "not my password",
        "password-new_password": NEW_PASSWORD,
    })
    assert response.status_code == 422
    assert "Your current password is not correct." in response.text
    client.post_form("/sign-out")
    assert client.submit_sign_in(demo("cp.kr"), NEW_PASSWORD).status_code == 401
    assert client.submit_sign_in(demo("cp.kr")).status_code == 302


def test_weak_new_password_is_refused(client_as):
    client = client_as("cp.kr")
    for weak, message in [
        ("short", "Use at least 12 characters."),
        ("password1234", "too common or too simple"),
        (demo("cp.kr"), "Do not use your e-mail address or name"),
    ]:
        response = client.post_form("/profile/password", {
            "password-current_password": "demo-password",
            "password-new_password": weak,
        })
        assert response.status_code == 422, weak
        assert message in response.text, weak
    client.post_form("/sign-out")
    assert client.submit_sign_in(demo("cp.kr")).status_code == 302


def test_changing_the_password_keeps_this_session_and_ends_the_others(client_as, in_app):
    other_browser = client_as("cp.kr")
    assert other_browser.get("/profile").status_code == 200

    client = client_as("cp.kr")
    response = client.post_form("/profile/password", {
        "password-current_password": "demo-password",
        "password-new_password": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other_browser.get("/profile").status_code == 302

    assert other_browser.submit_sign_in(demo("cp.kr")).status_code == 401
    assert other_browser.submit_sign_in(demo("cp.kr"), NEW_PASSWORD).status_code == 302
    with in_app() as session:
        assert session.scalar(select(AuditEntry).where(
            AuditEntry.action == AuditAction.PASSWORD_CHANGED)) is not None


# -- API tokens ----------------------------------------------------------------------------


def test_a_token_is_shown_once_and_works(client_as, api_as, in_app):
    client = client_as("cp.kr")
    response = client.post_form("/profile/tokens", {"token-name": "KCS seizure system",
                                                    "token-days": "30"})
    assert response.status_code == 200
    assert "Copy it now" in response.text
    secrets = TOKEN_PATTERN.findall(response.text)
    assert len(secrets) == 1
    secret = secrets[0]

    later = client.get("/profile")
    assert "KCS seizure system" in later.text
    assert secret not in later.text
    assert secret[:12] in later.text  # the prefix, to tell tokens apart

    me = api_as(secret=secret).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json["email"] == demo("cp.kr")
    with in_app() as session:
        token = session.scalars(select(ApiToken)).one()
        assert token.name == "KCS seizure system"
        assert (token.expires_at - token.created_at).days == 30


def test_the_database_never_holds_the_secret(client_as, in_app):
    client = client_as("cp.kr")
    response = client.post_form("/profile/tokens", {"token-name": "national system",
                                                    "token-days": "90"})
    secret = TOKEN_PATTERN.search(response.text).group(0)
    with in_app() as session:
        token = session.scalars(select(ApiToken).where(ApiToken.name == "national system")).one()
        assert token.token_hash == hash_secret(secret)
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).all():
                assert secret not in repr(tuple(row)), table.name


def test_token_lifetime_is_checked(client_as, in_app):
    client = client_as("cp.kr")
    for days in ("0", "366", "forever"):
        response = client.post_form("/profile/tokens", {"token-name": "x", "token-days": days})
        assert response.status_code == 422, days
        assert TOKEN_PATTERN.search(response.text) is None
    response = client.post_form("/profile/tokens", {"token-name": " ", "token-days": "5"})
    assert response.status_code == 422
    with in_app() as session:
        assert session.scalars(select(ApiToken)).all() == []


def test_revoking_a_token_stops_it(client_as, api_as, in_app):
    token, secret = _token_of(in_app, "cp.kr", "old system", 10)
    client = client_as("cp.kr")
    assert _token_works(api_as, secret)

    response = client.post_form(f"/profile/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert "was revoked" in client.get("/profile").text
    assert_api_error(api_as(secret=secret).get("/api/v1/me"), 401, "token_revoked")
    with in_app() as session:
        assert session.get(ApiToken, token.id).revoked_at is not None
        assert session.scalar(select(AuditEntry).where(
            AuditEntry.action == AuditAction.TOKEN_REVOKED,
            AuditEntry.object_id == token.id)) is not None


def test_someone_elses_token_cannot_be_revoked(client_as, api_as, in_app):
    token, secret = _token_of(in_app, "cp.jp", "JP system", 10)
    client = client_as("cp.kr")
    assert client.post_form(f"/profile/tokens/{token.id}/revoke").status_code == 404
    assert client.post_form(f"/profile/tokens/{token.id + 1000}/revoke").status_code == 404
    assert client.post_form("/profile/tokens/99999999999999999999/revoke").status_code == 404
    assert _token_works(api_as, secret)
    assert "JP system" not in client.get("/profile").text


# -- password change and API tokens ----------------------------------------------------------


def _token_works(api_as, secret) -> bool:
    return api_as(secret=secret).get("/api/v1/me").status_code == 200


def _new_token(in_app) -> str:
    return _token_of(in_app, "cp.kr", "national system")[1]


def test_the_password_form_offers_to_revoke_the_tokens_ticked(client_as, in_app):
    client = client_as("cp.kr")
    assert "Also revoke my API tokens" not in client.get("/profile").text  # none to revoke
    _new_token(in_app)
    page = client.get("/profile").text
    [box] = re.findall(r'<input [^>]*id="password-revoke_tokens"[^>]*>', page)
    assert ' checked ' in box and 'type="checkbox"' in box


def test_a_password_change_revokes_the_api_tokens_when_asked(client_as, api_as, in_app):
    first, second = _new_token(in_app), _new_token(in_app)
    client = client_as("cp.kr")
    response = client.post_form("/profile/password", {
        "password-current_password": "demo-password",
        "password-new_password": NEW_PASSWORD,
        "password-revoke_tokens": "y",
    })
    assert response.status_code == 302
    assert "2 API tokens were revoked" in client.get("/profile").text
    assert not _token_works(api_as, first) and not _token_works(api_as, second)
    with in_app() as session:
        entry = session.scalar(select(AuditEntry).where(
            AuditEntry.action == AuditAction.PASSWORD_CHANGED))
        assert entry.details == {"tokens_revoked": 2}


def test_a_password_change_can_keep_the_api_tokens(client_as, api_as, in_app):
    secret = _new_token(in_app)
    client = client_as("cp.kr")
    response = client.post_form("/profile/password", {
        "password-current_password": "demo-password",
        "password-new_password": NEW_PASSWORD,
    })  # the box left unticked
    assert response.status_code == 302
    assert _token_works(api_as, secret)


def test_a_refused_password_change_revokes_nothing(client_as, api_as, in_app):
    secret = _new_token(in_app)
    client = client_as("cp.kr")
    response = client.post_form("/profile/password", {
        "password-current_password": "not-my-password",
        "password-new_password": NEW_PASSWORD,
        "password-revoke_tokens": "y",
    })
    assert response.status_code == 422
    assert _token_works(api_as, secret)


# -- one limit per field, for the forms and every other caller --------------------------------


@pytest.mark.parametrize("field, limit", [("job_title", 200), ("office_phone", 50),
                                          ("duty_phone", 50), ("languages", 200),
                                          ("display_name", 200)])
def test_contact_details_over_their_limit_are_refused_naming_the_field(client_as, in_app,
                                                                         field, limit):
    from opsplatform.auth.operations import ContactDetails, update_contact_details
    from opsplatform.core.errors import DomainError

    client = client_as("cp.kr")
    response = client.post_form("/profile/details", _details(**{field: "x" * (limit + 1)}))
    assert response.status_code == 422
    assert f"details-{field}-error" in response.text
    with in_app(), pytest.raises(DomainError) as refusal:  # the CLI and later skins too
        update_contact_details(find_user_by_email(demo("cp.kr")), ContactDetails(
            **{"display_name": "Park Ji-woo", field: "x" * (limit + 1)}))
    assert refusal.value.field == field


def test_a_token_name_over_its_limit_is_refused_not_cut(in_app):
    from opsplatform.core.errors import DomainError

    with in_app(), pytest.raises(DomainError) as refusal:
        create_token(find_user_by_email(demo("cp.kr")), "n" * 101, 30, actor=None)
    assert refusal.value.field == "name"
