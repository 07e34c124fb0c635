"""Dates and deadlines as people read them: one format, from the reader's locale.

Pages (the ``date`` and ``deadline`` template filters) and the domain's messages use
these, so a day reads the same in a table and in the error about it (never the ISO
"2027-01-24" of ``str(date)``). Times are shown in the reader's zone, except a
deadline: one instant for every administration, so it reads the same to everyone, in
UTC, with the reader's own time beside it when their zone differs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from babel import dates as babel_dates
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup, escape


def day(value: date) -> str:
    """A day in the reader's locale ("Nov 30, 2026" in English)."""
    return day_in(value, str(get_locale()))


@lru_cache(maxsize=4096)
def day_in(value: date, locale: str) -> str:
    """``day`` in a given locale, each day written by Babel once per process (some 20 µs
    a day; a contact point's home page writes hundreds): for formatters of many days."""
    return babel_dates.format_date(value, "medium", locale=locale)


def span(start: date, end: date) -> str:
    """Two days, first to last ("Nov 22, 2026 – Nov 28, 2026")."""
    return f"{day(start)} – {day(end)}"


def _moment(value: datetime, zone) -> str:
    local = value.astimezone(zone)
    offset = babel_dates.format_time(local, "ZZZZ", tzinfo=zone, locale=get_locale())
    return f"{day(local.date())}, {local:%H:%M} {offset}"


def deadline(value: datetime) -> Markup:
    """A deadline in UTC ("Nov 30, 2026, 23:59 UTC"), and in the reader's zone beside it.

    The reader's zone is their profile's; without one, UTC alone.
    """
    utc = value.astimezone(UTC)
    text = escape(f"{day(utc.date())}, {utc:%H:%M} UTC")
    zone = get_timezone()
    if utc.utcoffset() != value.astimezone(zone).utcoffset():
        text += Markup(' <span class="muted">({})</span>').format(
            _("%(moment)s your time", moment=_moment(value, zone)))
    return Markup('<time datetime="{}">{}</time>').format(utc.isoformat(), text)
