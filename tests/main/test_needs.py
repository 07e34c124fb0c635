"""What needs me: the home page starts with what waits for each person, counted in the
navigation, most urgent first; nobody sees anything of an operation they are outside."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.db import utcnow
from opsplatform.operations import compliance
from opsplatform.operations.models import Operation, ReportingPeriod, ReturnKind
from tests.support.clients import demo

_ITEM = re.compile(r'<li class="need need--([a-z_]+)">\s*<a href="([^"]+)">([^<]+)</a>'
                   r'\s*<span class="need__meta">(.*?)</span>\s*</li>', re.S)


# Messages awaiting acknowledgement (the demo has some) are tested in tests/messaging.
_OTHER_DOMAINS = ("message_ack",)


def _needs(client) -> tuple[list[tuple[str, str, str, str]], int]:
    """The items of the home page (kind, link, title, the rest as text) and the nav count,
    both without the messaging domain's."""
    page = client.get("/").text
    items = [(kind, url, unescape(title), unescape(re.sub(r"<[^>]+>", "", meta)))
             for kind, url, title, meta in _ITEM.findall(page)]
    # Home's count (Messages has one too: the unread).
    count = re.search(r'<span class="count" aria-hidden="true">(\d+)</span>'
                      r'<span class="visually-hidden">\(\d+ things? waits? for you\)', page)
    others = sum(1 for item in items if item[0] in _OTHER_DOMAINS)
    return ([item for item in items if item[0] not in _OTHER_DOMAINS],
            (int(count.group(1)) if count else 0) - others)


def _catalyst(session) -> Operation:
    return session.scalar(select(Operation).where(Operation.code == "CATALYST-DEMO"))


def test_a_contact_point_sees_its_overdue_returns_first_with_the_reminder(client_as):
    items, count = _needs(client_as("cp.es"))
    assert count == len(items) == 2
    assert [kind for kind, *_rest in items] == ["return_overdue", "return_overdue"]
    (_, url, title, meta), (_, _url, later, later_meta) = items
    assert title.startswith("ES's return for") and title.endswith("is overdue")
    assert re.search(r"/operations/\d+/reporting#file-return$", url)
    # Soonest deadline first; each says when it was due, in UTC.
    assert "Due" in meta and "UTC" in meta and "Reminded on" in meta
    assert "Reminded on" not in later_meta


def test_an_invited_administration_is_asked_to_answer(client_as):
    items, count = _needs(client_as("cp.mx"))
    assert (count, [(kind, title) for kind, _url, title, _meta in items]) == (
        1, [("invitation", "Answer the invitation to CATALYST-DEMO")])


def test_a_coordinator_sees_who_has_not_reported(client_as):
    items, count = _needs(client_as("ocu"))
    assert count == len(items) == 2
    assert all(kind == "not_reported" for kind, *_rest in items)
    assert re.match(r"\d+ administrations? ha(s|ve) not reported for", items[0][2])
    assert items[0][1].endswith("/reporting#reminders")


@pytest.mark.parametrize("who", ["cp.br", "observer", "admin"])
def test_those_with_nothing_to_do_see_nothing_and_no_count(client_as, who):
    """cp.br is outside CATALYST-DEMO: nothing of it, not even in the count."""
    items, count = _needs(client_as(who))
    assert (items, count) == ([], 0)
    assert "Nothing waits for you now." in client_as(who).get("/").text


def test_what_is_done_leaves_the_list(client_as, in_app):
    client = client_as("cp.es")
    before, _count = _needs(client)
    with in_app() as session:
        operation = _catalyst(session)
        spain = next(p for p in operation.participations if p.organisation.code == "ES")
        first = session.scalars(select(ReportingPeriod).where(
            ReportingPeriod.operation_id == operation.id)
            .order_by(ReportingPeriod.starts_on)).first()
        compliance.file_return(operation, spain, first, kind=ReturnKind.NIL,
                               actor=find_user_by_email(demo("cp.es")))
    after, count = _needs(client)
    assert (len(after), count) == (len(before) - 1, len(before) - 1)


def test_a_locked_period_asks_nothing_more(client_as, in_app):
    with in_app() as session:
        for period in session.scalars(select(ReportingPeriod).where(
                ReportingPeriod.operation_id == _catalyst(session).id)):
            period.locked_at = utcnow()
    assert _needs(client_as("cp.es")) == ([], 0)
    assert _needs(client_as("ocu")) == ([], 0)


def test_the_count_is_on_every_page_and_read_aloud(client_as, in_app):
    with in_app() as session:
        catalyst = _catalyst(session).id
    client = client_as("cp.es")
    waiting = len(_ITEM.findall(client.get("/").text))
    page = client.get(f"/operations/{catalyst}/contacts").text
    assert f'<span class="count" aria-hidden="true">{waiting}</span>' in page
    assert f'<span class="visually-hidden">({waiting} things wait for you)</span>' in page
