"""Every page fits a phone: no sideways scrolling at 390 px, every tab of an operation in
view, tables stacked, and a title of one 200-character word wrapping instead of
widening the page. Only a browser lays pages out, hence these checks here."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, signed_in

LONG_WORD = "Precursor" * 22 + "XY"  # 200 characters, no space to break at
LONG_CODE = "LONGWORD-1"
PAGE_WIDTH = "document.documentElement.scrollWidth"



def _assert_fits(page: Page, path: str) -> None:
    """At both widths the page is no wider than the window."""
    page.goto(path)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        width = page.evaluate(PAGE_WIDTH)
        assert width <= viewport["width"], f"{path} is {width} px wide at {viewport['width']} px"
    page.set_viewport_size(DESKTOP)


def _operation_id(page: Page, code: str) -> str:
    page.goto("/operations/")
    page.get_by_role("link", name=code).first.click()
    return re.search(r"/operations/(\d+)", page.url).group(1)


@pytest.fixture(scope="module")
def secretariat(browser, base_url) -> Page:
    page = signed_in(browser, base_url, "secretariat")
    yield page
    page.context.close()


def test_the_platform_pages_fit_a_phone(secretariat, scanner):
    catalyst = _operation_id(secretariat, "CATALYST-DEMO")
    for path in ("/", "/operations/", "/profile", "/accounts/", "/organisations/",
                 f"/operations/{catalyst}/documents", f"/operations/{catalyst}/edit",
                 f"/operations/{catalyst}/phases"):
        _assert_fits(secretariat, path)
    secretariat.goto("/accounts/")
    scanner.scan(secretariat, "accounts")
    secretariat.goto("/organisations/")
    scanner.scan(secretariat, "organisations")
    secretariat.goto(f"/operations/{catalyst}/documents")
    scanner.scan(secretariat, "documents")


def test_tables_stack_into_labelled_rows_on_a_phone(secretariat):
    secretariat.goto("/operations/")
    secretariat.set_viewport_size(PHONE)
    first_row = secretariat.locator("table.table--stack tbody tr").first
    status = first_row.locator("td[data-label='Status']")
    # Stacked: the status sits under the operation, not beside it, labelled in words.
    assert status.bounding_box()["y"] > first_row.locator("th").bounding_box()["y"]
    label = status.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Status"'
    secretariat.set_viewport_size(DESKTOP)
    assert status.bounding_box()["y"] == pytest.approx(
        first_row.locator("th").bounding_box()["y"], abs=2)


def test_every_tab_of_an_operation_is_in_view_on_a_phone(browser, base_url):
    page = signed_in(browser, base_url, "secretariat")
    catalyst = _operation_id(page, "CATALYST-DEMO")
    page.goto(f"/operations/{catalyst}")
    page.set_viewport_size(PHONE)
    tabs = page.get_by_role("navigation", name="Operation sections").get_by_role("link")
    assert tabs.count() >= 6
    for index in range(tabs.count()):
        box = tabs.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            f"tab {tabs.nth(index).inner_text()!r} is out of view")
        expect(tabs.nth(index)).to_be_visible()
    page.context.close()


def test_a_title_of_one_long_word_wraps(secretariat, scanner):
    secretariat.goto("/operations/new")
    secretariat.get_by_label("Code", exact=True).fill(LONG_CODE)
    secretariat.get_by_label("Title", exact=True).fill(LONG_WORD)
    secretariat.get_by_label("Host administration").select_option("FR")
    secretariat.get_by_label("Planning starts on").fill("2026-12-01")
    secretariat.get_by_role("button", name="Create operation").click()
    expect(secretariat.get_by_text(f"Operation {LONG_CODE} was created")).to_be_visible()
    operation = _operation_id(secretariat, LONG_CODE)
    for path in (f"/operations/{operation}", "/operations/", "/"):
        _assert_fits(secretariat, path)
    secretariat.goto(f"/operations/{operation}")
    scanner.scan(secretariat, "long-title")


def test_the_dashboards_return_legend_is_text_in_view_on_a_phone(secretariat):
    catalyst = _operation_id(secretariat, "CATALYST-DEMO")
    secretariat.goto(f"/operations/{catalyst}")
    secretariat.set_viewport_size(PHONE)
    legend = secretariat.locator(".reporting-totals dt")
    assert legend.count() >= 4
    for index in range(legend.count()):
        box = legend.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # The drawing carries no legend of its own to be cut off.
    assert secretariat.locator(".chart svg text", has_text="Nil return").count() == 0
    secretariat.set_viewport_size(DESKTOP)
