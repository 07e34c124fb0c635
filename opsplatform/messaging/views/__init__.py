"""The message pages: the inbox across operations, and each operation's messages,
compose form, threads and attachments. One module per area; each registers its routes
on ``bp``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("messaging", __name__)

from . import attachments, inbox, thread  # noqa: E402,F401  (routes register on import)
