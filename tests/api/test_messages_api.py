"""/api/v1 messages: who gets what from each route, sending and its refusals, reading,
replying, acknowledging, and the lists (an operation's messages and the inbox).

Every test builds its own operation (tests/messaging/world.py): A sends, B is addressed,
C takes part but is not addressed, O takes part only through an observer, the OCU
oversees, the secretariat planned it, and an outsider stands in another operation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from openapi_schema_validator import OAS30Validator
from sqlalchemy import event, func, select

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.models import User
from opsplatform.core.db import db, utcnow
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.models import Message, MessageAddressee, MessageRead
from opsplatform.messaging.operations import MessageFields
from opsplatform.operations.models import Operation
from tests.messaging.world import World, build_world
from tests.support import factories
from tests.support.access_matrix import AccessMatrix, Entry
from tests.support.clients import assert_api_error
from tests.url_rules import openapi_document

SUBJECT = "Parcel RR123 to watch"


@dataclass
class Api:
    """The world, as the API's tests reach it."""

    world: World
    platform_admin: User

    @property
    def operation_id(self) -> int:
        return self.world.operation.id

    @property
    def messages_url(self) -> str:
        return f"/api/v1/operations/{self.operation_id}/messages"

    def person(self, role: str) -> User:
        if role == "platform_admin":
            return self.platform_admin
        if role == "secretariat":
            return self.world.planner
        return getattr(self.world, role)


@pytest.fixture
def api(in_app) -> Api:
    with in_app():
        return Api(build_world(), factories.user(is_platform_admin=True))


def _sent(api: Api, *, sender: str = "sender", to: list[str] | None = None,
          subject: str = SUBJECT, **values) -> int:
    """A message sent through the domain (as the pages would), its id."""
    world = api.world
    person = db.session.get(User, api.person(sender).id)
    operation = db.session.get(Operation, api.operation_id)
    fields = MessageFields(subject=subject, body="Details follow.",
                           organisations=to if to is not None else [world.b.code], **values)
    return messaging.send_message(operation, fields, actor=person,
                                  access=world.access(person)).id


def _count(in_app) -> int:
    with in_app() as session:
        return session.scalar(select(func.count(Message.id)))


def _message_url(message_id) -> str:
    return f"/api/v1/messages/{message_id}"


# -- who gets what ----------------------------------------------------------------------------

ROLES = ["outsider", "platform_admin", "bystander", "observer", "addressee", "sender", "ocu",
         "secretariat"]


def _message(api: Api) -> int:
    return _sent(api, requires_ack=True)


def _message_id(api: Api, made: int) -> dict:
    return {"message_id": made}


