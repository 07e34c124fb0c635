"""A deadline is one instant and reads the same to everyone, with the reader's time beside it."""

from __future__ import annotations

import re
from datetime import UTC

import pytest
from babel.dates import format_date
from sqlalchemy import select

from opsplatform.auth.models import User
from opsplatform.operations.models import ReportingPeriod
from tests.support.clients import demo


def _deadline_cells(page: str) -> list[str]:
    return re.findall(r'<td[^>]*><time datetime="[^"]+">(.*?)</time></td>', page)


@pytest.fixture
def zones(in_app):
    """The secretariat without a zone (UTC), FR in Paris, KR in Seoul."""
    with in_app() as session:
        for local_part, zone in (("secretariat", None), ("cp.fr", "Europe/Paris"),
                                 ("cp.kr", "Asia/Seoul")):
            session.scalar(select(User).where(User.email == demo(local_part))).time_zone = zone


def test_every_reader_reads_the_same_deadline_in_utc(client_as, in_app, ids, zones):
    with in_app() as session:
        first = session.scalars(select(ReportingPeriod).where(
            ReportingPeriod.operation_id == ids.catalyst)
            .order_by(ReportingPeriod.starts_on)).first()
        utc = first.deadline_at.astimezone(UTC)
    said = f"{format_date(utc.date(), 'medium', locale='en')}, {utc:%H:%M} UTC"
    pages = {who: client_as(who).get(f"/operations/{ids.catalyst}/reporting").text
             for who in ("secretariat", "cp.fr", "cp.kr")}
    firsts = {who: _deadline_cells(page)[0] for who, page in pages.items()}
    assert all(cell.startswith(said) for cell in firsts.values()), firsts
    # UTC readers get UTC alone; the others their own time too, saying which zone.
    assert firsts["secretariat"] == said
    assert "GMT+09:00 your time" in firsts["cp.kr"]
    assert re.search(r"GMT\+0[12]:00 your time", firsts["cp.fr"])
    assert f'datetime="{utc.isoformat()}"' in pages["cp.kr"]


def test_messages_write_days_as_the_pages_do(api_as, ids, in_app):
    """No ISO dates in what people read: the API's messages too."""
    response = api_as("cp.de").post(f"/api/v1/operations/{ids.catalyst}/nil-returns",
                                    {"date": "2030-01-01"})
    assert "Jan 1, 2030 is outside" in response.json["error"]["message"]
    assert "2030-01-01" not in response.json["error"]["message"]
