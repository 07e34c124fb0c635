"""Audit entries in words, for activity feeds and the audit viewer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from opsplatform.core.templating import translate

from .models import AuditAction, AuditEntry

# %(actor)s is who did it; %(subject)s what it was about (an organisation code, an e-mail).
SENTENCES = {
    AuditAction.OPERATION_CREATED: _l("%(actor)s created the operation."),
    AuditAction.OPERATION_UPDATED: _l("%(actor)s updated the plan."),
    AuditAction.OPERATION_CLOSED: _l("%(actor)s closed the operation."),
    AuditAction.OPERATION_REOPENED: _l("%(actor)s reopened the operation."),
    AuditAction.PHASES_CHANGED: _l("%(actor)s changed the phases."),
    AuditAction.PERIODS_CHANGED: _l("%(actor)s changed the reporting periods."),
    AuditAction.PARTICIPANT_INVITED: _l("%(actor)s invited %(subject)s."),
    AuditAction.PARTICIPATION_ACCEPTED: _l("%(subject)s joined (accepted by %(actor)s)."),
    AuditAction.PARTICIPATION_DECLINED: _l("%(subject)s declined the invitation."),
    AuditAction.PARTICIPATION_WITHDRAWN: _l("%(subject)s was withdrawn by %(actor)s."),
    AuditAction.MEMBER_ADDED: _l("%(actor)s gave %(subject)s a role."),
    AuditAction.MEMBER_ROLE_CHANGED: _l("%(actor)s changed the role of %(subject)s."),
    AuditAction.MEMBER_REMOVED: _l("%(actor)s removed %(subject)s from the operation."),
    AuditAction.RETURN_FILED: _l("%(subject)s filed a return (%(actor)s)."),
    AuditAction.RETURN_CORRECTED: _l("%(subject)s corrected a return (%(actor)s)."),
    AuditAction.PERIOD_LOCKED: _l("%(actor)s locked a reporting period."),
    AuditAction.PERIOD_UNLOCKED: _l("%(actor)s unlocked a reporting period."),
    AuditAction.REMINDER_SENT: _l("%(actor)s reminded %(subject)s to report."),
    AuditAction.DOCUMENT_UPLOADED: _l("%(actor)s uploaded a document."),
    AuditAction.DOCUMENT_DELETED: _l("%(actor)s deleted a document."),
}


def describe(entry: AuditEntry) -> str:
    """One sentence saying what happened."""
    # translate: the request's translations, found once (a feed shows a dozen sentences).
    actor = entry.actor.display_name if entry.actor else translate(_l("The platform"))
    sentence = SENTENCES.get(entry.action)
    if sentence is None:
        return f"{entry.action} ({entry.subject or ''})"
    return translate(sentence) % {"actor": actor, "subject": entry.subject or ""}