MATRIX = AccessMatrix(
    roles=ROLES,
    error_codes={403: "forbidden", 404: "not_found"},
    hidden=[SUBJECT],
    entries=[
        # Every member lists (what it may see); outsiders learn nothing.
        Entry("messages", "api.list_messages", "GET", (404, 404, 200, 200, 200, 200, 200, 200)),
        # Every member sends (observers too, to chosen administrations).
        Entry("send", "api.send_message", "POST", (404, 404, 201, 201, 201, 201, 201, 201),
              body=lambda api: {"subject": "Hello", "body": "Hi.",
                                "recipients": [api.world.b.code, api.world.c.code]}),
        # Sender's administration, addressee and OCU; the secretariat is none of them.
        Entry("message", "api.get_message", "GET", (404, 404, 404, 404, 200, 200, 200, 404),
              arrange=_message, values=_message_id),
        Entry("reply", "api.reply", "POST", (404, 404, 404, 404, 201, 201, 201, 404),
              arrange=_message, values=_message_id,
              body=lambda api: {"body": "Noted.", "recipients": [api.world.b.code]}),
        # Only an administration asked acknowledges; the others who see it are told why not.
        Entry("acknowledge", "api.acknowledge", "POST", (404, 404, 404, 404, 200, 409, 409, 404),
              arrange=_message, values=_message_id),
        # Everyone has an inbox, empty or not.
        Entry("inbox", "api.inbox", "GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    ],
)


@pytest.mark.parametrize("entry, role", MATRIX.cases())
def test_who_gets_in(api_as, in_app, api, entry, role):
    made = None
    if entry.arrange is not None:
        with in_app():
            made = entry.arrange(api)
    before = _count(in_app)
    url = entry.url(operation_id=api.operation_id, **entry.values(api, made))
    response = api_as(api.person(role)).open(entry.method, url, entry.body_for(api))
    MATRIX.check(entry, role, response, url=url, hidden=[api.world.operation.code])
    assert _count(in_app) == before + (response.status_code == 201)


def test_without_a_token(api_as, api):
    assert_api_error(api_as().get(api.messages_url), 401, "missing_token")
    assert_api_error(api_as().get("/api/v1/inbox"), 401, "missing_token")
    assert_api_error(api_as().get(_message_url(1)), 401, "missing_token")


# -- sending ----------------------------------------------------------------------------------


def test_a_contact_point_sends_an_alert_to_chosen_administrations(api_as, in_app, api):
    world = api.world
    response = api_as(world.sender).post(api.messages_url, {
        "subject": "Parcel from NL", "body": "A **suspicious** parcel.\n\n<script>x</script>",
        "kind": "alert", "priority": "urgent", "recipients": [world.b.code, world.c.code],
        "requires_ack": True, "source_reliability": "B", "information_accuracy": "2",
        "alert": {"tracking_number": "rr 123 456 785 gb", "transport_mode": "postal",
                  "route_countries": ["NL", "kr"], "commodity": "Bath salts",
                  "expected_arrival": "2030-01-05", "consignee": "Kim Min-jun"}})
    assert response.status_code == 201, response.text
    sent = response.json
    assert response.headers["Location"] == _message_url(sent["id"])
    assert (sent["kind"], sent["priority"], sent["audience"]) == ("alert", "urgent", "chosen")
    # The operation's own handling code and TLP when none is given.
    assert (sent["handling_code"], sent["tlp"]) == (world.operation.handling_code.value,
                                                    world.operation.tlp.value)
    assert (sent["source_reliability"], sent["information_accuracy"]) == ("B", "2")
    assert sent["alert"]["tracking_number"] == "RR123456785GB"
    assert sent["alert"]["route_countries"] == ["NL", "KR"]
    assert sent["alert"]["expected_arrival"] == "2030-01-05"
    assert sent["sender"] == {"name": world.sender.display_name, "organisation": world.a.code}
    assert sent["operation"] == {"id": api.operation_id, "code": world.operation.code}
    # The sender follows the acknowledgements: nobody has acknowledged yet.
    assert sent["addressees"] == sorted([
        {"organisation": code, "acknowledged_at": None, "acknowledged_by": None}
        for code in (world.b.code, world.c.code)], key=lambda row: row["organisation"])
    assert sent["own_acknowledgement"] is None
    assert sent["thread"] == [sent["id"]] and sent["thread_id"] == sent["id"]
    assert sent["read"] is True
    assert sent["body"].startswith("A **suspicious** parcel.")
    assert "<strong>suspicious</strong>" in sent["body_html"]
    assert "<script>" not in sent["body_html"] and "&lt;script&gt;" in sent["body_html"]
    with in_app() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.MESSAGE_SENT).order_by(AuditEntry.id.desc())).first()
        assert entry.actor_id == world.sender.id


def test_all_and_ocu_audiences(api_as, api):
    world = api.world
    caller = api_as(world.sender)
    to_all = caller.post(api.messages_url, {"subject": "S", "body": "B", "recipients": "all"})
    assert to_all.status_code == 201, to_all.text
    addressed = {row["organisation"] for row in to_all.json["addressees"]}
    assert {world.b.code, world.c.code} <= addressed and world.o.code not in addressed
    to_ocu = caller.post(api.messages_url, {"subject": "S", "body": "B", "recipients": "ocu"})
    assert to_ocu.status_code == 201, to_ocu.text
    assert [row["organisation"] for row in to_ocu.json["addressees"]] == [
        world.ocu.organisation.code]
    assert api_as(world.bystander).get(_message_url(to_ocu.json["id"])).status_code == 404


def test_only_the_ocu_sends_bulletins_and_only_to_all(api_as, in_app, api):
    world = api.world
    bulletin = {"subject": "Bulletin 1", "body": "Week one.", "kind": "bulletin",
                "recipients": "all"}
    before = _count(in_app)
    assert_api_error(api_as(world.sender).post(api.messages_url, bulletin), 403, "forbidden")
    assert_api_error(api_as(world.ocu).post(api.messages_url, {**bulletin, "recipients": "ocu"}),
                     422, "invalid_audience", field="recipients")
    assert _count(in_app) == before
    assert api_as(world.ocu).post(api.messages_url, bulletin).status_code == 201


