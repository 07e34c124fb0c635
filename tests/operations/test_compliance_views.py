"""The reporting table's views (all, not reported, overdue), their counts and pages, on the
page, its CSV and the API alike; and the reminders sent from them.

Against the demo's CATALYST-DEMO (19 administrations; weekly periods 1 and 2 past their
deadline, 3 under way, 4 not started; ES and IN reminded for period 1 when the demo was
loaded). What each view should hold is worked out from ``queries.compliance_table``, the
whole table, so the SQL of the views is checked against the cells' own statuses.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from opsplatform.audit.models import AuditEntry
from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.permissions import AccessRole
from opsplatform.operations import queries
from opsplatform.operations.access import OperationAccess
from opsplatform.operations.models import (
    Operation,
    Participation,
    ParticipationStatus,
    Reminder,
    ReportingPeriod,
)
from opsplatform.operations.queries import CellStatus
from opsplatform.organisations.models import Organisation, OrganisationKind
from tests.support.clients import demo

OPEN = {CellStatus.DUE, CellStatus.OVERDUE}


@dataclass(frozen=True)
class Demo:
    catalyst: int
    periods: list[int]  # CATALYST-DEMO's, in order
    orgs: dict[str, int]

    def remind_url(self, period_index: int) -> str:
        return f"/operations/{self.catalyst}/reporting/periods/{self.periods[period_index]}" \
               "/reminders"


@pytest.fixture
def ids(in_app) -> Demo:
    with in_app() as session:
        catalyst = session.scalar(select(Operation.id).where(Operation.code == "CATALYST-DEMO"))
        periods = list(session.scalars(select(ReportingPeriod.id).where(
            ReportingPeriod.operation_id == catalyst).order_by(ReportingPeriod.starts_on)))
        orgs = dict(session.execute(select(Organisation.code, Organisation.id)).all())
        return Demo(catalyst, periods, orgs)


@pytest.fixture
def views(in_app, ids) -> dict[str, list[str]]:
    """The codes each view should list, from the whole table's cells."""
    with in_app() as session:
        operation = session.get(Operation, ids.catalyst)
        rows = queries.compliance_table(operation, OperationAccess(AccessRole.SECRETARIAT)).rows
        return {
            "all": [row.organisation_code for row in rows],
            "not_reported": [row.organisation_code for row in rows
                             if any(cell.status in OPEN for cell in row.cells)],
            "overdue": [row.organisation_code for row in rows
                        if any(cell.status is CellStatus.OVERDUE for cell in row.cells)],
        }


def _url(ids, suffix: str = "", **params) -> str:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"/operations/{ids.catalyst}/reporting{suffix}" + (f"?{query}" if query else "")


def _api(ids, **params) -> str:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"/api/v1/operations/{ids.catalyst}/compliance" + (f"?{query}" if query else "")


def _table_codes(html: str) -> list[str]:
    if 'id="compliance-table"' not in html:
        return []
    table = html[html.index('id="compliance-table"'):]
    table = table[:table.index("</table>")]
    return re.findall(r'<th scope="row">([^<]+)<span', table)


def _counts(html: str) -> dict[str, int]:
    nav = html[html.index('class="view-filter"'):]
    nav = nav[:nav.index("</nav>")]
    found = re.findall(r'view=(\w+)"[^>]*>[^<]*<span class="view-filter__count">\((\d+)\)', nav)
    everyone = re.search(r'/reporting"[^>]*>[^<]*<span class="view-filter__count">\((\d+)\)', nav)
    assert everyone, nav
    return {"all": int(everyone.group(1)), **{view: int(count) for view, count in found}}


