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

Text from users (phase and organisation names) is escaped by ``svg.tag``. Words
and numbers follow Flask-Babel's locale, so a chart renders the same in a
request, in an app context without one (a background job building a PDF pack:
the default locale, or the one ``force_locale`` sets) and outside Flask (English).

``svg`` holds what every chart is drawn with (elements, palette, text measurement
and formatting); each kind of chart has its module: ``timeline`` (with its
``timeline_axis`` and ``timeline_bands``), ``stacked_bar`` and ``bar_chart``.
Domains turn their data into chart input in their own ``charts.py`` (the
operation's phases and returns: ``opsplatform/operations/charts.py``).
"""

from .bar_chart import BAR_WIDTH, bar_chart
from .stacked_bar import SEGMENT_COLOURS, STACKED_WIDTH, Segment, stacked_bar
from .svg import BRAND, INK, LINE, MUTED, PAPER
from .timeline import phase_timeline
from .timeline_axis import TIMELINE_WIDTH
from .timeline_bands import PHASE_COLOURS, UNKNOWN_PHASE

__all__ = [
    "BAR_WIDTH", "BRAND", "INK", "LINE", "MUTED", "PAPER", "PHASE_COLOURS", "SEGMENT_COLOURS",
    "STACKED_WIDTH", "TIMELINE_WIDTH", "UNKNOWN_PHASE", "Segment", "bar_chart",
    "phase_timeline", "stacked_bar",
]
