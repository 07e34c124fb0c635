"""The operations list, page and API: one keyset order, cursors, filters, totals, no N+1.

Both skins load ``OperationListArgsSchema`` and filter through the same query, so each
test asks both and expects the same operations, pages, totals and refusals.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from opsplatform.core.db import db
from opsplatform.operations.access import visible_operations
from opsplatform.operations.lists import phase_name_on, status_filter, under_way_on
from opsplatform.operations.models import Operation, OperationStatus, PhaseKind
from opsplatform.operations.operations import PhaseFields, close_operation
from tests.support import factories
from tests.support.clients import assert_api_error, find_user

API = "/api/v1/operations"
_NEXT = re.compile(r'<a [^>]*rel="next" href="([^"]+)"')
_FIRST = re.compile(r'<a [^>]*href="([^"]+)">First page</a>')


def _codes(page) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/operations/\d+">([^<]+)</a>', page.text)


def _total(page) -> int:
    return int(re.search(r'<p class="list-total" id="list-total">(\d+) operations?</p>',
                         page.text).group(1))


def _next_link(page) -> str | None:
    found = _NEXT.search(page.text)
    return html.unescape(found.group(1)) if found else None


def _api_codes(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json["items"]]


@pytest.fixture
def listed_operations(in_app) -> list[str]:
    """Seven more operations, the first five created at the same instant: codes in the
    list's order."""
    with in_app() as session:
        planner = factories.secretariat()
        made = [factories.operation(actor=planner, code=f"LIST-{n}") for n in range(1, 8)]
        for operation in made[1:5]:
            operation.created_at = made[0].created_at
        session.flush()
        return list(session.scalars(select(Operation.code).order_by(
            Operation.created_at.desc(), Operation.id.desc())))


def _walk_page(client, url: str) -> tuple[list[list[str]], set[int]]:
    pages, totals = [], set()
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.text[:300]
        pages.append(_codes(page))
        totals.add(_total(page))
        url = _next_link(page)
        assert len(pages) < 50
    return pages, totals


