"""What every chart is drawn with: the palette, SVG elements, text measurement, formatting.

Elements are built as ``Markup`` with their text and attribute values escaped,
so user text (phase and organisation names) cannot break out of the SVG.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import get_locale
from markupsafe import Markup, escape

# ---------------------------------------------------------------- palette
# The platform's colours (static/css/opsplatform.css). Every (fill, text) pair
# used by a chart has a contrast ratio of at least 4.5:1; tests/core/test_charts.py checks.
INK = "#1b1f24"
MUTED = "#4f5863"
PAPER = "#ffffff"
LINE = "#c9d1da"
BRAND = "#0b3d6b"

FONT = 13  # text size in viewBox units
SMALL = 12
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


# ---------------------------------------------------------------- elements
def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def tag(name: str, content: Any = None, /, **attrs: Any) -> Markup:
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


def join(items) -> Markup:
    return Markup("").join(items)


def group(children, **attrs: Any) -> Markup:
    """A ``<g>`` around already-built children (its ``<title>`` is the tooltip)."""
    return tag("g", join(children), **attrs)


def text_at(x: float, y: float, content: str, *, size: int = FONT, fill: str = INK,
            anchor: str = "start", bold: bool = False) -> Markup:
    return tag("text", content, x=x, y=y, font_size=size, fill=fill,
               text_anchor=anchor, font_weight="700" if bold else None)


def hatch_lines(x: float, y: float, w: float, h: float, colour: str,
                step: float = 8) -> list[Markup]:
    """Diagonal lines filling a rectangle: a pattern that survives greyscale printing."""
    lines = []
    c = x + y + step
    while c < x + w + y + h:
        x1, x2 = max(x, c - y - h), min(x + w, c - y)
        if x2 - x1 > 0.5:
            lines.append(tag("line", x1=x1, y1=c - x1, x2=x2, y2=c - x2, stroke=colour,
                             stroke_width=1.5, stroke_opacity=0.55))
        c += step
    return lines


def document(id_prefix: str, title: str, desc: str, width: int, height: float,
             body: Sequence[Markup], kind: str) -> Markup:
    """The ``<svg>`` element: an image labelled by its title and description, as wide as its box."""
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix must be a valid id (letters, digits, - and _): {id_prefix!r}")
    head = [tag("title", title, id=f"{id_prefix}-title"),
            tag("desc", desc, id=f"{id_prefix}-desc")]
    attrs = join(
        Markup(' {}="{}"').format(key, value) for key, value in (
            ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", f"0 0 {width} {_num(height)}"),
            ("width", "100%"), ("preserveAspectRatio", "xMinYMin meet"), ("role", "img"),
            ("aria-labelledby", f"{id_prefix}-title {id_prefix}-desc"),
            ("class", f"chart chart--{kind}"), ("font-size", FONT), ("fill", INK)))
    return Markup("<svg{}>{}</svg>").format(attrs, join([*head, *body]))


def empty_chart(id_prefix: str, title: str, message: str, kind: str, width: int) -> Markup:
    """A framed line of text where a chart has nothing to draw."""
    body = [tag("rect", x=0.5, y=0.5, width=width - 1, height=39, rx=4, fill=PAPER,
                stroke=LINE),
            text_at(12, 25, message, fill=MUTED)]
    return document(id_prefix, title, message, width, 40, body, kind)


# ---------------------------------------------------------------- text
def text_width(text: str, size: int = FONT, bold: bool = False) -> float:
    """A generous estimate of the rendered width (wide fonts such as DejaVu Sans)."""
    return len(text) * size * (0.66 if bold else 0.6)


def fit_text(text: str, width: float, size: int = FONT, bold: bool = False) -> str:
    """``text``, shortened with an ellipsis to fit ``width``; empty if nothing fits."""
    if text_width(text, size, bold) <= width:
        return text
    keep = int(width / (size * (0.66 if bold else 0.6))) - 1
    return text[:keep].rstrip() + "…" if keep >= 2 else ""


def field_of(item: Any, name: str, position: int) -> Any:
    """A field of a chart's input: a mapping key, a plain tuple's position, or an attribute."""
    if isinstance(item, Mapping):
        return item[name]
    if isinstance(item, tuple) and not hasattr(item, name):
        return item[position]
    return getattr(item, name)


def locale():
    """The locale Flask-Babel selected, also in an app context without a request
    (the app's default locale there, or the one ``force_locale`` sets); English
    outside an app context."""
    return get_locale() or "en"


def format_day(value: date, pattern: str = "d MMM") -> str:
    return format_date(value, pattern, locale=locale())


def format_count(value: float) -> str:
    return format_decimal(value, locale=locale())
