"""E-mail notices of flash and urgent messages, of acknowledgement requests and reminders.

E-mail is not a secure channel: a notice carries the operation's code, the kind and
priority of the message, whether an acknowledgement is asked, and a link to the message
page, never its subject, body, sender or attachments.

Nothing calls this module: it watches the audit entries the domain writes
(``messages.sent``, ``messages.reminded``), which are the one record that a message was
sent or a reminder given. After a flush it notes them; just before the commit it works
out who is told (one query per message, plain data); after the commit it sends. So a
request that rolls back (an error, a refused form) sends nothing, and a notice never
goes out for a message that was not saved. A failure to send is logged, never raised:
the message is on the platform whatever the mail server does.

Who is told: the people holding a role in the operation (any role that reads messages:
coordinator, contact point, observer, who may all acknowledge) for the administrations
the message was addressed to; for a reminder, those that have not acknowledged. Never
the sender, their own administration, a participant not addressed, the secretariat
or an outsider: the same people ``visibility.readable_by`` lets see it through its
addressees. Off while ``SMTP_HOST`` is empty: nothing is even noted.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, has_app_context, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.core.permissions import Permission
from opsplatform.operations.access import operation_roles_allowed
from opsplatform.operations.models import (
    Membership,
    Operation,
    Participation,
    ParticipationStatus,
)
from opsplatform.organisations.models import Organisation

from .models import Message, MessagePriority

log = logging.getLogger(__name__)

_NOTED = "opsplatform.notifications.noted"  # (action, message id, organisation codes)
_READY = "opsplatform.notifications.ready"  # (SmtpSettings, [EmailMessage])
_SUPPRESSED = "opsplatform.notifications.suppressed"

NOTIFIED_PRIORITIES = frozenset({MessagePriority.FLASH, MessagePriority.URGENT})
# Those told: the roles that read messages (and may acknowledge them).
_READING_ROLES = operation_roles_allowed(Permission.MESSAGES_READ)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool
    timeout: float

    @classmethod
    def configured(cls) -> SmtpSettings | None:
        """The app's SMTP server, or None when notifications are off (no host)."""
        if not has_app_context():
            return None
        config = current_app.config
        if not config.get("SMTP_HOST"):
            return None
        return cls(config["SMTP_HOST"], int(config["SMTP_PORT"]), config["SMTP_USER"],
                   config["SMTP_PASSWORD"], config["SMTP_FROM"], bool(config["SMTP_STARTTLS"]),
                   float(config["SMTP_TIMEOUT_SECONDS"]))


@contextmanager
def suppressed(session: Session | None = None) -> Iterator[None]:
    """No notices for what is written inside (the demo loader, bulk tools)."""
    session = session or db.session()
    before = session.info.get(_SUPPRESSED, False)
    session.info[_SUPPRESSED] = True
    try:
        yield
    finally:
        session.info[_SUPPRESSED] = before


# -- the session's events ---------------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _note_sent_messages(session: Session, _context) -> None:
    if session.info.get(_SUPPRESSED) or SmtpSettings.configured() is None:
        return
    for entry in session.new:
        if isinstance(entry, AuditEntry) and entry.action in (AuditAction.MESSAGE_SENT,
                                                              AuditAction.MESSAGE_REMINDED):
            codes = tuple((entry.details or {}).get("organisations", ()))
            session.info.setdefault(_NOTED, []).append((entry.action, entry.object_id, codes))


@event.listens_for(Session, "before_commit")
def _prepare_notices(session: Session) -> None:
    if not session.info.get(_NOTED):
        return
    # The last changes are flushed now, so that what they note is prepared too.
    session.flush()
    noted = session.info.pop(_NOTED, [])
    settings = SmtpSettings.configured()
    if settings is None:
        return
    try:
        mails = [mail for action, message_id, codes in noted
                 for mail in _notices(session, settings, action, message_id, codes)]
    except Exception:  # a notice never stops the change it is about
        log.exception("Could not prepare the e-mail notices of messages %s",
                      [message_id for _action, message_id, _codes in noted])
        return
    if mails:
        session.info.setdefault(_READY, []).append((settings, mails))


@event.listens_for(Session, "after_commit")
def _send_notices(session: Session) -> None:
    for settings, mails in session.info.pop(_READY, []):
        send(settings, mails)


@event.listens_for(Session, "after_rollback")
def _forget_notices(session: Session) -> None:
    session.info.pop(_NOTED, None)
    session.info.pop(_READY, None)


