"""``readable_in`` (an operation's list, its standing checked) shows exactly the rows
``readable_by`` (the rule) shows in that operation, for everyone who stands in it."""

from __future__ import annotations

from sqlalchemy import select

from opsplatform.core.db import db
from opsplatform.messaging.models import Audience, Message, MessageKind
from opsplatform.messaging.visibility import oversees, readable_by, readable_in


def _ids(condition) -> set[int]:
    return set(db.session.scalars(select(Message.id).where(condition)))


def test_an_operations_list_shows_what_the_rule_shows(world):
    world.send(world.sender, organisations=[world.b.code])
    world.send(world.addressee, organisations=[world.c.code, world.o.code])
    world.send(world.ocu, kind=MessageKind.BULLETIN, audience=Audience.ALL)
    world.send(world.bystander, audience=Audience.OCU)
    people = (world.ocu, world.sender, world.sender_colleague, world.addressee,
              world.bystander, world.observer, world.planner)
    for person in people:
        in_operation = Message.operation_id == world.operation.id
        expected = _ids(readable_by(person) & in_operation)
        shown = _ids(readable_in(person, world.operation.id,
                                 overseeing=oversees(person, world.operation.id)))
        assert shown == expected, person.email
    assert len(_ids(readable_in(world.ocu, world.operation.id, overseeing=True))) == 4
