"""An operation's documents: the list, upload, download (audited) and delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError, handle_http_error
from opsplatform.core.files import (
    ACCEPTED_KINDS,
    FileKind,
    StoredFile,
    download_response,
    megabytes,
    upload_limit_text,
)
from opsplatform.core.forms import INVALID_FORM_STATUS
from opsplatform.core.permissions import Permission
from opsplatform.core.templating import moment_formatter, translations

from .. import documents as domain
from ..access import access_for, current_access, load_child, operation_route
from ..forms import DocumentForm
from ..models import DocumentCategory, Operation, OperationDocument
from . import bp

# Browsers may offer only these in the file picker; the server checks the content anyway.
ACCEPT_ATTRIBUTE = ",".join(sorted({f".{kind.extension}" for kind in ACCEPTED_KINDS.values()}
                                   | {".jpeg", ".tiff"} | set(ACCEPTED_KINDS)))


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A line of the documents list: what it shows, not whole ORM objects."""

    id: int
    title: str
    description: str
    category: DocumentCategory
    filename: str
    content_type: str
    size_bytes: int
    uploaded_by: str
    uploaded_at: datetime

    @property
    def kind(self) -> FileKind | None:
        return ACCEPTED_KINDS.get(self.content_type)


def _documents(operation: Operation) -> list[DocumentRow]:
    """The operation's documents, newest first: the columns the list shows, one query."""
    return [DocumentRow(*row) for row in db.session.execute(
        select(OperationDocument.id, OperationDocument.title, OperationDocument.description,
               OperationDocument.category, StoredFile.filename, StoredFile.content_type,
               StoredFile.size_bytes, User.display_name, OperationDocument.uploaded_at)
        .join(StoredFile, StoredFile.id == OperationDocument.stored_file_id)
        .join(User, User.id == OperationDocument.uploaded_by_id)
        .where(OperationDocument.operation_id == operation.id)
        .order_by(OperationDocument.uploaded_at.desc(), OperationDocument.id.desc()))]


def size_label(size: int) -> str:
    """A file size for the list: "820 bytes", "14 KB", "2.5 MB".

    (Through the request's translations, found once: a list shows one per row.)
    """
    words = translations()
    if size < 1024:
        return words.ungettext("%(num)d byte", "%(num)d bytes", size) % {"num": size}
    if size < 1048576:
        return words.ugettext("%(size)s KB") % {"size": f"{size / 1024:.0f}"}
    return words.ugettext("%(size)s MB") % {"size": megabytes(size)}


def _too_large_message() -> str:
    return _("The file is larger than the limit of %(limit)s. Nothing was uploaded; "
             "choose a smaller file or split it.", limit=upload_limit_text())


def _prepared(form: DocumentForm) -> DocumentForm:
    form.file.description = _(
        "A PDF, an office document (Word, Excel, PowerPoint, OpenDocument, RTF) or an image "
        "(PNG, JPEG, GIF, WebP, TIFF), at most %(limit)s. The type is checked from the "
        "content; the file is stored encrypted.", limit=upload_limit_text())
    return form


def _page(operation: Operation, form: DocumentForm | None = None, status: int = 200):
    if form is None and current_access().can(Permission.DOCUMENTS_WRITE):
        form = _prepared(DocumentForm())
    return render_template(
        "operations/documents.html", operation=operation, documents=_documents(operation),
        form=form, accept=ACCEPT_ATTRIBUTE, too_large_message=_too_large_message(),
        max_bytes=current_app.config["UPLOAD_MAX_BYTES"], size_label=size_label,
        # What every row repeats, worked out once for the page.
        moment=moment_formatter(), category_labels=DocumentCategory.labels_now(),
    ), status


@bp.get("/<int:operation_id>/documents")
@operation_route(Permission.DOCUMENTS_READ)
def documents(operation):
    return _page(operation)


@bp.post("/<int:operation_id>/documents")
@operation_route(Permission.DOCUMENTS_WRITE)
def documents_upload(operation):
    form = _prepared(DocumentForm())
    if form.validate_on_submit():
        upload = form.file.data
        try:
            document = domain.upload_document(
                operation, upload.read(), upload.filename, form.title.data,
                form.category.data, form.description.data, actor=current_user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("“%(title)s” was uploaded.", title=document.title), "success")
            return redirect(url_for(".documents", operation_id=operation.id))
    return _page(operation, form, INVALID_FORM_STATUS)


@bp.get("/<int:operation_id>/documents/<int:document_id>/download")
@operation_route(Permission.DOCUMENTS_READ)
def documents_download(operation, document_id: int):
    document = load_child(OperationDocument, document_id, operation)
    stored, data = domain.open_document(document, actor=current_user)
    return download_response(stored, data)


@bp.post("/<int:operation_id>/documents/<int:document_id>/delete")
@operation_route(Permission.DOCUMENTS_WRITE)
def documents_delete(operation, document_id: int):
    document = load_child(OperationDocument, document_id, operation)
    title = document.title
    domain.delete_document(document, actor=current_user)
    flash(_("“%(title)s” was deleted.", title=title), "success")
    return redirect(url_for(".documents", operation_id=operation.id))


@bp.errorhandler(RequestEntityTooLarge)
def _request_too_large(error: RequestEntityTooLarge):
    """An upload over MAX_CONTENT_LENGTH never reaches the view: name the limit, not "413".

    Werkzeug refuses the body while the form is parsed (by the CSRF check, before any
    view runs). Someone who may upload sees the page again with the limit; anyone else
    gets the same message without the page, which reveals nothing about the operation.
    """
    if request.endpoint != "operations.documents_upload":
        return handle_http_error(error)
    message = _too_large_message()
    operation = db.get_by_id(Operation, (request.view_args or {})["operation_id"])
    access = access_for(current_user, operation) if operation is not None else None
    if access is None or not access.can(Permission.DOCUMENTS_WRITE):
        return render_template("errors/error.html", status=error.code,
                               message=message), error.code
    g.operation, g.operation_access = operation, access
    # The body was not read, so the form starts blank (parsing it again would raise again).
    form = _prepared(DocumentForm(formdata=None))
    form.file.errors = [message]
    return _page(operation, form, error.code)