def _valid(api: Api, **values) -> dict:
    return {"subject": "Subject", "body": "Body", "recipients": [api.world.b.code], **values}


@pytest.mark.parametrize(("values", "code", "field"), [
    ({"subject": ""}, "missing_subject", "subject"),
    ({"subject": "   "}, "missing_subject", "subject"),
    ({"body": ""}, "missing_body", "body"),
    ({"recipients": []}, "missing_recipients", "recipients"),
    ({"recipients": ["ZZ-NOPE"]}, "unknown_recipients", "recipients"),
    ({"handling_code": "H9"}, "invalid_handling_code", "handling_code"),
    ({"tlp": "TLP:PINK"}, "invalid_tlp", "tlp"),
    ({"priority": "later"}, "invalid_priority", "priority"),
    ({"kind": "reply"}, "invalid_kind", "kind"),
    ({"kind": "memo"}, "invalid_kind", "kind"),
    ({"source_reliability": "Z"}, "invalid_source_reliability", "source_reliability"),
    ({"information_accuracy": "9"}, "invalid_information_accuracy", "information_accuracy"),
    ({"alert": {"commodity": "NPS"}}, "alert_not_allowed", "alert"),
    ({"kind": "alert", "alert": {}}, "empty_alert", "alert"),
    ({"kind": "alert", "alert": {"route_countries": ["XX"]}}, "invalid_route_countries",
     "alert.route_countries"),
    ({"kind": "alert", "alert": {"route_countries": ["FR"] * 11}}, "too_long",
     "alert.route_countries"),
    ({"kind": "alert", "alert": {"container_number": "ABCD1234567"}},
     "invalid_container_number", "alert.container_number"),
    ({"kind": "alert", "alert": {"transport_mode": "teleport"}}, "invalid_alert.transport_mode",
     "alert.transport_mode"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_sent(api_as, in_app, api, values,
                                                                    code, field):
    before = _count(in_app)
    response = api_as(api.world.sender).post(api.messages_url, _valid(api, **values))
    assert_api_error(response, 422, code, field=field)
    assert _count(in_app) == before


def test_a_recipient_not_taking_part_is_refused_by_code(api_as, in_app, api):
    world = api.world
    before = _count(in_app)
    for code in (world.outsider.organisation.code, factories_code(in_app)):
        error = assert_api_error(api_as(world.sender).post(
            api.messages_url, _valid(api, recipients=[world.b.code, code])),
            422, "unknown_recipients", field="recipients")
        assert code in error["message"]
    assert _count(in_app) == before


def factories_code(in_app) -> str:
    """An organisation that exists but takes part in nothing."""
    with in_app():
        return factories.organisation().code


@pytest.mark.parametrize(("values", "fields"), [
    ({"subject": "S" * 201}, ["subject"]),
    ({"body": "B" * 50_001}, ["body"]),
    ({"recipients": "everyone"}, ["recipients"]),
    ({"recipients": ["X" * 21]}, ["recipients"]),
    ({"requires_ack": "perhaps"}, ["requires_ack"]),
    ({"kind": "alert", "alert": {"expected_arrival": "soon"}}, ["alert"]),
    ({"kind": "alert", "alert": {"consignee": "C" * 301}}, ["alert"]),
    ({"unknown": 1}, ["unknown"]),
])
def test_shapes_and_lengths_are_refused_by_field(api_as, in_app, api, values, fields):
    before = _count(in_app)
    response = api_as(api.world.sender).post(api.messages_url, _valid(api, **values))
    assert_api_error(response, 422, "validation_failed", fields=fields)
    assert _count(in_app) == before


@pytest.mark.parametrize("values", [{"subject": "Nul\x00here"}, {"body": "Nul\x00here"},
                                    {"recipients": ["B\x00"]}])
def test_nul_bytes_are_refused_by_the_input_guard(api_as, in_app, api, values):
    before = _count(in_app)
    response = api_as(api.world.sender).post(api.messages_url, _valid(api, **values))
    assert response.status_code == 400
    assert response.json["error"]["code"]
    assert _count(in_app) == before


def test_a_closed_operation_takes_no_message(api_as, in_app, api):
    from opsplatform.operations.operations import close_operation

    with in_app() as session:
        close_operation(session.get(Operation, api.operation_id),
                        actor=session.get(User, api.world.planner.id))
    before = _count(in_app)
    assert_api_error(api_as(api.world.sender).post(api.messages_url, _valid(api)), 409,
                     "operation_closed")
    assert _count(in_app) == before


# -- reading ----------------------------------------------------------------------------------


def test_opening_a_message_marks_it_read_once(api_as, in_app, api):
    world = api.world
    with in_app():
        message_id = _sent(api)

    def reads() -> tuple[int, int]:
        with in_app() as session:
            return (session.scalar(select(func.count()).select_from(MessageRead).where(
                MessageRead.message_id == message_id, MessageRead.user_id == world.addressee.id)),
                session.scalar(select(func.count(AuditEntry.id)).where(
                    AuditEntry.action == AuditAction.MESSAGE_READ,
                    AuditEntry.actor_id == world.addressee.id)))

    assert reads() == (0, 0)
    first = api_as(world.addressee).get(_message_url(message_id))
    assert first.status_code == 200 and first.json["read"] is False
    assert first.json["subject"] == SUBJECT and first.json["body"] == "Details follow."
    assert api_as(world.addressee).get(_message_url(message_id)).json["read"] is True
    assert reads() == (1, 1)


def test_acknowledgements_are_shown_to_sender_and_ocu_only(api_as, in_app, api):
    world = api.world
    with in_app():
        message_id = _sent(api, requires_ack=True, to=[world.b.code, world.c.code])
    acknowledged = api_as(world.addressee).post(f"{_message_url(message_id)}/acknowledge")
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json["organisation"] == world.b.code
    assert acknowledged.json["acknowledged_by"] == world.addressee.display_name
    for follower in (world.sender, world.sender_colleague, world.ocu):
        rows = {row["organisation"]: row for row in
                api_as(follower).get(_message_url(message_id)).json["addressees"]}
        assert rows[world.b.code]["acknowledged_by"] == world.addressee.display_name
        assert rows[world.c.code]["acknowledged_at"] is None
    seen_by_c = api_as(world.bystander).get(_message_url(message_id)).json
    assert seen_by_c["addressees"] == [{"organisation": code} for code in
                                       sorted((world.b.code, world.c.code))]
    assert seen_by_c["own_acknowledgement"] == {"acknowledged_at": None,
                                                "acknowledged_by": None}
    seen_by_b = api_as(world.addressee).get(_message_url(message_id)).json
    assert seen_by_b["own_acknowledgement"]["acknowledged_by"] == world.addressee.display_name
    assert "acknowledged_at" not in seen_by_b["addressees"][0]


def test_an_administration_acknowledges_once(api_as, in_app, api):
    world = api.world
    with in_app():
        asked = _sent(api, requires_ack=True)
        not_asked = _sent(api)
    url = f"{_message_url(asked)}/acknowledge"
    assert api_as(world.addressee).post(url).status_code == 200
    # A colleague of the same administration cannot acknowledge it again.
    with in_app():
        colleague = factories.member(db.session.get(Operation, api.operation_id),
                                     actor=db.session.get(User, world.planner.id),
                                     organisation=db.session.get(type(world.b), world.b.id))
    assert_api_error(api_as(colleague).post(url), 409, "already_acknowledged")
    assert_api_error(api_as(world.sender).post(url), 409, "not_addressed")
    assert_api_error(api_as(world.addressee).post(f"{_message_url(not_asked)}/acknowledge"),
                     409, "no_acknowledgement_required")
    with in_app() as session:
        assert session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == AuditAction.MESSAGE_ACKNOWLEDGED,
            AuditEntry.object_id == asked)) == 1


def test_an_observer_administration_acknowledges_when_chosen(api_as, in_app, api):
    world = api.world
    with in_app():
        message_id = _sent(api, requires_ack=True, to=[world.o.code])
    assert api_as(world.observer).get(_message_url(message_id)).status_code == 200
    response = api_as(world.observer).post(f"{_message_url(message_id)}/acknowledge")
    assert response.status_code == 200, response.text
    assert response.json["organisation"] == world.o.code


@pytest.mark.parametrize("message_id", [0, 999_999_999, 2**31, 2**63])
def test_a_message_that_does_not_exist_is_a_404(api_as, api, message_id):
    caller = api_as(api.world.ocu)
    assert_api_error(caller.get(_message_url(message_id)), 404, "not_found")
    assert_api_error(caller.post(f"{_message_url(message_id)}/replies", {"body": "x"}), 404,
                     "not_found")
    assert_api_error(caller.post(f"{_message_url(message_id)}/acknowledge"), 404, "not_found")


# -- replying ---------------------------------------------------------------------------------


def test_a_reply_goes_to_the_original_sender_and_stays_in_the_thread(api_as, in_app, api):
    world = api.world
    with in_app():
        original = _sent(api, subject="Request 7", to=[world.b.code, world.c.code])
    response = api_as(world.addressee).post(f"{_message_url(original)}/replies", {
        "body": "We found it.", "priority": "flash"})
    assert response.status_code == 201, response.text
    reply = response.json
    assert response.headers["Location"] == _message_url(reply["id"])
    assert (reply["kind"], reply["subject"], reply["priority"]) == ("reply", "Re: Request 7",
                                                                     "flash")
    assert (reply["thread_id"], reply["in_reply_to_id"]) == (original, original)
    assert [row["organisation"] for row in reply["addressees"]] == [world.a.code]
    assert api_as(world.sender).get(_message_url(original)).json["thread"] == [original,
                                                                               reply["id"]]
    # C was addressed by the original, not by the reply: it sees the original alone.
    assert api_as(world.bystander).get(_message_url(original)).json["thread"] == [original]
    assert_api_error(api_as(world.bystander).get(_message_url(reply["id"])), 404, "not_found")


def test_a_reply_adds_administrations_taking_part_only(api_as, in_app, api):
    world = api.world
    with in_app():
        original = _sent(api)
    url = f"{_message_url(original)}/replies"
    before = _count(in_app)
    assert_api_error(api_as(world.addressee).post(url, {
        "body": "x", "recipients": [world.outsider.organisation.code]}), 422,
        "unknown_recipients", field="recipients")
    assert_api_error(api_as(world.addressee).post(url, {"body": ""}), 422, "missing_body",
                     field="body")
    assert _count(in_app) == before
    added = api_as(world.addressee).post(url, {"body": "x", "recipients": [world.c.code],
                                               "subject": "Also for C"})
    assert added.status_code == 201
    assert {row["organisation"] for row in added.json["addressees"]} == {world.a.code,
                                                                         world.c.code}
    assert api_as(world.bystander).get(_message_url(added.json["id"])).status_code == 200


def test_a_reply_to_a_message_the_replier_cannot_see_is_a_404(api_as, in_app, api):
    world = api.world
    with in_app():
        original = _sent(api)
    before = _count(in_app)
    for person in (world.bystander, world.observer, world.outsider, world.planner):
        response = api_as(person).post(f"{_message_url(original)}/replies", {"body": "Me too"})
        assert_api_error(response, 404, "not_found")
        assert SUBJECT not in response.text
    assert _count(in_app) == before


# -- lists ------------------------------------------------------------------------------------


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json["items"]]


