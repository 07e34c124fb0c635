"""Placeholder: the reporting pages are being built (issue 3)."""

from opsplatform.core.permissions import Permission

from ..access import operation_route
from . import bp


@bp.get("/<int:operation_id>/reporting")
@operation_route(Permission.COMPLIANCE_SUMMARY_READ)
def compliance(operation):
    from flask import render_template

    return render_template("operations/overview.html", operation=operation)
