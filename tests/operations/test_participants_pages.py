"""The participants page in pages of 50 organisations (core/lists), by code, each with
its people, in a fixed number of queries; its forms come back to the page they were on."""

from __future__ import annotations

import html
import re

from sqlalchemy import event, select

from opsplatform.core.db import Database
from opsplatform.operations.models import Operation, Participation
from opsplatform.organisations.models import Organisation

_NEXT = re.compile(r'<a [^>]*rel="next" href="([^"]+)"')
_CODE = re.compile(r'<h3 id="participant-\d+">[^<]*<span class="muted">\(([^)]+)\)</span>')


def _operation(session) -> Operation:
    return session.scalar(select(Operation).where(Operation.code == "CATALYST-DEMO"))


def _next_link(page) -> str | None:
    found = _NEXT.search(page.text)
    return html.unescape(found.group(1)) if found else None


def test_page_by_page_every_organisation_once_by_code(client_as, in_app):
    with in_app() as session:
        operation = _operation(session)
        expected = session.scalars(
            select(Organisation.code).join(Participation,
                                           Participation.organisation_id == Organisation.id)
            .where(Participation.operation_id == operation.id)
            .order_by(Organisation.code)).all()
        url = f"/operations/{operation.id}/participants?limit=2"
    client, seen = client_as("ocu"), []
    while url:
        page = client.get(url)
        assert page.status_code == 200
        assert f"{len(expected)} organisations" in page.text
        codes = _CODE.findall(page.text)
        assert 0 < len(codes) <= 2
        seen += codes
        url = _next_link(page)
    assert seen == expected


def test_the_queries_do_not_grow_with_the_organisations(app, client_as, in_app):
    with in_app() as session:
        operation_id = _operation(session).id
    client = client_as("ocu")
    counts = []
    engine = Database.state(app).engine
    for limit in (1, 10):
        statements = []

        def seen(*_args, statements=statements):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert client.get(f"/operations/{operation_id}/participants?limit={limit}"
                              ).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_a_form_sent_from_a_later_page_comes_back_to_it(client_as, in_app):
    with in_app() as session:
        operation_id = _operation(session).id
    client = client_as("ocu")
    second = _next_link(client.get(f"/operations/{operation_id}/participants?limit=2"))
    page = client.get(second)
    cursor = second.split("cursor=")[1].split("&")[0]
    action = re.search(r'action="(/operations/\d+/participants/\d+/members\?[^"]+)"',
                       page.text).group(1)
    assert "cursor=" + cursor in html.unescape(action)
    # Nobody chosen: refused, and the page shown again is the one the form was on.
    again = client.post_form(html.unescape(action), {})
    assert again.status_code == 422
    assert _CODE.findall(again.text) == _CODE.findall(page.text)
