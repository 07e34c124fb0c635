"""The operation dashboard in a real browser, as a coordinator and as a contact point.

Each is scanned by axe at 1440 px and 390 px (``Scanner.scan``); at both widths no phase
name is cut in the timeline or the list under it, and at 390 px the page never scrolls
sideways and anything that does scroll is a focusable, named region.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, signed_in


def _dashboard(browser: Browser, base_url: str, local_part: str, code: str) -> Page:
    page = signed_in(browser, base_url, local_part)
    page.goto("/operations/")
    page.get_by_role("link", name=code).first.click()
    expect(page.get_by_role("heading", name="Phases")).to_be_visible()
    return page


def _check_layout(page: Page) -> None:
    """What the issue asks at each width: whole phase names, no sideways page."""
    phases = page.get_by_role("region", name="Phases")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        timeline_text = phases.locator("svg text").all_text_contents()
        assert timeline_text and not any("…" in text for text in timeline_text)
        names = phases.locator(".phase-list__name").all_text_contents()
        assert names and not any("…" in name for name in names)
        # Every band shows its whole name or its number, never a part of a name.
        for label in phases.locator("svg g.chart-phase > text").all_text_contents():
            assert label in names or label.isdigit()
        if viewport is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            # The timeline fits; whatever else scrolls sideways is a named, focusable region.
            assert page.evaluate("""() => {
              const box = document.querySelector('.chart--dashboard-timeline');
              return box.scrollWidth <= box.clientWidth + 1; }""")
            page.wait_for_function("""() => [...document.querySelectorAll('.table-wrap, .chart')]
              .filter(el => el.scrollWidth > el.clientWidth + 1)
              .every(el => el.tabIndex === 0 && el.getAttribute('aria-label'))""")
    page.set_viewport_size(DESKTOP)


@pytest.fixture(scope="module")
def people(browser, base_url):
    return {"browser": browser, "base_url": base_url}


def test_the_coordinator_sees_where_the_operation_stands_and_who_is_overdue(people, scanner):
    page = _dashboard(people["browser"], people["base_url"], "ocu", "CATALYST-DEMO")
    scanner.scan(page, "dashboard-page-coordinator")
    _check_layout(page)
    expect(page.locator(".stat").first).to_contain_text("Under way")
    overdue = page.get_by_role("region", name="Overdue returns")
    expect(overdue.locator(".overdue__item").first).to_be_visible()
    # ES owes two returns in the demo and was reminded about the first.
    spain = overdue.locator(".overdue__item", has_text=re.compile(r"^\s*ES\s"))
    expect(spain).to_contain_text("2 returns overdue")
    expect(overdue.get_by_role("link", name="Remind them on the reporting page")).to_be_visible()
    activity = page.get_by_role("region", name="Latest activity")
    expect(activity.get_by_text(re.compile(r"reminded [A-Z]{2} to report for ")).first) \
        .to_be_visible()
    page.context.close()


def test_a_contact_point_sees_its_own_overdue_returns(people, scanner):
    page = _dashboard(people["browser"], people["base_url"], "cp.es", "CATALYST-DEMO")
    scanner.scan(page, "dashboard-page-contact-point")
    _check_layout(page)
    overdue = page.get_by_role("region", name="Your overdue returns")
    expect(overdue.locator(".overdue__item")).to_have_count(1)
    expect(overdue.locator(".overdue__item")).to_contain_text(re.compile(r"^\s*ES\s"))
    page.context.close()


def test_an_operation_in_its_planning_phase_is_in_preparation(people, scanner):
    page = _dashboard(people["browser"], people["base_url"], "secretariat", "PRECURSOR-DEMO")
    scanner.scan(page, "dashboard-page-in-preparation")
    _check_layout(page)
    expect(page.locator(".stat").first).to_contain_text("In preparation")
    page.goto("/operations/?status=planned")
    expect(page.get_by_role("link", name="PRECURSOR-DEMO")).to_be_visible()
    page.context.close()
