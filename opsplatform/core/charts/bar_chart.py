"""The bar chart: horizontal bars with their values (e.g. seizures per administration)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from .svg import (
    BRAND,
    FONT,
    MUTED,
    SMALL,
    document,
    empty_chart,
    field_of,
    fit_text,
    format_count,
    group,
    tag,
    text_at,
    text_width,
)

BAR_WIDTH = 600


def bar_chart(rows: Sequence[Any], *, id_prefix: str, title: str, value_label: str) -> Markup:
    """Horizontal bars in the order given, each value printed at the bar's end.

    Each row carries ``label`` and ``value`` (a number >= 0): a mapping, an object
    or a ``(label, value)`` tuple. ``value_label`` names what is counted.
    """
    data = []
    for row in rows:
        value = field_of(row, "value", 1)
        if value < 0:
            raise ValueError("Bar values cannot be negative.")
        data.append((str(field_of(row, "label", 0)), value))
    if not data:
        return empty_chart(id_prefix, title, _("No data to show"), "bars", BAR_WIDTH)
    pad, row_h, bar_h = 8, 26, 18
    label_w = min(max(text_width(label) for label, _value in data) + 8, BAR_WIDTH * 0.4)
    value_w = max(text_width(format_count(value), FONT, True) for _label, value in data) + 10
    bar_x = pad + label_w
    bar_max = BAR_WIDTH - pad - bar_x - value_w
    top = max(value for _label, value in data) or 1
    body = [text_at(bar_x, 14, value_label, size=SMALL, fill=MUTED, bold=True),
            tag("line", x1=bar_x, y1=20.0, x2=bar_x, y2=22 + row_h * len(data),
                stroke=MUTED)]
    summary = []
    for index, (label, value) in enumerate(data):
        y = 24 + index * row_h
        width = value / top * bar_max
        tip = f"{label}: {format_count(value)} ({value_label})"
        summary.append(f"{label}: {format_count(value)}")
        shapes = [tag("title", tip),
                  text_at(bar_x - 8, y + bar_h / 2 + 4.5, fit_text(label, label_w - 8),
                          anchor="end")]
        if width:
            shapes.append(tag("rect", x=bar_x, y=y, width=width, height=bar_h, fill=BRAND))
        shapes.append(text_at(bar_x + width + 5, y + bar_h / 2 + 4.5, format_count(value),
                              bold=True))
        body.append(group(shapes, class_="chart-bar"))
    height = 24 + len(data) * row_h + 2
    desc = f"{title} ({value_label}): " + "; ".join(summary) + "."
    return document(id_prefix, title, desc, BAR_WIDTH, height, body, "bars")
