"""A list's order and its pages: keys, the keyset condition, the page with its total."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from itsdangerous import URLSafeSerializer
from sqlalchemy import Select, and_, false, func, literal, or_, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from ..db import db
from . import cursors

if TYPE_CHECKING:
    from .args import ListArgs

T = TypeVar("T")


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order. ``nullable`` defaults to what the column says;
    NULLs come after every value, ascending or descending."""

    column: Any  # a mapped attribute, or a labelled column the select returns
    descending: bool = False
    nullable: bool | None = None

    def __post_init__(self):
        if self.nullable is None:
            expression = getattr(self.column, "expression", self.column)
            # Anything but a plain column (an expression, a label) may be NULL.
            object.__setattr__(self, "nullable", getattr(expression, "nullable", True))

    @property
    def name(self) -> str:
        """The name the rows carry the key under (the attribute or the label)."""
        return self.column.key

    @property
    def python_type(self) -> type | None:
        column_type = self.column.type
        # A TypeDecorator (UTCDateTime) says ``object``; the type it decorates knows.
        for candidate in (column_type, getattr(column_type, "impl_instance", column_type)):
            try:
                kind = candidate.python_type
            except (AttributeError, NotImplementedError):
                continue
            if kind is not object:
                return kind
        return None

    def bind(self, value) -> ColumnElement:
        """``value`` as a parameter of this key's type (so a timestamp is bound as one)."""
        return literal(value, self.column.type)

    def order_by(self) -> ColumnElement:
        term = self.column.desc() if self.descending else self.column.asc()
        return term.nulls_last() if self.nullable else term

    def beyond(self, value) -> ColumnElement:
        """Rows that come strictly after ``value`` in this key alone."""
        if value is None:
            return false()  # NULLs come last: nothing is beyond them
        term = self.column < value if self.descending else self.column > value
        return or_(term, self.column.is_(None)) if self.nullable else term

    def same(self, value) -> ColumnElement:
        return self.column.is_(None) if value is None else self.column == value


def _is_unique(column) -> bool:
    expression = getattr(column, "expression", column)
    return bool(getattr(expression, "primary_key", False) or getattr(expression, "unique", False))


class Listing:
    """A list: its name (part of its cursors' salt) and the keys it is ordered by.

    The last key must be unique and not NULL (the id), so that the order is total and
    every row appears on exactly one page.
    """

    def __init__(self, name: str, *keys: SortKey):
        if not keys:
            raise ValueError("a listing needs at least one key")
        last = keys[-1]
        if last.nullable or not _is_unique(last.column):
            raise ValueError(f"the last key of {name} must be unique and not null (the id)")
        self.name = name
        self.keys = keys
        order = ",".join(f"{key.name}:{'desc' if key.descending else 'asc'}" for key in keys)
        self.salt = f"opsplatform.lists:{name}:{order}"

    def __repr__(self) -> str:
        return f"<Listing {self.salt}>"

    # -- SQL

    def order_by(self) -> list[ColumnElement]:
        return [key.order_by() for key in self.keys]

    def after(self, position: tuple) -> ColumnElement:
        """Rows after ``position`` (the keys of the last row shown), in this order.

        Keys all in one direction and never NULL make one row comparison, which both
        databases answer from an index on those columns. Otherwise the expanded form
        ``k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...``, with ``k1 >= v1`` beside it so
        that an index on the first key bounds the scan.
        """
        keys = self.keys
        if len({key.descending for key in keys}) == 1 and not any(key.nullable for key in keys):
            row = tuple_(*(key.column for key in keys))
            values = tuple_(*(key.bind(value) for key, value in zip(keys, position, strict=True)))
            return row < values if keys[0].descending else row > values
        alternatives = []
        for index, key in enumerate(keys):
            equal = [keys[before].same(position[before]) for before in range(index)]
            alternatives.append(and_(*equal, key.beyond(position[index])))
        condition = or_(*alternatives)
        first, value = keys[0], position[0]
        if value is not None and not first.nullable:
            bound = first.column <= value if first.descending else first.column >= value
            condition = and_(bound, condition)
        return condition

    def position_of(self, row) -> tuple:
        """The keys of ``row`` (an ORM object or a result row carrying them by name)."""
        return tuple(getattr(row, key.name) for key in self.keys)

    # -- cursors

    def _serializer(self) -> URLSafeSerializer:
        return cursors.serializer(self.salt)

    def cursor(self, position: tuple, filters: Mapping[str, Any]) -> str:
        """The cursor of the page after ``position`` under ``filters``."""
        return cursors.write(self.salt, position, filters)

    def position(self, cursor: str, filters: Mapping[str, Any]) -> tuple:
        """The position ``cursor`` names, if this list gave it out for ``filters``."""
        return cursors.read(self.salt, cursor, filters, self.keys)

    # -- pages

    def page(self, query: Select, args: ListArgs, *, count: bool = True,
             total_of: Select | None = None, params: Mapping[str, Any] | None = None) -> Page:
        """Up to ``args.limit`` rows of ``query`` after ``args.after``, in this order.

        ``query`` holds the filters; it selects either one ORM entity or columns that
        include every key under its name. The total counts what ``query`` matches (every
        page, whatever the cursor): on the first page in the same query (a window count),
        on later ones in a query of its own. ``total_of``, the same filters without what
        is only shown (joins for labels), is counted instead, in a query of its own: a
        window count visits every matching row with its joins, which costs more than the
        count when the rows are many. ``params`` are the values of the selects' bound
        parameters (a statement built once, run with the day's values).
        """
        description = query.column_descriptions
        single_entity = len(description) == 1 and description[0]["expr"] is description[0][
            "entity"] and description[0]["entity"] is not None
        counted_here = count and total_of is None and args.after is None
        total = None
        if count and not counted_here:
            total = count_rows(query if total_of is None else total_of, params)
        ordered = query if args.after is None else query.where(self.after(args.after))
        if counted_here:
            ordered = ordered.add_columns(func.count().over().label(_TOTAL))
        ordered = ordered.order_by(*self.order_by()).limit(args.limit + 1)
        result = db.session.execute(ordered, params)
        if counted_here:
            found = list(result.unique() if single_entity else result)
            total = found[0][-1] if found else 0
            rows = [row[0] for row in found] if single_entity else found
        else:
            rows = list(result.scalars().unique() if single_entity else result)
        next_cursor = None
        if len(rows) > args.limit:
            rows = rows[:args.limit]
            next_cursor = self.cursor(self.position_of(rows[-1]), args.filters)
        return Page(rows, next_cursor, total)


_TOTAL = "list_total_"  # the window count's label, beside a first page's columns


def count_rows(query: Select, params: Mapping[str, Any] | None = None) -> int:
    """How many rows ``query`` returns, whatever its order and limit."""
    return db.session.scalar(select(func.count()).select_from(
        query.order_by(None).limit(None).subquery()), params) or 0


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None  # pass as ``cursor`` for the next page; None on the last one
    total: int | None = None  # rows matching the filters, on every page

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None
