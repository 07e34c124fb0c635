"""The message lists (messaging/lists.py): what each person finds in their inbox and in an
operation's list, in which order, under which filters, in how many queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from opsplatform.core.db import db, utcnow
from opsplatform.core.lists import ListArgsError, load_args
from opsplatform.messaging import lists
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.models import Audience, MessageKind, MessagePriority
from opsplatform.messaging.operations import AlertFields


def inbox(user, **values):
    return lists.inbox_page(user, load_args(lists.InboxArgsSchema(), values))


def of_operation(world, user, **values):
    return lists.operation_messages_page(
        world.operation, user, load_args(lists.OperationMessagesArgsSchema(), values))


def ids(page) -> list[int]:
    return [row.id for row in page.items]


def test_each_person_lists_only_what_they_may_see(world):
    to_b = world.send(subject="To B")
    to_c = world.send(subject="To C", organisations=[world.c.code])
    assert ids(inbox(world.addressee)) == [to_b.id]
    assert ids(inbox(world.bystander)) == [to_c.id]
    assert set(ids(inbox(world.ocu))) == {to_b.id, to_c.id}
    assert set(ids(of_operation(world, world.sender_colleague))) == {to_b.id, to_c.id}
    for user in (world.observer, world.outsider, world.planner):
        page = inbox(user)
        assert page.items == [] and page.total == 0, user.email
    assert of_operation(world, world.bystander).total == 1


def test_the_inbox_puts_unread_first_then_newest(world):
    first = world.send(subject="First")
    second = world.send(subject="Second")
    third = world.send(subject="Third")
    first.sent_at, second.sent_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    messaging.mark_read(third, world.addressee)
    db.session.flush()
    page = inbox(world.addressee)
    assert ids(page) == [second.id, first.id, third.id]
    assert [row.unread for row in page.items] == [True, True, False]
    # The operation's list is newest first whatever was read.
    assert ids(of_operation(world, world.addressee)) == [third.id, second.id, first.id]


def test_pages_follow_one_another_without_gaps(world):
    sent = [world.send(subject=f"Message {number}") for number in range(5)]
    for message in sent[:2]:
        messaging.mark_read(message, world.addressee)
    seen: list[int] = []
    cursor = None
    while True:
        values = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = inbox(world.addressee, **values)
        assert page.total == 5
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(message.id for message in sent) and len(seen) == 5
    unread = {message.id for message in sent[2:]}
    assert set(seen[:3]) == unread
    listed = []
    cursor = None
    while True:
        page = of_operation(world, world.addressee, limit=2, **({"cursor": cursor} if cursor
                                                                 else {}))
        listed += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert listed == [message.id for message in reversed(sent)]


def test_filters(world):
    alert = world.send(kind=MessageKind.ALERT, priority=MessagePriority.FLASH,
                 requires_ack=True, alert=AlertFields(commodity="Bath salts"))
    plain = world.send(subject="Routine note")
    bulletin = world.send(sender=world.ocu, kind=MessageKind.BULLETIN, audience=Audience.ALL,
                    organisations=[], subject="Weekly newsletter")
    assert ids(inbox(world.addressee, kind="alert")) == [alert.id]
    assert ids(inbox(world.addressee, priority="flash")) == [alert.id]
    assert ids(inbox(world.addressee, needs_my_ack="true")) == [alert.id]
    assert ids(inbox(world.sender, needs_my_ack="true")) == []
    assert set(ids(inbox(world.addressee, operation=world.operation.code.lower()))) == {
        alert.id, plain.id, bulletin.id}
    assert ids(inbox(world.addressee, operation="NOPE-OP")) == []
    today = utcnow().date()
    assert len(ids(inbox(world.addressee, sent_from=today.isoformat(),
                         sent_to=today.isoformat()))) == 3
    assert ids(inbox(world.addressee, sent_to=(today - timedelta(days=1)).isoformat())) == []
    assert ids(of_operation(world, world.addressee, kind="bulletin")) == [bulletin.id]


def test_search_reads_subject_sender_organisation_and_kind(world):
    percent = world.send(subject="Seizure up 100% at the port")
    other = world.send(subject="Seizure up 1000 at the port")
    from_ocu = world.send(sender=world.ocu, subject="From the OCU")
    assert ids(inbox(world.addressee, q="100%")) == [percent.id]
    assert ids(inbox(world.addressee, q="_")) == []
    assert set(ids(inbox(world.addressee, q=world.a.code))) == {percent.id, other.id}
    assert ids(inbox(world.addressee, q=world.ocu.display_name)) == [from_ocu.id]
    alert = world.send(kind=MessageKind.ALERT, subject="Look out",
                 alert=AlertFields(commodity="Bath salts"))
    assert alert.id in ids(inbox(world.addressee, q="alert"))


def test_acknowledgements_show_to_those_who_follow_them(world):
    message = world.send(requires_ack=True, organisations=[world.b.code, world.c.code])
    messaging.acknowledge(message, actor=world.addressee, access=world.access(world.addressee))
    for user in (world.sender, world.ocu):
        row = inbox(user).items[0]
        assert (row.acknowledged, row.addressed) == (1, 2), user.email
    for user in (world.addressee, world.bystander):
        row = inbox(user).items[0]
        assert (row.acknowledged, row.addressed) == (None, None), user.email
    assert not inbox(world.addressee).items[0].needs_my_ack
    assert inbox(world.bystander).items[0].needs_my_ack


def test_a_deleted_message_is_listed_as_such(world):
    message = world.send(requires_ack=True)
    messaging.delete_message(message, actor=world.ocu, access=world.access(world.ocu))
    row = inbox(world.addressee).items[0]
    assert row.deleted and not row.needs_my_ack


@pytest.mark.parametrize(("values", "field"), [
    ({"kind": "memo"}, "kind"), ({"priority": "soon"}, "priority"),
    ({"needs_my_ack": "perhaps"}, "needs_my_ack"), ({"sent_from": "yesterday"}, "sent_from"),
    ({"sent_from": "2025-03-02", "sent_to": "2025-03-01"}, "sent_to"),
    ({"q": "x" * 101}, "q"), ({"cursor": "not-ours"}, "cursor"),
])
def test_bad_arguments_are_refused_naming_them(world, values, field):
    with pytest.raises(ListArgsError) as refused:
        load_args(lists.InboxArgsSchema(), values)
    assert field in refused.value.messages


def test_a_cursor_of_the_inbox_does_not_serve_the_operations_list(world):
    for number in range(3):
        world.send(subject=f"Message {number}")
    cursor = inbox(world.addressee, limit=1).next_cursor
    with pytest.raises(ListArgsError):
        load_args(lists.OperationMessagesArgsSchema(), {"cursor": cursor, "limit": 1})


def _statements(action) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", counted)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


@pytest.mark.parametrize("how_many", [1, 12])
def test_a_page_is_two_queries_whatever_its_length(world, how_many):
    for number in range(how_many):
        world.send(subject=f"Message {number}", requires_ack=True, kind=MessageKind.ALERT,
             alert=AlertFields(commodity="Bath salts"))
    db.session.flush()
    # The args are loaded first (a cursor check reads nothing either).
    args = load_args(lists.InboxArgsSchema(), {})
    # The rows, and their total counted apart (bare: no row's columns computed).
    assert _statements(lambda: lists.inbox_page(world.sender, args)) == 2
    args = load_args(lists.OperationMessagesArgsSchema(), {"limit": 5})
    page = lists.operation_messages_page(world.operation, world.ocu, args)
    assert len(page.items) == min(5, how_many)
    if page.next_cursor:
        args = load_args(lists.OperationMessagesArgsSchema(),
                         {"limit": 5, "cursor": page.next_cursor})
        # The standing is the request's (read once); the rows and the total: two.
        assert _statements(lambda: lists.operation_messages_page(
            world.operation, world.ocu, args)) == 2
