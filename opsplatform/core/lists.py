"""Lists: keyset pages over a compound order, opaque cursors, one argument schema, totals.

A list is declared once as a ``Listing``: a name and its ordering, the last key of
which is unique (the id). Its arguments are a ``ListArgsSchema`` subclass (cursor,
limit, the list's filters), loaded by the page from ``request.args`` and by the API
alike, so both refuse the same input with the same messages. ``Listing.page`` runs
a select under the arguments and returns a ``Page``: the rows, the cursor of the
next page and the number of rows matching the filters.

The cursor is the last row's keys and a digest of the filters, signed with the
app's secret key under a salt naming the list and its ordering: a cursor that was
altered, belongs to another list, another ordering or other filters is refused
(``InvalidCursor``, code ``invalid_cursor``, field ``cursor``), never run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate
from sqlalchemy import Select, and_, false, func, literal, or_, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from .db import db
from .errors import DomainError

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# Enough for the longest key a list orders by (an e-mail address), encoded and signed.
MAX_CURSOR_LENGTH = 1000
CURSOR_PATTERN = r"^[A-Za-z0-9_.-]*$"
_LARGEST_INTEGER = 2**63 - 1  # what any database column takes; larger is not a key of ours


class InvalidCursor(DomainError):
    """A cursor this list did not give out for these filters."""

    def __init__(self, message: str):
        super().__init__(message, code="invalid_cursor", field="cursor")


# -- ordering ---------------------------------------------------------------------------------


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
        for candidate in (column_type, getattr(column_type, "impl_instance", None)):
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
        config = current_app.config
        # The newest key signs; older ones (Flask's SECRET_KEY_FALLBACKS) still verify.
        secrets = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]
        return URLSafeSerializer(secrets, salt=self.salt)

    def cursor(self, position: tuple, filters: Mapping[str, Any]) -> str:
        values = [_encode(value) for value in position]
        return self._serializer().dumps([values, filters_digest(filters)])

    def position(self, cursor: str, filters: Mapping[str, Any]) -> tuple:
        """The position ``cursor`` names, if this list gave it out for ``filters``."""
        try:
            payload = self._serializer().loads(cursor)
        except (BadData, UnicodeError, ValueError) as error:
            raise InvalidCursor(_("This cursor was not given out by this list, or it was "
                                  "altered.")) from error
        if (not isinstance(payload, list) or len(payload) != 2
                or not isinstance(payload[0], list) or len(payload[0]) != len(self.keys)):
            raise InvalidCursor(_("This cursor does not fit this list."))
        values, digest = payload
        if digest != filters_digest(filters):
            raise InvalidCursor(_("This cursor belongs to other filters."))
        try:
            return tuple(_decode(value, key) for value, key in zip(values, self.keys, strict=True))
        except (TypeError, ValueError) as error:
            raise InvalidCursor(_("This cursor does not fit this list.")) from error

    # -- pages

    def page(self, query: Select, args: ListArgs, *, count: bool = True) -> Page:
        """Up to ``args.limit`` rows of ``query`` after ``args.after``, in this order.

        ``query`` holds the filters; it selects either one ORM entity or columns that
        include every key under its name. The total counts what ``query`` matches
        (every page, whatever the cursor): on the first page in the same query (a window
        count over the matching rows), on later ones in a query of its own.
        """
        description = query.column_descriptions
        single_entity = len(description) == 1 and description[0]["expr"] is description[0][
            "entity"] and description[0]["entity"] is not None
        counted_here = count and args.after is None
        total = count_rows(query) if count and not counted_here else None
        ordered = query if args.after is None else query.where(self.after(args.after))
        if counted_here:
            ordered = ordered.add_columns(func.count().over().label(_TOTAL))
        ordered = ordered.order_by(*self.order_by()).limit(args.limit + 1)
        result = db.session.execute(ordered)
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


def count_rows(query: Select) -> int:
    """How many rows ``query`` returns, whatever its order and limit."""
    return db.session.scalar(select(func.count()).select_from(
        query.order_by(None).limit(None).subquery()))


def filters_digest(filters: Mapping[str, Any]) -> str:
    """A short digest of a list's filters, so that a cursor stays with the filters it served."""
    canonical = json.dumps({name: _encode(value) for name, value in filters.items()},
                           sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()


def _encode(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(value, key: SortKey):
    if value is None:
        if not key.nullable:
            raise ValueError("a NULL for a key that is never NULL")
        return None
    kind = key.python_type
    if kind is datetime:
        decoded = datetime.fromisoformat(value)
        if decoded.tzinfo is None:
            raise ValueError("a naive timestamp")
        return decoded
    if kind is date:
        return date.fromisoformat(value)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)
                        or abs(value) > _LARGEST_INTEGER):
        raise ValueError("not an integer key")
    if kind is str and not isinstance(value, str):
        raise ValueError("not a text key")
    if not isinstance(value, str | int | float | bool):
        raise ValueError("not a key")
    return value


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None  # pass as ``cursor`` for the next page; None on the last one
    total: int | None = None  # rows matching the filters, on every page

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


