"""What messaging asks of people (core/needs.py): messages awaiting the acknowledgement of
their administration, for those who acknowledge for it (the roles the permission map
gives ``MESSAGES_SEND`` in the message's operation), flash and urgent ones first.

The navigation's count is one statement built at import and bound per request
(``core/needs.bound_to``). Its condition implies ``visibility.readable_by``: the
message is addressed to the user's administration, which takes part in the operation
(accepted) through the user's own role, and the administration is active. The items
(the home page) add ``readable_by(user)`` itself; ``tests/main/test_need_count_bound.py``
and ``tests/messaging/test_pages_needs.py`` hold the two to the same number.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, func, select

from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.core.needs import (
    ORGANISATION_ID,
    USER_ID,
    Need,
    NeedSource,
    Urgency,
    bound_to,
    register,
)
from opsplatform.core.templating import gettext as _
from opsplatform.operations.models import (
    Membership,
    Operation,
    Participation,
    ParticipationStatus,
)
from opsplatform.organisations.models import Organisation

from .lists import ACKNOWLEDGING_ROLES
from .models import Message, MessageAddressee, MessageKind, MessagePriority
from .urls import MessageUrl
from .visibility import readable_by

sender = Organisation.__table__.alias("sender")
# Aliased: visibility's own conditions on addressees must not correlate to this join.
asked = MessageAddressee.__table__.alias("asked")


def _awaiting() -> Select:
    """Messages awaiting the acknowledgement of ``ORGANISATION_ID``, which ``USER_ID``
    may give: a role acknowledging for it in the message's operation."""
    acknowledges = exists().where(
        Membership.operation_id == Message.operation_id, Membership.user_id == USER_ID,
        Membership.role.in_(ACKNOWLEDGING_ROLES),
        Participation.id == Membership.participation_id,
        Participation.organisation_id == ORGANISATION_ID,
        Participation.status == ParticipationStatus.ACCEPTED)
    return (
        select(Message.id, Message.subject, Message.kind, Message.priority,
               Message.operation_id, Operation.code, sender.c.code, Message.sent_at)
        .join(asked, (asked.c.message_id == Message.id)
              & (asked.c.organisation_id == ORGANISATION_ID)
              & asked.c.acknowledged_at.is_(None))
        .join(Operation, Operation.id == Message.operation_id)
        .join(sender, sender.c.id == Message.sender_organisation_id)
        .where(Message.requires_ack.is_(True), Message.deleted_at.is_(None), acknowledges,
               exists().where(Organisation.id == ORGANISATION_ID,
                              Organisation.is_active.is_(True)))
    )


_AWAITING = _awaiting()
_COUNT = select(func.count()).select_from(_AWAITING.subquery()).scalar_subquery()


def _items(user: User) -> list[Need]:
    message_url = MessageUrl()
    kinds = MessageKind.labels_now()
    priorities = MessagePriority.labels_now()
    needs = []
    for message_id, subject, kind, priority, operation_id, code, sender_code, _sent_at in (
            db.session.execute(_AWAITING.where(readable_by(user)), bound_to(user))):
        pressing = priority is not MessagePriority.ROUTINE
        detail = _("%(kind)s from %(sender)s", kind=kinds[kind], sender=sender_code)
        if pressing:
            detail = f"{priorities[priority]} · {detail}"
        needs.append(Need(
            "message_ack", Urgency.DUE if pressing else Urgency.TO_ANSWER,
            _("Acknowledge “%(subject)s”", subject=subject), detail=detail,
            url=message_url(operation_id, message_id), operation_code=code))
    return needs


register(NeedSource("messaging.acknowledgements", lambda user: _COUNT, _items))
