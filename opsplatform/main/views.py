"""The home page and the health check."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from opsplatform.core.access import public
from opsplatform.core.db import db
from opsplatform.core.needs import count_for, needs_for

bp = Blueprint("main", __name__)


HOME_LIST_SIZE = 20


@bp.get("/")
def home():
    """The start page: the user's latest operations, current ones first."""
    from opsplatform.operations import lists
    from opsplatform.operations.models import OperationStatus

    # The operations list's first rows, as table rows (the account itself: the rows ask it
    # for each operation, the proxy would cost each time).
    page = lists.operation_rows(current_user._get_current_object(),
                                lists.first_page(HOME_LIST_SIZE), today=date.today())
    order = {OperationStatus.ACTIVE: 0, OperationStatus.PLANNED: 1, OperationStatus.CLOSED: 2}
    rows = sorted(page.items, key=lambda row: (order[row.status], row.code))
    return render_template("main/home.html", rows=rows, has_more=page.has_next,
                           needs=needs_for(current_user._get_current_object()))


@bp.app_template_global("need_count")
def need_count() -> int:
    """How many things wait for the signed-in person: the navigation's count (one query)."""
    return count_for(current_user)


@bp.get("/healthz")
@public
def health():
    """For load balancers: the app answers and reaches its database."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
