"""The message pages through the app: inbox, an operation's list, compose, one message with
its thread, acknowledging, reminding, deleting; the navigation's unread count.

The world is built in its own app context and the requests run outside it (``in_app``),
so that they never share ``g`` with the test; ``Pages`` keeps ids, codes and names."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.models import User
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.models import Message, MessageKind, MessageRead
from opsplatform.messaging.operations import MessageFields
from opsplatform.operations.access import standing_in
from opsplatform.operations.models import Operation
from tests.messaging.world import build_world

PEOPLE = ("planner", "ocu", "sender", "sender_colleague", "addressee", "bystander", "observer",
          "outsider")


@dataclass
class Pages:
    operation_id: int
    operation_code: str
    users: dict[str, int]      # role in the world -> user id
    names: dict[str, str]      # role -> display name
    emails: dict[str, str]
    codes: dict[str, str]      # "a", "b", "c", "o" -> organisation code
    org_names: dict[str, str]

    def url(self, message_id: int | None = None, action: str = "") -> str:
        base = f"/operations/{self.operation_id}/messages"
        return base + action if message_id is None else f"{base}/{message_id}{action}"


@pytest.fixture
def world(in_app) -> Pages:
    with in_app():
        built = build_world()
        return Pages(built.operation.id, built.operation.code,
                     {who: getattr(built, who).id for who in PEOPLE},
                     {who: getattr(built, who).display_name for who in PEOPLE},
                     {who: getattr(built, who).email for who in PEOPLE},
                     {name: getattr(built, name).code for name in "abco"},
                     {name: getattr(built, name).name for name in "abco"})


@pytest.fixture
def send(in_app, world):
    """``send(sender="sender", **fields)``: a message sent through the domain; its id."""

    def _send(sender: str = "sender", **values) -> int:
        with in_app() as session:
            actor = session.get(User, world.users[sender])
            operation = session.get(Operation, world.operation_id)
            fields = MessageFields(**{"subject": "Parcel to watch", "body": "Details follow.",
                                      "organisations": [world.codes["b"]], **values})
            return messaging.send_message(operation, fields, actor=actor,
                                          access=standing_in(actor, operation)).id

    return _send


@pytest.fixture
def act(in_app, world):
    """``act(function, message_id, who)``: a domain function on a message, as ``who``."""

    def _act(function, message_id: int, who: str):
        with in_app() as session:
            actor = session.get(User, world.users[who])
            message = session.get(Message, message_id)
            operation = session.get(Operation, world.operation_id)
            if function is messaging.mark_read:
                return function(message, actor)
            return function(message, actor=actor, access=standing_in(actor, operation))

    return _act


@pytest.fixture
def pages(client_as, world):
    """``pages("addressee")``: a signed-in browser of one of the world's people."""
    return lambda who: client_as(world.emails[who])


def compose_form(world, **values) -> dict:
    return {"subject": "Suspicious parcel", "body": "Seen at the **hub**.", "kind": "general",
            "priority": "routine", "handling_code": "H1", "tlp": "TLP:AMBER",
            "audience": "chosen", "organisations": [world.codes["b"]], **values}


# -- the lists --------------------------------------------------------------------------------


def test_the_inbox_shows_unread_in_bold_and_in_words(world, send, act, pages):
    unread = send(subject="Unread one", priority="flash")
    read = send(subject="Read one")
    act(messaging.mark_read, read, "addressee")
    page = pages("addressee").get("/messages/")
    assert page.status_code == 200
    text = page.text
    assert re.search(rf'<strong><a href="[^"]+/messages/{unread}">Unread one</a></strong>',
                     text)
    assert "<strong>Unread</strong>" in text
    assert "badge--priority-flash" in text and ">Flash<" in text
    assert text.index("Unread one") < text.index("Read one")
    assert re.search(r'Messages <span class="count" aria-hidden="true">1</span>', text)


def test_the_inbox_filters_and_searches_literally(world, send, pages):
    send(subject="Up 100% this week")
    send(subject="Up 1000 this week", priority="urgent")
    client = pages("addressee")
    page = client.get("/messages/?q=100%25")
    assert "Up 100% this week" in page.text and "Up 1000 this week" not in page.text
    assert "1 message" in page.text
    assert "No message matches the filters." in client.get("/messages/?q=_").text
    page = client.get(f"/messages/?priority=urgent&operation={world.operation_code}")
    assert "Up 1000 this week" in page.text and "Up 100% this week" not in page.text


def test_refused_filters_are_named_and_the_list_still_shows(world, send, pages):
    send()
    page = pages("addressee").get("/messages/?kind=memo")
    assert page.status_code == 422
    assert "Choose one of the kinds offered." in page.text
    assert "Parcel to watch" in page.text


