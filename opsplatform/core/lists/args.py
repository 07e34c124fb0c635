"""A list's arguments: one schema for the page and the API, and what refusing them gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate
from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement

from ..errors import DomainError
from .cursors import CURSOR_PATTERN, MAX_CURSOR_LENGTH, InvalidCursor, encode_value
from .keyset import Listing

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


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
        params = {name: encode_value(value) for name, value in self.filters.items()
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
