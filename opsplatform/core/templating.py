"""Template filters and the locale/time-zone choice for formatting."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_time, get_locale
from flask_login import current_user

from .extensions import babel
from .permissions import Permission


def select_locale() -> str:
    if not has_request_context():  # the CLI and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"


def select_timezone() -> str | None:
    if current_user and getattr(current_user, "is_authenticated", False):
        return current_user.time_zone or None
    return None


def format_moment(value) -> str:
    """A date and time to the minute, in the reader's time zone, saying which zone it is."""
    return f"{format_date(value, 'medium')}, {format_time(value, 'HH:mm ZZZZ')}"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_global(get_locale)
    # Templates name permissions through the enum: a misspelt one fails, not denies.
    app.add_template_global(Permission, "Permission")
    app.add_template_filter(format_moment, "datetime")
    app.add_template_filter(lambda value: format_date(value, "medium"), "date")
