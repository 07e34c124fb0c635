"""The access rules of the message pages, route by route and person by person.

A message from A (sent by the sender) to B asking for acknowledgement; the expected
status of each (route, person) is written from the rule of visibility.py: A's people,
B's people and the OCU see it; a participant not addressed (C), an observer-only
administration not chosen (O) and someone outside the operation get 404, as for a
message that does not exist, and the 404 names nothing. ``test_every_route_has_an_entry``
fails when a route of the message pages (attachments have their own matrix, in
test_attachments.py) has no entry.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from opsplatform.audit.models import AuditEntry
from opsplatform.core.db import db
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.operations import MessageFields
from tests.messaging.world import build_world
from tests.support.access_matrix import AccessMatrix, Entry, assert_complete
from tests.url_rules import RULES

ROLES = ["anonymous", "outsider", "bystander", "observer", "sender_colleague", "addressee",
         "ocu"]
SUBJECT = "Matrix parcel XJ-42"
A, O = 302, 404  # noqa: E741 - anonymous to sign in; outsiders not found
MESSAGE = r"^/operations/\d+/messages/\d+(#acknowledgements)?$"


def _message(made) -> dict:
    return {"message_id": made["message_id"]}


ENTRIES = [
    Entry("inbox", "messaging.inbox", "GET", (A, 200, 200, 200, 200, 200, 200)),
    Entry("list", "messaging.messages", "GET", (A, O, 200, 200, 200, 200, 200)),
    Entry("compose-form", "messaging.messages_new", "GET", (A, O, 200, 200, 200, 200, 200)),
    Entry("compose", "messaging.messages_new", "POST", (A, O, 302, 302, 302, 302, 302),
          body=lambda made: {"subject": "Sent in the matrix", "body": "Text.",
                             "kind": "general", "priority": "routine", "handling_code": "H0",
                             "tlp": "TLP:AMBER", "audience": "chosen",
                             "organisations": made["chosen"]}, redirect=MESSAGE),
    Entry("message", "messaging.messages_show", "GET", (A, O, O, O, 200, 200, 200),
          values=_message),
    # A reply goes to A, plus B (added, or left out when it is the replier's own).
    Entry("reply", "messaging.messages_reply", "POST", (A, O, O, O, 302, 302, 302),
          values=_message, body=lambda made: {"body": "Noted.", "priority": "routine",
                                              "organisations": made["chosen"][:1]},
          redirect=MESSAGE),
    # A's people sent it and the OCU was not asked: only B acknowledges.
    Entry("acknowledge", "messaging.messages_acknowledge", "POST",
          (A, O, O, O, 409, 302, 409), values=_message, redirect=MESSAGE),
    # The sender's administration and the OCU follow acknowledgements and remind.
    Entry("remind", "messaging.messages_remind", "POST", (A, O, O, O, 302, 403, 302),
          values=_message, redirect=MESSAGE),
    Entry("delete", "messaging.messages_delete", "POST", (A, O, O, O, 403, 403, 302),
          values=_message, redirect=MESSAGE),
]

MATRIX = AccessMatrix(roles=ROLES, entries=ENTRIES, anonymous="anonymous",
                      hidden=(SUBJECT, "XJ-42"))


def test_every_route_has_an_entry():
    assert_complete([rule for rule in RULES if rule.endpoint.startswith("messaging.")
                     and "/attachments" not in rule.rule], MATRIX)


@pytest.mark.parametrize("entry, role", MATRIX.cases())
def test_access(client_as, in_app, entry, role):
    with in_app():
        world = build_world()
        message = messaging.send_message(
            world.operation, MessageFields(subject=SUBJECT, body="Body of the matrix.",
                                           organisations=[world.b.code], requires_ack=True),
            actor=world.sender, access=world.access(world.sender))
        made = {"message_id": message.id, "chosen": [world.b.code, world.c.code]}
        operation_id = world.operation.id
        email = None if role == "anonymous" else getattr(world, role).email
        audited = db.session.scalar(select(func.count(AuditEntry.id)))
    url = entry.url(operation_id=operation_id, **entry.values(made))
    client = client_as(email)
    if entry.method == "GET":
        response = client.get(url)
    else:
        response = client.post_form(url, entry.body_for(made) or {})
    MATRIX.check(entry, role, response, url=url)
    if entry.expected[role] in (403, 404, 409) or role == "anonymous":
        with in_app() as session:
            assert session.scalar(select(func.count(AuditEntry.id))) == audited, (
                "a refused request left a trace")