def test_the_list_shows_each_caller_what_they_may_see_newest_first(api_as, in_app, api):
    world = api.world
    with in_app():
        to_b = _sent(api, subject="To B")
        to_c = _sent(api, subject="To C", to=[world.c.code])
        to_o = _sent(api, subject="To O", to=[world.o.code], requires_ack=True)
    seen = {role: api_as(api.person(role)).get(api.messages_url).json
            for role in ("sender", "addressee", "bystander", "observer", "ocu", "secretariat")}
    assert [item["id"] for item in seen["sender"]["items"]] == [to_o, to_c, to_b]
    assert seen["ocu"]["total"] == 3
    assert ([item["id"] for item in seen["addressee"]["items"]], seen["addressee"]["total"]) \
        == ([to_b], 1)
    assert [item["id"] for item in seen["bystander"]["items"]] == [to_c]
    assert [item["id"] for item in seen["observer"]["items"]] == [to_o]
    assert (seen["secretariat"]["items"], seen["secretariat"]["total"]) == ([], 0)
    for role in ("addressee", "bystander", "observer", "secretariat"):
        assert "To B" not in str(seen[role]) or role == "addressee"
    item = seen["observer"]["items"][0]
    assert item["url"] == _message_url(to_o)
    assert (item["read"], item["needs_my_ack"], item["acknowledged"]) == (False, True, None)
    assert seen["sender"]["items"][0]["acknowledged"] == 0
    assert seen["sender"]["items"][0]["addressed"] == 1