def test_the_operation_list_has_a_new_message_button_for_senders(world, send, pages):
    send(subject="For B")
    page = pages("addressee").get(world.url())
    assert page.status_code == 200 and "For B" in page.text
    assert "New message" in page.text
    assert 'aria-current="page">Messages<' in page.text
    bystander = pages("bystander").get(world.url())
    assert bystander.status_code == 200 and "For B" not in bystander.text
    assert "0 messages" in bystander.text


def test_a_list_has_no_form_in_its_rows(world, send, pages):
    for number in range(3):
        send(subject=f"Message {number}", requires_ack=True)
    text = pages("ocu").get(world.url()).text
    table = text[text.index("<table"):text.index("</table>")]
    assert "<form" not in table
    assert "Acknowledged by 0 of 1" in table


# -- composing --------------------------------------------------------------------------------


def test_compose_sends_and_opens_the_message(world, pages, in_app):
    client = pages("sender")
    form = client.get(world.url(action="/new"))
    assert form.status_code == 200
    assert "no names, numbers or other personal data" in form.text
    assert "OCU bulletin" not in form.text
    response = client.post_form(world.url(action="/new"), compose_form(world))
    assert response.status_code == 302
    with in_app() as session:
        message = session.scalar(select(Message).where(Message.subject == "Suspicious parcel"))
        assert response.headers["Location"].endswith(f"/messages/{message.id}")
        assert [a.organisation.code for a in message.addressees] == [world.codes["b"]]
    page = pages("addressee").get(response.headers["Location"])
    assert "Seen at the <strong>hub</strong>." in page.text


def test_the_observers_are_marked_and_coordinators_are_offered_bulletins(world, pages):
    form = pages("ocu").get(world.url(action="/new")).text
    assert "OCU bulletin" in form
    assert f"{world.codes['o']} — {world.org_names['o']} (observers only)" in form


def _messages(in_app) -> int:
    with in_app() as session:
        return session.scalar(select(func.count(Message.id)))


def test_a_failed_send_keeps_what_was_typed_and_sends_nothing(world, pages, in_app):
    before = _messages(in_app)
    response = pages("sender").post_form(world.url(action="/new"), compose_form(
        world, kind="alert", alert_route_countries="NL XX", alert_commodity="Bath salts",
        body="Typed *with care*"))
    assert response.status_code == 422
    assert "“XX” is not a country code" in response.text
    assert 'value="NL XX"' in response.text and 'value="Bath salts"' in response.text
    assert "Typed *with care*" in response.text
    assert _messages(in_app) == before


@pytest.mark.parametrize(("values", "message"), [
    ({"subject": ""}, "Give the message a subject."),
    ({"body": ""}, "Write the message."),
    ({"organisations": []}, "Choose at least one administration"),
    ({"organisations": ["ZZ-NOPE"]}, "Not taking part in"),
    ({"kind": "alert"}, "Give at least one detail of the shipment"),
    ({"tlp": "TLP:PURPLE"}, "Not a valid choice"),
    ({"subject": "x" * 201}, "200"),
])
def test_bad_input_is_named(world, pages, in_app, values, message):
    before = _messages(in_app)
    response = pages("sender").post_form(world.url(action="/new"),
                                         compose_form(world, **values))
    assert response.status_code == 422
    assert message in response.text
    assert _messages(in_app) == before


def test_an_observer_cannot_send_a_bulletin(world, pages, in_app):
    response = pages("observer").post_form(world.url(action="/new"), compose_form(
        world, kind="bulletin", audience="all", organisations=[]))
    assert response.status_code == 422
    with in_app() as session:
        assert session.scalar(select(func.count(Message.id)).where(
            Message.operation_id == world.operation_id,
            Message.kind == MessageKind.BULLETIN)) == 0


