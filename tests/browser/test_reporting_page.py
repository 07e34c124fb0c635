"""The coordinator's reporting page in a browser: who has not reported is one click away,
the reminder within the first screen, and at 390 px nothing scrolls sideways.

Against the demo's CATALYST-DEMO (19 administrations, weekly periods: 1 and 2 past their
deadline, 3 under way, 4 not started). Only a browser lays pages out, hence these checks
here; what the page says is tested through the app in tests/operations/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, signed_in

PAGE_WIDTH = "document.documentElement.scrollWidth"
# Every element that scrolls sideways, and whether a keyboard reaches it and it has a name.
SCROLLERS = """() => [...document.querySelectorAll('main *')]
  .filter(el => el.scrollWidth > el.clientWidth + 1
          && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
  .map(el => ({tag: el.tagName, focusable: el.tabIndex >= 0,
               named: !!(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))}))"""



@pytest.fixture(scope="module")
def coordinator(browser, base_url) -> Page:
    page = signed_in(browser, base_url, "ocu")
    page.goto("/operations/")
    page.get_by_role("link", name="CATALYST-DEMO").first.click()
    page.get_by_role("navigation", name="Operation sections").get_by_role(
        "link", name="Reporting").click()
    yield page
    page.context.close()


def _one_line(page: Page, selector: str) -> None:
    """Every element matching ``selector`` lays its text out on one line (no wrapping)."""
    for text, lines in page.locator(selector).evaluate_all(
            """els => els.map(el => {
                 const range = document.createRange();
                 range.selectNodeContents(el);
                 const tops = [...range.getClientRects()].filter(r => r.width > 0)
                   .map(r => Math.round(r.bottom));
                 return [el.textContent.trim(), new Set(tops).size];
               })"""):
        assert lines == 1, f"{text!r} takes {lines} lines"


def test_the_coordinator_reminds_those_who_have_not_reported(coordinator, scanner):
    page = coordinator
    scanner.scan(page, "reporting-all")
    # At 1440 px the periods' dates and the table's period headings hold on one line.
    _one_line(page, "#periods .reporting-dates")
    _one_line(page, "#compliance-table thead th > [aria-hidden]")
    all_rows = page.locator("#compliance-table tbody tr").count()
    # The full list carries no forms.
    assert page.locator("#compliance-table form").count() == 0

    page.get_by_role("link", name=re.compile(r"^Not reported")).click()
    current = page.get_by_role("link", name=re.compile(r"^Not reported"))
    expect(current).to_have_attribute("aria-current", "page")
    scanner.scan(page, "reporting-not-reported")
    rows = page.locator("#compliance-table tbody tr")
    assert 0 < rows.count() < all_rows
    # The reminder for the latest period over is in the first screen, above the fold.
    page.set_viewport_size(DESKTOP)
    remind_all = page.get_by_role("button", name=re.compile(r"^Remind (all|the) \d+"))
    expect(remind_all).to_be_visible()
    assert remind_all.bounding_box()["y"] + remind_all.bounding_box()["height"] < 900

    # Each missing return has its own button in this view; one reminds one administration.
    row_button = page.locator("#compliance-table").get_by_role(
        "button", name=re.compile(r"^Remind \w+ for")).first
    code = re.search(r"Remind (\S+) for", row_button.text_content()).group(1)
    row_button.click()
    expect(page.get_by_text(re.compile(rf"A reminder was recorded for 1 administration .*{code}")
                            )).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Not reported"))).to_have_attribute(
        "aria-current", "page")


def test_the_reporting_page_fits_a_phone(coordinator):
    page = coordinator
    for view in ("All", "Not reported", "Overdue"):
        page.set_viewport_size(DESKTOP)
        page.get_by_role("link", name=re.compile(rf"^{view} \(")).click()
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(150)  # the page's script marks what scrolls after 100 ms
        width = page.evaluate(PAGE_WIDTH)
        assert width <= PHONE["width"], f"{view}: the page is {width} px wide at 390 px"
        # No table or chart scrolls sideways; anything that does is focusable and named.
        for scroller in page.evaluate(SCROLLERS):
            assert scroller["focusable"] and scroller["named"], scroller
        # The chart fits: nothing of it is cut off.
        chart = page.locator(".reporting-summary div.chart")
        svg = chart.locator("svg")
        assert svg.bounding_box()["width"] <= chart.bounding_box()["width"] + 1
    # Stacked: each period's cell sits under the administration, labelled with its dates.
    first_row = page.locator("#compliance-table tbody tr").first
    cell = first_row.locator("td").first
    assert cell.bounding_box()["y"] > first_row.locator("th").bounding_box()["y"]
    label = cell.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert re.match(r'^"\w{3} \d', label), label
    page.set_viewport_size(DESKTOP)


def test_the_reminder_for_the_latest_period_over_from_the_top_of_the_page(coordinator):
    """What the journey (test_journey.py, step 4) does on this page, on the demo."""
    page = coordinator
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name=re.compile(r"^All \(")).click()
    table = page.get_by_role("table", name=re.compile("Returns of"))
    expect(table.get_by_role("rowheader", name=re.compile("^JP"))).to_be_visible()
    reminders = page.locator("#reminders")
    reminders.locator("summary").first.click()
    reminders.get_by_label("Message").fill("Week 2 is overdue.")
    button = reminders.get_by_role("button", name=re.compile("Remind")).first
    sent = button.text_content()
    button.click()
    expect(page.get_by_text(re.compile(r"[Rr]eminders? (was|were) recorded"))).to_be_visible()
    # Those just reminded are not offered again: the first button serves another period.
    expect(page.locator("#reminders").get_by_role("button", name=re.compile("Remind")).first
           ).not_to_have_text(sent)
