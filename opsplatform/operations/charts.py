"""An operation's data as charts: its phase timeline and the summary of its returns.

The adapters take plain data (dataclasses, mappings, counters), never the
request, so the dashboard, the reporting page and the briefing and debriefing
packs (built from SQL aggregates, possibly by a background job in an app
context without a request) draw the same charts. Words and numbers follow
Flask-Babel's locale: the request's, else the app's default or ``force_locale``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from opsplatform.core import charts

from .models import Operation, PhaseKind
from .queries import CellStatus

# How each return status is drawn: the one place that gives a status its colours, for
# the returns summary (a segment kind of core/charts' palette) and the reporting table's
# badges alike (the CSS custom properties --return-<status>, which
# tests/operations/test_compliance_colours.py holds equal to ``status_colours()``).
STATUS_KINDS: dict[CellStatus, str] = {
    CellStatus.SEIZURES: "reported",
    CellStatus.NIL: "nil",
    CellStatus.OVERDUE: "missing",
    CellStatus.DUE: "pending",
    CellStatus.UPCOMING: "upcoming",
}

# The statuses the returns summary shows, in its order (periods not started yet owe
# nothing, so they are left out).
COMPLIANCE_SEGMENTS: list[tuple[CellStatus, str]] = [
    (status, STATUS_KINDS[status])
    for status in (CellStatus.SEIZURES, CellStatus.NIL, CellStatus.OVERDUE, CellStatus.DUE)
]


def status_colours() -> dict[CellStatus, tuple[str, str]]:
    """Each return status's (fill, text colour), as the chart draws it and badges show it."""
    return {status: charts.SEGMENT_COLOURS[kind][:2] for status, kind in STATUS_KINDS.items()}


@dataclass(frozen=True)
class TimelinePhase:
    """A phase as the timeline draws it."""

    name: str
    kind: str  # a PhaseKind value
    starts_on: date
    ends_on: date | None  # inclusive; None: the open-ended closing phase
    is_current: bool = False


def timeline_phases(operation: Operation, today: date) -> list[TimelinePhase]:
    """The operation's phases as plain data, the current one as the dashboard names it
    (``Operation.phase_on``: the closing phase once the operation is closed early)."""
    current = operation.phase_on(today)
    return [TimelinePhase(phase.name, PhaseKind(phase.kind).value, phase.starts_on,
                          phase.ends_on, phase is current)
            for phase in operation.phases]


# Drawing is a pure function of the chart's data, its ids and title, and the locale (its
# words and numbers), so a drawing is kept under all of them: the dashboard draws the same
# two charts for everyone who opens it the same day, and each drawing took some milliseconds.
# Different data is another key, so a change shows at once; a key holds nothing that the
# drawing does not show to whoever asks with that data.
CHARTS_KEPT = 512


def _locale_key() -> str:
    return str(get_locale() or "")


@lru_cache(maxsize=CHARTS_KEPT)
def _timeline_drawing(phases: tuple[TimelinePhase, ...], today: date, id_prefix: str,
                      title: str | None, legend: bool, _locale: str) -> Markup:
    current = next((phase for phase in phases if phase.is_current), None)
    return charts.phase_timeline(phases, today, id_prefix=id_prefix, title=title,
                                 current=current, legend=legend)


def timeline_chart(phases: Sequence[TimelinePhase], today: date, *,
                   id_prefix: str = "timeline", title: str | None = None,
                   legend: bool = True) -> Markup:
    """The phase timeline, the phase marked ``is_current`` (if any) outlined as current;
    without its legend (``legend=False``) when the page lists the phases in text."""
    return _timeline_drawing(tuple(phases), today, id_prefix, title, legend, _locale_key())


def phase_swatch(kind: str, *, current: bool = False) -> Markup:
    """The colour of a phase of ``kind`` as the timeline draws it, as a small square for a
    text list of the phases (decorative: the list says the phase in words)."""
    fill, _ink = charts.PHASE_COLOURS.get(kind, charts.UNKNOWN_PHASE)
    return Markup(
        '<svg class="phase-swatch" viewBox="0 0 16 16" width="16" height="16" '
        'aria-hidden="true" focusable="false"><rect x="1.5" y="1.5" width="13" height="13" '
        'fill="{}" stroke="{}" stroke-width="{}"/></svg>').format(
        fill, charts.INK if current else charts.MUTED, 3 if current else 1)


def compliance_segments(totals: Mapping[str, int]) -> list[charts.Segment]:
    """Returns counted by status (``compliance_totals``, ``ComplianceTable.totals``, or
    counts keyed by the status values) as the stacked bar's segments."""
    return [charts.Segment(status.label, totals.get(status, 0), kind)
            for status, kind in COMPLIANCE_SEGMENTS]


@lru_cache(maxsize=CHARTS_KEPT)
def _compliance_drawing(counts: tuple[int, ...], id_prefix: str, title: str | None,
                        legend: bool, _locale: str) -> Markup:
    totals: dict[str, int] = {status: count for (status, _kind), count
                              in zip(COMPLIANCE_SEGMENTS, counts, strict=True)}
    return charts.stacked_bar(compliance_segments(totals), id_prefix=id_prefix, legend=legend,
                              title=title or _("Returns for the periods so far"))


def compliance_chart(totals: Mapping[str, int], *, id_prefix: str,
                     title: str | None = None, legend: bool = True) -> Markup:
    """The returns summary: one bar of returns filed, nil, overdue and not yet due;
    without its legend (``legend=False``) where the page lists the statuses in text."""
    counts = tuple(totals.get(status, 0) for status, _kind in COMPLIANCE_SEGMENTS)
    return _compliance_drawing(counts, id_prefix, title, legend, _locale_key())
