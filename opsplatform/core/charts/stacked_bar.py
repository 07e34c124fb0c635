"""The stacked bar: one 100% bar split into segments (e.g. returns filed, nil, missing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from babel.numbers import format_percent
from flask_babel import gettext as _
from markupsafe import Markup

from .svg import (
    FONT,
    INK,
    MUTED,
    PAPER,
    document,
    field_of,
    fit_text,
    format_count,
    group,
    hatch_lines,
    locale,
    tag,
    text_at,
    text_width,
)

STACKED_WIDTH = 600

# segment kind -> (fill, text colour on the fill, hatch colour or None)
SEGMENT_COLOURS: dict[str, tuple[str, str, str | None]] = {
    "reported": ("#0f6b3a", PAPER, None),
    "nil": ("#bfe3cc", INK, None),
    "missing": ("#a4161a", PAPER, PAPER),
    "pending": ("#e9edf2", INK, None),
    # Owes nothing yet (a period not started): the reporting page's badges, never a segment
    # the returns summary draws.
    "upcoming": (PAPER, MUTED, None),
    "neutral": (MUTED, PAPER, None),
}


class Segment(NamedTuple):
    """One segment of a stacked bar (a mapping or any object with these fields does as well)."""

    label: str
    value: float  # a count, >= 0
    kind: str  # a key of SEGMENT_COLOURS


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
    return format_percent(share / 100, locale=locale())


def stacked_bar(segments: Sequence[Any], *, id_prefix: str, title: str,
                total_label: str | None = None, legend: bool = True) -> Markup:
    """One 100% bar split into segments, with a legend of labels, counts and shares.

    Each segment carries ``label``, ``value`` (a count, >= 0) and ``kind``, one of
    reported, nil, missing, pending, neutral (colour and pattern).
    ``total_label`` (e.g. "48 reports due") is printed above the bar. Without its
    legend (``legend=False``) when the page lists the segments in text beside it, with
    the same colours: the bar alone then scales down to a phone without being cut.
    """
    rows = []
    for segment in segments:
        kind = str(field_of(segment, "kind", 2))
        if kind not in SEGMENT_COLOURS:
            raise ValueError(f"Unknown segment kind {kind!r}: use {sorted(SEGMENT_COLOURS)}.")
        value = field_of(segment, "value", 1)
        if value < 0:
            raise ValueError("Segment values cannot be negative.")
        rows.append((str(field_of(segment, "label", 0)), value, kind))
    total = sum(value for _label, value, _kind in rows)
    shares = _shares([value for _label, value, _kind in rows], total)
    pad = 8
    bar_y = 26 if total_label else 4
    bar_h, bar_w = 36, STACKED_WIDTH - 2 * pad
    body: list[Markup] = []
    if total_label:
        body.append(text_at(pad, 16, total_label, bold=True))
    summary = []
    x: float = pad
    for (label, value, kind), share in zip(rows, shares, strict=True):
        count = f"{format_count(value)} ({_percent(share)})"
        summary.append(f"{label}: {count}")
        if not value:
            continue
        fill, ink, hatch = SEGMENT_COLOURS[kind]
        width = value / total * bar_w
        shapes = [tag("title", f"{label}: {count}"),
                  tag("rect", x=x, y=bar_y, width=width, height=bar_h, fill=fill)]
        if hatch:
            shapes += hatch_lines(x, bar_y, width, bar_h, hatch)
        text = next((t for t in (count, format_count(value))
                     if text_width(t, FONT, True) + 10 <= width), "")
        if text:
            tw = text_width(text, FONT, True)
            if hatch:  # a plain backing so the number stays legible on the pattern
                shapes.append(tag("rect", x=x + width / 2 - tw / 2 - 3, y=bar_y + 8.0,
                                  width=tw + 6, height=bar_h - 16.0, fill=fill))
            shapes.append(text_at(x + width / 2, bar_y + bar_h / 2 + 4.5, text, fill=ink,
                                  anchor="middle", bold=True))
        body.append(group(shapes, class_=f"chart-segment chart-segment--{kind}"))
        x += width
        if x < pad + bar_w - 0.5:  # a white divider, so neighbours never merge
            body.append(tag("line", x1=x, y1=bar_y, x2=x, y2=bar_y + bar_h,
                            stroke=PAPER, stroke_width=2))
    if not total:
        body.append(text_at(pad + 10, bar_y + bar_h / 2 + 4.5, _("Nothing to show yet"),
                            fill=MUTED))
    body.append(tag("rect", x=pad, y=bar_y, width=bar_w, height=bar_h,
                    fill="none", stroke=MUTED))

    # legend, wrapping across lines
    y, x = bar_y + bar_h + 14, pad
    legend_rows = list(zip(rows, shares, strict=True)) if legend else []
    if not legend:
        y = bar_y + bar_h + 4 - 22  # the height below: the bar and a margin
    for (label, value, kind), share in legend_rows:
        fill, _ink, hatch = SEGMENT_COLOURS[kind]
        text = f"{label}: {format_count(value)} ({_percent(share)})"
        text = fit_text(text, bar_w - 24)
        width = 24 + text_width(text) + 18
        if x > pad and x + width > STACKED_WIDTH - pad:
            x, y = pad, y + 22
        body.append(tag("rect", x=x, y=y, width=16, height=16, fill=fill, stroke=MUTED))
        if hatch:
            body += hatch_lines(x, y, 16, 16, hatch, step=5)
        body.append(text_at(x + 22, y + 12.5, text))
        x += width
    height = y + 22

    desc = (title + ": " + "; ".join(summary) + ".") if total else (
        title + ": " + _("nothing to show yet."))
    if total_label:
        desc = f"{total_label}. {desc}"
    return document(id_prefix, title, desc, STACKED_WIDTH, height, body, "stacked")
