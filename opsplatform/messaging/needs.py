"""What messaging asks of people (core/needs.py): messages awaiting the acknowledgement of
their administration, for those who acknowledge for it (the roles the permission map
gives ``MESSAGES_SEND`` in the message's operation), flash and urgent ones first.

Both the navigation's count and the home page's items read the person's own inbox
rows marked as awaiting acknowledgement (deliveries.py, which writes down the rule of
``visibility.readable_by`` and of ``lists.awaiting_acknowledgement_by``): one statement
built at import and bound per request (``core/needs.bound_to``).
``tests/main/test_need_count_bound.py`` and ``tests/messaging/test_pages_needs.py`` hold
the two to the same number.
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
    Operation,
)
from opsplatform.organisations.models import Organisation

from .models import Message, MessageDelivery, MessageKind, MessagePriority
from .urls import MessageUrl

sender = Organisation.__table__.alias("sender")


def _awaiting() -> Select:
    """Messages awaiting the acknowledgement of the administration of ``USER_ID``, which
    the person may give: their inbox rows so marked (deliveries.py), while the
    administration is active."""
    return (
        select(Message.id, Message.subject, Message.kind, Message.priority,
               Message.operation_id, Operation.code, sender.c.code, Message.sent_at)
        .select_from(MessageDelivery)
        .join(Message, Message.id == MessageDelivery.message_id)
        .join(Operation, Operation.id == Message.operation_id)
        .join(sender, sender.c.id == Message.sender_organisation_id)
        .where(MessageDelivery.user_id == USER_ID, MessageDelivery.awaits_ack.is_(True),
               exists().where(Organisation.id == ORGANISATION_ID,
                              Organisation.is_active.is_(True)))
    )


_AWAITING = _awaiting()
# The same rows counted from the index alone (the joins only label the items).
_COUNT = (select(func.count()).select_from(MessageDelivery)
          .where(MessageDelivery.user_id == USER_ID, MessageDelivery.awaits_ack.is_(True),
                 exists().where(Organisation.id == ORGANISATION_ID,
                                Organisation.is_active.is_(True)))
          .scalar_subquery())


def _items(user: User) -> list[Need]:
    message_url = MessageUrl()
    kinds = MessageKind.labels_now()
    priorities = MessagePriority.labels_now()
    needs = []
    for message_id, subject, kind, priority, operation_id, code, sender_code, _sent_at in (
            db.session.execute(_AWAITING, bound_to(user))):
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
