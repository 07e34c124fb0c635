"""The inbox: every message a person may see, across operations, unread first; and the
navigation's count of unread messages."""

from __future__ import annotations

from flask import g, render_template, request
from flask_login import current_user

from opsplatform.core.db import db
from opsplatform.core.lists import load_page_args
from opsplatform.core.templating import moment_formatter
from opsplatform.operations.access import visible_operations
from opsplatform.operations.models import Operation

from .. import lists
from .. import needs as _needs  # noqa: F401  (registers what messaging asks of people)
from ..models import MessageKind, MessagePriority
from ..operations import unread_count
from ..urls import MessageUrl
from . import bp

_UNREAD = "_opsplatform_unread_messages"


@bp.app_template_global("unread_messages")
def unread_messages() -> int:
    """How many messages the signed-in person has not opened: the navigation's count (one
    query per request)."""
    if not getattr(current_user, "is_authenticated", False):
        return 0
    if _UNREAD not in g:
        setattr(g, _UNREAD, unread_count(current_user._get_current_object()))
    return getattr(g, _UNREAD)


def list_context(args, refused, page) -> dict:
    """What the message table needs, for the inbox and an operation's list alike."""
    return {
        "args": args, "refused": refused, "page": page, "message_url": MessageUrl(),
        "moment": moment_formatter(),
        "kinds": [(kind.value, label) for kind, label in MessageKind.labels_now().items()],
        "priorities": [(priority.value, label)
                       for priority, label in MessagePriority.labels_now().items()],
    }


@bp.get("/messages/")
def inbox():
    user = current_user._get_current_object()
    args, refused = load_page_args(lists.InboxArgsSchema(), request.args)
    page = lists.inbox_page(user, args)
    operations = db.session.execute(
        visible_operations(user).with_only_columns(Operation.code, Operation.title)
        .order_by(Operation.code)).all()
    return render_template("messaging/inbox.html", operations=operations,
                           **list_context(args, refused, page)), 422 if refused else 200
