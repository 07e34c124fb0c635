"""The home page and the health check."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from opsplatform.core.access import public
from opsplatform.core.db import db

bp = Blueprint("main", __name__)


HOME_LIST_SIZE = 20


@bp.get("/")
def home():
    """The start page: the user's operations, current ones first."""
    from opsplatform.operations import queries
    from opsplatform.operations.views.overview import list_context

    page = queries.list_operations(current_user, limit=HOME_LIST_SIZE)
    today = date.today()
    order = {"active": 0, "planned": 1, "closed": 2}
    operations = sorted(page.items, key=lambda o: (order[o.status_on(today).value], o.code))
    return render_template(
        "main/home.html", operations=operations, has_more=page.has_next, today=today,
        **list_context(page.items),
    )


@bp.get("/healthz")
@public
def health():
    """For load balancers: the app answers and reaches its database."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
