"""An operation's messages: the list, the compose form, one message with its thread, and
what is done to it (reply, acknowledge, remind, delete).

Every route enters through ``@operation_route``; a message is loaded through
``visibility.load_visible`` within the operation, so one the caller may not see is a
404, as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError
from opsplatform.core.forms import INVALID_FORM_STATUS
from opsplatform.core.lists import load_page_args
from opsplatform.core.permissions import Permission
from opsplatform.core.templating import moment_formatter
from opsplatform.operations.access import current_access, operation_route
from opsplatform.operations.models import (
    Membership,
    Operation,
    OperationRole,
    Participation,
    ParticipationStatus,
)
from opsplatform.organisations.models import Organisation

from .. import lists
from .. import operations as domain
from ..forms import ComposeForm, ReplyForm
from ..markdown import render_markdown
from ..models import (
    Message,
    MessageAddressee,
    MessageKind,
)
from ..visibility import load_visible, readable_by
from . import bp
from .inbox import list_context

# -- the list ---------------------------------------------------------------------------------


@bp.get("/operations/<int:operation_id>/messages")
@operation_route(Permission.MESSAGES_READ)
def messages(operation: Operation):
    args, refused = load_page_args(lists.OperationMessagesArgsSchema(), request.args)
    page = lists.operation_messages_page(operation, current_user._get_current_object(), args)
    return render_template("messaging/messages.html", operation=operation,
                           **list_context(args, refused, page)), 422 if refused else 200


# -- composing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Addressable:
    code: str
    name: str
    observer_only: bool


def _addressable(operation: Operation) -> list[Addressable]:
    """The administrations taking part, but the caller's own; whether only observers
    stand for them. One query."""
    acting = exists().where(Membership.participation_id == Participation.id,
                            Membership.role != OperationRole.OBSERVER)
    someone = exists().where(Membership.participation_id == Participation.id)
    rows = db.session.execute(
        select(Organisation.code, Organisation.name, (someone & ~acting).label("observers"))
        .join(Participation, Participation.organisation_id == Organisation.id)
        .where(Participation.operation_id == operation.id,
               Participation.status == ParticipationStatus.ACCEPTED,
               Organisation.id != current_user.organisation_id)
        .order_by(Organisation.code))
    return [Addressable(code, name, bool(observers)) for code, name, observers in rows]


def _organisation_choices(addressable: list[Addressable]) -> list[SelectChoice]:
    observer = _("observers only")
    return [SelectChoice(item.code, f"{item.code} — {item.name}"
                         + (f" ({observer})" if item.observer_only else ""))
            for item in addressable]


def _compose_form(operation: Operation) -> ComposeForm:
    form = ComposeForm()
    kinds = [MessageKind.GENERAL, MessageKind.ALERT, MessageKind.REQUEST]
    if current_access().can(Permission.MESSAGES_BULLETIN):
        kinds.append(MessageKind.BULLETIN)
    form.kind.choices = [SelectChoice(kind.value, kind.label) for kind in kinds]
    form.organisations.choices = _organisation_choices(_addressable(operation))
    if not form.is_submitted():
        form.handling_code.data = operation.handling_code.value
        form.tlp.data = operation.tlp.value
    return form


def _uploads(form: ComposeForm) -> list[FileStorage]:
    return [upload for upload in (form.attachments.data or [])
            if isinstance(upload, FileStorage) and upload.filename]


def _attach(message: Message, uploads: list[FileStorage]) -> None:
    """Each uploaded file, stored with the message in the same transaction."""
    if not uploads:
        return
    from opsplatform.messaging import attachments

    for upload in uploads:
        attachments.add_attachment(message, upload.filename, upload.read(),
                                   actor=current_user._get_current_object(),
                                   access=current_access())


@bp.route("/operations/<int:operation_id>/messages/new", methods=["GET", "POST"])
@operation_route(Permission.MESSAGES_SEND)
def messages_new(operation: Operation):
    form = _compose_form(operation)
    if form.validate_on_submit():
        try:
            message = domain.send_message(operation, form.message_fields(),
                                          actor=current_user._get_current_object(),
                                          access=current_access())
            _attach(message, _uploads(form))
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Your message was sent."), "success")
            return redirect(url_for(".messages_show", operation_id=operation.id,
                                    message_id=message.id))
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template("messaging/compose.html", operation=operation, form=form), status


# -- one message ------------------------------------------------------------------------------


def _load(operation: Operation, message_id: int) -> Message:
    message = load_visible(current_user._get_current_object(), message_id, operation.id)
    if message is None:
        abort(404)
    return message


@dataclass(frozen=True, slots=True)
class ThreadEntry:
    id: int
    subject: str
    kind_label: str
    sender_name: str
    sender_code: str
    sent_at: datetime
    deleted: bool


def _thread(message: Message) -> list[ThreadEntry]:
    """The messages of ``message``'s thread the caller may see, in order. One query."""
    kinds = MessageKind.labels_now()
    rows = db.session.execute(
        select(Message.id, Message.subject, Message.kind, User.display_name, Organisation.code,
               Message.sent_at, Message.deleted_at.is_not(None))
        .join(User, User.id == Message.sender_id)
        .join(Organisation, Organisation.id == Message.sender_organisation_id)
        .where(Message.thread_id == (message.thread_id or message.id),
               Message.operation_id == message.operation_id,
               readable_by(current_user._get_current_object()))
        .order_by(Message.sent_at, Message.id))
    return [ThreadEntry(row[0], row[1], kinds[row[2]], *row[3:]) for row in rows]


