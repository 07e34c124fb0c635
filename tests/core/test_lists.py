"""core/lists.py: compound keyset pages, cursors, list arguments (on SQLite and PostgreSQL).

The lists are of accounts made for the test: their names tie, their last sign-in is
NULL for some and tied for others, so that every ordering meets ties in its first
key and, where it may, NULLs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import fields
from sqlalchemy import select

from opsplatform.auth.models import User
from opsplatform.core.lists import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    InvalidCursor,
    ListArgs,
    ListArgsError,
    ListArgsSchema,
    Listing,
    SortKey,
    load_args,
    load_page_args,
)
from tests.support import factories

DOMAIN = "@lists.example.org"
NAMES = ["ana", "ana", "ana", "bo", "cy", "cy", "dee", "ana", "bo", "eve", "eve", "fay"]
T0 = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
# None: never signed in. Three share T0, two share T0 + 1 h.
SIGN_INS = [None, T0, T0, None, T0 + timedelta(hours=1), T0, None, T0 + timedelta(hours=1),
            T0 - timedelta(days=3), None, T0 + timedelta(minutes=5), T0]


@pytest.fixture
def accounts(app, in_app) -> list[dict]:
    """Twelve accounts: their id, name and last sign-in."""
    made = []
    with in_app():
        organisation = factories.organisation()
        for number, (name, signed_in) in enumerate(zip(NAMES, SIGN_INS, strict=True)):
            user = factories.user(organisation=organisation, display_name=name,
                                  email=f"list{number:02d}{DOMAIN}")
            user.last_sign_in_at = signed_in
            made.append(user)
    return [{"id": u.id, "display_name": u.display_name, "last_sign_in_at": u.last_sign_in_at}
            for u in made]


def _expected(accounts: list[dict], listing: Listing) -> list[int]:
    """The order ``listing`` means, worked out in Python: NULLs after every value."""
    ordered = list(accounts)
    for key in reversed(listing.keys):  # stable sorts, last key first
        name = key.name
        present = sorted((a for a in ordered if a[name] is not None), key=lambda a: a[name],
                         reverse=key.descending)
        ordered = present + [a for a in ordered if a[name] is None]
    return [a["id"] for a in ordered]


def _args_for(listing: Listing, **values) -> ListArgs:
    schema_class = type("Args", (ListArgsSchema,), {"listing": listing})
    return schema_class().load(values)


ORDERINGS = {
    # one direction, never NULL: a row comparison
    "name, id": (SortKey(User.display_name), SortKey(User.id)),
    "name desc, id desc": (SortKey(User.display_name, descending=True),
                           SortKey(User.id, descending=True)),
    # mixed directions: the expanded form
    "name, id desc": (SortKey(User.display_name), SortKey(User.id, descending=True)),
    # a nullable key, either way, with ties among the values and among the NULLs
    "sign-in, id": (SortKey(User.last_sign_in_at), SortKey(User.id)),
    "sign-in desc, id": (SortKey(User.last_sign_in_at, descending=True), SortKey(User.id)),
    "sign-in desc, name, id desc": (SortKey(User.last_sign_in_at, descending=True),
                                    SortKey(User.display_name),
                                    SortKey(User.id, descending=True)),
}


def _walk(listing: Listing, query, limit: int) -> tuple[list[int], list[int | None], int]:
    """Every page of ``query``: the ids in order, the totals, the number of pages."""
    seen, totals, pages, cursor = [], [], 0, None
    while True:
        args = _args_for(listing, limit=limit, **({"cursor": cursor} if cursor else {}))
        page = listing.page(query, args)
        assert len(page.items) <= limit
        seen += [row.id for row in page.items]
        totals.append(page.total)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            return seen, totals, pages
        assert pages < 50, "the pages never end"


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 12, 13])
@pytest.mark.parametrize("ordering", list(ORDERINGS), ids=str)
def test_every_row_exactly_once_in_order(app, accounts, ordering, limit):
    listing = Listing(f"test-{ordering}", *ORDERINGS[ordering])
    narrow = select(User.id, User.display_name, User.last_sign_in_at).where(
        User.email.endswith(DOMAIN))
    with app.app_context():
        seen, totals, pages = _walk(listing, narrow, limit)
    assert seen == _expected(accounts, listing)
    assert totals == [len(accounts)] * pages
    assert pages == -(-len(accounts) // limit)  # no empty last page when it divides


def test_pages_of_orm_objects_too(app, accounts):
    listing = Listing("test-objects", SortKey(User.display_name, descending=True),
                      SortKey(User.id))
    with app.app_context():
        seen, totals, _pages = _walk(listing, select(User).where(User.email.endswith(DOMAIN)), 4)
    assert seen == _expected(accounts, listing)
    assert set(totals) == {12}


def test_the_last_key_must_be_unique_and_never_null():
    for keys in [(SortKey(User.display_name),), (SortKey(User.id), SortKey(User.display_name)),
                 (SortKey(User.last_sign_in_at),)]:
        with pytest.raises(ValueError, match="unique"):
            Listing("bad", *keys)


def test_nullable_is_read_from_the_column():
    assert SortKey(User.last_sign_in_at).nullable
    assert not SortKey(User.display_name).nullable


# -- cursors ----------------------------------------------------------------------------------

NAMES_LISTING = Listing("test-names", SortKey(User.display_name), SortKey(User.id))


class NamesArgsSchema(ListArgsSchema):
    listing = NAMES_LISTING
    q = fields.String(load_default="")


def _a_cursor(app, **filters) -> str:
    with app.test_request_context():
        return NAMES_LISTING.cursor(("ana", 7), {"q": "", **filters})


def test_a_cursor_takes_the_next_page_from_where_the_last_ended(app, accounts):
    query = select(User.id, User.display_name).where(User.email.endswith(DOMAIN))
    with app.test_request_context():
        first = NAMES_LISTING.page(query, NamesArgsSchema().load({"limit": "4"}))
        args = load_args(NamesArgsSchema(), {"limit": "4", "cursor": first.next_cursor})
        assert args.after == ("ana", first.items[-1].id)
        second = NAMES_LISTING.page(query, args)
    assert [row.id for row in first.items + second.items] == _expected(
        accounts, NAMES_LISTING)[:8]
    # Opaque: URL-safe, and nothing a client should read or build.
    assert first.next_cursor.replace("-", "").replace("_", "").replace(".", "").isalnum()


@pytest.mark.parametrize("change", ["altered", "truncated", "garbage", "empty payload"])
def test_an_altered_or_malformed_cursor_is_refused(app, change):
    cursor = _a_cursor(app)
    forged = {"altered": cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:],
              "truncated": cursor[:-3],
              "garbage": "not a cursor at all",
              "empty payload": "." + cursor.split(".")[1]}[change]
    with app.test_request_context(), pytest.raises(InvalidCursor) as refused:
        NAMES_LISTING.position(forged, {"q": ""})
    assert refused.value.code == "invalid_cursor" and refused.value.field == "cursor"


def test_a_cursor_of_another_list_or_ordering_is_refused(app):
    accounts_like = Listing("test-other", SortKey(User.display_name), SortKey(User.id))
    reordered = Listing("test-names", SortKey(User.display_name, descending=True),
                        SortKey(User.id, descending=True))
    with app.test_request_context():
        for other in (accounts_like, reordered):
            with pytest.raises(InvalidCursor):
                other.position(_a_cursor(app), {"q": ""})


def test_a_cursor_for_other_filters_is_refused(app):
    cursor = _a_cursor(app, q="ana")
    with app.test_request_context():
        assert NAMES_LISTING.position(cursor, {"q": "ana"}) == ("ana", 7)
        with pytest.raises(InvalidCursor, match="other filters"):
            NAMES_LISTING.position(cursor, {"q": "bo"})


def test_a_cursor_signed_with_another_secret_key_is_refused(app):
    cursor = _a_cursor(app)
    key, fallbacks = app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"]
    try:
        app.config["SECRET_KEY"] = "another-secret-key-another-secret-key"
        with app.test_request_context(), pytest.raises(InvalidCursor):
            NAMES_LISTING.position(cursor, {"q": ""})
        # Listed among the fallbacks, the old key still opens the cursors it signed.
        app.config["SECRET_KEY_FALLBACKS"] = [key]
        with app.test_request_context():
            assert NAMES_LISTING.position(cursor, {"q": ""}) == ("ana", 7)
    finally:
        app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = key, fallbacks


def test_a_signed_cursor_with_values_of_the_wrong_kind_is_refused(app):
    listing = Listing("test-typed", SortKey(User.last_sign_in_at), SortKey(User.id))
    with app.test_request_context():
        for values in [("yesterday", 1), ("2026-03-01T09:30:00", 1), (T0.isoformat(), "1"),
                       (T0.isoformat(), True), (T0.isoformat(), 2**70), (T0.isoformat(),)]:
            forged = listing._serializer().dumps([list(values), "0" * 16])
            with pytest.raises(InvalidCursor):
                listing.position(forged, {})
        # NULL is a value the nullable key may hold, never the id.
        forged = listing._serializer().dumps([[None, None], "0" * 16])
        with pytest.raises(InvalidCursor):
            listing.position(forged, {})


# -- arguments --------------------------------------------------------------------------------


def test_list_arguments_default_and_drop_empty_values(app):
    with app.test_request_context():
        args = load_args(NamesArgsSchema(), {"cursor": "", "limit": "", "q": "", "other": "x"})
    assert args == ListArgs({"q": ""}, DEFAULT_PAGE_SIZE, None, None)


@pytest.mark.parametrize("limit", ["0", str(MAX_PAGE_SIZE + 1), "-3", "many", "1.5"])
def test_the_page_size_is_bounded(app, limit):
    with app.test_request_context(), pytest.raises(ListArgsError) as refused:
        load_args(NamesArgsSchema(), {"limit": limit, "q": "ana"})
    error = refused.value
    assert (error.code, error.field, list(error.messages)) == ("validation_failed", "limit",
                                                                ["limit"])
    # What a page shows instead: the rest of the arguments, the default page size.
    assert error.fallback == ListArgs({"q": "ana"}, DEFAULT_PAGE_SIZE, None, None)


def test_a_refused_cursor_names_the_cursor_and_falls_back_to_the_first_page(app):
    with app.test_request_context():
        args, refused = load_page_args(NamesArgsSchema(), {"cursor": "forged", "q": "ana",
                                                           "limit": "5"})
    assert refused.code == "invalid_cursor" and refused.field == "cursor"
    assert list(refused.messages) == ["cursor"]
    assert args == ListArgs({"q": "ana"}, 5, None, None)


def test_url_params_carry_the_filters_the_page_size_and_the_cursor():
    args = ListArgs({"q": "x", "status": None, "empty": ""}, 20, None, None)
    assert args.url_params() == {"q": "x", "limit": 20}
    assert args.url_params("C") == {"q": "x", "limit": 20, "cursor": "C"}
    assert ListArgs({"q": ""}).url_params("C") == {"cursor": "C"}


def test_a_total_counted_apart_is_the_same_on_every_page(app, accounts):
    listing = Listing("test-apart", SortKey(User.display_name), SortKey(User.id))
    mine = User.email.endswith(DOMAIN)
    with app.app_context():
        totals, cursor = [], None
        while True:
            args = _args_for(listing, limit=5, **({"cursor": cursor} if cursor else {}))
            page = listing.page(select(User.id, User.display_name).where(mine), args,
                                total_of=select(User.id).where(mine))
            totals.append(page.total)
            cursor = page.next_cursor
            if cursor is None:
                break
        uncounted = listing.page(select(User.id, User.display_name).where(mine),
                                 _args_for(listing, limit=5), count=False)
    assert totals == [12, 12, 12]
    assert uncounted.total is None and len(uncounted.items) == 5
