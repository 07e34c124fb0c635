"""One colour per return status: the chart's and the reporting table's badges agree.

``operations/charts.status_colours()`` is the one map (status -> fill, text colour) the
chart draws with; the page's badges take theirs from the CSS custom properties
``--return-<status>`` / ``--return-<status>-ink``. These tests fail when the two differ.
"""

from __future__ import annotations

import re
from pathlib import Path

from opsplatform.core.charts import SEGMENT_COLOURS
from opsplatform.operations.charts import (
    COMPLIANCE_SEGMENTS,
    STATUS_KINDS,
    compliance_chart,
    status_colours,
)
from opsplatform.operations.queries import CellStatus

CSS = Path(__file__).resolve().parents[2] / "opsplatform" / "static" / "css" / "opsplatform.css"


def _custom_properties() -> dict[str, str]:
    return {name: value.strip().lower() for name, value in
            re.findall(r"--(return-[a-z_-]+):\s*([^;]+);", CSS.read_text())}


def _rules() -> str:
    return re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)


def test_every_status_has_one_colour_and_the_css_says_the_same():
    properties = _custom_properties()
    assert set(status_colours()) == set(CellStatus)
    for status, (fill, ink) in status_colours().items():
        assert properties.get(f"return-{status.value}") == fill.lower(), (
            f"--return-{status.value} should be {fill} (operations/charts.status_colours)")
        assert properties.get(f"return-{status.value}-ink") == ink.lower(), status


def test_the_badges_use_the_status_colours_and_nothing_else_colours_them():
    rules = _rules()
    for status in CellStatus:
        selectors = [selector for selector, _body in re.findall(r"([^{}]+)\{([^}]*)\}", rules)
                     if re.search(rf"\.badge--{status.value}\b", selector)]
        assert selectors, f"no rule for .badge--{status.value}"
        bodies = [body for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", rules)
                  if re.search(rf"\.badge--{status.value}\b", selector)]
        # Exactly one rule gives the badge its colours, from the status's properties.
        assert len(bodies) == 1, f".badge--{status.value} is coloured in {len(bodies)} places"
        assert f"var(--return-{status.value})" in bodies[0]
        assert f"var(--return-{status.value}-ink)" in bodies[0]


def test_the_chart_draws_each_status_in_its_colour():
    totals = {CellStatus.SEIZURES: 3, CellStatus.NIL: 2, CellStatus.OVERDUE: 1,
              CellStatus.DUE: 4}
    svg = str(compliance_chart(totals, id_prefix="colours", legend=False))
    for status, kind in COMPLIANCE_SEGMENTS:
        fill, _ink = status_colours()[status]
        assert STATUS_KINDS[status] == kind
        assert SEGMENT_COLOURS[kind][0] == fill
        segment = re.search(rf'class="chart-segment chart-segment--{kind}".*?</g>', svg, re.S)
        assert segment and f'fill="{fill}"' in segment.group(0), status


def test_the_chart_without_its_legend_is_the_bar_alone():
    totals = {CellStatus.SEIZURES: 3, CellStatus.NIL: 2}
    with_legend = str(compliance_chart(totals, id_prefix="a"))
    without = str(compliance_chart(totals, id_prefix="a", legend=False))
    assert "Nil return: 2 (40%)</text>" in with_legend
    assert "Nil return: 2 (40%)</text>" not in without
    # The text alternative still says every status.
    assert "Nil return: 2 (40%)" in without


def test_the_page_shows_every_status_with_its_swatch_and_words(client_as, ids):
    html = client_as("ocu").get(f"/operations/{ids.catalyst}/reporting").text
    totals = html[html.index('id="reporting-totals"'):]
    totals = totals[:totals.index("</dl>")]
    for status in CellStatus:
        assert f'class="swatch swatch--{status.value}"' in totals
        assert f'data-status="{status.value}"' in totals
    assert "Nil return" in totals and "Not reported, overdue" in totals
