"""A phase as the timeline draws it: its colours, its band with tooltip, and the gaps between."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from .svg import (
    BRAND,
    FONT,
    INK,
    MUTED,
    PAPER,
    field_of,
    format_day,
    group,
    tag,
    text_at,
    text_width,
)
from .timeline_axis import BAR_H, BAR_Y, DAY, TimeScale

# phase kind -> (band fill, text colour on the band)
PHASE_COLOURS: dict[str, tuple[str, str]] = {
    "planning": ("#d6e4f2", INK),
    "pre_operational": ("#8db8e0", INK),
    "operational": (BRAND, PAPER),
    "follow_up": ("#f2cf8f", INK),
    "post_operational": ("#b4bfcb", INK),
    "closed": (MUTED, PAPER),
}
UNKNOWN_PHASE = ("#e9edf2", INK)
FROM_CALENDAR = object()


@dataclass
class Band:
    """One phase, numbered in date order, as the timeline draws and describes it."""

    number: int
    name: str
    kind: str
    start: date
    end: date | None  # inclusive; None: open-ended
    current: bool

    @property
    def span(self) -> str:
        if self.end is None:
            return _("from %(start)s (open-ended)", start=format_day(self.start, "medium"))
        return _day_span(self.start, self.end)

    @property
    def tooltip(self) -> str:
        name = self.name
        if not name.lower().endswith(_("phase").lower()):
            name = _("%(name)s phase", name=name)
        if self.current:
            name += " " + _("(current)")
        return f"{name}: {self.span}"


def _day_span(start: date, end: date) -> str:
    """In the reader's date format, as the pages write days (core/dates.py)."""
    days = ngettext("%(num)d day", "%(num)d days", (end - start).days + 1)
    first = format_day(start, "medium")
    if end == start:
        return f"{first} ({days})"
    return f"{first} – {format_day(end, 'medium')} ({days})"


def phase_bands(phases: Sequence[Any], today: date, current: Any) -> list[Band]:
    """The phases as bands in date order, numbered, the current one marked; dates checked."""
    rows = sorted(phases, key=lambda p: field_of(p, "starts_on", 2))
    bands = []
    for number, phase in enumerate(rows, 1):
        kind = field_of(phase, "kind", 1)
        start, end = field_of(phase, "starts_on", 2), field_of(phase, "ends_on", 3)
        if end is None and number != len(rows):
            raise ValueError("Only the last phase may be open-ended.")
        if end is not None and end < start:
            raise ValueError(f"A phase ends before it starts: {field_of(phase, 'name', 0)!r}.")
        if current is FROM_CALENDAR:
            is_current = start <= today and (end is None or today <= end)
        else:
            is_current = current is not None and (phase is current or phase == current)
        bands.append(Band(number, str(field_of(phase, "name", 0)),
                          str(getattr(kind, "value", kind)), start, end, is_current))
    return bands


def _band_label(band: Band, width: float) -> str:
    """The whole phase name if it fits in the band, else its number (the legend or the list
    under the chart gives the name), else nothing: a name is never cut short."""
    if text_width(band.name, FONT, True) <= width - 10:
        return band.name
    number = str(band.number)
    return number if text_width(number, FONT, True) <= width - 4 else ""


def draw_band(band: Band, scale: TimeScale, today_x: float | None) -> Markup:
    """A band with its tooltip and name (kept off the Today line), outlined when current."""
    fill, ink = PHASE_COLOURS.get(band.kind, UNKNOWN_PHASE)
    x0 = scale.x(band.start)
    width = scale.x(band.end + DAY if band.end else scale.end) - x0
    if width < 5:  # a day in a long operation: widen it so that it stays visible
        x0, width = x0 + width / 2 - 2.5, 5.0
    top, bottom = BAR_Y, BAR_Y + BAR_H
    shapes = [tag("title", band.tooltip)]
    if band.end is None:  # open-ended: no right edge, then three dashes
        shapes += [tag("rect", x=x0, y=top, width=width, height=BAR_H, fill=fill),
                   tag("line", x1=x0, y1=top, x2=x0, y2=bottom, stroke=MUTED)]
        shapes += [tag("line", x1=x0, y1=y, x2=x0 + width, y2=y, stroke=MUTED)
                   for y in (top, bottom)]
        shapes += [tag("rect", x=x0 + width + 3 + 8 * k, y=top, width=4, height=BAR_H,
                       fill=fill, stroke=MUTED, stroke_width=0.5) for k in range(3)]
    else:
        shapes.append(tag("rect", x=x0, y=top, width=width, height=BAR_H, fill=fill,
                          stroke=MUTED))
    if band.current:
        shapes.append(tag("rect", x=x0 - 2.5, y=top - 2.5, width=width + 5, height=BAR_H + 5,
                          fill="none", stroke=INK, stroke_width=3))
    lo, hi = x0, x0 + width
    label = _band_label(band, hi - lo)
    if today_x is not None and lo < today_x < hi and (
            abs(today_x - (lo + hi) / 2) < text_width(label, FONT, True) / 2 + 4):
        # keep the Today line off the name: use the wider side of it
        lo, hi = max([(lo, today_x - 2), (today_x + 2, hi)], key=lambda a: a[1] - a[0])
        label = _band_label(band, hi - lo)
    if label:
        shapes.append(text_at((lo + hi) / 2, top + BAR_H / 2 + 4.5, label, fill=ink,
                              anchor="middle", bold=True))
    return group(shapes, class_=f"chart-phase chart-phase--{band.kind}")


def draw_gaps(bands: list[Band], scale: TimeScale) -> tuple[list[Markup], list[str]]:
    """A dashed line (with its tooltip) wherever no phase runs."""
    marks, words = [], []
    y = BAR_Y + BAR_H / 2
    for before, after in pairwise(bands):
        if before.end is not None and after.start > before.end + DAY:
            gap = _("No phase: %(span)s", span=_day_span(before.end + DAY, after.start - DAY))
            words.append(gap + ".")
            marks.append(group([tag("title", gap), tag(
                "line", x1=scale.x(before.end + DAY) + 2, y1=y, x2=scale.x(after.start) - 2, y2=y,
                stroke=MUTED, stroke_width=2, stroke_dasharray="4 3")], class_="chart-gap"))
    return marks, words
