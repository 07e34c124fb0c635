"""SVG charts: well-formed, accessible, CSP-safe, escaped and drawn to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from flask import has_request_context
from flask_babel import force_locale
from markupsafe import Markup

from opsplatform.core import charts
from opsplatform.core.charts import bar_chart, phase_timeline, stacked_bar

NS = "{http://www.w3.org/2000/svg}"
ALLOWED_TAGS = {"svg", "g", "rect", "line", "text", "title", "desc"}
HOSTILE = '<script>&"'


@dataclass
class Phase:
    name: str
    kind: str
    starts_on: date
    ends_on: date | None


STANDARD = [
    Phase("Planning", "planning", date(2026, 9, 1), date(2026, 10, 15)),
    Phase("Pre-operational", "pre_operational", date(2026, 10, 16), date(2026, 10, 31)),
    Phase("Operational", "operational", date(2026, 11, 1), date(2026, 11, 28)),
    Phase("Follow-up", "follow_up", date(2026, 11, 29), date(2026, 12, 14)),
    Phase("Post-operational", "post_operational", date(2026, 12, 15), date(2027, 1, 31)),
    Phase("Closed", "closed", date(2027, 2, 1), None),
]
COMPLIANCE = [
    {"label": "Reported", "value": 30, "kind": "reported"},
    {"label": "Nil return", "value": 10, "kind": "nil"},
    {"label": "Not reported", "value": 5, "kind": "missing"},
]


def parse(markup: Markup) -> ET.Element:
    assert isinstance(markup, Markup)
    return ET.fromstring(str(markup))


def local(element: ET.Element) -> str:
    return element.tag.removeprefix(NS)


def groups_with_title(root: ET.Element) -> dict[str, ET.Element]:
    """Each <g> keyed by the text of its own <title> (the tooltip)."""
    found = {}
    for g in root.iter(f"{NS}g"):
        title = g.find(f"{NS}title")
        if title is not None:
            found[title.text] = g
    return found


def band_rect(root: ET.Element, name: str) -> ET.Element:
    (group,) = [g for tip, g in groups_with_title(root).items() if tip.startswith(name)]
    return group.find(f"{NS}rect")


def all_text(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{NS}text")]


def every_chart():
    today = date(2026, 11, 12)
    return {
        "timeline": phase_timeline(STANDARD, today, id_prefix="tl"),
        "timeline-before": phase_timeline(STANDARD[:3], date(2026, 1, 1), id_prefix="tb"),
        "timeline-empty": phase_timeline([], today, id_prefix="te"),
        "timeline-hostile": phase_timeline(
            [Phase(HOSTILE, "operational", date(2026, 11, 1), date(2026, 11, 2))], today),
        "stacked": stacked_bar(COMPLIANCE, id_prefix="sb", title="Compliance",
                               total_label="45 reports due"),
        "stacked-zero": stacked_bar([("Reported", 0, "reported")], id_prefix="sz", title="C"),
        "stacked-empty": stacked_bar([], id_prefix="se", title="C"),
        "bars": bar_chart([("Germany", 12), (HOSTILE, 3)], id_prefix="bc", title="Seizures",
                          value_label="Seizures"),
        "bars-empty": bar_chart([], id_prefix="be", title="Seizures", value_label="Seizures"),
    }


@pytest.mark.parametrize("name", list(every_chart()))
def test_chart_is_accessible_scalable_csp_safe_svg(name):
    markup = every_chart()[name]
    root = parse(markup)

    assert local(root) == "svg"
    assert root.get("role") == "img"
    ids = root.get("aria-labelledby").split()
    assert len(ids) == 2
    by_id = {e.get("id"): local(e) for e in root.iter() if e.get("id")}
    assert [by_id[i] for i in ids] == ["title", "desc"]
    assert root.find(f"{NS}title").text and root.find(f"{NS}desc").text
    # scales with its container
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
    assert root.get("preserveAspectRatio")
    # CSP style-src 'self' and WeasyPrint: presentation attributes, basic shapes only
    assert "style" not in str(markup).replace("font-style", "")
    for element in root.iter():
        assert local(element) in ALLOWED_TAGS
        assert "style" not in element.attrib


def test_ids_come_from_the_prefix():
    root = parse(phase_timeline(STANDARD, date(2026, 11, 12), id_prefix="op-7_timeline"))
    assert root.get("aria-labelledby") == "op-7_timeline-title op-7_timeline-desc"
    with pytest.raises(ValueError):
        phase_timeline(STANDARD, date(2026, 11, 12), id_prefix='x" onload="alert(1)')


def test_user_text_is_escaped_everywhere():
    hostile = [Phase(HOSTILE, "operational", date(2026, 11, 1), date(2026, 11, 28))]
    outputs = [
        phase_timeline(hostile, date(2026, 11, 5), title=HOSTILE),
        stacked_bar([(HOSTILE, 3, "reported")], id_prefix="s", title=HOSTILE,
                    total_label=HOSTILE),
        bar_chart([(HOSTILE, 3)], id_prefix="b", title=HOSTILE, value_label=HOSTILE),
    ]
    for markup in outputs:
        assert "<script" not in str(markup)
        assert "&lt;script&gt;&amp;&#34;" in str(markup)
        root = parse(markup)
        assert root.find(f"{NS}title").text == HOSTILE
        assert HOSTILE in root.find(f"{NS}desc").text


def test_phase_band_tooltips():
    root = parse(phase_timeline(STANDARD, date(2027, 6, 1)))
    tips = groups_with_title(root)
    assert "Operational phase: Nov 1, 2026 – Nov 28, 2026 (28 days)" in tips
    assert "Closed phase (current): from Feb 1, 2027 (open-ended)" in tips


def test_current_phase_is_highlighted_in_shape_and_words():
    root = parse(phase_timeline(STANDARD, date(2026, 11, 12)))
    current = [tip for tip in groups_with_title(root) if "(current)" in tip]
    assert current == ["Operational phase (current): Nov 1, 2026 – Nov 28, 2026 (28 days)"]
    group = groups_with_title(root)[current[0]]
    assert any(r.get("stroke-width") == "3" for r in group.iter(f"{NS}rect"))
    assert any("Operational (current)" in t for t in all_text(root))  # the legend says it too
    assert "Operational phase (current)" in root.find(f"{NS}desc").text


def test_current_phase_can_be_given_explicitly():
    closed_early = phase_timeline(STANDARD, date(2026, 11, 12), current=STANDARD[-1])
    current = [tip for tip in groups_with_title(parse(closed_early)) if "(current)" in tip]
    assert current == ["Closed phase (current): from Feb 1, 2027 (open-ended)"]
    none = phase_timeline(STANDARD, date(2026, 11, 12), current=None)
    assert "(current)" not in str(none)


def today_markers(root):
    return [t for t in all_text(root) if t.startswith("Today")]


def test_today_marker_inside_the_span():
    root = parse(phase_timeline(STANDARD, date(2026, 11, 12)))
    assert today_markers(root) == ["Today, 12 Nov 2026"]
    lines = [ln for ln in root.iter(f"{NS}line") if ln.get("stroke-width") == "2"
             and ln.get("x1") == ln.get("x2")]
    assert lines, "a vertical Today line"
    assert "Today is 2026-11-12." in root.find(f"{NS}desc").text


@pytest.mark.parametrize(("today", "words"), [
    (date(2026, 8, 1), "before the first phase starts"),
    (date(2027, 3, 1), "after the last phase ended"),
])
def test_today_outside_the_span_is_said_not_drawn(today, words):
    root = parse(phase_timeline(STANDARD[:5], today))
    assert words in root.find(f"{NS}desc").text
    assert not [ln for ln in root.iter(f"{NS}line") if ln.get("stroke-width") == "2"
                and ln.get("x1") == ln.get("x2")]
    assert "(current)" not in str(phase_timeline(STANDARD[:5], today))


def test_band_widths_are_proportional_to_duration():
    phases = [Phase("Ten", "planning", date(2026, 1, 1), date(2026, 1, 10)),
              Phase("Five", "operational", date(2026, 1, 11), date(2026, 1, 15))]
    root = parse(phase_timeline(phases, date(2026, 1, 1)))
    ten, five = (float(band_rect(root, n).get("width")) for n in ("Ten", "Five"))
    assert ten / five == pytest.approx(2, rel=0.02)
    assert float(band_rect(root, "Five").get("x")) == pytest.approx(
        float(band_rect(root, "Ten").get("x")) + ten, abs=0.2)


def test_phases_are_drawn_in_date_order_whatever_the_input_order():
    root = parse(phase_timeline(list(reversed(STANDARD)), date(2026, 11, 12)))
    xs = [float(band_rect(root, p.name).get("x")) for p in STANDARD]
    assert xs == sorted(xs)


def test_gaps_between_phases_are_shown_and_described():
    phases = [Phase("A", "planning", date(2026, 1, 1), date(2026, 1, 10)),
              Phase("B", "operational", date(2026, 1, 21), date(2026, 1, 31))]
    root = parse(phase_timeline(phases, date(2026, 1, 1)))
    assert "No phase: Jan 11, 2026 – Jan 20, 2026 (10 days)" in groups_with_title(root)
    assert "No phase: Jan 11, 2026 – Jan 20, 2026 (10 days)." in root.find(f"{NS}desc").text


def test_single_day_phase_stays_visible_in_a_long_operation():
    phases = [Phase("Planning", "planning", date(2026, 1, 1), date(2026, 6, 30)),
              Phase("Briefing", "pre_operational", date(2026, 7, 1), date(2026, 7, 1)),
              Phase("Operational", "operational", date(2026, 7, 2), date(2027, 8, 31))]
    root = parse(phase_timeline(phases, date(2026, 7, 1)))
    assert "Briefing phase (current): Jul 1, 2026 (1 day)" in groups_with_title(root)
    assert float(band_rect(root, "Briefing").get("width")) >= 5
    # a long operation still gets readable, non-overlapping month labels
    labels = [t for t in root.iter(f"{NS}text") if t.get("font-size") == "12"
              and re.fullmatch(r"[A-Z][a-z]{2}( \d{4})?", t.text)]
    assert 5 <= len(labels) <= 12
    assert labels[0].text == "Jan 2026" and "Jan 2027" in [t.text for t in labels]
    xs = [float(t.get("x")) for t in labels]
    assert all(b - a >= 30 for a, b in pairwise(xs))


def test_open_ended_last_phase():
    root = parse(phase_timeline(STANDARD, date(2026, 11, 12)))
    assert "The last phase is open-ended." in root.find(f"{NS}desc").text
    with pytest.raises(ValueError):
        phase_timeline([Phase("A", "planning", date(2026, 1, 1), None),
                        Phase("B", "closed", date(2026, 2, 1), None)], date(2026, 1, 1))


def test_phases_may_be_mappings_and_kinds_enums_or_unknown():
    from enum import StrEnum

    class Kind(StrEnum):
        OPERATIONAL = "operational"

    root = parse(phase_timeline(
        [{"name": "Op", "kind": Kind.OPERATIONAL, "starts_on": date(2026, 1, 1),
          "ends_on": date(2026, 1, 5)},
         {"name": "Custom", "kind": "something_else", "starts_on": date(2026, 1, 6),
          "ends_on": date(2026, 1, 9)}], date(2026, 1, 2)))
    assert band_rect(root, "Op").get("fill") == charts.PHASE_COLOURS["operational"][0]
    assert band_rect(root, "Custom").get("fill") == charts.UNKNOWN_PHASE[0]


def test_no_phases():
    root = parse(phase_timeline([], date(2026, 1, 1)))
    assert all_text(root) == ["No phases planned"]
    assert root.find(f"{NS}desc").text == "No phases planned"


# ---------------------------------------------------------------- stacked bar
def segment_rects(root):
    return {g.find(f"{NS}title").text.split(":")[0]: g.find(f"{NS}rect")
            for g in root.iter(f"{NS}g") if "chart-segment" in g.get("class", "")}


def test_stacked_bar_segments_are_proportional_and_labelled():
    root = parse(stacked_bar(COMPLIANCE, id_prefix="c", title="Compliance",
                             total_label="45 reports due"))
    rects = segment_rects(root)
    widths = {label: float(rect.get("width")) for label, rect in rects.items()}
    assert widths["Reported"] / widths["Nil return"] == pytest.approx(3, rel=0.01)
    assert widths["Nil return"] / widths["Not reported"] == pytest.approx(2, rel=0.01)
    texts = all_text(root)
    assert "45 reports due" in texts
    # the legend names every segment with its count and share
    assert {"Reported: 30 (67%)", "Nil return: 10 (22%)", "Not reported: 5 (11%)"} <= set(texts)
    desc = root.find(f"{NS}desc").text
    assert "Reported: 30 (67%)" in desc and "Not reported: 5 (11%)" in desc


def test_stacked_bar_does_not_rely_on_colour_alone():
    root = parse(stacked_bar(COMPLIANCE, id_prefix="c", title="Compliance"))
    missing = [g for g in root.iter(f"{NS}g") if "chart-segment--missing" in g.get("class", "")]
    assert len(missing[0].findall(f"{NS}line")) > 3  # hatched
    assert "30 (67%)" in all_text(root)  # value printed on the segment


def test_stacked_bar_shares_add_up_to_100():
    segments = [("A", 1, "reported"), ("B", 1, "nil"), ("C", 1, "missing")]
    desc = parse(stacked_bar(segments, id_prefix="c", title="T")).find(f"{NS}desc").text
    shares = [int(s) for s in re.findall(r"\((\d+)%\)", desc)]
    assert sum(shares) == 100


def test_stacked_bar_with_zero_total():
    root = parse(stacked_bar([("Reported", 0, "reported"), ("Not reported", 0, "missing")],
                             id_prefix="c", title="Compliance"))
    assert not segment_rects(root)
    assert "Nothing to show yet" in all_text(root)
    assert "Reported: 0 (0%)" in all_text(root)


def test_stacked_bar_rejects_unknown_kinds_and_negatives():
    with pytest.raises(ValueError):
        stacked_bar([("X", 1, "purple")], id_prefix="c", title="T")
    with pytest.raises(ValueError):
        stacked_bar([("X", -1, "reported")], id_prefix="c", title="T")


# ---------------------------------------------------------------- bar chart
@dataclass
class Row:
    label: str
    value: int


def test_bar_chart_keeps_order_scales_bars_and_prints_values():
    rows = [Row("Germany", 40), {"label": "Japan", "value": 10}, ("Netherlands", 0)]
    root = parse(bar_chart(rows, id_prefix="b", title="Seizures per administration",
                           value_label="Seizures"))
    bars = [g for g in root.iter(f"{NS}g") if g.get("class") == "chart-bar"]
    assert [g.find(f"{NS}title").text for g in bars] == [
        "Germany: 40 (Seizures)", "Japan: 10 (Seizures)", "Netherlands: 0 (Seizures)"]
    widths = [float(g.find(f"{NS}rect").get("width")) for g in bars[:2]]
    assert widths[0] / widths[1] == pytest.approx(4, rel=0.01)
    assert bars[2].find(f"{NS}rect") is None  # a zero draws no bar, only its value
    assert [t.text for t in bars[2].iter(f"{NS}text")] == ["Netherlands", "0"]
    assert "Seizures" in all_text(root)


def test_bar_chart_shortens_long_labels_but_keeps_them_in_the_tooltip():
    long = "Administration générale des douanes et droits indirects"
    root = parse(bar_chart([(long, 5)], id_prefix="b", title="T", value_label="Seizures"))
    assert any(t.endswith("…") for t in all_text(root))
    assert long in root.find(f"{NS}desc").text


def test_bar_chart_without_rows():
    root = parse(bar_chart([], id_prefix="b", title="Seizures", value_label="Seizures"))
    assert all_text(root) == ["No data to show"]


# ---------------------------------------------------------------- palette
def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b_ = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                    for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(("fill", "ink"), [
    *charts.PHASE_COLOURS.values(), charts.UNKNOWN_PHASE,
    *((fill, ink) for fill, ink, _hatch in charts.SEGMENT_COLOURS.values()),
    (charts.PAPER, charts.INK), (charts.PAPER, charts.MUTED), (charts.BRAND, charts.PAPER),
])
def test_text_colours_meet_wcag_aa(fill, ink):
    assert contrast(fill, ink) >= 4.5


# ---------------------------------------------------------------- locale
def test_charts_draw_in_an_app_context_without_a_request(app):
    """A PDF pack built by a background job has an app context and no request."""
    outside_flask = {name: str(chart) for name, chart in every_chart().items()}
    with app.app_context():
        assert not has_request_context()
        # the app's default locale (English) chooses the words and numbers
        assert {name: str(chart) for name, chart in every_chart().items()} == outside_flask
        with force_locale("de"):  # the pack's language, when it asks for one
            timeline = parse(phase_timeline(STANDARD, date(2026, 11, 12)))
            assert today_markers(timeline) == ["Today, 12 Nov. 2026"]
            assert {"Nov.", "Dez.", "Jan. 2027"} <= set(all_text(timeline))
            bars = parse(bar_chart([("Total", 1234567)], id_prefix="b", title="T",
                                   value_label="kg"))
            assert "1.234.567" in all_text(bars)
            stacked = parse(stacked_bar(COMPLIANCE, id_prefix="s", title="T"))
            assert "Reported: 30 (67\xa0%)" in all_text(stacked)


# ---------------------------------------------------------------- reference drawings
# The exact SVG of a range of charts, recorded in tests/core/charts_golden/. A change
# of output shows here first: if it is meant, redraw them with
# `.venv/bin/python -m tests.core.test_charts` and review the diff of the .svg files.
GOLDEN = Path(__file__).with_name("charts_golden")
SHORT = [Phase("Plan", "planning", date(2026, 3, 1), date(2026, 3, 20)),
         Phase("Brief", "pre_operational", date(2026, 3, 21), date(2026, 3, 25)),
         Phase("Act", "operational", date(2026, 3, 26), date(2026, 4, 30)),
         Phase("Debrief", "post_operational", date(2026, 5, 1), date(2026, 5, 31))]
LONG_NAMES = [Phase("Planning and coordination of the participating administrations", "planning",
                    date(2026, 1, 1), date(2026, 2, 28)),
              Phase("Operational phase of the joint customs operation", "operational",
                    date(2026, 3, 1), date(2026, 3, 31))]


def golden_charts() -> dict[str, Markup]:
    """Name -> chart, covering each drawing path of the three kinds of chart."""
    today = date(2026, 11, 12)
    gaps = [Phase("A", "planning", date(2026, 1, 1), date(2026, 1, 10)),
            Phase("B", "operational", date(2026, 1, 21), date(2026, 1, 31))]
    long_operation = [
        Phase("Planning", "planning", date(2026, 1, 1), date(2026, 6, 30)),
        Phase("Briefing", "pre_operational", date(2026, 7, 1), date(2026, 7, 1)),
        Phase("Operational", "operational", date(2026, 7, 2), date(2027, 8, 31))]
    mixed = [{"name": "Op", "kind": "operational", "starts_on": date(2026, 1, 1),
              "ends_on": date(2026, 1, 5)},
             ("Custom", "something_else", date(2026, 1, 6), date(2026, 1, 9))]
    all_kinds = [("Seizures reported", 120, "reported"), ("Nil return", 3, "nil"),
                 ("Not reported, overdue", 1, "missing"),
                 ("Not reported, not yet due", 0, "pending"),
                 ("Administrations that have not yet been asked for anything", 40, "neutral")]
    return {
        **{name.replace("-", "_"): chart for name, chart in every_chart().items()},
        "timeline_closed_current": phase_timeline(STANDARD, date(2027, 6, 1)),
        "timeline_after": phase_timeline(STANDARD[:5], date(2027, 3, 1)),
        "timeline_explicit_current": phase_timeline(STANDARD, today, current=STANDARD[-1]),
        "timeline_no_current": phase_timeline(STANDARD, today, current=None, title="Plan"),
        "timeline_reversed": phase_timeline(list(reversed(STANDARD)), today),
        "timeline_gaps": phase_timeline(gaps, date(2026, 1, 15)),
        "timeline_long": phase_timeline(long_operation, date(2026, 7, 1)),
        "timeline_mixed": phase_timeline(mixed, date(2026, 1, 2)),
        "timeline_within_a_month": phase_timeline(
            [Phase("Sprint", "operational", date(2026, 1, 5), date(2026, 1, 20))],
            date(2026, 1, 8)),
        "timeline_two_columns": phase_timeline(SHORT, date(2026, 3, 23)),
        "timeline_long_names": phase_timeline(LONG_NAMES, date(2026, 3, 15)),
        "timeline_without_legend": phase_timeline(STANDARD, today, legend=False),
        "stacked_plain": stacked_bar(COMPLIANCE, id_prefix="sp", title="Compliance"),
        "stacked_all_kinds": stacked_bar(all_kinds, id_prefix="sk", title="Returns",
                                         total_label="164 returns due"),
        "stacked_hostile": stacked_bar([(HOSTILE, 3, "missing")], id_prefix="sh",
                                       title=HOSTILE, total_label=HOSTILE),
        "bars_mixed": bar_chart(
            [Row("Germany", 40), {"label": "Japan", "value": 10}, ("Netherlands", 0),
             ("Administration générale des douanes et droits indirects", 2.5)],
            id_prefix="bm", title="Seizures per administration", value_label="Seizures"),
        "bars_all_zero": bar_chart([("A", 0), ("B", 0)], id_prefix="bz", title="T",
                                   value_label="Returns"),
        "bars_thousands": bar_chart([("Total", 1234567)], id_prefix="bt", title="T",
                                    value_label="Kilograms"),
    }


@pytest.mark.parametrize("name", list(golden_charts()))
def test_chart_output_matches_its_reference_drawing(name):
    expected = (GOLDEN / f"{name}.svg").read_text(encoding="utf-8")
    assert str(golden_charts()[name]) == expected


def test_every_reference_drawing_is_still_drawn():
    assert sorted(path.stem for path in GOLDEN.glob("*.svg")) == sorted(golden_charts())


# ---------------------------------------------------------------- whole phase names
UNBROKEN = "Pre-operational-briefing-of-every-participating-administration-" * 2


@pytest.mark.parametrize("phases", [
    pytest.param(STANDARD, id="standard"),
    pytest.param([Phase("Planning", "planning", date(2026, 9, 13), date(2026, 11, 7)),
                  Phase("Pre-operational / briefing", "pre_operational", date(2026, 11, 8),
                        date(2026, 11, 21)),
                  Phase("Operational", "operational", date(2026, 11, 22), date(2026, 12, 19)),
                  Phase("Follow-up / investigation", "follow_up", date(2026, 12, 20),
                        date(2027, 1, 30)),
                  Phase("Post-operational / debriefing", "post_operational", date(2027, 1, 31),
                        date(2027, 2, 27)),
                  Phase("Closed", "closed", date(2027, 2, 28), None)], id="demo"),
    pytest.param([*LONG_NAMES[:1], Phase(UNBROKEN, "operational", date(2026, 3, 1),
                                         date(2026, 3, 2))], id="long"),
])
def test_the_timeline_never_shortens_a_phase_name(phases):
    """A band too narrow for its name shows its number; the legend wraps the whole name."""
    root = parse(phase_timeline(phases, date(2026, 11, 30)))
    texts = all_text(root)
    assert not any("…" in text for text in texts)
    legend = "".join(texts)
    for number, phase in enumerate(phases, 1):
        assert phase.name.replace(" ", "") in legend.replace(" ", "")
        band = [t.text for t in band_group(root, number).iter(f"{NS}text")]
        assert band in ([phase.name], [str(number)], [])
    # Without its legend, the bands and axis only: no name is cut there either.
    bare = all_text(parse(phase_timeline(phases, date(2026, 11, 30), legend=False)))
    assert not any("…" in text for text in bare)
    assert all(text in {p.name for p in phases} or text.isdigit() or "Today" in text
               or re.search(r"[A-Z][a-z]{2}", text) for text in bare)


def band_group(root: ET.Element, number: int) -> ET.Element:
    """The ``number``-th band (in date order) of a timeline."""
    bands = [g for g in root.iter(f"{NS}g") if (g.get("class") or "").startswith("chart-phase ")]
    return sorted(bands, key=lambda g: float(g.find(f"{NS}rect").get("x")))[number - 1]


if __name__ == "__main__":  # redraw the reference drawings
    GOLDEN.mkdir(exist_ok=True)
    for stale in GOLDEN.glob("*.svg"):
        stale.unlink()
    for chart_name, chart in golden_charts().items():
        (GOLDEN / f"{chart_name}.svg").write_text(str(chart), encoding="utf-8")
