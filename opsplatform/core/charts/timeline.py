"""The phase timeline: an operation's phases as bands along a time axis, with a legend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from .svg import (
    FONT,
    INK,
    MUTED,
    document,
    empty_chart,
    fit_text,
    format_day,
    tag,
    text_at,
    text_width,
)
from .timeline_axis import (
    BAR_H,
    BAR_Y,
    DAY,
    PAD,
    TIMELINE_WIDTH,
    TimeScale,
    month_axis,
    today_mark,
)
from .timeline_bands import (
    FROM_CALENDAR,
    PHASE_COLOURS,
    UNKNOWN_PHASE,
    Band,
    draw_band,
    draw_gaps,
    phase_bands,
)


def _short_span(band: Band, pattern: str) -> str:
    if band.end is None:
        return _("from %(start)s", start=format_day(band.start, pattern))
    if band.end == band.start:
        return format_day(band.start, pattern)
    days = ngettext("%(num)d day", "%(num)d days", (band.end - band.start).days + 1)
    return f"{format_day(band.start, pattern)} – {format_day(band.end, pattern)} ({days})"


def _scale(bands: list[Band]) -> TimeScale:
    first, last = bands[0].start, bands[-1]
    ends = [band.end for band in bands if band.end is not None]
    end = max(ends) + DAY if ends else first
    if last.end is None:  # show a little of an open-ended phase: 8% of the rest, a week at least
        end = max(end, last.start) + timedelta(days=max(7, round(0.08 * (end - first).days)))
    return TimeScale(first, end, last.end is None)


def _phase_legend(bands: list[Band], y: float, pattern: str) -> tuple[list[Markup], float]:
    """Number, swatch, name and dates of every phase; two columns when they fit."""
    entries = [(band, (" " + _("(current)") if band.current else "") + ": "
                + _short_span(band, pattern)) for band in bands]
    widest = max(text_width(band.name + tail, FONT, True) for band, tail in entries) + 44
    columns = 2 if 2 * widest + 16 <= TIMELINE_WIDTH and len(entries) > 2 else 1
    rows = -(-len(entries) // columns)
    col_w = (TIMELINE_WIDTH - 2 * PAD) / columns
    marks = []
    for index, (band, tail) in enumerate(entries):
        fill, _ink = PHASE_COLOURS.get(band.kind, UNKNOWN_PHASE)
        x, row_y = PAD + (index // rows) * col_w, y + (index % rows) * 22
        bold = band.current
        room = col_w - 48 - text_width(tail, FONT, bold)  # shorten the name, keep the dates
        text = fit_text((fit_text(band.name, room, FONT, bold) or band.name) + tail, col_w - 48,
                        FONT, bold)
        marks += [text_at(x + 14, row_y + 11, str(band.number), anchor="end", bold=True),
                  tag("rect", x=x + 20, y=row_y, width=14, height=14, fill=fill,
                      stroke=INK if bold else MUTED, stroke_width=3 if bold else 1),
                  text_at(x + 42, row_y + 11, text, bold=bold)]
    return marks, rows * 22


def phase_timeline(phases: Sequence[Any], today: date, *, id_prefix: str = "timeline",
                   title: str | None = None, current: Any = FROM_CALENDAR) -> Markup:
    """A horizontal timeline of an operation's phases, with month ticks and a Today marker.

    Each phase carries ``name``, ``kind`` (planning, pre_operational, operational,
    follow_up, post_operational, closed, or an enum of those; others are drawn in a
    neutral colour), ``starts_on`` and ``ends_on`` (inclusive dates; ``None`` only
    for the last phase, drawn open-ended). Phases are drawn in date order. The
    current phase is the one whose dates hold ``today``, unless ``current`` is
    given: one of ``phases``, or ``None`` for none.
    """
    title = title or _("Phase timeline")
    if not phases:
        return empty_chart(id_prefix, title, _("No phases planned"), "timeline", TIMELINE_WIDTH)
    bands = phase_bands(phases, today, current)
    scale = _scale(bands)
    in_span = scale.first <= today < scale.end
    today_x = scale.x(today) + scale.day_width / 2 if in_span else None

    # the current band late so its outline stays on top; slivers last of all
    order = sorted(bands, key=lambda b: (
        b.end is not None and scale.x(b.end + DAY) - scale.x(b.start) < 5, b.current))
    body = [draw_band(band, scale, today_x) for band in order]
    gap_marks, gap_words = draw_gaps(bands, scale)
    today_marks, today_words = today_mark(today, scale)
    legend, legend_h = _phase_legend(bands, BAR_Y + BAR_H + 34, scale.date_pattern)
    body += gap_marks + month_axis(scale, BAR_Y + BAR_H) + today_marks + legend

    desc = " ".join([
        ngettext("%(num)d phase from %(start)s.", "%(num)d phases from %(start)s.",
                 len(bands), start=scale.first.isoformat()),
        *([_("The last phase is open-ended.")] if scale.open_ended else []),
        "; ".join(f"{band.number}. {band.tooltip}" for band in bands) + ".",
        *gap_words,
        today_words,
    ])
    height = BAR_Y + BAR_H + 34 + legend_h + 2
    return document(id_prefix, title, desc, TIMELINE_WIDTH, height, body, "timeline")
