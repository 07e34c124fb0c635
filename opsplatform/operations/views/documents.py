"""Placeholder: the documents pages are being built (issue 3)."""

from opsplatform.core.permissions import Permission

from ..access import operation_route
from . import bp


@bp.get("/<int:operation_id>/documents")
@operation_route(Permission.DOCUMENTS_READ)
def documents(operation):
    from flask import render_template

    return render_template("operations/overview.html", operation=operation)
