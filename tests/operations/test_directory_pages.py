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


def _body_rows(page) -> list[str]:
    body = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)


def test_every_cell_names_its_column_for_phones(client_as, in_app):
    """On a phone each row stacks, each cell under its column's name (data-label)."""
    with in_app() as session:
        operation_id = _operation(session).id
    page = client_as("cp.jp").get(f"/operations/{operation_id}/contacts")
    assert 'class="table--stack directory-table"' in page.text
    rows = _body_rows(page)
    assert rows
    for row in rows:
        cells = re.findall(r"<td[^>]*>", row)
        assert len(cells) == 6
        assert all("data-label=" in cell for cell in cells), row


def test_phone_numbers_stay_whole_and_addresses_break_at_their_parts(client_as, in_app):
    with in_app() as session:
        operation_id = _operation(session).id
    page = client_as("cp.jp").get(f"/operations/{operation_id}/contacts").text
    # Both of Sato Haruto's numbers, each under its kind, each in one unbreakable link.
    assert re.search(r'<dt>Office</dt> <dd><a class="phone" href="tel:\+81335290700">'
                     r"\+81 3-3529-0700</a>", page)
    assert re.search(r'<dt>24/7</dt> <dd><a class="phone" href="tel:\+819055500122">', page)
    assert ('<a href="mailto:cp.jp@demo.example.org">cp<wbr>.jp<wbr>@demo<wbr>.example<wbr>.org'
            "</a>") in page