# -- arguments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListArgs:
    """A list's arguments once loaded: its filters, the page size, where the page starts."""

    filters: dict[str, Any] = field(default_factory=dict)
    limit: int = DEFAULT_PAGE_SIZE
    after: tuple | None = None  # the position the cursor names
    cursor: str | None = None

    def __getitem__(self, name: str):
        return self.filters[name]

    def url_params(self, cursor: str | None = None) -> dict[str, Any]:
        """The query string of these filters (and page size) at ``cursor``, for links."""
        params = {name: _encode(value) for name, value in self.filters.items()
                  if value is not None and value != ""}
        if self.limit != DEFAULT_PAGE_SIZE:
            params["limit"] = self.limit
        if cursor is not None:
            params["cursor"] = cursor
        return params


class ListArgsSchema(Schema):
    """The arguments every list takes; a list's schema adds its filters and ``listing``.

    An empty value (``?status=``, what a form's "any" choice sends) is no value. The
    result of ``load`` is a ``ListArgs`` whose cursor was checked against the filters.
    """

    listing: ClassVar[Listing]
    PAGING: ClassVar[frozenset[str]] = frozenset({"cursor", "limit"})

    class Meta:
        unknown = EXCLUDE

    cursor = fields.String(
        validate=[validate.Length(max=MAX_CURSOR_LENGTH, error=_l("This cursor is too long.")),
                  # What a cursor is made of (URL-safe base64 and dots): anything else is
                  # refused before it is read, and stays short in a URL.
                  validate.Regexp(CURSOR_PATTERN, error=_l(
                      "This cursor was not given out by this list, or it was altered."))],
        metadata={"description": "The `next_cursor` of the previous page; none for the first"})
    limit = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, strict=False,
        validate=validate.Range(1, MAX_PAGE_SIZE, error=_l("From {min} to {max}.")),
        error_messages={"invalid": _l("A whole number.")},
        metadata={"description": f"Page size, 1 to {MAX_PAGE_SIZE}"})

    @pre_load
    def _drop_empty_values(self, data, **kwargs):
        return {name: value for name, value in data.items() if value != ""}

    @post_load
    def _to_list_args(self, data: dict, **kwargs) -> ListArgs:
        filters = {name: value for name, value in data.items() if name not in self.PAGING}
        cursor = data.get("cursor")
        after = None
        if cursor is not None:
            try:
                after = self.listing.position(cursor, filters)
            except InvalidCursor as error:
                raise ValidationError(error.message, field_name="cursor") from error
        return ListArgs(filters, data["limit"], after, cursor)


class ListArgsError(DomainError):
    """List arguments refused; ``messages`` per argument, ``fallback`` the arguments without
    the refused ones (and without the cursor): what a page shows instead."""

    def __init__(self, messages: dict[str, list[str]], fallback: ListArgs):
        # A lazily translated message (marshmallow keeps some as given) becomes its text.
        self.messages = {name: [str(message) for message in listed]
                         if isinstance(listed, list) else [str(listed)]
                         for name, listed in messages.items()}
        self.fallback = fallback
        if "cursor" in self.messages:
            super().__init__(self.messages["cursor"][0], code="invalid_cursor", field="cursor")
        else:
            super().__init__(_("The query parameters are invalid."), code="validation_failed",
                             field=next(iter(self.messages)))


def load_page_args(schema: ListArgsSchema, values: Mapping[str, Any]
                   ) -> tuple[ListArgs, ListArgsError | None]:
    """For a page: the arguments, or when some are refused, the rest and why (see
    ``ListArgsError``); the page shows both, its first page if the cursor was refused."""
    try:
        return load_args(schema, values), None
    except ListArgsError as error:
        return error.fallback, error


def load_args(schema: ListArgsSchema, values: Mapping[str, Any]) -> ListArgs:
    """Load a list's arguments (``request.args``); refused ones raise ``ListArgsError``."""
    values = dict(values.items())
    try:
        return schema.load(values)
    except ValidationError as error:
        messages = error.normalized_messages()
        kept = {name: value for name, value in values.items()
                if name not in messages and name != "cursor"}
        try:
            fallback = schema.load(kept)
        except ValidationError:  # a rule across arguments: none of them holds
            fallback = schema.load({})
        raise ListArgsError(messages, fallback) from error


class SearchText(fields.String):
    """Text to look for: surrounding spaces dropped; matched literally (see ``matching``)."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


def matching(term: str, *columns) -> ColumnElement:
    """Rows where any of ``columns`` contains ``term``, ignoring letter case.

    ``%`` and ``_`` typed in a search are text, not wildcards (escaped for LIKE).
    """
    return or_(*(column.icontains(term, autoescape=True) for column in columns))
