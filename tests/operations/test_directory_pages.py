"""The directory page in pages of 50 (core/lists), in the order of the downloads."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from opsplatform.operations import queries
from opsplatform.operations.models import Operation

_NEXT = re.compile(r'<a [^>]*rel="next" href="([^"]+)"')
_NAME = re.compile(r'<th scope="row">([^<]+)')


def _operation(session) -> Operation:
    return session.scalar(select(Operation).where(Operation.code == "CATALYST-DEMO"))


def _next_link(page) -> str | None:
    found = _NEXT.search(page.text)
    return html.unescape(found.group(1)) if found else None


def test_page_by_page_everyone_once_in_the_downloads_order(client_as, in_app):
    with in_app() as session:
        operation = _operation(session)
        everyone = [entry.name for entry in queries.directory(operation)]
        url = f"/operations/{operation.id}/contacts?limit=3"
    assert len(everyone) > 6
    client, seen, pages = client_as("ocu"), [], 0
    while url:
        page = client.get(url)
        assert page.status_code == 200
        assert f"{len(everyone)} people" in page.text
        names = [html.unescape(name) for name in _NAME.findall(page.text)]
        assert 0 < len(names) <= 3
        seen += names
        url, pages = _next_link(page), pages + 1
        assert url is None or url.startswith(f"/operations/{operation.id}/contacts?")
    assert seen == everyone
    assert pages == -(-len(everyone) // 3)


def test_the_first_page_holds_fifty_and_the_roles_read_as_labels(client_as, in_app):
    with in_app() as session:
        operation = _operation(session)
        entries = queries.directory(operation)
        operation_id = operation.id
    page = client_as("ocu").get(f"/operations/{operation_id}/contacts")
    assert len(_NAME.findall(page.text)) == min(50, len(entries))
    assert entries[0].role.label in page.text
    assert (_next_link(page) is None) == (len(entries) <= 50)


def test_a_refused_page_size_shows_the_first_page(client_as, in_app):
    with in_app() as session:
        operation_id = _operation(session).id
    page = client_as("ocu").get(f"/operations/{operation_id}/contacts?limit=500")
    assert page.status_code == 422
    assert _NAME.findall(page.text)