def _acknowledgements(message: Message) -> list[MessageAddressee]:
    return list(db.session.scalars(
        select(MessageAddressee).where(MessageAddressee.message_id == message.id)
        .options(selectinload(MessageAddressee.acknowledged_by))
        .join(Organisation, Organisation.id == MessageAddressee.organisation_id)
        .order_by(Organisation.code)))


def _message_page(operation: Operation, message: Message, reply_form: ReplyForm | None = None,
                  status: int = 200):
    access = current_access()
    user = current_user._get_current_object()
    addressees = _acknowledgements(message)
    own = next((a for a in addressees if a.organisation_id == user.organisation_id), None)
    may_send = access.can(Permission.MESSAGES_SEND) and operation.closed_at is None
    if reply_form is None and may_send and not message.is_deleted:
        reply_form = ReplyForm(formdata=None)
    if reply_form is not None:
        reply_form.organisations.choices = _organisation_choices(_addressable(operation))
    follows = message.requires_ack and domain.may_follow_acknowledgements(message, user, access)
    return render_template(
        "messaging/message.html", operation=operation, message=message,
        body=render_markdown(message.body) if not message.is_deleted else None,
        thread=_thread(message), addressees=addressees, follows=follows,
        pending=[a for a in addressees if a.acknowledged_at is None],
        may_acknowledge=(message.requires_ack and not message.is_deleted and own is not None
                         and own.acknowledged_at is None
                         and access.can(Permission.MESSAGES_SEND)),
        own_acknowledgement=own, reply_form=reply_form if not message.is_deleted else None,
        may_delete=access.can(Permission.MESSAGES_DELETE) and not message.is_deleted,
        deleted_by=db.session.get(User, message.deleted_by_id) if message.deleted_by_id else None,
        moment=moment_formatter(),
    ), status


@bp.get("/operations/<int:operation_id>/messages/<int:message_id>")
@operation_route(Permission.MESSAGES_READ)
def messages_show(operation: Operation, message_id: int):
    message = _load(operation, message_id)
    domain.mark_read(message, current_user._get_current_object())
    return _message_page(operation, message)


@bp.post("/operations/<int:operation_id>/messages/<int:message_id>/reply")
@operation_route(Permission.MESSAGES_SEND)
def messages_reply(operation: Operation, message_id: int):
    original = _load(operation, message_id)
    form = ReplyForm()
    form.organisations.choices = _organisation_choices(_addressable(operation))
    if form.validate():
        try:
            reply = domain.reply_to(
                original, form.message_fields(original.handling_code.value, original.tlp.value),
                actor=current_user._get_current_object(), access=current_access(),
                operation=operation)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Your reply was sent."), "success")
            return redirect(url_for(".messages_show", operation_id=operation.id,
                                    message_id=reply.id))
    return _message_page(operation, original, form, INVALID_FORM_STATUS)


@bp.post("/operations/<int:operation_id>/messages/<int:message_id>/acknowledge")
@operation_route(Permission.MESSAGES_SEND)
def messages_acknowledge(operation: Operation, message_id: int):
    message = _load(operation, message_id)
    domain.acknowledge(message, actor=current_user._get_current_object(), access=current_access())
    flash(_("%(code)s acknowledged the message.", code=current_user.organisation.code),
          "success")
    return redirect(url_for(".messages_show", operation_id=operation.id, message_id=message.id))


@bp.post("/operations/<int:operation_id>/messages/<int:message_id>/remind")
@operation_route(Permission.MESSAGES_READ)
def messages_remind(operation: Operation, message_id: int):
    message = _load(operation, message_id)
    codes = domain.remind_unacknowledged(message, actor=current_user._get_current_object(),
                                         access=current_access())
    flash(_("Reminded: %(codes)s.", codes=", ".join(codes)), "success")
    return redirect(url_for(".messages_show", operation_id=operation.id, message_id=message.id,
                            _anchor="acknowledgements"))


# Entered with MESSAGES_READ so that a message the caller may not see is a 404 here too
# (never a 403 that would be the same for any id); deleting then needs MESSAGES_DELETE.
@bp.post("/operations/<int:operation_id>/messages/<int:message_id>/delete")
@operation_route(Permission.MESSAGES_READ)
def messages_delete(operation: Operation, message_id: int):
    message = _load(operation, message_id)
    domain.delete_message(message, actor=current_user._get_current_object(),
                          access=current_access())
    flash(_("The message was deleted; a note of it stays in its thread."), "success")
    return redirect(url_for(".messages_show", operation_id=operation.id, message_id=message.id))
