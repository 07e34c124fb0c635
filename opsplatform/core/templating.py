"""Template filters, the locale/time-zone choice for formatting, and quick translations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import flask_babel
from babel import dates as babel_dates
from flask import (
    Flask,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    url_for,
)
from flask_babel import format_date, format_time, get_locale, get_timezone, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from . import dates
from .extensions import babel
from .permissions import Permission
from .phones import format_phone


def select_locale() -> str:
    if not has_request_context():  # the CLI and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"


def select_timezone() -> str | None:
    if current_user and getattr(current_user, "is_authenticated", False):
        return current_user.time_zone or None
    return None


_TRANSLATIONS = "_opsplatform_translations"


def translations():
    """The translations of the current locale, found once per app context and locale.

    flask_babel finds them afresh for every string (several context-local lookups and
    the locale turned into text, some 25 µs), which made the words of a list's rows a
    large part of its time. The cache is keyed on the locale object flask_babel holds
    for the context, so ``force_locale`` still switches language.
    """
    if not has_app_context():
        return get_translations()
    # The locale flask_babel chose for this context (kept in its namespace on ``g``), else
    # asking it; either way the same object until force_locale swaps it.
    locale = getattr(g.get("_flask_babel"), "babel_locale", None) or get_locale()
    cached = g.get(_TRANSLATIONS)
    if cached is None or cached[0] is not locale:
        cached = (locale, get_translations())
        setattr(g, _TRANSLATIONS, cached)
    return cached[1]


def translate(text) -> str:
    """``str(text)``; a ``lazy_gettext`` string is translated through ``translations()``.

    Other lazy strings (with variables, or of another function) are left to themselves.
    """
    if (isinstance(text, LazyString) and text._func is flask_babel.gettext
            and len(text._args) == 1 and not text._kwargs):
        return translations().ugettext(text._args[0])
    return str(text)


def _render_translations(context: Context):
    """The translations put in the page's context once per render, else ``translations()``.

    (Macros imported without context do not see the page's variables.)
    """
    found = context.get(_TRANSLATIONS)
    return translations() if found is None else found


def _formatted(context: Context, text: str, variables: dict) -> str:
    """Jinja's newstyle rule: the text is always %-formatted, its variables escaped when
    autoescaping. (Without a "%" and without variables that changes nothing, and skipping
    it saves most of the cost of a short string.)"""
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


# Jinja's newstyle callables (jinja2.ext), one call deep: its own "_" resolves "gettext",
# which calls flask_babel's function, each through the context: three calls and a
# translations lookup per string. Same results.
@pass_context
def _gettext(context: Context, string: str, **variables) -> str:
    return _formatted(context, _render_translations(context).ugettext(string), variables)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _formatted(context, _render_translations(context).ungettext(singular, plural, num),
                      variables)


@pass_context
def _pgettext(context: Context, string_context: str, string: str, **variables) -> str:
    variables.setdefault("context", string_context)
    return _formatted(context, _render_translations(context).upgettext(string_context, string),
                      variables)


@pass_context
def _npgettext(context: Context, string_context: str, singular: str, plural: str, num: int,
               **variables) -> str:
    variables.setdefault("context", string_context)
    variables.setdefault("num", num)
    return _formatted(context, _render_translations(context).unpgettext(
        string_context, singular, plural, num), variables)


def _install_template_gettext(app: Flask) -> None:
    """Replace the template callables flask_babel installed with the quicker ones above."""
    app.jinja_env.newstyle_gettext = True  # type: ignore[attr-defined]  # i18n extension's
    app.jinja_env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext,
                                 pgettext=_pgettext, npgettext=_npgettext)
    # Found once per render_template instead of once per string.
    app.context_processor(lambda: {_TRANSLATIONS: translations()})


# A number no row's id reaches (core/db.MAX_ID is 2**31 - 1), marking where the id goes.
_ID_MARK = 9_876_543_210


class RowUrl:
    """``url_for(endpoint, **{name: id}, **values)`` for the many ids of one page.

    The route is built once (url_for costs some 50 µs, a long list's links added up to
    more than the rest of its rows); each id then fills the place the built URL kept
    for it. Only for an ``int`` argument of the path, as every row id is.
    """

    def __init__(self, endpoint: str, name: str, **values: Any):
        url = url_for(endpoint, **{name: _ID_MARK, **values})
        self.head, mark, self.tail = url.partition(str(_ID_MARK))
        if not mark or _ID_MARK_TEXT in self.tail:
            raise ValueError(f"{endpoint}: {name} is not an int in the path")

    def __call__(self, row_id: int) -> str:
        return f"{self.head}{int(row_id)}{self.tail}"


_ID_MARK_TEXT = str(_ID_MARK)


def gettext(string: str, **variables) -> str:
    """flask_babel's ``gettext``, through ``translations()`` (for code that words many
    strings in one request: a list of things waiting, one sentence per item)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """flask_babel's ``ngettext``, through ``translations()``."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def _translated(value):
    """A ``lazy_gettext`` string translated through ``translate`` (once per request's
    catalogue lookup); anything else (text, Markup, None) as it is."""
    return translate(value) if isinstance(value, LazyString) else value


def format_moment(value) -> str:
    """A date and time to the minute, in the reader's time zone, saying which zone it is."""
    return f"{format_date(value, 'medium')}, {format_time(value, 'HH:mm ZZZZ')}"


def moment_formatter() -> Callable[[datetime], str]:
    """``format_moment`` for the many values of one page, some five times quicker.

    The reader's locale and time zone are found once (flask_babel looks them up twice
    per value); Babel writes each day and each offset from UTC once; the hour and
    minute are digits in every locale.
    """
    locale, zone = get_locale(), get_timezone()
    locale_name = str(locale)
    offsets: dict[timedelta | None, str] = {}

    def format_one(value: datetime) -> str:
        local = value.astimezone(zone)
        offset = local.utcoffset()
        if offset not in offsets:
            offsets[offset] = babel_dates.format_time(local, "ZZZZ", tzinfo=zone, locale=locale)
        return f"{dates.day_in(local.date(), locale_name)}, {local:%H:%M} {offsets[offset]}"

    return format_one


def day_formatter() -> Callable[[date], str]:
    """The ``date`` filter for the many days of one page: the locale found once, and
    each day written once. A ``datetime`` (shown as its day in the reader's time zone)
    goes to the filter itself."""
    locale_name = str(get_locale())

    def format_one(value: date) -> str:
        if isinstance(value, datetime):
            return format_date(value, "medium")
        return dates.day_in(value, locale_name)

    return format_one


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    _install_template_gettext(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_global(get_locale)
    # Templates name permissions through the enum: a misspelt one fails, not denies.
    app.add_template_global(Permission, "Permission")
    app.add_template_global(RowUrl, "row_url")
    app.add_template_filter(format_moment, "datetime")
    app.add_template_filter(_translated, "translated")
    # The same words as core/dates.day, which the domain's messages use.
    app.add_template_filter(lambda value: format_date(value, "medium"), "date")
    app.add_template_filter(dates.deadline, "deadline")
    # Formatting a number costs some 80 µs (phonenumbers parses it); a directory shows
    # hundreds. A stored number is always written the same way: each is formatted once.
    app.add_template_filter(lru_cache(maxsize=4096)(format_phone), "phone")
