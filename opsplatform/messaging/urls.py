"""Links to messages for the many rows of one page: the route built once, both ids filled
in per row (``url_for`` costs some 50 µs; a message's URL names its operation and itself)."""

from __future__ import annotations

from flask import url_for

# Numbers no id reaches (core/db.MAX_ID is 2**31 - 1), marking where each id goes.
_OPERATION_MARK, _MESSAGE_MARK = 9_876_543_211, 9_876_543_212
SHOW = "messaging.messages_show"


class MessageUrl:
    """``url_for("messaging.messages_show", operation_id=..., message_id=...)``, quickly."""

    def __init__(self, endpoint: str = SHOW, **values):
        url = url_for(endpoint, operation_id=_OPERATION_MARK, message_id=_MESSAGE_MARK,
                      **values)
        self.template = (url.replace("%", "%%").replace(str(_OPERATION_MARK), "%(o)d", 1)
                         .replace(str(_MESSAGE_MARK), "%(m)d", 1))

    def __call__(self, operation_id: int, message_id: int) -> str:
        return self.template % {"o": int(operation_id), "m": int(message_id)}