def _next_link(html: str) -> str | None:
    match = re.search(r'rel="next" href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


# -- the views on the page and in the API -----------------------------------------------------


def test_the_demo_has_rows_in_every_view(views):
    assert len(views["all"]) == 19
    assert set(views["overdue"]) < set(views["not_reported"]) < set(views["all"])


@pytest.mark.parametrize("role", ["ocu", "secretariat"])
def test_coordinators_see_each_view_with_its_count_page_and_api_alike(
        client_as, api_as, ids, views, role):
    client, api = client_as(role), api_as(role)
    for view, codes in views.items():
        html = client.get(_url(ids, view=view)).text
        assert _table_codes(html) == codes, view
        assert _counts(html) == {name: len(listed) for name, listed in views.items()}
        nav = html[html.index('class="view-filter"'):]
        current = re.search(r'<a href="[^"]*"\s*aria-current="page">([^<]+)', nav)
        assert current and current.group(1).strip() == {
            "all": "All", "not_reported": "Not reported", "overdue": "Overdue"}[view]
        body = api.get(_api(ids, view=view)).json
        assert [row["organisation"] for row in body["administrations"]] == codes
        assert body["counts"] == {name: len(listed) for name, listed in views.items()}
        assert (body["view"], body["total"], body["next_cursor"]) == (view, len(codes), None)


@pytest.mark.parametrize("role, code", [("cp.es", "ES"), ("cp.jp", "JP")])
def test_a_contact_point_gets_its_own_row_in_each_view_it_is_in(
        client_as, api_as, ids, views, role, code):
    api = api_as(role)
    for view, codes in views.items():
        body = api.get(_api(ids, view=view)).json
        mine = [code] if code in codes else []
        assert [row["organisation"] for row in body["administrations"]] == mine, view
        assert body["counts"] == {name: int(code in listed) for name, listed in views.items()}
        # The whole table's totals, which name nobody, are everyone's.
        assert sum(body["totals"].values()) == 19 * 4
        html = client_as(role).get(_url(ids, view=view)).text
        assert 'id="compliance-table"' not in html and 'class="view-filter"' not in html
        assert not (set(views["all"]) - {code}) & set(re.findall(
            r'<th scope="row">([A-Z]{2})<', html))


def test_the_views_page_by_fifty_and_the_cursor_walks_them(client_as, api_as, ids, in_app):
    with in_app() as session:
        secretariat = find_user_by_email(demo("secretariat"))
        for number in range(40):
            organisation = Organisation(code=f"ZZ{number:02d}", name=f"Paged customs {number}",
                                        kind=OrganisationKind.MEMBER_ADMINISTRATION)
            session.add(organisation)
            session.flush()
            session.add(Participation(operation_id=ids.catalyst, organisation_id=organisation.id,
                                      status=ParticipationStatus.ACCEPTED,
                                      invited_by_id=secretariat.id))
    client = client_as("ocu")
    first = client.get(_url(ids)).text
    assert len(_table_codes(first)) == 50
    assert _counts(first)["all"] == 59
    following = _next_link(first)
    assert following and "cursor=" in following
    second = client.get(following).text
    assert len(_table_codes(second)) == 9 and _next_link(second) is None
    assert len(set(_table_codes(first)) | set(_table_codes(second))) == 59
    # The 40 new administrations have not reported: the view pages too, and so does the API.
    api = api_as("ocu")
    walked, cursor = [], None
    while True:
        body = api.get(_api(ids, view="not_reported", limit=7,
                            **({"cursor": cursor} if cursor else {}))).json
        walked += [row["organisation"] for row in body["administrations"]]
        assert body["total"] == body["counts"]["not_reported"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(walked) == len(set(walked)) == body["total"]
    assert walked == sorted(walked)


def test_a_refused_view_or_cursor_says_why_and_shows_the_first_page(client_as, api_as, ids,
                                                                    views):
    html = client_as("ocu").get(_url(ids, view="everything")).text
    assert "Choose one of the views offered" in html
    assert _table_codes(html) == views["all"]
    page = api_as("ocu").get(_api(ids, limit=5)).json
    other_view = client_as("ocu").get(_url(ids, view="overdue", cursor=page["next_cursor"]))
    assert "This cursor belongs to other filters" in other_view.text
    assert _table_codes(other_view.text) == views["overdue"]
    response = api_as("ocu").get(_api(ids, view="everything"))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"


def test_the_full_list_has_no_forms_and_the_filtered_ones_a_button_per_missing_return(
        client_as, ids, views):
    client = client_as("ocu")
    table = client.get(_url(ids)).text.split('id="compliance-table"')[1].split("</table>")[0]
    assert "<form" not in table
    html = client.get(_url(ids, view="not_reported")).text
    table = html.split('id="compliance-table"')[1].split("</table>")[0]
    buttons = re.findall(r"Remind<span class=\"visually-hidden\"> (\w+) for", table)
    assert set(buttons) == set(views["not_reported"])
    # None where the administration was reminded today: ES and IN for period 1 (the
    # demo's reminders), the only ones missing for it.
    assert ids.remind_url(0) not in table and ids.remind_url(1) in table
    # Whoever may not send reminders gets none (the observer does not see the table).
    assert "Remind<span" not in client_as("observer").get(_url(ids, view="not_reported")).text


def test_the_csv_exports_the_view_asked_every_page_of_it(client_as, ids, views):
    response = client_as("ocu").get(_url(ids, ".csv", view="overdue"))
    assert response.status_code == 200
    assert "-reporting-overdue-" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted({row["organisation_code"] for row in rows}) == views["overdue"]
    assert len(rows) == len(views["overdue"]) * 4
    assert client_as("ocu").get(_url(ids, ".csv", view="nonsense")).status_code == 422
    page = client_as("ocu").get(_url(ids, view="overdue")).text
    assert 'reporting.csv?view=overdue"' in page


# -- reminders from the top of the page and from a row -------------------------------------


def _reminded(session, period_id: int) -> list[str]:
    return sorted(session.scalars(select(Organisation.code).join(
        Reminder, Reminder.organisation_id == Organisation.id).where(
        Reminder.period_id == period_id)))


def _audited(session) -> int:
    return session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "returns.reminder_sent"))


