"""The phase timeline's time axis: its geometry, days to x, month ticks and the Today marker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from markupsafe import Markup

from .svg import INK, MUTED, PAPER, SMALL, format_day, tag, text_at, text_width

TIMELINE_WIDTH = 600
PAD = 8
BAR_Y, BAR_H = 28, 36  # the Today label sits above the bar, the axis under it
DAY = timedelta(days=1)


@dataclass(frozen=True)
class TimeScale:
    first: date
    end: date  # exclusive
    open_ended: bool

    @property
    def plot_width(self) -> float:  # room is left after an open end for its dashes
        return TIMELINE_WIDTH - 2 * PAD - (30 if self.open_ended else 0)

    @property
    def day_width(self) -> float:
        return self.plot_width / (self.end - self.first).days

    def x(self, day: date) -> float:
        return PAD + (day - self.first).days * self.day_width

    @property
    def date_pattern(self) -> str:
        return "d MMM yyyy" if self.first.year != (self.end - DAY).year else "d MMM"


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_axis(scale: TimeScale, y: float) -> list[Markup]:
    """Ticks at month starts; labels every 1, 2, 3, 6 or 12 months so they never collide."""
    month_w = scale.day_width * 30.4
    step = next((n for n in (1, 2, 3, 6) if month_w * n >= 44), 12)
    month = scale.first if scale.first.day == 1 else _next_month(scale.first)
    marks, label_end, last_year = [], -1e9, None
    while month < scale.end:
        x, unlabelled = scale.x(month), (month.month - 1) % step
        if month_w >= 8 or not unlabelled:
            marks.append(tag("line", x1=x, y1=y, x2=x, y2=y + 7, stroke=MUTED))
        text = format_day(month, "MMM" if month.year == last_year else "MMM yyyy")
        text_end = x + 3 + text_width(text, SMALL)
        if not unlabelled and x + 3 >= label_end + 8 and text_end <= TIMELINE_WIDTH:
            marks.append(text_at(x + 3, y + 19, text, size=SMALL, fill=MUTED))
            label_end, last_year = text_end, month.year
        month = _next_month(month)
    if last_year is None:  # no month starts in a short span: date its start instead
        marks.append(text_at(PAD, y + 19, format_day(scale.first, "d MMM yyyy"), size=SMALL,
                             fill=MUTED))
    return marks


def today_mark(today: date, scale: TimeScale) -> tuple[list[Markup], str]:
    """A line and label at today when it is in the span; else a pointer and a sentence."""
    label = _("Today, %(date)s", date=format_day(today, scale.date_pattern))
    y, iso = BAR_Y - 12, today.isoformat()
    if today < scale.first:
        return ([text_at(PAD, y, "← " + label, size=SMALL, bold=True)],
                _("Today (%(date)s) is before the first phase starts.", date=iso))
    if today >= scale.end:
        words = (_("Today (%(date)s) is after the period shown.", date=iso) if scale.open_ended
                 else _("Today (%(date)s) is after the last phase ended.", date=iso))
        return ([text_at(TIMELINE_WIDTH - PAD, y, label + " →", size=SMALL, bold=True,
                         anchor="end")], words)
    x = scale.x(today) + scale.day_width / 2
    half = text_width(label, SMALL, True) / 2
    line = {"x1": x, "y1": BAR_Y - 7, "x2": x, "y2": BAR_Y + BAR_H + 5}
    return ([tag("line", **line, stroke=PAPER, stroke_width=5),  # a casing for dark bands
             tag("line", **line, stroke=INK, stroke_width=2),
             text_at(min(max(x, half + 2), TIMELINE_WIDTH - half - 2), y, label, size=SMALL,
                     bold=True, anchor="middle")],
            _("Today is %(date)s.", date=iso))