def _walk_api(caller, query: str) -> tuple[list[list[str]], set[int]]:
    pages, totals, cursor = [], set(), None
    while True:
        body = caller.get(f"{API}?{query}" + (f"&cursor={cursor}" if cursor else "")).json
        pages.append([item["code"] for item in body["items"]])
        totals.add(body["total"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages, totals
        assert len(pages) < 50


def test_page_and_api_give_the_same_pages_every_operation_once(client_as, api_as,
                                                                listed_operations):
    page_pages, page_totals = _walk_page(client_as("secretariat"), "/operations/?limit=3")
    api_pages, api_totals = _walk_api(api_as("secretariat"), "limit=3")
    assert page_pages == api_pages
    assert [code for page in page_pages for code in page] == listed_operations
    assert [len(page) for page in page_pages] == [3, 3, 3]
    assert page_totals == api_totals == {len(listed_operations)}


def test_the_newest_come_first(client_as, listed_operations):
    # Ties in created_at are broken by id, newest first too.
    assert listed_operations[:7] == ["LIST-7", "LIST-6", "LIST-5", "LIST-4", "LIST-3", "LIST-2",
                                     "LIST-1"]
    assert _codes(client_as("secretariat").get("/operations/"))[:7] == listed_operations[:7]


def test_totals_count_only_what_the_caller_may_see(client_as, api_as, in_app, listed_operations):
    with in_app() as session:
        outsider = factories.user()
        jp = find_user("cp.jp")
        jp_sees = sorted(session.scalars(visible_operations(jp).with_only_columns(
            Operation.code)))
        everything = session.scalar(select(func.count(Operation.id)))
    assert jp_sees == ["CATALYST-DEMO"]  # none of LIST-n, nor PRECURSOR-DEMO
    assert _total(client_as("secretariat").get("/operations/")) == everything
    member = client_as("cp.jp").get("/operations/")
    assert (_codes(member), _total(member)) == (jp_sees, 1)
    assert api_as("cp.jp").get(API).json["total"] == 1
    stranger = client_as(outsider).get("/operations/")
    assert (_codes(stranger), _total(stranger)) == ([], 0)
    assert "0 operations" in stranger.text and "No operations match." in stranger.text
    assert api_as(outsider).get(API).json == {"items": [], "next_cursor": None, "total": 0}
    # The filters count too.
    assert api_as("secretariat").get(f"{API}?q=list-").json["total"] == 7
    assert _total(client_as("cp.jp").get("/operations/?q=list-")) == 0


@pytest.fixture
def odd_titles(in_app) -> None:
    with in_app():
        planner = factories.secretariat()
        for code, title in [("PCT-1", "Seizures up 100% on last year"),
                            ("PCT-2", "Seizures up 1000 on last year"),
                            ("UND-1", "Parcels a_b"), ("UND-2", "Parcels axb")]:
            factories.operation(actor=planner, code=code, title=title)


@pytest.mark.parametrize("search, found", [
    ("%", ["PCT-1"]), ("100%", ["PCT-1"]), ("0%", ["PCT-1"]), ("_", ["UND-1"]),
    ("a_b", ["UND-1"]), ("A_B", ["UND-1"]), ("PARCELS A_", ["UND-1"]), ("%%", []),
    ("up 1", ["PCT-1", "PCT-2"]), ("pct-", ["PCT-1", "PCT-2"]),
])
def test_a_search_matches_what_was_typed_whatever_the_case(client_as, api_as, odd_titles,
                                                           search, found):
    page = client_as("secretariat").get("/operations/", query_string={"q": search})
    assert sorted(_codes(page)) == found
    assert _total(page) == len(found)
    response = api_as("secretariat").get(API, query_string={"q": search})
    assert sorted(_api_codes(response)) == found
    assert response.json["total"] == len(found)


def test_the_next_link_carries_the_cursor_and_the_filters(client_as, listed_operations):
    client = client_as("secretariat")
    first = client.get("/operations/?q=list&status=active&limit=2")
    assert first.status_code == 200
    assert _codes(first) == ["LIST-7", "LIST-6"]
    assert _total(first) == 7
    link = _next_link(first)
    assert link.startswith("/operations/?") and "q=list" in link and "status=active" in link
    assert "limit=2" in link and "cursor=" in link
    # What was typed stays in the form; the hidden page size goes with it.
    assert 'value="list"' in first.text and '<option value="active" selected>' in first.text
    assert '<input type="hidden" name="limit" value="2">' in first.text
    assert _FIRST.search(first.text) is None
    second = client.get(link)
    assert _codes(second) == ["LIST-5", "LIST-4"] and _total(second) == 7
    back = html.unescape(_FIRST.search(second.text).group(1))
    assert "cursor" not in back and _codes(client.get(back)) == ["LIST-7", "LIST-6"]


def _cursor_of(response) -> str:
    return re.search(r"cursor=([^&\"]+)", _next_link(response)).group(1)


def test_an_altered_cursor_is_refused_page_and_api(client_as, api_as, listed_operations):
    client = client_as("secretariat")
    cursor = _cursor_of(client.get("/operations/?limit=2"))
    altered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for forged in (altered, "abc", cursor.split(".")[0], "x" * 2000, "not a cursor!",
                   cursor + "é"):
        page = client.get("/operations/", query_string={"limit": 2, "cursor": forged})
        assert page.status_code == 422
        assert "There is a problem" in page.text and "the list's first page" in page.text
        assert _codes(page) == listed_operations[:2]  # the first page, same size
        assert_api_error(api_as("secretariat").get(API, query_string={"cursor": forged}),
                         422, "invalid_cursor", field="cursor")
    error = assert_api_error(api_as("secretariat").get(API, query_string={"cursor": altered}),
                             422, "invalid_cursor", field="cursor")
    assert error["field"] == "cursor" and list(error["fields"]) == ["cursor"]


def test_a_cursor_serves_only_its_own_list_and_filters(client_as, api_as, listed_operations):
    client = client_as("secretariat")
    cursor = _cursor_of(client.get("/operations/?limit=2&q=list"))
    assert _codes(client.get(f"/operations/?limit=2&q=list&cursor={cursor}")) == [
        "LIST-5", "LIST-4"]
    # With other filters, or none, it is refused rather than misread.
    for query in ("q=other", "", "q=list&status=closed"):
        page = client.get(f"/operations/?limit=2&{query}&cursor={cursor}")
        assert page.status_code == 422 and "other filters" in page.text
        assert_api_error(api_as("secretariat").get(f"{API}?{query}&cursor={cursor}"), 422,
                         "invalid_cursor", field="cursor")
    # The API's cursors are the page's (one list), the accounts list's are not.
    api_cursor = api_as("secretariat").get(f"{API}?limit=2&q=list").json["next_cursor"]
    assert _codes(client.get(f"/operations/?limit=2&q=list&cursor={api_cursor}")) == [
        "LIST-5", "LIST-4"]
    accounts = client_as("admin").get("/admin/accounts/?limit=2")
    foreign = _cursor_of(accounts)
    assert client.get(f"/operations/?limit=2&cursor={foreign}").status_code == 422
    assert_api_error(api_as("secretariat").get(f"{API}?limit=2&cursor={foreign}"), 422,
                     "invalid_cursor", field="cursor")


@pytest.mark.parametrize("query, field", [
    ("status=finished", "status"), ("q=" + "x" * 101, "q"), ("limit=0", "limit"),
    ("limit=101", "limit"), ("limit=many", "limit"),
])
def test_bad_filters_are_named_alike_and_left_out_of_the_page(client_as, api_as, query, field):
    error = assert_api_error(api_as("secretariat").get(f"{API}?{query}"), 422,
                             "validation_failed", field=field)
    assert list(error["fields"]) == [field]
    page = client_as("secretariat").get(f"/operations/?{query}")
    assert page.status_code == 422
    for message in error["fields"][field]:
        assert html.escape(message, quote=False) in page.text
    assert f'href="#{field}"' in page.text or field == "limit"
    # The rest of the list is shown, as if the refused filter had not been given.
    assert _codes(page) == _codes(client_as("secretariat").get("/operations/"))


def test_an_empty_filter_is_no_filter(client_as, api_as):
    assert _api_codes(api_as("secretariat").get(f"{API}?status=&q=&cursor=&limit=")) == \
        _api_codes(api_as("secretariat").get(API))
    assert client_as("secretariat").get("/operations/?status=&q=").status_code == 200


def test_the_page_runs_the_same_queries_for_two_or_fifty_operations(client_as, in_app,
                                                                     _transaction):
    with in_app():
        planner = factories.secretariat()
        for n in range(48):
            factories.operation(actor=planner, code=f"MANY-{n}")
    client = client_as("secretariat")
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def queries_for(limit: int) -> int:
        client.get(f"/operations/?limit={limit}")  # warm: the session's first use writes
        statements.clear()
        page = client.get(f"/operations/?limit={limit}")
        assert len(_codes(page)) == limit
        return len(statements)

    event.listen(_transaction, "before_cursor_execute", record)
    try:
        two, fifty = queries_for(2), queries_for(50)
    finally:
        event.remove(_transaction, "before_cursor_execute", record)
    assert two == fifty, "\n".join(statement[:150] for statement in statements)


def test_the_sql_twins_agree_with_the_calendar_rules(app, in_app):
    """The page reads the current phase and filters the status in SQL; the rules are
    Operation.phase_on and status_on. Both must say the same on any day."""
    today = date.today()
    with in_app():
        planner = factories.secretariat()
        closed_early = factories.operation(actor=planner, code="TWIN-CLOSED")
        close_operation(closed_early, actor=planner)
        factories.operation(actor=planner, code="TWIN-LATER",
                            operational_starts_on=today + timedelta(days=100))
        factories.operation(actor=planner, code="TWIN-SHORT", phases=[  # a gap, no closing
            PhaseFields(PhaseKind.PLANNING, "Plan", today - timedelta(days=20),
                        today - timedelta(days=10)),
            PhaseFields(PhaseKind.OPERATIONAL, "Act", today - timedelta(days=1),
                        today + timedelta(days=13))])
        # In its planning phase today, and in its briefing phase in 56 days.
        factories.operation(actor=planner, code="TWIN-PLANNING",
                            operational_starts_on=today + timedelta(days=60))
        factories.operation(actor=planner, code="TWIN-PREPARATION-ONLY", phases=[
            PhaseFields(PhaseKind.PLANNING, "Plan", today - timedelta(days=15), today),
            PhaseFields(PhaseKind.PRE_OPERATIONAL, "Brief", today + timedelta(days=1),
                        today + timedelta(days=13))])
        factories.operation(actor=planner, code="TWIN-FOLLOW-UP-FIRST", phases=[
            PhaseFields(PhaseKind.FOLLOW_UP, "Follow", today - timedelta(days=14),
                        today - timedelta(days=2)),
            PhaseFields(PhaseKind.PLANNING, "Plan again", today, today + timedelta(days=13))])
    days = [today + timedelta(days=offset)
            for offset in (-800, -200, -84, -71, -70, -15, -14, -2, -1, 0, 1, 13, 14, 56, 59,
                           60, 100, 300)]
    with app.app_context():
        everything = db.session.scalars(select(Operation)).all()
        assert len(everything) >= 8
        assert {row.id: row.day for row in db.session.execute(
            select(Operation.id, under_way_on().label("day")))} == {
            operation.id: operation.under_way_on for operation in everything}
        for day in days:
            expected = {operation.id: getattr(operation.phase_on(day), "name", None)
                        for operation in everything}
            found = db.session.execute(select(Operation.id, phase_name_on(day)))
            assert {operation_id: name for operation_id, name in found} == expected
            for status in OperationStatus:
                assert set(db.session.scalars(select(Operation.id).where(
                    status_filter(status, day)))) == {
                    operation.id for operation in everything if operation.status_on(day) is status}


def test_the_openapi_document_describes_the_page_shape_and_its_arguments():
    from tests.url_rules import openapi_document

    document = openapi_document()
    listing = document["paths"]["/api/v1/operations"]["get"]
    parameters = {p["name"]: p["schema"] for p in listing["parameters"]}
    assert set(parameters) == {"cursor", "limit", "status", "q"}
    assert parameters["cursor"]["maxLength"] == 1000
    assert parameters["cursor"]["pattern"] == "^[A-Za-z0-9_.-]*$"
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 100)
    assert parameters["status"]["enum"] == ["planned", "active", "closed"]
    assert "invalid_cursor" in listing["description"] and "422" in listing["responses"]
    page = document["components"]["schemas"]["OperationList"]
    assert set(page["required"]) == {"items", "next_cursor", "total"}
    assert page["properties"]["next_cursor"] == {
        "type": "string", "nullable": True, "description": page["properties"]["next_cursor"][
            "description"]}
    assert page["properties"]["total"]["type"] == "integer"