def test_the_list_pages_and_filters_as_the_page_does(api_as, in_app, api):
    world = api.world
    with in_app():
        sent = [_sent(api, subject=f"Note {number}") for number in range(3)]
        alert = _sent(api, subject="Alert", kind="alert", priority="flash",
                      alert=messaging.AlertFields(commodity="NPS"))
    caller = api_as(world.addressee)
    first = caller.get(f"{api.messages_url}?limit=2")
    assert (_ids(first), first.json["total"]) == ([alert, sent[2]], 4)
    second = caller.get(f"{api.messages_url}?limit=2&cursor={first.json['next_cursor']}")
    assert (_ids(second), second.json["next_cursor"]) == ([sent[1], sent[0]], None)
    assert _ids(caller.get(f"{api.messages_url}?kind=alert")) == [alert]
    assert _ids(caller.get(f"{api.messages_url}?priority=flash")) == [alert]
    assert _ids(caller.get(f"{api.messages_url}?q=note+1")) == [sent[1]]
    assert_api_error(caller.get(f"{api.messages_url}?kind=memo"), 422, "validation_failed",
                     field="kind")
    assert_api_error(caller.get(f"{api.messages_url}?limit=2&cursor=forged.cursor"), 422,
                     "invalid_cursor", field="cursor")
    # A cursor belongs to its filters.
    assert_api_error(caller.get(f"{api.messages_url}?kind=alert&limit=2&cursor="
                                f"{first.json['next_cursor']}"), 422, "invalid_cursor")


