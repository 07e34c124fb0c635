"""Messages awaiting acknowledgement under "what needs me": the navigation's count (one
statement built once, bound per request) and the home page's items agree for everyone of
the world, addressed or not, and flash and urgent ones come first."""

from __future__ import annotations

import pytest
from flask_login import login_user

from opsplatform.core import needs
from opsplatform.core.db import db
from opsplatform.messaging import operations as messaging

PEOPLE = ("planner", "ocu", "sender", "sender_colleague", "addressee", "bystander", "observer",
          "outsider")


def _send(world, **values):
    return world.send(**{"subject": "Confirm receipt", "body": "Please confirm.",
                         "organisations": [world.b.code, world.o.code], "requires_ack": True,
                         **values})


def _kinds(app, user) -> tuple[int, list[str]]:
    with app.test_request_context("/"):
        login_user(user)
        count = needs.count_for(user)
        titles = [need.title for need in needs.needs_for(user) if need.kind == "message_ack"]
        return count, titles


@pytest.mark.parametrize("who", PEOPLE)
def test_the_count_is_the_number_of_items(app, world, who):
    _send(world)
    _send(world, subject="Flash one", priority="flash")
    db.session.flush()
    user = getattr(world, who)
    with app.test_request_context("/"):
        login_user(user)
        assert needs.count_for(user) == len(needs.needs_for(user))


def test_only_those_who_acknowledge_for_an_addressed_administration_are_asked(app, world):
    _send(world, subject="Routine one")
    _send(world, subject="Flash one", priority="flash")
    db.session.flush()
    _count, titles = _kinds(app, world.addressee)
    assert titles == ["Acknowledge “Flash one”", "Acknowledge “Routine one”"]
    for who in ("sender", "sender_colleague", "bystander", "ocu", "outsider", "planner"):
        assert _kinds(app, getattr(world, who))[1] == [], who


def test_an_acknowledged_or_deleted_message_asks_nothing_more(app, world):
    first, second = _send(world), _send(world, subject="Second")
    messaging.acknowledge(first, actor=world.addressee, access=world.access(world.addressee))
    messaging.delete_message(second, actor=world.ocu, access=world.access(world.ocu))
    db.session.flush()
    assert _kinds(app, world.addressee)[1] == []
