"""Audit entries in words, for activity feeds and the audit viewer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import lazy_gettext as _l

from opsplatform.core import dates
from opsplatform.core.templating import gettext, ngettext, translate

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


def _period(details: dict, day: Callable[[date], str]) -> str | None:
    """The reporting period an entry's details name (``{"period": [start, end]}``, ISO days),
    as the reader writes days; None for entries recorded without it, or with a bad one."""
    try:
        start, end = (date.fromisoformat(value) for value in details["period"])
    except (KeyError, TypeError, ValueError):
        return None
    return f"{day(start)} – {day(end)}"


def _return_sentence(entry: AuditEntry, period: str, words: dict[str, str]) -> str:
    """A return filed or corrected, with the period it is for and what it says."""
    details = entry.details or {}
    if entry.action is AuditAction.RETURN_FILED:
        if details.get("kind") == "nil":
            return gettext("%(subject)s filed a nil return for %(period)s (%(actor)s).",
                           period=period, **words)
        if isinstance(details.get("seizure_count"), int):
            return ngettext("%(subject)s reported %(num)d seizure for %(period)s (%(actor)s).",
                            "%(subject)s reported %(num)d seizures for %(period)s (%(actor)s).",
                            details["seizure_count"], period=period, **words)
        return gettext("%(subject)s filed a return for %(period)s (%(actor)s).",
                       period=period, **words)
    changes = details.get("changes") or {}
    kind = (changes.get("kind") or [None, None])[1]
    count = (changes.get("seizure_count") or [None, None])[1]
    if kind == "nil":
        return gettext("%(subject)s corrected its return for %(period)s to a nil return "
                       "(%(actor)s).", period=period, **words)
    if isinstance(count, int):
        return ngettext("%(subject)s corrected its return for %(period)s to %(num)d seizure "
                        "(%(actor)s).",
                        "%(subject)s corrected its return for %(period)s to %(num)d seizures "
                        "(%(actor)s).", count, period=period, **words)
    return gettext("%(subject)s corrected its return for %(period)s (%(actor)s).",
                   period=period, **words)


# The entries that name a reporting period, once their details hold it.
_PERIOD_SENTENCES = {
    AuditAction.REMINDER_SENT: _l("%(actor)s reminded %(subject)s to report for %(period)s."),
    AuditAction.PERIOD_LOCKED: _l("%(actor)s locked the reporting period %(period)s."),
    AuditAction.PERIOD_UNLOCKED: _l("%(actor)s unlocked the reporting period %(period)s."),
}


def describe(entry: AuditEntry, day: Callable[[date], str] | None = None) -> str:
    """One sentence saying what happened; for returns, reminders and locks, the reporting
    period they are about (``day`` writes its days: a page's ``day_formatter``; by default
    ``core.dates.day``). Entries recorded without their period read as before."""
    # translate: the request's translations, found once (a feed shows a dozen sentences).
    actor = entry.actor.display_name if entry.actor else translate(_l("The platform"))
    words = {"actor": actor, "subject": entry.subject or ""}
    period = _period(entry.details or {}, day or dates.day)
    if period is not None:
        if entry.action in (AuditAction.RETURN_FILED, AuditAction.RETURN_CORRECTED):
            return _return_sentence(entry, period, words)
        if entry.action in _PERIOD_SENTENCES:
            return translate(_PERIOD_SENTENCES[entry.action]) % {**words, "period": period}
    sentence = SENTENCES.get(entry.action)
    if sentence is None:
        return f"{entry.action} ({entry.subject or ''})"
    return translate(sentence) % words
