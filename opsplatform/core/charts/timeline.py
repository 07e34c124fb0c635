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


LINE_PITCH = 17  # between the lines of a legend entry that wraps


def wrap_text(text: str, width: float, size: int = FONT, bold: bool = False) -> list[str]:
    """``text`` in lines that fit ``width``, broken between words (inside a word only when
    it is longer than a line): all of it, never shortened."""
    per_line = max(1, int(width / (size * (0.66 if bold else 0.6))))
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        while len(word) > per_line:  # a word longer than a line: cut it where it must
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size, bold) > width:
            lines.append(line)
            candidate = word
        line = candidate
    return [*lines, line] if line or not lines else lines


def _phase_legend(bands: list[Band], y: float, pattern: str) -> tuple[list[Markup], float]:
    """Number, swatch, whole name and dates of every phase; two columns when every entry
    fits on a line of one, else one column whose entries wrap."""
    entries = [(band, band.name + (" " + _("(current)") if band.current else "") + ":",
                _short_span(band, pattern)) for band in bands]
    widest = max(text_width(f"{name} {span}", FONT, True) for _band, name, span in entries) + 44
    columns = 2 if 2 * widest + 16 <= TIMELINE_WIDTH and len(entries) > 2 else 1
    rows = -(-len(entries) // columns)
    col_w = (TIMELINE_WIDTH - 2 * PAD) / columns
    marks = []
    row_y, tallest = y, 0.0
    for index, (band, name, span) in enumerate(entries):
        fill, _ink = PHASE_COLOURS.get(band.kind, UNKNOWN_PHASE)
        if index % rows == 0:  # a new column starts at the top
            row_y = y
        x = PAD + (index // rows) * col_w
        bold = band.current
        # The name wraps between words; its dates stay together, after it or under it.
        lines = wrap_text(name, col_w - 48, FONT, bold)
        if text_width(f"{lines[-1]} {span}", FONT, bold) <= col_w - 48:
            lines[-1] = f"{lines[-1]} {span}"
        else:
            lines.append(span)
        marks += [text_at(x + 14, row_y + 11, str(band.number), anchor="end", bold=True),
                  tag("rect", x=x + 20, y=row_y, width=14, height=14, fill=fill,
                      stroke=INK if bold else MUTED, stroke_width=3 if bold else 1)]
        marks += [text_at(x + 42, row_y + 11 + k * LINE_PITCH, line, bold=bold)
                  for k, line in enumerate(lines)]
        row_y += 22 + (len(lines) - 1) * LINE_PITCH
        tallest = max(tallest, row_y - y)
    return marks, tallest


def phase_timeline(phases: Sequence[Any], today: date, *, id_prefix: str = "timeline",
                   title: str | None = None, current: Any = FROM_CALENDAR,
                   legend: bool = True) -> Markup:
    """A horizontal timeline of an operation's phases, with month ticks and a Today marker.

    Each phase carries ``name``, ``kind`` (planning, pre_operational, operational,
    follow_up, post_operational, closed, or an enum of those; others are drawn in a
    neutral colour), ``starts_on`` and ``ends_on`` (inclusive dates; ``None`` only
    for the last phase, drawn open-ended). Phases are drawn in date order. The
    current phase is the one whose dates hold ``today``, unless ``current`` is
    given: one of ``phases``, or ``None`` for none. Phase names are never shortened: a
    band too narrow for its name shows its number, and the legend (left out with
    ``legend=False``, for a page that lists the phases in text under the chart) wraps.
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
    body += gap_marks + month_axis(scale, BAR_Y + BAR_H) + today_marks
    if legend:
        marks, legend_h = _phase_legend(bands, BAR_Y + BAR_H + 34, scale.date_pattern)
        body += marks
        height = BAR_Y + BAR_H + 34 + legend_h + 2
    else:  # room for the month labels under the bands
        height = BAR_Y + BAR_H + 26

    desc = " ".join([
        ngettext("%(num)d phase from %(start)s.", "%(num)d phases from %(start)s.",
                 len(bands), start=format_day(scale.first, "medium")),
        *([_("The last phase is open-ended.")] if scale.open_ended else []),
        "; ".join(f"{band.number}. {band.tooltip}" for band in bands) + ".",
        *gap_words,
        today_words,
    ])
    return document(id_prefix, title, desc, TIMELINE_WIDTH, height, body, "timeline")
