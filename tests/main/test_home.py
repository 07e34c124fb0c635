"""The home page: the caller's latest operations (the operations list's first rows),
current ones first, then planned, then closed, each by code."""

from __future__ import annotations

import re
from datetime import date, timedelta

from opsplatform.main.views import HOME_LIST_SIZE
from opsplatform.operations.operations import close_operation, phase_template
from tests.support import factories

UNDER_WAY, PLANNED, CLOSED = 0, 1, 2


def _listed(page) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/operations/\d+">([^<]+)</a>', page.text)


def test_the_latest_operations_current_first_then_planned_then_closed(client_as, in_app):
    with in_app():
        planner = factories.secretariat()
        administration = factories.organisation()
        person = factories.user(organisation=administration)
        made = []
        for number in range(HOME_LIST_SIZE + 3):
            state = (UNDER_WAY, PLANNED, CLOSED)[number % 3]
            phases = (phase_template(date.today() + timedelta(days=30))
                      if state == PLANNED else None)
            # Codes in the opposite order to their creation: the sort is the page's.
            operation = factories.operation(actor=planner, host=administration,
                                            code=f"HOME-{99 - number:02d}", phases=phases)
            if state == CLOSED:
                close_operation(operation, actor=planner)
            host = next(p for p in operation.participations
                        if p.organisation_id == administration.id)
            factories.membership(host, person, actor=planner)
            made.append((operation.code, state))
    page = client_as(person).get("/")
    assert page.status_code == 200
    newest = made[-HOME_LIST_SIZE:]
    assert _listed(page) == [code for code, _state in sorted(newest, key=lambda m: (m[1], m[0]))]
    assert [state for _code, state in made[:3]] == [UNDER_WAY, PLANNED, CLOSED]
    assert "All operations" in page.text  # there are more than the page shows
    assert "Contact point" in page.text


def test_no_operation_yet(client_as, in_app):
    with in_app():
        person = factories.user()
    page = client_as(person).get("/")
    assert page.status_code == 200
    assert _listed(page) == []
    assert "You take part in no operation yet." in page.text
    assert "All operations" not in page.text


def test_the_header_names_the_person_and_their_organisation_once(client_as):
    header = client_as("secretariat").get("/").text.split("</header>")[0]
    profile_link = re.search(r'<a href="/profile"[^>]*>(.*?)</a>', header, re.S).group(1)
    visible = re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", profile_link)
    assert " ".join(visible.split()) == "Amélie Dupont (WCO)"
