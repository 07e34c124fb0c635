"""The platform admins' organisations list: by code, 50 a page with cursors, by kind."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from opsplatform.auth.models import User
from opsplatform.organisations.models import Organisation, OrganisationKind

_NEXT = re.compile(r'<a [^>]*rel="next" href="([^"]+)"')
_ROW = re.compile(r'<th scope="row"><a href="/admin/organisations/(\d+)">([^<]+)</a></th>'
                  r'\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>'
                  r'\s*<td[^>]*>([^<]*)</td>'
                  r'\s*<td class="num"[^>]*>'
                  r'<a href="/admin/accounts/\?organisation=([^"]+)">(\d+)</a>'
                  r'</td>\s*<td[^>]*>([^<]*)</td>')


def _rows(page) -> list[tuple]:
    return _ROW.findall(page.text)


def _next_link(page) -> str | None:
    found = _NEXT.search(page.text)
    return html.unescape(found.group(1)) if found else None


def test_every_organisation_once_by_code_page_by_page(client_as, in_app):
    client = client_as("admin")
    with in_app() as session:
        expected = session.execute(select(Organisation.id, Organisation.code)
                                   .order_by(Organisation.code)).all()
    seen, url, pages = [], "/admin/organisations/?limit=4", 0
    while url:
        page = client.get(url)
        assert page.status_code == 200
        assert f"{len(expected)} organisations" in page.text
        rows = _rows(page)
        assert 0 < len(rows) <= 4
        seen += [(int(row[0]), html.unescape(row[1])) for row in rows]
        url, pages = _next_link(page), pages + 1
    assert seen == [(row.id, row.code) for row in expected]
    assert pages == -(-len(expected) // 4)


def test_rows_show_labels_counts_and_links(client_as, in_app):
    page = client_as("admin").get("/admin/organisations/")
    with in_app() as session:
        counts = dict(session.execute(select(User.organisation_id, func.count())
                                      .group_by(User.organisation_id)).all())
        organisations = {o.code: o for o in session.scalars(select(Organisation))}
    rows = _rows(page)
    assert rows
    for id_, code, kind, country, region, link_code, accounts, status in rows:
        organisation = organisations[html.unescape(code)]
        assert int(id_) == organisation.id
        assert html.unescape(kind) == organisation.kind.label
        assert html.unescape(country) == (organisation.country_name or "—")
        assert html.unescape(region) == (organisation.wco_region.label
                                          if organisation.wco_region else "—")
        assert link_code == organisation.code
        assert int(accounts) == counts.get(organisation.id, 0)
        assert status == ("Active" if organisation.is_active else "Inactive")
    assert "Korea, Republic of" in page.text


def test_kind_filter_and_a_refused_kind(client_as, in_app):
    client = client_as("admin")
    rilos = client.get("/admin/organisations/", query_string={"kind": "rilo"})
    with in_app() as session:
        expected = session.scalars(select(Organisation.code).where(
            Organisation.kind == OrganisationKind.RILO).order_by(Organisation.code)).all()
    assert [html.unescape(row[1]) for row in _rows(rilos)] == expected
    refused = client.get("/admin/organisations/", query_string={"kind": "planet"})
    assert refused.status_code == 422
    assert "Not a kind of organisation." in refused.text
    assert len(_rows(refused)) == len(_rows(client.get("/admin/organisations/")))


def test_a_cursor_of_another_filter_is_refused(client_as):
    client = client_as("admin")
    cursor = _next_link(client.get("/admin/organisations/?limit=2")).split("cursor=")[1]
    page = client.get(f"/admin/organisations/?limit=2&kind=rilo&cursor={cursor}")
    assert page.status_code == 422
    assert "Here is the list&#39;s first page." in page.text or \
        "Here is the list's first page." in page.text


def test_only_platform_admins(client_as):
    assert client_as("cp.kr").get("/admin/organisations/").status_code == 403
