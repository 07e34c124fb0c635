"""An operation's life as its people live it, in a real browser, with every page scanned.

The secretariat creates an operation and invites administrations; their contact
points accept, one completes its directory entry and files a return, another files
a nil return; the coordinator reads the compliance and reminds the one that has not
reported, which then sees the reminder. Each page visited is scanned by axe at
1440 px and 390 px (``Scanner.scan``). The steps share one platform, in order.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import signed_in

CODE = "JOURNEY-1"
# The usual cycle puts the operational phase 70 days after planning starts: start
# planning 80 days ago, so the operation is ten days into its operational phase and
# its first weekly period is over.
PLANNING_STARTS = date.today() - timedelta(days=80)



def _open_operation(page: Page, tab: str | None = None) -> None:
    page.goto("/operations/")
    page.get_by_role("link", name=re.compile(CODE)).first.click()
    if tab:
        page.get_by_role("navigation", name="Operation sections").get_by_role(
            "link", name=tab).click()


@pytest.fixture(scope="module")
def journey(browser, base_url, scanner):
    return {"browser": browser, "base_url": base_url, "scanner": scanner}


def test_1_the_secretariat_creates_an_operation_and_invites(journey):
    page = signed_in(journey["browser"], journey["base_url"], "secretariat")
    scan = journey["scanner"].scan
    scan(page, "home-secretariat")
    page.goto("/operations/")
    scan(page, "operations-list")
    page.get_by_role("link", name="New operation").click()
    page.get_by_label("Code", exact=True).fill(CODE)
    page.get_by_label("Title", exact=True).fill("Journey through the platform")
    page.get_by_label("Host administration").select_option("KR")
    page.get_by_label("Planning starts on").fill(PLANNING_STARTS.isoformat())
    scan(page, "new-operation")
    page.get_by_role("button", name="Create operation").click()
    expect(page.get_by_text(f"Operation {CODE} was created")).to_be_visible()
    scan(page, "phases")

    _open_operation(page, "Participants")
    for code in ("JP", "FR", "DE"):
        page.get_by_label("Organisation to invite").select_option(code)
        page.get_by_role("button", name="Invite").click()
        expect(page.get_by_role("link", name=re.compile(rf"\({code}\)$"))).to_be_visible()
    # The host's coordinator runs the OCU: named on KR's own page.
    page.get_by_role("link", name=re.compile(r"^Taking part")).click()
    scan(page, "participants-list")
    page.get_by_role("link", name=re.compile(r"\(KR\)$")).click()
    host = page.get_by_role("region", name=re.compile(r"\(KR\)"))
    host.get_by_text("Add a person from KR").click()
    ocu = host.get_by_label("Person").locator("option", has_text="ocu@demo.example.org")
    host.get_by_label("Person").select_option(ocu.get_attribute("value"))
    host.get_by_label("Role").select_option("coordinator")
    host.get_by_role("button", name="Add").click()
    scan(page, "participant-page")
    page.context.close()


def test_2_a_contact_point_accepts_completes_its_entry_and_files_a_return(journey):
    page = signed_in(journey["browser"], journey["base_url"], "cp.jp")
    scan = journey["scanner"].scan
    scan(page, "home-invited")
    _open_operation(page)
    scan(page, "invitation")
    page.get_by_role("button", name="Accept for JP").click()
    expect(page.get_by_text("JP now takes part")).to_be_visible()
    scan(page, "dashboard")

    page.goto("/profile")
    page.get_by_label("Job title").fill("Customs intelligence officer")
    page.get_by_label("24/7 phone").fill("+81 90 5550 0199")
    page.get_by_role("button", name="Save contact details").click()
    scan(page, "profile")
    _open_operation(page, "Contact points")
    expect(page.get_by_role("link", name="+81 90-5550-0199")).to_be_visible()
    scan(page, "directory")

    _open_operation(page, "Reporting")
    page.get_by_label("Reporting period", exact=True).select_option(index=1)
    page.get_by_label("Seizures reported", exact=True).check()
    page.get_by_label("Number of seizures", exact=False).fill("3")
    page.get_by_role("button", name="File the return").click()
    expect(page.get_by_text(re.compile(r"Seizures reported filed for JP"))).to_be_visible()
    scan(page, "reporting-contact-point")
    page.context.close()


def test_3_another_contact_point_files_a_nil_return(journey):
    page = signed_in(journey["browser"], journey["base_url"], "cp.fr")
    _open_operation(page)
    page.get_by_role("button", name="Accept for FR").click()
    _open_operation(page, "Reporting")
    page.get_by_label("Reporting period", exact=True).select_option(index=1)
    page.get_by_label("Nil return", exact=True).check()
    page.get_by_role("button", name="File the return").click()
    expect(page.get_by_text(re.compile(r"Nil return filed for FR"))).to_be_visible()
    page.context.close()
    page = signed_in(journey["browser"], journey["base_url"], "cp.de")
    _open_operation(page)
    page.get_by_role("button", name="Accept for DE").click()
    page.context.close()


def test_4_the_coordinator_reads_the_compliance_and_reminds(journey):
    page = signed_in(journey["browser"], journey["base_url"], "ocu")
    scan = journey["scanner"].scan
    _open_operation(page)
    scan(page, "dashboard-coordinator")
    _open_operation(page, "Reporting")
    table = page.get_by_role("table", name=re.compile("Returns of"))
    expect(table.get_by_role("rowheader", name=re.compile("^JP"))).to_be_visible()
    scan(page, "reporting-coordinator")
    reminders = page.locator("#reminders")
    reminders.locator("summary").first.click()
    reminders.get_by_role("button", name=re.compile("Remind")).first.click()
    expect(page.get_by_text(re.compile(r"[Rr]eminders? (was|were) recorded"))).to_be_visible()
    page.context.close()


def test_5_the_reminded_contact_point_finds_it_waiting_reports_and_corrects(journey):
    page = signed_in(journey["browser"], journey["base_url"], "cp.de")
    # The home page says what waits, the reminder with it, and leads to the form.
    needs = page.get_by_role("region", name="What needs you")
    expect(needs.get_by_text("Reminded on")).to_be_visible()
    journey["scanner"].scan(page, "home-what-needs-me")
    needs.get_by_role("link", name=re.compile(r"DE's return for .* is overdue")).click()
    expect(page.get_by_role("heading", name="File a return")).to_be_visible()
    journey["scanner"].scan(page, "reporting-reminded")
    page.get_by_label("Reporting period", exact=True).select_option(index=1)
    page.get_by_label("Seizures reported", exact=True).check()
    page.get_by_label("Number of seizures", exact=False).first.fill("2")
    page.get_by_role("button", name="File the return").click()
    expect(page.get_by_text(re.compile(r"Seizures reported filed for DE"))).to_be_visible()

    correction = page.locator("details", has=page.get_by_text("Correct the return for period"))
    correction.first.locator("summary").click()
    correction.first.get_by_label("Number of seizures").fill("3")
    journey["scanner"].scan(page, "correcting-a-return")
    correction.first.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text(re.compile(r"The return of DE for .* was corrected"))).to_be_visible()
    expect(page.get_by_text("3 seizures")).to_be_visible()
    page.context.close()
