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

from .args import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ListArgs,
    ListArgsError,
    ListArgsSchema,
    SearchText,
    load_args,
    load_page_args,
    matching,
)
from .cursors import CURSOR_PATTERN, MAX_CURSOR_LENGTH, InvalidCursor, filters_digest
from .keyset import Listing, Page, SortKey, count_rows

__all__ = [
    "CURSOR_PATTERN", "DEFAULT_PAGE_SIZE", "MAX_CURSOR_LENGTH", "MAX_PAGE_SIZE", "InvalidCursor",
    "ListArgs", "ListArgsError", "ListArgsSchema", "Listing", "Page", "SearchText", "SortKey",
    "count_rows", "filters_digest", "load_args", "load_page_args", "matching",
]
