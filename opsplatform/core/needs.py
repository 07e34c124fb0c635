"""What waits for a person, across operations and domains: the home page's first list.

Each domain registers a ``NeedSource`` (``register``): a SQL count of what waits for a
user, and the items themselves. The navigation shows ``count_for(user)``, one query
whatever the number of sources (their counts are added in SQL); the home page lists
``needs_for(user)``, most urgent first. Later domains add their own kinds (messages
awaiting acknowledgement, seizures to correct or to validate) the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum
from typing import TYPE_CHECKING

from flask import g
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    ScalarSelect,
    Select,
    bindparam,
    literal,
    select,
)

from .db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from opsplatform.auth.models import User


class Urgency(IntEnum):
    """How soon something needs doing; lower sorts first."""

    OVERDUE = 0
    DUE = 1
    TO_ANSWER = 2
    TO_FOLLOW = 3


@dataclass(frozen=True)
class Need:
    """One thing waiting for someone: what, in which operation, by when, and where to act."""

    kind: str  # stable, for tests and styling: "invitation", "return_overdue", ...
    urgency: Urgency
    title: str
    url: str
    operation_code: str
    detail: str = ""
    due_at: datetime | None = None

    @property
    def badge(self) -> str:
        """The badge style saying how urgent it is (the words say it too)."""
        return {Urgency.OVERDUE: "overdue", Urgency.DUE: "due"}.get(self.urgency, "invited")


@dataclass(frozen=True)
class NeedSource:
    name: str
    # A scalar count of what waits for the user, for the navigation (one query for all).
    count: Callable[[User], ScalarSelect]
    # The items, for the home page.
    items: Callable[[User], list[Need]]


_SOURCES: list[NeedSource] = []


def register(source: NeedSource) -> NeedSource:
    if any(known.name == source.name for known in _SOURCES):
        raise ValueError(f"a need source named {source.name} is registered already")
    _SOURCES.append(source)
    return source


# What a source's statements may be bound to, so that they are built once (at import) and
# only bound per request: building and keying the navigation's count (every signed-in
# page runs it) cost several times more than running it.
USER_ID: BindParameter[int] = bindparam("need_user_id", type_=Integer)
ORGANISATION_ID: BindParameter[int] = bindparam("need_organisation_id", type_=Integer)
TODAY: BindParameter[date] = bindparam("need_today", type_=Date)
NOW: BindParameter[datetime] = bindparam("need_now", type_=UTCDateTime)


def bound_to(user) -> dict:
    """The values of ``USER_ID``, ``ORGANISATION_ID``, ``TODAY`` and ``NOW`` for ``user``."""
    return {"need_user_id": user.id, "need_organisation_id": user.organisation_id,
            "need_today": date.today(), "need_now": utcnow()}


# Per request, the number of things waiting for each user asked about.
_COUNTED = "_opsplatform_need_counts"
# The sum of the sources' counts, kept while the sources return the same statements.
_total: tuple[tuple[int, ...], Select] | None = None


def count_for(user) -> int:
    """How many things wait for ``user``: every source's count, in one statement,
    worked out once per request."""
    global _total
    if not _SOURCES or not getattr(user, "is_authenticated", False):
        return 0
    cached = g.get(_COUNTED, {}).get(user.id)
    if cached is None:
        counts = [source.count(user) for source in _SOURCES]
        key = tuple(map(id, counts))
        if _total is None or _total[0] != key:
            total: ColumnElement[int] = literal(0)
            for count in counts:
                total = total + count
            _total = (key, select(total))
        cached = db.session.scalar(_total[1], bound_to(user)) or 0
        g.setdefault(_COUNTED, {})[user.id] = cached
    return cached


def needs_for(user) -> list[Need]:
    """Everything waiting for ``user``, most urgent first, then soonest due."""
    found = [need for source in _SOURCES for need in source.items(user)]
    # The same rule as count_for (tests/main/test_need_count_bound.py): the navigation of
    # the page that lists them needs no second query.
    g.setdefault(_COUNTED, {})[user.id] = len(found)
    latest = datetime.max.replace(tzinfo=None)
    return sorted(found, key=lambda need: (
        need.urgency, need.due_at.replace(tzinfo=None) if need.due_at else latest,
        need.operation_code, need.title))
