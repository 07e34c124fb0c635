"""Message pages: downloading an attachment, or previewing an image inline (both audited)."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from opsplatform.core.files import download_response
from opsplatform.core.permissions import Permission
from opsplatform.operations.access import operation_route

from .. import attachments as domain
from . import bp

# Images a browser shows in an <img> (raster only: an SVG is never accepted anyway).
PREVIEWED_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def is_previewed(content_type: str) -> bool:
    return content_type in PREVIEWED_TYPES


@bp.get("/operations/<int:operation_id>/messages/<int:message_id>/attachments/"
        "<int:attachment_id>")
@operation_route(Permission.MESSAGES_READ)
def attachment(operation, message_id: int, attachment_id: int):
    """The file, as a download; ``?inline=1`` shows an image in the page (its preview).
    A preview is audited as a download: the bytes reach the browser all the same."""
    found = domain.load_attachment(current_user, attachment_id, message_id=message_id,
                                   operation_id=operation.id)
    if found is None:
        abort(404)
    inline = request.args.get("inline") == "1" and is_previewed(found.stored_file.content_type)
    stored, data = domain.open_attachment(found, actor=current_user, inline=inline)
    response = download_response(stored, data, inline=inline)
    # Only the platform's own pages may embed it.
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.app_template_global("attachment_size")
def attachment_size(size: int) -> str:
    """A file's size in words ("820 bytes", "14 KB", "2.5 MB"), as the documents list says."""
    from opsplatform.operations.views.documents import size_label

    return size_label(size)


bp.add_app_template_global(is_previewed, "attachment_previewed")
