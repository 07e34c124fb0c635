"""/api/v1: JSON over the same domain operations the pages use, authenticated by bearer tokens."""

from __future__ import annotations

from flask import Blueprint

from opsplatform.core.ratelimits import limit_api

bp = Blueprint("api", __name__, url_prefix="/api/v1")
limit_api(bp)

from . import (  # noqa: E402,F401  (routes register on import)
    attachments,
    auth,
    compliance,
    errors,
    me,
    messages,
    openapi,
    operations,
)
