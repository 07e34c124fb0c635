"""The participants list, an organisation's page and the contact-point directory in a real
browser, as the coordinator and as a contact point, scanned by axe at 1440 and 390 px.

At 390 px nothing scrolls sideways, every table row stacks into a block, the role controls
are on screen whole and no phone number breaks; at 1440 px no table is clipped (none
scrolls sideways).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, signed_in

OPERATION = "CATALYST-DEMO"

# Whether every row of every stacking table is a block (its cells one under another).
_ROWS_STACK = """() => [...document.querySelectorAll('table.table--stack tbody tr')].every(row => {
  const cells = [...row.children];
  return getComputedStyle(row).display === 'block' && (cells.length < 2 ||
    cells[1].getBoundingClientRect().top >= cells[0].getBoundingClientRect().bottom - 1);
})"""
_TABLES_FIT = """() => [...document.querySelectorAll('.table-wrap')]
  .every(wrap => wrap.scrollWidth <= wrap.clientWidth + 1)"""
# Phone numbers on one line each.
_PHONES_WHOLE = """() => [...document.querySelectorAll('.phone')]
  .every(phone => phone.getClientRects().length === 1)"""
# The role controls (selects and buttons of the role forms) wholly inside the screen.
_ROLE_CONTROLS_ON_SCREEN = """() => [...document.querySelectorAll(
    '.role-form select, .role-form button, form[action$="/members"] select,'
    + ' form[action$="/members"] button')]
  .every(el => { const box = el.getBoundingClientRect();
                 return box.left >= 0 && box.right <= window.innerWidth; })"""



def _open(page: Page, tab: str) -> None:
    page.goto("/operations/")
    page.get_by_role("link", name=re.compile(OPERATION)).first.click()
    page.get_by_role("navigation", name="Operation sections").get_by_role(
        "link", name=tab).click()


def _check_widths(page: Page, what: str) -> None:
    """At 1440 px no table scrolls sideways; at 390 px neither does the page, the rows
    stack, the role controls are on screen; phone numbers stay whole at both."""
    page.set_viewport_size(DESKTOP)
    assert page.evaluate(_TABLES_FIT), f"{what}: a table is clipped at 1440 px"
    assert page.evaluate(_PHONES_WHOLE), f"{what}: a phone number breaks at 1440 px"
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], what
    assert page.evaluate(_TABLES_FIT), f"{what}: a table scrolls sideways at 390 px"
    assert page.locator("table.table--stack tbody tr").count() > 0, what
    assert page.evaluate(_ROWS_STACK), f"{what}: the rows do not stack at 390 px"
    assert page.evaluate(_ROLE_CONTROLS_ON_SCREEN), f"{what}: a role control is off screen"
    assert page.evaluate(_PHONES_WHOLE), f"{what}: a phone number breaks at 390 px"
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("who, own", [("ocu", "KR"), ("cp.jp", "JP")])
def test_participants_and_directory_at_both_widths(browser, base_url, scanner, who, own):
    page = signed_in(browser, base_url, who)
    _open(page, "Participants")
    # Those taking part first; the others are a choice away, each counted.
    filters = page.get_by_role("navigation", name="Participants by status")
    taking_part = filters.get_by_role("link", name=re.compile(r"^Taking part \(\d+\)$"))
    expect(taking_part).to_have_attribute("aria-current", "true")
    expect(filters.get_by_role("link", name=re.compile(r"^Invited, no answer \(\d+\)$"))
           ).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Participants of"))
    expect(table.get_by_role("link", name=re.compile(rf"\({own}\)$"))).to_be_visible()
    assert page.locator("main form[method=post]").count() == 0  # no form per row
    scanner.scan(page, f"participants-{who}")
    _check_widths(page, f"participants as {who}")

    filters.get_by_role("link", name=re.compile(r"^All \(")).click()
    page.get_by_label("Administration or person").fill("Japan")
    page.get_by_role("button", name="Search").click()
    expect(table.get_by_role("row")).to_have_count(2)  # the header and Japan's row

    # The organisation's own page: its people and roles, then apart what takes access away.
    _open(page, "Participants")
    page.get_by_role("table", name=re.compile("Participants of")).get_by_role(
        "link", name=re.compile(rf"\({own}\)$")).click()
    region = page.get_by_role("region", name=re.compile(rf"\({own}\)"))
    expect(region.get_by_role("heading", name="People and roles")).to_be_visible()
    region.get_by_text(f"Add a person from {own}").click()
    expect(region.get_by_label("Person")).to_be_visible()
    danger = page.get_by_role("region", name=re.compile("Remove people or withdraw"))
    expect(danger.get_by_role("button", name=re.compile("^Remove "))).not_to_have_count(0)
    scanner.scan(page, f"participant-{own}-{who}")
    _check_widths(page, f"{own}'s page as {who}")

    _open(page, "Contact points")
    expect(page.get_by_role("table", name=re.compile("Contact points of"))).to_be_visible()
    scanner.scan(page, f"directory-{who}")
    _check_widths(page, f"directory as {who}")
    page.context.close()