# -- who is told, and what --------------------------------------------------------------------


def _recipients(session: Session, message: Message,
                organisation_ids: list[int]) -> list[tuple[str, str]]:
    """(name, address) of the active people holding a role that reads messages in the
    operation for ``organisation_ids``, the sender left out."""
    if not organisation_ids:
        return []
    query = (
        select(User.display_name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .join(Participation, Participation.id == Membership.participation_id)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(Membership.operation_id == message.operation_id,
               Participation.status == ParticipationStatus.ACCEPTED,
               Participation.organisation_id.in_(organisation_ids),
               User.organisation_id == Participation.organisation_id,
               User.is_active.is_(True), Organisation.is_active.is_(True),
               Membership.role.in_(_READING_ROLES), User.id != message.sender_id)
        .distinct().order_by(User.email))
    return [(name, email) for name, email in session.execute(query)]


def _notices(session: Session, settings: SmtpSettings, action: AuditAction,
             message_id: int | None, codes: tuple[str, ...]) -> list[EmailMessage]:
    message = session.get(Message, message_id) if message_id is not None else None
    if message is None or message.is_deleted:
        return []
    operation = session.get(Operation, message.operation_id)
    if operation is None:
        return []
    urgent = message.priority in NOTIFIED_PRIORITIES
    if action is AuditAction.MESSAGE_REMINDED:
        # The administrations reminded: those that had not acknowledged.
        organisation_ids = [addressee.organisation_id for addressee in message.addressees
                            if addressee.acknowledged_at is None
                            and (not codes or addressee.organisation.code in codes)]
    elif urgent or message.requires_ack:
        organisation_ids = [addressee.organisation_id for addressee in message.addressees]
    else:
        return []
    link = message_link(message)
    reminder = action is AuditAction.MESSAGE_REMINDED
    return [_notice(settings, name, address, operation.code, message, link, reminder)
            for name, address in _recipients(session, message, organisation_ids)]


def _notice(settings: SmtpSettings, name: str, address: str, operation_code: str,
            message: Message, link: str, reminder: bool) -> EmailMessage:
    """One notice: the operation, the kind and priority, whether acknowledgement is asked,
    and the link. Never the message's subject or text."""
    kind, priority = message.kind.label, message.priority.label
    if reminder:
        subject = _("[%(code)s] Reminder: acknowledgement requested", code=operation_code)
        opening = _("Your administration has not yet acknowledged a message (%(kind)s, "
                    "priority %(priority)s) in %(code)s.", kind=kind, priority=priority,
                    code=operation_code)
    else:
        subject = _("[%(code)s] %(priority)s message: %(kind)s", code=operation_code,
                    priority=priority, kind=kind)
        opening = _("A message (%(kind)s, priority %(priority)s) was sent to your "
                    "administration in %(code)s.", kind=kind, priority=priority,
                    code=operation_code)
    lines = [_("Hello %(name)s,", name=name), "", opening]
    if message.requires_ack:
        lines.append(_("Your administration is asked to acknowledge it."))
    lines += ["", _("Read it on the platform:"), link, "",
              _("E-mail is not a secure channel: this notice carries neither the subject nor "
                "the text of the message. Do not reply to it."), ""]
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = settings.sender
    mail["To"] = formataddr((name, address))
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content("\n".join(lines))
    return mail


def public_base_url() -> str:
    """Where people reach the platform: ``PUBLIC_URL``, else (outside production) the
    address this request came to. Production with mail requires PUBLIC_URL (config.py),
    so a forged Host header never reaches a notice."""
    configured = current_app.config.get("PUBLIC_URL", "")
    if configured:
        return configured.rstrip("/")
    if has_request_context() and current_app.config.get("ENV_NAME") != "production":
        return request.host_url.rstrip("/")
    return "http://localhost"


def message_link(message: Message) -> str:
    """The absolute link to the message page."""
    values = {"operation_id": message.operation_id, "message_id": message.id}
    try:
        path = current_app.url_map.bind("localhost").build("messaging.messages_show", values)
    except BuildError:  # the message page's route, as the pages name it
        path = "/operations/{operation_id}/messages/{message_id}".format(**values)
    return public_base_url() + path


def send(settings: SmtpSettings, mails: list[EmailMessage]) -> bool:
    """Send ``mails`` over one SMTP connection; False (and logged) if it failed."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password)
            for mail in mails:
                smtp.send_message(mail)
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send %d e-mail notice(s) through %s:%d", len(mails),
                      settings.host, settings.port)
        return False
    return True
