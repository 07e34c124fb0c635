"""/api/v1 attachments: the sender attaches files to a message; whoever sees the message
downloads them (audited).

A thin skin over messaging/attachments.py. A message or attachment the caller may not
see is a 404 like one that does not exist.
"""

from __future__ import annotations

from flask import abort, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opsplatform.core.db import db
from opsplatform.core.errors import DomainError
from opsplatform.core.files import download_response
from opsplatform.core.permissions import Permission
from opsplatform.messaging import attachments as domain
from opsplatform.messaging.models import Message
from opsplatform.messaging.visibility import load_visible
from opsplatform.operations.access import OperationAccess, access_for
from opsplatform.operations.models import Operation

from . import bp
from .errors import api_abort
from .schemas.messages import AttachmentSummarySchema


def _standing(message: Message) -> OperationAccess:
    """The caller's standing in the message's operation (as ``operation_route`` leaves
    it in ``g``); 404 without one, as for a message that does not exist."""
    operation = db.session.get(Operation, message.operation_id)
    access = access_for(current_user, operation) if operation is not None else None
    if access is None or access.role is None or not access.can(Permission.MESSAGES_READ):
        abort(404)
    g.operation, g.operation_access = operation, access
    return access


@bp.post("/messages/<int:message_id>/attachments")
def add_attachment(message_id: int):
    """Attach a file to a message.
    ---
    post:
      summary: Attach a file to a message
      description: >-
        Only the person who sent the message, while it is not deleted. One file per
        request, in the multipart field `file`. Its type is read from the content, not
        the name: PDF, images (PNG, JPEG, GIF, WebP, TIFF), office documents (Word,
        Excel, PowerPoint, OpenDocument, RTF), CSV and plain text (UTF-8) are accepted;
        HTML, SVG, programs and archives are refused (422 `file_type_not_accepted`,
        naming what the file is). A file over the attachment limit (default 25 MB,
        `OPSPLATFORM_ATTACHMENT_MAX_MB`) is refused with 413 `file_too_large`. The file
        is stored encrypted.
      tags: [Messages]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file:
                  type: string
                  format: binary
                  description: The file, with its name
      responses:
        201:
          description: The attachment
          headers:
            Location:
              description: Where to download it
              schema: {type: string}
          content:
            application/json:
              schema: AttachmentSummarySchema
        409:
          $ref: '#/components/responses/Conflict'
    """
    message = load_visible(current_user, message_id)
    if message is None:
        abort(404)
    access = _standing(message)
    if request.mimetype != "multipart/form-data":
        api_abort(415, "unsupported_media_type",
                  _("Send the file as multipart/form-data, in the field “file”."))
    upload = request.files.get("file")
    if upload is None:
        raise DomainError(_("Send a file in the field “file”."), code="missing_file",
                          field="file")
    try:
        attachment = domain.add_attachment(message, upload.filename, upload.read(),
                                           actor=current_user, access=access)
    except DomainError as error:
        if error.code == "file_too_large":
            error.status = 413
        raise
    location = url_for("api.get_attachment", attachment_id=attachment.id)
    return AttachmentSummarySchema(access=access).dump(attachment), 201, {"Location": location}


@bp.get("/attachments/<int:attachment_id>")
def get_attachment(attachment_id: int):
    """Download an attachment.
    ---
    get:
      summary: Download an attachment
      description: >-
        The file as it was attached, for whoever sees its message; every download is
        written to the audit trail. Served as a download (`Content-Disposition:
        attachment`), with the type read from its content when it was attached.
      tags: [Messages]
      responses:
        200:
          description: >-
            The file, of the type read from its content when it was attached: PDF, an
            image, an office document, CSV or plain text.
          headers:
            Content-Disposition:
              description: attachment, with the file's name
              schema: {type: string}
          content:
            "*/*":
              schema:
                type: string
                format: binary
    """
    attachment = domain.load_attachment(current_user, attachment_id)
    if attachment is None:
        abort(404)
    _standing(attachment.message)
    stored, data = domain.open_attachment(attachment, actor=current_user)
    return download_response(stored, data)