def test_the_inbox_puts_unread_first_and_hides_what_the_caller_may_not_see(api_as, in_app, api):
    world = api.world
    with in_app():
        older = _sent(api, subject="Older", requires_ack=True)
        newer = _sent(api, subject="Newer")
        elsewhere = _sent(api, subject="For C only", to=[world.c.code])
    caller = api_as(world.addressee)
    assert _ids(caller.get("/api/v1/inbox")) == [newer, older]
    caller.get(_message_url(newer))
    inbox = caller.get("/api/v1/inbox").json
    assert [item["id"] for item in inbox["items"]] == [older, newer]
    assert [item["read"] for item in inbox["items"]] == [False, True]
    assert inbox["total"] == 2 and elsewhere not in [item["id"] for item in inbox["items"]]
    assert _ids(caller.get("/api/v1/inbox?needs_my_ack=true")) == [older]
    assert _ids(caller.get(f"/api/v1/inbox?operation={world.operation.code}")) == [older, newer]
    assert _ids(caller.get("/api/v1/inbox?operation=NO-SUCH-OP")) == []
    for person in (world.outsider, world.planner, api.platform_admin):
        nothing = api_as(person).get(f"/api/v1/inbox?q={world.operation.code}").json
        assert (nothing["items"], nothing["total"]) == ([], 0)
        assert api_as(person).get("/api/v1/inbox").json["total"] == 0
    bystander = api_as(world.bystander).get("/api/v1/inbox?q=Older").json
    assert (bystander["items"], bystander["total"]) == ([], 0)


# -- what the OpenAPI document promises -------------------------------------------------------

DOCUMENT = openapi_document()


def _conforms(path: str, method: str, response) -> None:
    """The response's JSON is what the OpenAPI document says this status answers."""
    declared = DOCUMENT["paths"][path][method.lower()]["responses"][str(response.status_code)]
    if "$ref" in declared:
        declared = DOCUMENT["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
    schema = declared["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": DOCUMENT["components"]}).validate(response.json)


