"""The contact-point directory of an operation, on screen, as CSV and as vCards."""

from __future__ import annotations

import csv
import io

import vobject
from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from opsplatform.core.exports import csv_safe
from opsplatform.core.lists import load_page_args
from opsplatform.core.permissions import Permission

from .. import queries
from ..access import operation_route
from ..directory import record_directory_export
from ..models import Operation, OperationRole
from . import bp

CSV_COLUMNS = ["name", "job_title", "organisation_code", "organisation_name", "role",
               "office_phone", "duty_phone", "email", "languages", "time_zone"]


@bp.get("/<int:operation_id>/contacts")
@operation_route(Permission.CONTACTS_READ)
def directory(operation):
    args, refused = load_page_args(queries.DirectoryArgsSchema(), request.args)
    return render_template("operations/directory.html", operation=operation,
                           page=queries.directory_page(operation, args), args=args,
                           refused=refused, role_labels=OperationRole.labels_now()), \
        422 if refused else 200


def _download(operation: Operation, body: str, mimetype: str, extension: str) -> Response:
    record_directory_export(operation, actor=current_user._get_current_object(),
                            format=extension)
    filename = f"{operation.code}-contact-points.{extension}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/<int:operation_id>/contacts.csv")
@operation_route(Permission.CONTACTS_READ)
def directory_csv(operation):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in queries.directory(operation):
        values = {**vars(entry), "role": entry.role.label}
        writer.writerow([csv_safe(values[c])
                         for c in CSV_COLUMNS])
    return _download(operation, out.getvalue(), "text/csv", "csv")


@bp.get("/<int:operation_id>/contacts.vcf")
@operation_route(Permission.CONTACTS_READ)
def directory_vcard(operation):
    cards = []
    for entry in queries.directory(operation):
        card = vobject.vCard()
        card.add("fn").value = entry.name
        card.add("n").value = vobject.vcard.Name(family="", given=entry.name)
        card.add("org").value = [entry.organisation_name]
        card.add("title").value = entry.job_title or entry.role.label
        card.add("role").value = entry.role.label
        email = card.add("email")
        email.value, email.type_param = entry.email, "WORK"
        if entry.office_phone:
            phone = card.add("tel")
            phone.value, phone.type_param = entry.office_phone, "WORK"
        if entry.duty_phone:
            phone = card.add("tel")
            phone.value, phone.type_param = entry.duty_phone, "CELL"
        if entry.time_zone:
            card.add("tz").value = entry.time_zone
        card.add("note").value = _("%(role)s in %(code)s. Languages: %(languages)s.",
                                   role=entry.role.label, code=operation.code,
                                   languages=entry.languages or "—")
        cards.append(card.serialize())
    return _download(operation, "".join(cards), "text/vcard", "vcf")