@pytest.mark.parametrize("role, status", [("ocu", 302), ("secretariat", 302), ("cp.es", 403),
                                          ("observer", 403)])
def test_who_may_remind_all_not_reported(client_as, ids, in_app, role, status):
    with in_app() as session:
        before = _audited(session)
    client = client_as(role)
    prefix = f"remind-{ids.periods[1]}-"
    response = client.post_form(ids.remind_url(1), {
        f"{prefix}csrf_token": client.csrf_token(), f"{prefix}scope": "all"})
    assert response.status_code == status
    with in_app() as session:
        reminded = _reminded(session, ids.periods[1])
        assert reminded == (["ES", "FR", "NZ", "TH"] if status == 302 else [])
        assert _audited(session) == before + len(reminded)


def test_reminding_all_twice_reminds_nobody_twice(client_as, ids, in_app):
    client = client_as("ocu")
    prefix = f"remind-{ids.periods[1]}-"
    data = {f"{prefix}csrf_token": client.csrf_token(), f"{prefix}scope": "all"}
    assert client.post_form(ids.remind_url(1), data).status_code == 302
    with in_app() as session:
        audited = _audited(session)
    again = client.post_form(ids.remind_url(1), data)
    assert again.status_code == 422
    assert "was reminded for this period less than 24 hours ago" in again.text
    with in_app() as session:
        assert _reminded(session, ids.periods[1]) == ["ES", "FR", "NZ", "TH"]
        assert _audited(session) == audited
    # Period 1: the demo reminded ES and IN today; nobody is left to remind for it.
    prefix = f"remind-{ids.periods[0]}-"
    response = client.post_form(ids.remind_url(0), {
        f"{prefix}csrf_token": client.csrf_token(), f"{prefix}scope": "all"})
    assert response.status_code == 422
    # The page no longer offers period 2 and says the rest were reminded.
    page = client.get(_url(ids)).text
    reminders = page[page.index('id="reminders"'):page.index("</section>",
                                                              page.index('id="reminders"'))]
    assert ids.remind_url(1) not in reminders


def test_a_rows_button_reminds_that_administration_and_comes_back_to_the_view(
        client_as, ids, in_app):
    client = client_as("ocu")
    prefix = f"remind-{ids.periods[1]}-"
    response = client.post_form(ids.remind_url(1) + "?view=not_reported", {
        f"{prefix}csrf_token": client.csrf_token(), f"{prefix}scope": "selected",
        f"{prefix}organisations": [ids.orgs["FR"]]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reporting?view=not_reported#reminders")
    with in_app() as session:
        assert _reminded(session, ids.periods[1]) == ["FR"]
    page = client.get(response.headers["Location"]).text
    assert "A reminder was recorded for 1 administration" in page
    # FR's button for period 2 is gone (reminded today); NZ's is still there.
    assert not re.search(r"Remind<span class=\"visually-hidden\"> FR for", page) or (
        page.count("> FR for") == 0)
    assert "> NZ for" in page
    again = client.post_form(ids.remind_url(1), {
        f"{prefix}csrf_token": client.csrf_token(), f"{prefix}scope": "selected",
        f"{prefix}organisations": [ids.orgs["FR"]]})
    assert again.status_code == 422
    assert "Already reminded for this period less than 24 hours ago" in again.text