def test_every_answer_is_as_documented(api_as, in_app, api):
    world = api.world
    with in_app():
        message_id = _sent(api, requires_ack=True, kind="alert",
                           alert=messaging.AlertFields(air_waybill="180-12345675"))
    operation_path = "/api/v1/operations/{operation_id}/messages"
    message_path = "/api/v1/messages/{message_id}"
    sender, addressee, bystander = (api_as(person) for person in
                                    (world.sender, world.addressee, world.bystander))
    answers = [
        (operation_path, "GET", sender.get(api.messages_url), 200),
        (operation_path, "GET", sender.get(f"{api.messages_url}?limit=0"), 422),
        (operation_path, "GET", api_as(world.outsider).get(api.messages_url), 404),
        (operation_path, "POST", sender.post(api.messages_url, _valid(api)), 201),
        (operation_path, "POST", sender.post(api.messages_url, _valid(api, tlp="X")), 422),
        (operation_path, "POST", sender.post(api.messages_url, _valid(api, body=1)), 422),
        (operation_path, "POST", sender.post(api.messages_url, _valid(api, kind="bulletin",
                                                                      recipients="all")), 403),
        (message_path, "GET", sender.get(_message_url(message_id)), 200),
        (message_path, "GET", addressee.get(_message_url(message_id)), 200),
        (message_path, "GET", bystander.get(_message_url(message_id)), 404),
        (f"{message_path}/replies", "POST",
         addressee.post(f"{_message_url(message_id)}/replies", {"body": "Seen."}), 201),
        (f"{message_path}/replies", "POST",
         addressee.post(f"{_message_url(message_id)}/replies", {"body": " "}), 422),
        (f"{message_path}/acknowledge", "POST",
         addressee.post(f"{_message_url(message_id)}/acknowledge"), 200),
        (f"{message_path}/acknowledge", "POST",
         addressee.post(f"{_message_url(message_id)}/acknowledge"), 409),
        ("/api/v1/inbox", "GET", addressee.get("/api/v1/inbox"), 200),
        ("/api/v1/inbox", "GET", addressee.get("/api/v1/inbox?sent_from=soon"), 422),
    ]
    for path, method, response, status in answers:
        assert response.status_code == status, (path, method, response.text)
        _conforms(path, method, response)


def test_a_deleted_message_keeps_its_tombstone_only(api_as, in_app, api):
    world = api.world
    with in_app() as session:
        message_id = _sent(api, kind="alert", alert=messaging.AlertFields(commodity="NPS"))
        ocu = session.get(User, world.ocu.id)
        messaging.delete_message(session.get(Message, message_id), actor=ocu,
                                 access=world.access(ocu))
    response = api_as(world.addressee).get(_message_url(message_id))
    assert response.status_code == 200
    shown = response.json
    assert shown["deleted_at"] is not None
    assert (shown["body"], shown["body_html"], shown["alert"], shown["attachments"]) == (
        None, None, None, [])
    _conforms("/api/v1/messages/{message_id}", "GET", response)
    [item] = api_as(world.addressee).get(api.messages_url).json["items"]
    assert item["deleted"] is True
    assert_api_error(api_as(world.addressee).post(f"{_message_url(message_id)}/replies",
                                                  {"body": "x"}), 409, "message_deleted")


def test_sending_to_more_administrations_runs_no_more_statements(api_as, in_app, api,
                                                                 _transaction):
    """Sending, answering with every addressee and reading it back: as many statements
    for 4 administrations acknowledged as for 14."""
    world = api.world
    caller = api_as(world.sender)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def statements_for_sending() -> tuple[int, int]:
        sent = caller.post(api.messages_url, {"subject": "S", "body": "B", "recipients": "all",
                                              "requires_ack": True})
        assert sent.status_code == 201
        with in_app() as session:
            for addressee in session.scalars(select(MessageAddressee).where(
                    MessageAddressee.message_id == sent.json["id"])):
                person = factories.user(organisation=addressee.organisation)
                addressee.acknowledged_at, addressee.acknowledged_by_id = utcnow(), person.id
        statements.clear()
        event.listen(_transaction, "before_cursor_execute", count)
        try:
            caller.post(api.messages_url, {"subject": "S", "body": "B", "recipients": "all"})
            sending = len(statements)
            statements.clear()
            assert caller.get(_message_url(sent.json["id"])).status_code == 200
            return sending, len(statements)
        finally:
            event.remove(_transaction, "before_cursor_execute", count)

    caller.get(api.messages_url)  # the token's first use is recorded once
    few = statements_for_sending()
    with in_app() as session:
        operation = session.get(Operation, api.operation_id)
        for _ in range(10):
            factories.member(operation, actor=session.get(User, world.planner.id))
    assert statements_for_sending() == few, "\n".join(s[:150] for s in statements)
