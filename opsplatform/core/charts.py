"""Server-side SVG charts for the dashboard and the PDF packs alike.

Every chart is built from plain data (mappings, dataclasses, named tuples or
``(label, value)`` tuples; never ORM objects) and returned as ``Markup`` to be
embedded inline by a Jinja template. The SVG:

- carries no ``style`` attribute and no ``<style>`` element, only presentation
  attributes, so it renders under ``style-src 'self'`` and in WeasyPrint;
- uses basic shapes only (``g``, ``rect``, ``line``, ``text``, ``title``, ``desc``);
- is an accessible image: ``role="img"`` labelled by its ``<title>`` and
  ``<desc>`` (ids from ``id_prefix``), meaning never carried by colour alone,
  text colours at WCAG AA contrast on their backgrounds;
- scales with its container: ``width="100%"``, no fixed height, a ``viewBox``.

Text from users (phase and organisation names) is escaped by ``_tag``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

# ---------------------------------------------------------------- palette
# The platform's colours (static/css/opsplatform.css). Every (fill, text) pair
# below has a contrast ratio of at least 4.5:1; tests/core/test_charts.py checks.
INK = "#1b1f24"
MUTED = "#4f5863"
PAPER = "#ffffff"
LINE = "#c9d1da"
BRAND = "#0b3d6b"

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

# segment kind -> (fill, text colour on the fill, hatch colour or None)
SEGMENT_COLOURS: dict[str, tuple[str, str, str | None]] = {
    "reported": ("#0f6b3a", PAPER, None),
    "nil": ("#bfe3cc", INK, None),
    "missing": ("#a4161a", PAPER, PAPER),
    "pending": ("#e9edf2", INK, None),
    "neutral": (MUTED, PAPER, None),
}

FONT = 13  # text size in viewBox units
SMALL = 12
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


# ---------------------------------------------------------------- helpers
def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _tag(name: str, content: Any = None, /, **attrs: Any) -> Markup:
    """One element; ``font_size`` becomes ``font-size``, ``class_`` ``class``; text is escaped."""
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = _num(value)
        parts.append(f' {key.rstrip("_").replace("_", "-")}="{escape(value)}"')
    if content is None:
        return Markup(f"<{name}{''.join(parts)}/>")
    return Markup(f"<{name}{''.join(parts)}>{escape(content)}</{name}>")


def _join(items) -> Markup:
    return Markup("").join(items)


def _group(children, **attrs: Any) -> Markup:
    """A ``<g>`` around already-built children (its ``<title>`` is the tooltip)."""
    return _tag("g", _join(children), **attrs)


def _text(x: float, y: float, content: str, *, size: int = FONT, fill: str = INK,
          anchor: str = "start", bold: bool = False) -> Markup:
    return _tag("text", content, x=x, y=y, font_size=size, fill=fill,
                text_anchor=anchor, font_weight="700" if bold else None)


def _width(text: str, size: int = FONT, bold: bool = False) -> float:
    """A generous estimate of the rendered width (wide fonts such as DejaVu Sans)."""
    return len(text) * size * (0.66 if bold else 0.6)


def _fit(text: str, width: float, size: int = FONT, bold: bool = False) -> str:
    """``text``, shortened with an ellipsis to fit ``width``; empty if nothing fits."""
    if _width(text, size, bold) <= width:
        return text
    keep = int(width / (size * (0.66 if bold else 0.6))) - 1
    return text[:keep].rstrip() + "…" if keep >= 2 else ""


def _field(item: Any, name: str, position: int) -> Any:
    if isinstance(item, Mapping):
        return item[name]
    if isinstance(item, tuple) and not hasattr(item, name):
        return item[position]
    return getattr(item, name)


def _locale():
    return get_locale() or "en"


def _day(value: date, pattern: str = "d MMM") -> str:
    return format_date(value, pattern, locale=_locale())


def _count(value: float) -> str:
    return format_decimal(value, locale=_locale())


def _svg(id_prefix: str, title: str, desc: str, width: int, height: float,
         body: Sequence[Markup], kind: str) -> Markup:
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix must be a valid id (letters, digits, - and _): {id_prefix!r}")
    head = [_tag("title", title, id=f"{id_prefix}-title"),
            _tag("desc", desc, id=f"{id_prefix}-desc")]
    attrs = _join(
        Markup(' {}="{}"').format(key, value) for key, value in (
            ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", f"0 0 {width} {_num(height)}"),
            ("width", "100%"), ("preserveAspectRatio", "xMinYMin meet"), ("role", "img"),
            ("aria-labelledby", f"{id_prefix}-title {id_prefix}-desc"),
            ("class", f"chart chart--{kind}"), ("font-size", FONT), ("fill", INK)))
    return Markup("<svg{}>{}</svg>").format(attrs, _join([*head, *body]))


def _empty(id_prefix: str, title: str, message: str, kind: str, width: int) -> Markup:
    body = [_tag("rect", x=0.5, y=0.5, width=width - 1, height=39, rx=4, fill=PAPER,
                 stroke=LINE),
            _text(12, 25, message, fill=MUTED)]
    return _svg(id_prefix, title, message, width, 40, body, kind)


def _hatch(x: float, y: float, w: float, h: float, colour: str, step: float = 8) -> list[Markup]:
    """Diagonal lines filling a rectangle: a pattern that survives greyscale printing."""
    lines = []
    c = x + y + step
    while c < x + w + y + h:
        x1, x2 = max(x, c - y - h), min(x + w, c - y)
        if x2 - x1 > 0.5:
            lines.append(_tag("line", x1=x1, y1=c - x1, x2=x2, y2=c - x2, stroke=colour,
                              stroke_width=1.5, stroke_opacity=0.55))
        c += step
    return lines


def _shares(values: Sequence[float], total: float) -> list[int]:
    """Whole percentages that add up to 100 (largest remainder)."""
    if total <= 0:
        return [0] * len(values)
    exact = [v * 100 / total for v in values]
    shares = [int(e) for e in exact]
    order = sorted(range(len(values)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in order[: 100 - sum(shares)]:
        shares[i] += 1
    return shares


def _percent(share: int) -> str:
    return format_percent(share / 100, locale=_locale())


# ---------------------------------------------------------------- phase timeline
TIMELINE_WIDTH = 600
_PAD = 8
_BAR_Y, _BAR_H = 28, 36  # the Today label sits above the bar, the axis under it
_FROM_CALENDAR = object()
_DAY = timedelta(days=1)


@dataclass
class _Band:
    number: int
    name: str
    kind: str
    start: date
    end: date | None  # inclusive; None: open-ended
    current: bool

    @property
    def span(self) -> str:
        if self.end is None:
            return _("from %(start)s (open-ended)", start=self.start.isoformat())
        return _iso_span(self.start, self.end)

    @property
    def tooltip(self) -> str:
        name = self.name
        if not name.lower().endswith(_("phase").lower()):
            name = _("%(name)s phase", name=name)
        if self.current:
            name += " " + _("(current)")
        return f"{name}: {self.span}"


@dataclass(frozen=True)
class _Scale:
    first: date
    end: date  # exclusive
    open_ended: bool

    @property
    def plot_width(self) -> float:  # room is left after an open end for its dashes
        return TIMELINE_WIDTH - 2 * _PAD - (30 if self.open_ended else 0)

    @property
    def day_width(self) -> float:
        return self.plot_width / (self.end - self.first).days

    def x(self, day: date) -> float:
        return _PAD + (day - self.first).days * self.day_width

    @property
    def date_pattern(self) -> str:
        return "d MMM yyyy" if self.first.year != (self.end - _DAY).year else "d MMM"


def _iso_span(start: date, end: date) -> str:
    days = ngettext("%(num)d day", "%(num)d days", (end - start).days + 1)
    if end == start:
        return f"{start.isoformat()} ({days})"
    return f"{start.isoformat()} – {end.isoformat()} ({days})"


def _short_span(band: _Band, pattern: str) -> str:
    if band.end is None:
        return _("from %(start)s", start=_day(band.start, pattern))
    if band.end == band.start:
        return _day(band.start, pattern)
    days = ngettext("%(num)d day", "%(num)d days", (band.end - band.start).days + 1)
    return f"{_day(band.start, pattern)} – {_day(band.end, pattern)} ({days})"


def _bands(phases: Sequence[Any], today: date, current: Any) -> list[_Band]:
    rows = sorted(phases, key=lambda p: _field(p, "starts_on", 2))
    bands = []
    for number, phase in enumerate(rows, 1):
        kind = _field(phase, "kind", 1)
        start, end = _field(phase, "starts_on", 2), _field(phase, "ends_on", 3)
        if end is None and number != len(rows):
            raise ValueError("Only the last phase may be open-ended.")
        if end is not None and end < start:
            raise ValueError(f"A phase ends before it starts: {_field(phase, 'name', 0)!r}.")
        if current is _FROM_CALENDAR:
            is_current = start <= today and (end is None or today <= end)
        else:
            is_current = current is not None and (phase is current or phase == current)
        bands.append(_Band(number, str(_field(phase, "name", 0)),
                           str(getattr(kind, "value", kind)), start, end, is_current))
    return bands


def _scale(bands: list[_Band]) -> _Scale:
    first, last = bands[0].start, bands[-1]
    ends = [band.end for band in bands if band.end is not None]
    end = max(ends) + _DAY if ends else first
    if last.end is None:  # show a little of an open-ended phase: 8% of the rest, a week at least
        end = max(end, last.start) + timedelta(days=max(7, round(0.08 * (end - first).days)))
    return _Scale(first, end, last.end is None)


def _band_label(band: _Band, width: float) -> str:
    """The phase name if it fits in the band, else its number, else nothing."""
    number = str(band.number)
    return _fit(band.name, width - 10, FONT, bold=True) or (
        number if _width(number, FONT, True) <= width - 4 else "")


def _draw_band(band: _Band, scale: _Scale, today_x: float | None) -> Markup:
    fill, ink = PHASE_COLOURS.get(band.kind, UNKNOWN_PHASE)
    x0 = scale.x(band.start)
    width = scale.x(band.end + _DAY if band.end else scale.end) - x0
    if width < 5:  # a day in a long operation: widen it so that it stays visible
        x0, width = x0 + width / 2 - 2.5, 5.0
    top, bottom = _BAR_Y, _BAR_Y + _BAR_H
    shapes = [_tag("title", band.tooltip)]
    if band.end is None:  # open-ended: no right edge, then three dashes
        shapes += [_tag("rect", x=x0, y=top, width=width, height=_BAR_H, fill=fill),
                   _tag("line", x1=x0, y1=top, x2=x0, y2=bottom, stroke=MUTED)]
        shapes += [_tag("line", x1=x0, y1=y, x2=x0 + width, y2=y, stroke=MUTED)
                   for y in (top, bottom)]
        shapes += [_tag("rect", x=x0 + width + 3 + 8 * k, y=top, width=4, height=_BAR_H,
                        fill=fill, stroke=MUTED, stroke_width=0.5) for k in range(3)]
    else:
        shapes.append(_tag("rect", x=x0, y=top, width=width, height=_BAR_H, fill=fill,
                           stroke=MUTED))
    if band.current:
        shapes.append(_tag("rect", x=x0 - 2.5, y=top - 2.5, width=width + 5, height=_BAR_H + 5,
                           fill="none", stroke=INK, stroke_width=3))
    lo, hi = x0, x0 + width
    label = _band_label(band, hi - lo)
    if today_x is not None and lo < today_x < hi and (
            abs(today_x - (lo + hi) / 2) < _width(label, FONT, True) / 2 + 4):
        # keep the Today line off the name: use the wider side of it
        lo, hi = max([(lo, today_x - 2), (today_x + 2, hi)], key=lambda a: a[1] - a[0])
        label = _band_label(band, hi - lo)
    if label:
        shapes.append(_text((lo + hi) / 2, top + _BAR_H / 2 + 4.5, label, fill=ink,
                            anchor="middle", bold=True))
    return _group(shapes, class_=f"chart-phase chart-phase--{band.kind}")


def _gaps(bands: list[_Band], scale: _Scale) -> tuple[list[Markup], list[str]]:
    """A dashed line (with its tooltip) wherever no phase runs."""
    marks, words = [], []
    y = _BAR_Y + _BAR_H / 2
    for before, after in pairwise(bands):
        if before.end is not None and after.start > before.end + _DAY:
            gap = _("No phase: %(span)s", span=_iso_span(before.end + _DAY, after.start - _DAY))
            words.append(gap + ".")
            marks.append(_group([_tag("title", gap), _tag(
                "line", x1=scale.x(before.end + _DAY) + 2, y1=y, x2=scale.x(after.start) - 2, y2=y,
                stroke=MUTED, stroke_width=2, stroke_dasharray="4 3")], class_="chart-gap"))
    return marks, words


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _month_axis(scale: _Scale, y: float) -> list[Markup]:
    """Ticks at month starts; labels every 1, 2, 3, 6 or 12 months so they never collide."""
    month_w = scale.day_width * 30.4
    step = next((n for n in (1, 2, 3, 6) if month_w * n >= 44), 12)
    month = scale.first if scale.first.day == 1 else _next_month(scale.first)
    marks, label_end, last_year = [], -1e9, None
    while month < scale.end:
        x, unlabelled = scale.x(month), (month.month - 1) % step
        if month_w >= 8 or not unlabelled:
            marks.append(_tag("line", x1=x, y1=y, x2=x, y2=y + 7, stroke=MUTED))
        text = _day(month, "MMM" if month.year == last_year else "MMM yyyy")
        text_end = x + 3 + _width(text, SMALL)
        if not unlabelled and x + 3 >= label_end + 8 and text_end <= TIMELINE_WIDTH:
            marks.append(_text(x + 3, y + 19, text, size=SMALL, fill=MUTED))
            label_end, last_year = text_end, month.year
        month = _next_month(month)
    if last_year is None:  # no month starts in a short span: date its start instead
        marks.append(_text(_PAD, y + 19, _day(scale.first, "d MMM yyyy"), size=SMALL, fill=MUTED))
    return marks


def _today_mark(today: date, scale: _Scale) -> tuple[list[Markup], str]:
    """A line and label at today when it is in the span; else a pointer and a sentence."""
    label = _("Today, %(date)s", date=_day(today, scale.date_pattern))
    y, iso = _BAR_Y - 12, today.isoformat()
    if today < scale.first:
        return ([_text(_PAD, y, "← " + label, size=SMALL, bold=True)],
                _("Today (%(date)s) is before the first phase starts.", date=iso))
    if today >= scale.end:
        words = (_("Today (%(date)s) is after the period shown.", date=iso) if scale.open_ended
                 else _("Today (%(date)s) is after the last phase ended.", date=iso))
        return ([_text(TIMELINE_WIDTH - _PAD, y, label + " →", size=SMALL, bold=True,
                       anchor="end")], words)
    x = scale.x(today) + scale.day_width / 2
    half = _width(label, SMALL, True) / 2
    line = {"x1": x, "y1": _BAR_Y - 7, "x2": x, "y2": _BAR_Y + _BAR_H + 5}
    return ([_tag("line", **line, stroke=PAPER, stroke_width=5),  # a casing for dark bands
             _tag("line", **line, stroke=INK, stroke_width=2),
             _text(min(max(x, half + 2), TIMELINE_WIDTH - half - 2), y, label, size=SMALL,
                   bold=True, anchor="middle")],
            _("Today is %(date)s.", date=iso))


def _phase_legend(bands: list[_Band], y: float, pattern: str) -> tuple[list[Markup], float]:
    """Number, swatch, name and dates of every phase; two columns when they fit."""
    entries = [(band, (" " + _("(current)") if band.current else "") + ": "
                + _short_span(band, pattern)) for band in bands]
    widest = max(_width(band.name + tail, FONT, True) for band, tail in entries) + 44
    columns = 2 if 2 * widest + 16 <= TIMELINE_WIDTH and len(entries) > 2 else 1
    rows = -(-len(entries) // columns)
    col_w = (TIMELINE_WIDTH - 2 * _PAD) / columns
    marks = []
    for index, (band, tail) in enumerate(entries):
        fill, _ink = PHASE_COLOURS.get(band.kind, UNKNOWN_PHASE)
        x, row_y = _PAD + (index // rows) * col_w, y + (index % rows) * 22
        bold = band.current
        room = col_w - 48 - _width(tail, FONT, bold)  # shorten the name, keep the dates
        text = _fit((_fit(band.name, room, FONT, bold) or band.name) + tail, col_w - 48, FONT, bold)
        marks += [_text(x + 14, row_y + 11, str(band.number), anchor="end", bold=True),
                  _tag("rect", x=x + 20, y=row_y, width=14, height=14, fill=fill,
                       stroke=INK if bold else MUTED, stroke_width=3 if bold else 1),
                  _text(x + 42, row_y + 11, text, bold=bold)]
    return marks, rows * 22


def phase_timeline(phases: Sequence[Any], today: date, *, id_prefix: str = "timeline",
                   title: str | None = None, current: Any = _FROM_CALENDAR) -> Markup:
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
        return _empty(id_prefix, title, _("No phases planned"), "timeline", TIMELINE_WIDTH)
    bands = _bands(phases, today, current)
    scale = _scale(bands)
    in_span = scale.first <= today < scale.end
    today_x = scale.x(today) + scale.day_width / 2 if in_span else None

    # the current band late so its outline stays on top; slivers last of all
    order = sorted(bands, key=lambda b: (
        b.end is not None and scale.x(b.end + _DAY) - scale.x(b.start) < 5, b.current))
    body = [_draw_band(band, scale, today_x) for band in order]
    gap_marks, gap_words = _gaps(bands, scale)
    today_marks, today_words = _today_mark(today, scale)
    legend, legend_h = _phase_legend(bands, _BAR_Y + _BAR_H + 34, scale.date_pattern)
    body += gap_marks + _month_axis(scale, _BAR_Y + _BAR_H) + today_marks + legend

    desc = " ".join([
        ngettext("%(num)d phase from %(start)s.", "%(num)d phases from %(start)s.",
                 len(bands), start=scale.first.isoformat()),
        *([_("The last phase is open-ended.")] if scale.open_ended else []),
        "; ".join(f"{band.number}. {band.tooltip}" for band in bands) + ".",
        *gap_words,
        today_words,
    ])
    height = _BAR_Y + _BAR_H + 34 + legend_h + 2
    return _svg(id_prefix, title, desc, TIMELINE_WIDTH, height, body, "timeline")


# ---------------------------------------------------------------- stacked bar
STACKED_WIDTH = 600


def stacked_bar(segments: Sequence[Any], *, id_prefix: str, title: str,
                total_label: str | None = None) -> Markup:
    """One 100% bar split into segments, with a legend of labels, counts and shares.

    Each segment carries ``label``, ``value`` (a count, >= 0) and ``kind``, one of
    reported, nil, missing, pending, neutral (colour and pattern).
    ``total_label`` (e.g. "48 reports due") is printed above the bar.
    """
    rows = []
    for segment in segments:
        kind = str(_field(segment, "kind", 2))
        if kind not in SEGMENT_COLOURS:
            raise ValueError(f"Unknown segment kind {kind!r}: use {sorted(SEGMENT_COLOURS)}.")
        value = _field(segment, "value", 1)
        if value < 0:
            raise ValueError("Segment values cannot be negative.")
        rows.append((str(_field(segment, "label", 0)), value, kind))
    total = sum(value for _label, value, _kind in rows)
    shares = _shares([value for _label, value, _kind in rows], total)
    pad = 8
    bar_y = 26 if total_label else 4
    bar_h, bar_w = 36, STACKED_WIDTH - 2 * pad
    body: list[Markup] = []
    if total_label:
        body.append(_text(pad, 16, total_label, bold=True))
    summary = []
    x = pad
    for (label, value, kind), share in zip(rows, shares, strict=True):
        count = f"{_count(value)} ({_percent(share)})"
        summary.append(f"{label}: {count}")
        if not value:
            continue
        fill, ink, hatch = SEGMENT_COLOURS[kind]
        width = value / total * bar_w
        shapes = [_tag("title", f"{label}: {count}"),
                  _tag("rect", x=x, y=bar_y, width=width, height=bar_h, fill=fill)]
        if hatch:
            shapes += _hatch(x, bar_y, width, bar_h, hatch)
        text = next((t for t in (count, _count(value)) if _width(t, FONT, True) + 10 <= width), "")
        if text:
            tw = _width(text, FONT, True)
            if hatch:  # a plain backing so the number stays legible on the pattern
                shapes.append(_tag("rect", x=x + width / 2 - tw / 2 - 3, y=bar_y + 8.0,
                                   width=tw + 6, height=bar_h - 16.0, fill=fill))
            shapes.append(_text(x + width / 2, bar_y + bar_h / 2 + 4.5, text, fill=ink,
                                anchor="middle", bold=True))
        body.append(_group(shapes, class_=f"chart-segment chart-segment--{kind}"))
        x += width
        if x < pad + bar_w - 0.5:  # a white divider, so neighbours never merge
            body.append(_tag("line", x1=x, y1=bar_y, x2=x, y2=bar_y + bar_h,
                             stroke=PAPER, stroke_width=2))
    if not total:
        body.append(_text(pad + 10, bar_y + bar_h / 2 + 4.5, _("Nothing to show yet"),
                          fill=MUTED))
    body.append(_tag("rect", x=pad, y=bar_y, width=bar_w, height=bar_h,
                     fill="none", stroke=MUTED))

    # legend, wrapping across lines
    y, x = bar_y + bar_h + 14, pad
    for (label, value, kind), share in zip(rows, shares, strict=True):
        fill, _ink, hatch = SEGMENT_COLOURS[kind]
        text = f"{label}: {_count(value)} ({_percent(share)})"
        text = _fit(text, bar_w - 24)
        width = 24 + _width(text) + 18
        if x > pad and x + width > STACKED_WIDTH - pad:
            x, y = pad, y + 22
        body.append(_tag("rect", x=x, y=y, width=16, height=16, fill=fill, stroke=MUTED))
        if hatch:
            body += _hatch(x, y, 16, 16, hatch, step=5)
        body.append(_text(x + 22, y + 12.5, text))
        x += width
    height = y + 22

    desc = (title + ": " + "; ".join(summary) + ".") if total else (
        title + ": " + _("nothing to show yet."))
    if total_label:
        desc = f"{total_label}. {desc}"
    return _svg(id_prefix, title, desc, STACKED_WIDTH, height, body, "stacked")


# ---------------------------------------------------------------- bar chart
BAR_WIDTH = 600


def bar_chart(rows: Sequence[Any], *, id_prefix: str, title: str, value_label: str) -> Markup:
    """Horizontal bars in the order given, each value printed at the bar's end.

    Each row carries ``label`` and ``value`` (a number >= 0): a mapping, an object
    or a ``(label, value)`` tuple. ``value_label`` names what is counted.
    """
    data = []
    for row in rows:
        value = _field(row, "value", 1)
        if value < 0:
            raise ValueError("Bar values cannot be negative.")
        data.append((str(_field(row, "label", 0)), value))
    if not data:
        return _empty(id_prefix, title, _("No data to show"), "bars", BAR_WIDTH)
    pad, row_h, bar_h = 8, 26, 18
    label_w = min(max(_width(label) for label, _value in data) + 8, BAR_WIDTH * 0.4)
    value_w = max(_width(_count(value), FONT, True) for _label, value in data) + 10
    bar_x = pad + label_w
    bar_max = BAR_WIDTH - pad - bar_x - value_w
    top = max(value for _label, value in data) or 1
    body = [_text(bar_x, 14, value_label, size=SMALL, fill=MUTED, bold=True),
            _tag("line", x1=bar_x, y1=20.0, x2=bar_x, y2=22 + row_h * len(data),
                 stroke=MUTED)]
    summary = []
    for index, (label, value) in enumerate(data):
        y = 24 + index * row_h
        width = value / top * bar_max
        tip = f"{label}: {_count(value)} ({value_label})"
        summary.append(f"{label}: {_count(value)}")
        shapes = [_tag("title", tip),
                  _text(bar_x - 8, y + bar_h / 2 + 4.5, _fit(label, label_w - 8), anchor="end")]
        if width:
            shapes.append(_tag("rect", x=bar_x, y=y, width=width, height=bar_h, fill=BRAND))
        shapes.append(_text(bar_x + width + 5, y + bar_h / 2 + 4.5, _count(value), bold=True))
        body.append(_group(shapes, class_="chart-bar"))
    height = 24 + len(data) * row_h + 2
    desc = f"{title} ({value_label}): " + "; ".join(summary) + "."
    return _svg(id_prefix, title, desc, BAR_WIDTH, height, body, "bars")