def test_an_alert_is_sent_with_its_shipment_and_a_file(world, pages, in_app):
    import io

    from werkzeug.datastructures import FileStorage

    client = pages("sender")
    data = compose_form(
        world, kind="alert", priority="urgent", requires_ack="y",
        organisations=[world.codes["b"], world.codes["c"]],
        alert_tracking_number="RR123456785GB", alert_transport_mode="postal",
        alert_route_countries="nl, kr", alert_commodity="Bath salts",
        alert_expected_arrival="2030-05-01", alert_consignee="Kim Min-jun",
        source_reliability="B", information_accuracy="2")
    data["attachments"] = FileStorage(io.BytesIO(b"tracking,weight\nRR123456785GB,2kg\n"),
                                      "parcel.csv", content_type="text/csv")
    response = client.post(world.url(action="/new"),
                           data={"csrf_token": client.csrf_token(), **data},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.text[-2000:]
    page = pages("addressee").get(response.headers["Location"]).text
    for text in ("RR123456785GB", "NL → KR", "Bath salts", "Kim Min-jun", "Postal",
                 "Acknowledge for", "B — source usually reliable", "parcel.csv"):
        assert text in page, text


def test_shipment_fields_are_ignored_for_other_kinds(world, pages, in_app):
    response = pages("sender").post_form(world.url(action="/new"), compose_form(
        world, alert_commodity="ignored for a general message"))
    assert response.status_code == 302
    with in_app() as session:
        message = session.scalar(select(Message).where(Message.subject == "Suspicious parcel"))
        assert message.alert is None


# -- one message ------------------------------------------------------------------------------


def test_opening_a_message_marks_it_read_once(world, send, pages, in_app):
    message = send()
    client = pages("addressee")
    assert re.search(r'Messages <span class="count"', client.get("/messages/").text)
    client.get(world.url(message))
    client.get(world.url(message))
    with in_app() as session:
        assert session.get(MessageRead, (message, world.users["addressee"])) is not None
        assert session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == AuditAction.MESSAGE_READ,
            AuditEntry.object_id == message)) == 1
    assert not re.search(r'Messages <span class="count"', client.get("/messages/").text)


def test_markdown_is_sanitised(world, send, pages):
    message = send(body="<script>alert(1)</script>\n\n[click](javascript:alert(1)) "
                        "[site](https://example.org) <img src=x onerror=alert(1)>")
    page = pages("addressee").get(world.url(message)).text
    body = page[page.index('class="prose message-body"'):]
    body = body[:body.index("</div>")]
    assert "<script" not in body and 'href="javascript:' not in body
    assert "&lt;script&gt;" in body
    assert '<a href="https://example.org" rel="noopener noreferrer">site</a>' in body
    assert "<img" not in body


def test_the_thread_shows_in_order_with_the_current_one_marked(world, send, pages, in_app):
    original = send(subject="Question")
    response = pages("addressee").post_form(world.url(original, "/reply"), {
        "subject": "", "body": "Answer.", "priority": "routine"})
    assert response.status_code == 302
    with in_app() as session:
        reply = session.scalar(select(Message.id).where(Message.in_reply_to_id == original))
    page = pages("sender").get(world.url(reply)).text
    thread = page[page.index('class="thread"'):]
    assert thread.index("Question") < thread.index("Re: Question")
    assert 'aria-current="page">Re: Question<' in thread


def test_a_reply_that_fails_keeps_its_text(world, send, pages):
    original = send()
    response = pages("addressee").post_form(world.url(original, "/reply"), {
        "subject": "", "body": "My answer", "priority": "routine",
        "organisations": ["ZZ-NOPE"]})
    assert response.status_code == 422
    assert "Not taking part in" in response.text and "My answer" in response.text


def test_acknowledging_and_following_who_has_not(world, send, pages):
    message = send(requires_ack=True, organisations=[world.codes["b"], world.codes["c"]])
    addressee, sender = pages("addressee"), pages("sender")
    page = addressee.get(world.url(message)).text
    assert "Acknowledge for" in page and "Not yet" not in page  # B does not follow
    assert addressee.post_form(world.url(message, "/acknowledge")).status_code == 302
    assert addressee.post_form(world.url(message, "/acknowledge")).status_code == 409
    for client in (sender, pages("ocu")):
        page = client.get(world.url(message)).text
        section = page[page.index('id="acknowledgements"'):]
        assert world.names["addressee"] in section and "Not yet" in section
        assert f"Remind those who have not ({world.codes['c']})" in section
    assert sender.post_form(world.url(message, "/remind")).status_code == 302
    assert addressee.post_form(world.url(message, "/remind")).status_code == 403


def test_the_ocu_deletes_and_a_tombstone_stays(world, send, pages):
    message = send(body="Secret details")
    ocu = pages("ocu")
    page = ocu.get(world.url(message)).text
    assert "Delete the message" in page and "data-confirm" in page
    assert "Delete the message" not in pages("sender").get(world.url(message)).text
    assert ocu.post_form(world.url(message, "/delete")).status_code == 302
    page = pages("addressee").get(world.url(message)).text
    assert "Deleted by the OCU on" in page and "Secret details" not in page
    assert "Send the reply" not in page


# -- what needs me ----------------------------------------------------------------------------


def test_a_message_awaiting_acknowledgement_needs_the_addressee(world, send, act, pages):
    message = send(requires_ack=True, priority="urgent", subject="Please confirm")
    client = pages("addressee")
    home = client.get("/").text
    assert "Acknowledge “Please confirm”" in home
    for who in ("sender", "bystander", "ocu", "outsider", "observer"):
        assert "Please confirm" not in pages(who).get("/").text, who
    act(messaging.acknowledge, message, "addressee")
    assert "Please confirm" not in client.get("/").text
