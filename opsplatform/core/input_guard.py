"""Refuse input the database cannot store before any view reads it.

PostgreSQL refuses a NUL character in text, and no driver encodes a lone UTF-16
surrogate (JSON's "\\ud800"): either one, reaching a query, answers 500. One
check here covers every path value, query string, form, file name and JSON body,
so no view has to remember it. It also bounds how deeply a JSON body may nest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from flask import Flask, request
from flask_babel import gettext as _

from .errors import BadInputError

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# No body the API reads nests deeper than a few levels; this leaves ample room.
MAX_JSON_DEPTH = 32


def _printable(name: str) -> str:
    """``name`` with its unstorable characters spelled out, so that an error can show it."""
    return UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", name)


def _refuse(field: str) -> BadInputError:
    field = _printable(field)
    return BadInputError(
        _("The field “%(field)s” contains a character the platform cannot store (a NUL byte "
          "or a broken surrogate). Remove it and send it again.", field=field),
        code="unstorable_character", field=field)


def _too_deep() -> BadInputError:
    return BadInputError(_("The JSON body nests deeper than %(max)d levels.",
                           max=MAX_JSON_DEPTH), code="too_deeply_nested")


def _pairs() -> Iterator[tuple[str, str]]:
    """Each named text of the request outside a JSON body: (name, value)."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield name, value
    yield from request.args.items(multi=True)
    yield from request.form.items(multi=True)
    for name, upload in request.files.items(multi=True):
        yield name, upload.filename or ""


def _json_texts(body: object) -> Iterator[tuple[str, str]]:
    """Each key and string value of a parsed JSON body, named by its path (``phases.0.name``)."""
    stack: list[tuple[object, str, int]] = [(body, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        children: Iterable[tuple[str, object]] = ()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            children = value.items()
        elif isinstance(value, list):
            children = ((str(index), item) for index, item in enumerate(value))
        for key, child in children:
            child_path = f"{path}.{key}" if path else key
            if isinstance(value, dict):
                yield child_path, key  # a key is text the view may store or echo, too
            stack.append((child, child_path, depth + 1))


def _json_body() -> object:
    if not request.is_json:
        return None
    try:
        # Cached, so the view reads the same parse; broken JSON is the view's to refuse.
        return request.get_json(silent=True)
    except RecursionError:  # deeper than the parser goes, let alone MAX_JSON_DEPTH
        raise _too_deep() from None


def refuse_unstorable_input() -> None:
    for name, value in _pairs():
        if UNSTORABLE.search(name) or UNSTORABLE.search(value):
            raise _refuse(name)
    for path, text in _json_texts(_json_body()):
        if UNSTORABLE.search(text):
            raise _refuse(path or "body")


def init_app(app: Flask) -> None:
    app.before_request(refuse_unstorable_input)
