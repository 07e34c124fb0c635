"""The platform admins' accounts list: by e-mail address, cursors, literal search, totals."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from opsplatform.auth.models import User
from opsplatform.organisations.models import Organisation
from tests.support import factories

_NEXT = re.compile(r'<a [^>]*rel="next" href="([^"]+)"')


def _emails(page) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/admin/accounts/\d+">([^<]+)</a>', page.text)


def _total(page) -> int:
    return int(re.search(r'<p class="list-total" id="list-total">(\d+) accounts?</p>',
                         page.text).group(1))


def _next_link(page) -> str | None:
    found = _NEXT.search(page.text)
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def admin(client_as):
    return client_as("admin")


@pytest.fixture
def odd_accounts(in_app) -> dict[str, str]:
    """Accounts of a new organisation whose names hold % and _; name -> e-mail address."""
    with in_app():
        organisation = factories.organisation(code="ODD")
        made = {name: factories.user(organisation=organisation, display_name=name).email
                for name in ["Ana 100% Silva", "Ana 1000 Silva", "Bo a_b Lee", "Bo axb Lee",
                             "Cy Durand"]}
    return made


def test_every_account_once_by_email_address(admin, in_app):
    with in_app() as session:
        everyone = list(session.scalars(select(User.email).order_by(User.email, User.id)))
    seen, url, totals = [], "/admin/accounts/?limit=4", set()
    while url:
        page = admin.get(url)
        assert page.status_code == 200
        assert len(_emails(page)) <= 4
        seen += _emails(page)
        totals.add(_total(page))
        url = _next_link(page)
    assert seen == everyone
    assert totals == {len(everyone)}


@pytest.mark.parametrize("search, found", [
    ("%", ["Ana 100% Silva"]), ("0%", ["Ana 100% Silva"]), ("_", ["Bo a_b Lee"]),
    ("A_B", ["Bo a_b Lee"]), ("ana 100", ["Ana 100% Silva", "Ana 1000 Silva"]),
    ("%%", []), ("  bo a  ", ["Bo a_b Lee", "Bo axb Lee"]), ("  bo a_  ", ["Bo a_b Lee"]),
])
def test_a_search_matches_what_was_typed(admin, odd_accounts, search, found):
    page = admin.get("/admin/accounts/", query_string={"q": search, "organisation": "odd"})
    assert page.status_code == 200
    assert sorted(_emails(page)) == sorted(odd_accounts[name] for name in found)
    assert _total(page) == len(found)
    assert f'value="{html.escape(search)}"' in page.text  # the form keeps what was typed


def test_a_search_ignores_letter_case(admin, odd_accounts, in_app):
    page = admin.get("/admin/accounts/", query_string={"q": "SILVA"})
    assert sorted(_emails(page)) == sorted([odd_accounts["Ana 100% Silva"],
                                            odd_accounts["Ana 1000 Silva"]])
    # E-mail addresses too (they are stored in small letters).
    email = odd_accounts["Bo axb Lee"]
    assert _emails(admin.get("/admin/accounts/", query_string={"q": email.upper()})) == [email]


def test_the_organisation_filter_and_its_count(admin, odd_accounts, in_app):
    with in_app() as session:
        jp = session.scalar(select(func.count(User.id)).join(Organisation).where(
            Organisation.code == "JP"))
    assert _total(admin.get("/admin/accounts/?organisation=jp")) == jp
    page = admin.get("/admin/accounts/?organisation=odd&limit=2")
    assert _total(page) == 5 and sorted(_emails(page)) == sorted(odd_accounts.values())[:2]
    link = _next_link(page)
    assert "organisation=ODD" in link and "limit=2" in link and "cursor=" in link
    assert _total(admin.get(link)) == 5 and len(_emails(admin.get(link))) == 2
    assert _total(admin.get("/admin/accounts/?organisation=NOWHERE")) == 0


def test_an_altered_or_foreign_cursor_shows_the_first_page(admin, client_as):
    first = admin.get("/admin/accounts/?limit=3")
    cursor = re.search(r"cursor=([^&]+)", _next_link(first)).group(1)
    operations_cursor = re.search(r"cursor=([^&]+)", _next_link(
        client_as("secretariat").get("/operations/?limit=1"))).group(1)
    for forged in (cursor[:-1] + ("A" if cursor[-1] != "A" else "B"), "garbage",
                   operations_cursor):
        page = admin.get(f"/admin/accounts/?limit=3&cursor={forged}")
        assert page.status_code == 422
        assert "There is a problem" in page.text and "first page" in page.text
        assert _emails(page) == _emails(first)
    # A cursor is for the filters it was given with.
    page = admin.get(f"/admin/accounts/?limit=3&q=demo&cursor={cursor}")
    assert page.status_code == 422 and "other filters" in page.text


def test_bad_filters_are_named_and_left_out(admin):
    page = admin.get("/admin/accounts/", query_string={"q": "x" * 101, "organisation": "JP"})
    assert page.status_code == 422
    assert "Search for at most 100 characters." in page.text
    assert _total(page) == _total(admin.get("/admin/accounts/?organisation=JP"))


def test_only_platform_admins_see_the_list(client_as):
    assert client_as("secretariat").get("/admin/accounts/").status_code == 403
