"""Keyset pagination: pages stay fast however deep the list goes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from .db import db

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 50


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_after: Any | None  # the key to pass as ``after`` for the next page

    @property
    def has_next(self) -> bool:
        return self.next_after is not None


def keyset_page(
    query: Select,
    key: InstrumentedAttribute,
    after: Any | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    *,
    descending: bool = False,
) -> Page:
    """Return up to ``limit`` rows of ``query`` ordered by the unique column ``key``."""
    if after is not None:
        query = query.where(key < after if descending else key > after)
    query = query.order_by(key.desc() if descending else key.asc()).limit(limit + 1)
    rows = list(db.session.scalars(query).unique())
    next_after = getattr(rows[limit - 1], key.key) if len(rows) > limit else None
    return Page(rows[:limit], next_after)
