"""What the operations domain asks of people (core/needs.py): invitations to answer,
returns due and overdue (with the reminders received), and for coordinators the
administrations that have not reported.

Each source is SQL over the rules' own facts: who may answer an invitation is the
invitee standing of ``access._standing``; who files returns and who follows them up
are the roles the permission map gives ``RETURNS_WRITE_OWN`` and ``REMINDERS_SEND``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select

from opsplatform.auth.models import User
from opsplatform.core import dates
from opsplatform.core.db import db, utcnow
from opsplatform.core.needs import (
    NOW,
    ORGANISATION_ID,
    TODAY,
    USER_ID,
    Need,
    NeedSource,
    Urgency,
    bound_to,
    register,
)
from opsplatform.core.permissions import Permission
from opsplatform.core.templating import RowUrl, ngettext
from opsplatform.core.templating import gettext as _
from opsplatform.organisations.models import Organisation, OrganisationKind

from .access import operation_roles_allowed
from .models import (
    Membership,
    Operation,
    Participation,
    ParticipationStatus,
    PeriodReturn,
    Reminder,
    ReportingPeriod,
)


def _counted(query: Select):
    return select(func.count()).select_from(query.subquery()).scalar_subquery()


def _running(today: date | ColumnElement[Any]):
    """Operations whose returns are not final yet (not closed, early or by the calendar)."""
    return Operation.closed_at.is_(None) & or_(Operation.ends_on.is_(None),
                                               Operation.ends_on >= today)


# -- invitations ------------------------------------------------------------------------------


def _invitations() -> Select:
    someone_named = exists().where(Membership.participation_id == Participation.id)
    user_named = exists().where(Membership.participation_id == Participation.id,
                                Membership.user_id == USER_ID)
    return (
        select(Operation.id, Operation.code, Operation.title, Participation.invited_at)
        .join(Participation, Participation.operation_id == Operation.id)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(Participation.organisation_id == ORGANISATION_ID,
               Participation.status == ParticipationStatus.INVITED,
               Organisation.is_active.is_(True), or_(user_named, ~someone_named),
               _running(TODAY))
    )


_INVITATIONS = _invitations()


# The items' words go through the request's translations (core/templating's gettext and
# ngettext, found once), their links through RowUrl (the route built once per list).
def _invitation_items(user: User) -> list[Need]:
    overview = RowUrl("operations.overview", "operation_id")
    return [Need("invitation", Urgency.TO_ANSWER,
                 _("Answer the invitation to %(code)s", code=code), detail=title,
                 url=overview(operation_id), operation_code=code)
            for operation_id, code, title, _invited_at in db_rows(_INVITATIONS, user)]


# -- returns owed by the user's administration ------------------------------------------------


def _owed_returns() -> Select:
    today = TODAY
    reminded = (select(func.max(Reminder.sent_at))
                .where(Reminder.period_id == ReportingPeriod.id,
                       Reminder.organisation_id == Participation.organisation_id)
                .scalar_subquery())
    return (
        select(Operation.id, Operation.code, Organisation.code, ReportingPeriod.starts_on,
               ReportingPeriod.ends_on, ReportingPeriod.deadline_at, reminded)
        .join(Operation, Operation.id == ReportingPeriod.operation_id)
        .join(Membership, (Membership.operation_id == Operation.id)
              & (Membership.user_id == USER_ID)
              & Membership.role.in_(operation_roles_allowed(Permission.RETURNS_WRITE_OWN)))
        .join(Participation, (Participation.id == Membership.participation_id)
              & (Participation.status == ParticipationStatus.ACCEPTED))
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(Organisation.kind == OrganisationKind.MEMBER_ADMINISTRATION,
               Organisation.is_active.is_(True), ReportingPeriod.starts_on <= today,
               ReportingPeriod.locked_at.is_(None), _running(today),
               ~exists().where(PeriodReturn.period_id == ReportingPeriod.id,
                               PeriodReturn.organisation_id == Participation.organisation_id))
    )


def _owed_items(user: User) -> list[Need]:
    now = utcnow()
    span, day = _memo(dates.span), _memo(dates.day)  # operations share their weeks
    reporting = RowUrl("operations.compliance", "operation_id", _anchor="file-return")
    items = []
    for operation_id, code, own, starts_on, ends_on, deadline_at, reminded in db_rows(
            _OWED_RETURNS, user):
        overdue = deadline_at < now
        title = (_("%(own)s's return for %(span)s is overdue", own=own,
                   span=span(starts_on, ends_on)) if overdue
                 else _("%(own)s's return for %(span)s is due", own=own,
                        span=span(starts_on, ends_on)))
        detail = _("Reminded on %(day)s.", day=day(reminded.date())) if reminded else ""
        items.append(Need("return_overdue" if overdue else "return_due",
                          Urgency.OVERDUE if overdue else Urgency.DUE, title, detail=detail,
                          url=reporting(operation_id), operation_code=code,
                          due_at=deadline_at))
    return items


# -- administrations that have not reported, for those who follow returns up ---------------


def _unreported() -> Select:
    today, now = TODAY, NOW
    reporter = Organisation.__table__.alias("reporter")
    owing = (
        select(func.count(Participation.id))
        .join(reporter, reporter.c.id == Participation.organisation_id)
        .where(Participation.operation_id == ReportingPeriod.operation_id,
               Participation.status == ParticipationStatus.ACCEPTED,
               reporter.c.kind == OrganisationKind.MEMBER_ADMINISTRATION.value,
               # Two levels down: the period is the outer query's (SQL does not guess).
               ~exists().where(PeriodReturn.period_id == ReportingPeriod.id,
                               PeriodReturn.organisation_id == Participation.organisation_id)
               .correlate_except(PeriodReturn))
        .correlate(ReportingPeriod)
        .scalar_subquery()
    )
    follower = Participation.__table__.alias("follower")
    return (
        select(Operation.id, Operation.code, ReportingPeriod.starts_on, ReportingPeriod.ends_on,
               ReportingPeriod.deadline_at, owing)
        .join(Operation, Operation.id == ReportingPeriod.operation_id)
        .join(Membership, (Membership.operation_id == Operation.id)
              & (Membership.user_id == USER_ID)
              & Membership.role.in_(operation_roles_allowed(Permission.REMINDERS_SEND)))
        .join(follower, (follower.c.id == Membership.participation_id)
              & (follower.c.status == ParticipationStatus.ACCEPTED.value))
        .where(ReportingPeriod.deadline_at < now, ReportingPeriod.locked_at.is_(None),
               _running(today), owing > 0)
    )


def _unreported_items(user: User) -> list[Need]:
    span = _memo(dates.span)
    reminders = RowUrl("operations.compliance", "operation_id", _anchor="reminders")
    return [Need("not_reported", Urgency.TO_FOLLOW,
                 ngettext("%(num)d administration has not reported for %(span)s",
                          "%(num)d administrations have not reported for %(span)s", owing,
                          span=span(starts_on, ends_on)),
                 url=reminders(operation_id), operation_code=code, due_at=deadline_at)
            for operation_id, code, starts_on, ends_on, deadline_at, owing
            in db_rows(_UNREPORTED, user)]


def _memo(words: Callable) -> Callable:
    """``words`` (a day or span in the reader's locale) kept for one list of items."""
    return lru_cache(maxsize=None)(words)


def db_rows(query: Select, user: User) -> list:
    return list(db.session.execute(query, bound_to(user)))


# Built once, bound per request (core/needs.bound_to): the navigation counts them on
# every signed-in page.
_OWED_RETURNS = _owed_returns()
_UNREPORTED = _unreported()
_COUNTS = {name: _counted(query) for name, query in [
    ("invitations", _INVITATIONS), ("owed", _OWED_RETURNS), ("unreported", _UNREPORTED)]}


register(NeedSource("operations.invitations", lambda user: _COUNTS["invitations"],
                    _invitation_items))
register(NeedSource("operations.returns_owed", lambda user: _COUNTS["owed"], _owed_items))
register(NeedSource("operations.not_reported", lambda user: _COUNTS["unreported"],
                    _unreported_items))
