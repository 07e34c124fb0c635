"""Issue 9's journey in a real browser: KR's contact point sends an alert with shipment
details and a file to JP and DE, asking them to acknowledge; JP's contact point finds it
under "What needs you" on its home page and acknowledges; the sender sees that DE has
not. Every page visited is scanned by axe at 1440 and 390 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import signed_in

OPERATION = "CATALYST-DEMO"
SUBJECT = "Parcel of bath salts expected at Narita"



def test_an_alert_is_sent_acknowledged_and_followed(browser, base_url, scanner):
    sender = signed_in(browser, base_url, "cp.kr")
    sender.goto("/operations/")
    sender.get_by_role("link", name=re.compile(OPERATION)).first.click()
    sender.get_by_role("navigation", name="Operation sections").get_by_role(
        "link", name="Messages").click()
    expect(sender.get_by_role("heading", name="Messages", level=2)).to_be_visible()
    scanner.scan(sender, "messages-list")

    sender.get_by_role("link", name="New message").click()
    scanner.scan(sender, "messages-compose")
    sender.locator("#subject").fill(SUBJECT)
    sender.locator("#body").fill("A parcel declared as **bath salts**; please check it "
                                 "on arrival.\n\n- two kilograms\n- paid in cash")
    sender.locator("#kind").select_option("alert")
    sender.locator("#priority").select_option("urgent")
    for code in ("JP", "DE"):
        sender.locator(f'input[name="organisations"][value="{code}"]').check()
    sender.locator("#requires_ack").check()
    sender.locator("#alert_tracking_number").fill("RR123456785GB")
    sender.locator("#alert_transport_mode").select_option("postal")
    sender.locator("#alert_route_countries").fill("NL KR JP")
    sender.locator("#alert_commodity").fill("Bath salts (synthetic cathinones)")
    sender.locator("#attachments").set_input_files(files=[{
        "name": "parcel.csv", "mimeType": "text/csv",
        "buffer": b"tracking,weight\nRR123456785GB,2kg\n"}])
    sender.get_by_role("button", name="Send", exact=True).click()
    expect(sender.get_by_role("heading", name=SUBJECT)).to_be_visible()
    expect(sender.get_by_text("RR123456785GB").first).to_be_visible()
    expect(sender.get_by_role("link", name="parcel.csv")).to_be_visible()
    message_url = sender.url
    scanner.scan(sender, "message-sent")

    receiver = signed_in(browser, base_url, "cp.jp")
    needs = receiver.get_by_role("region", name="What needs you")
    link = needs.get_by_role("link", name=f"Acknowledge “{SUBJECT}”")
    expect(link).to_be_visible()
    scanner.scan(receiver, "home-awaiting-acknowledgement")
    link.click()
    expect(receiver.get_by_role("heading", name=SUBJECT)).to_be_visible()
    scanner.scan(receiver, "message-to-acknowledge")
    receiver.get_by_role("button", name="Acknowledge for JP").click()
    expect(receiver.get_by_text("JP acknowledged it on")).to_be_visible()
    receiver.goto("/")
    expect(receiver.get_by_role("link", name=f"Acknowledge “{SUBJECT}”")).to_have_count(0)
    receiver.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("^Messages")).click()
    expect(receiver.get_by_role("link", name=SUBJECT)).to_be_visible()
    scanner.scan(receiver, "inbox")

    sender.goto(message_url)
    table = sender.get_by_role("table", name="Who has acknowledged the message")
    expect(table.get_by_role("row", name=re.compile("^DE")).get_by_text("Not yet")).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("^JP")).get_by_text("Not yet")).to_have_count(0)
    expect(sender.get_by_role("button", name="Remind those who have not (DE)")).to_be_visible()
    scanner.scan(sender, "acknowledgements-followed")
    sender.get_by_role("button", name="Remind those who have not (DE)").click()
    expect(sender.get_by_text("Reminded: DE.")).to_be_visible()
