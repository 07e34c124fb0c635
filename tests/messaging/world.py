"""An operation to exchange messages in, built by the factories: who sends, who is
addressed, who oversees and who must see nothing."""

from __future__ import annotations

from dataclasses import dataclass

from opsplatform.auth.models import User
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.models import Message
from opsplatform.messaging.operations import MessageFields
from opsplatform.operations.access import OperationAccess, standing_in
from opsplatform.operations.models import Operation, OperationRole
from opsplatform.organisations.models import Organisation
from tests.support import factories


@dataclass
class World:
    operation: Operation
    planner: User          # the secretariat
    ocu: User              # coordinator, of the host
    sender: User           # contact point of administration A
    sender_colleague: User  # another contact point of A
    addressee: User        # contact point of B
    bystander: User        # contact point of C, taking part but not addressed
    observer: User         # observer of O, an organisation taking part through observers
    outsider: User         # contact point in another operation only
    a: Organisation
    b: Organisation
    c: Organisation
    o: Organisation

    def access(self, user: User) -> OperationAccess:
        return standing_in(user, self.operation)

    def send(self, sender: User | None = None, **values) -> Message:
        """A message sent through the domain function, by A's contact point to B unless
        ``values`` say otherwise."""
        sender = sender or self.sender
        fields = MessageFields(**{"subject": "Parcel to watch", "body": "Details follow.",
                                  "organisations": [self.b.code], **values})
        return messaging.send_message(self.operation, fields, actor=sender,
                                      access=self.access(sender))


def build_world() -> World:
    planner = factories.secretariat()
    host = factories.organisation()
    operation = factories.operation(actor=planner, host=host)
    ocu = factories.member(operation, OperationRole.COORDINATOR, actor=planner, organisation=host)
    a, b, c, o = (factories.organisation() for _ in range(4))
    sender = factories.member(operation, actor=planner, organisation=a)
    colleague = factories.member(operation, actor=planner, organisation=a)
    addressee = factories.member(operation, actor=planner, organisation=b)
    bystander = factories.member(operation, actor=planner, organisation=c)
    observer = factories.member(operation, OperationRole.OBSERVER, actor=planner, organisation=o)
    elsewhere = factories.operation(actor=planner)
    outsider = factories.member(elsewhere, actor=planner)
    return World(operation, planner, ocu, sender, colleague, addressee, bystander, observer,
                 outsider, a, b, c, o)
