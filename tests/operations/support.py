"""Helpers the operation tests share (their fixtures are in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from opsplatform.audit.models import AuditEntry
from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.operations.models import Membership, Operation, Participation
from opsplatform.organisations.models import Organisation
from opsplatform.organisations.operations import find_by_code
from tests.support import factories
from tests.support.clients import demo


@dataclass(frozen=True)
class DemoIds:
    """Ids of the demo data, read once: every test runs in a rolled-back transaction."""

    catalyst: int
    precursor: int
    # Organisation code -> participation id, per operation.
    participations: dict[str, int]
    precursor_participations: dict[str, int]
    # E-mail local part -> membership id, per operation.
    memberships: dict[str, int]
    precursor_memberships: dict[str, int]
    # E-mail local part -> user id; organisation code -> organisation id.
    users: dict[str, int]
    organisations: dict[str, int]
    # CATALYST-DEMO's phases: (kind, name, starts_on, ends_on).
    phases: list[tuple[str, str, date, date | None]]


def read_ids() -> DemoIds:
    def operation(code):
        return db.session.scalar(select(Operation).where(Operation.code == code))

    def participations(op):
        return {p.organisation.code: p.id for p in op.participations}

    def memberships(op):
        rows = db.session.execute(select(User.email, Membership.id).join(Membership.user)
                                  .where(Membership.operation_id == op.id))
        return {email.split("@")[0]: membership_id for email, membership_id in rows}

    catalyst, precursor = operation("CATALYST-DEMO"), operation("PRECURSOR-DEMO")
    users = {email.split("@")[0]: user_id
             for email, user_id in db.session.execute(select(User.email, User.id))}
    organisations = {code: organisation_id for code, organisation_id
                     in db.session.execute(select(Organisation.code, Organisation.id))}
    return DemoIds(
        catalyst=catalyst.id, precursor=precursor.id,
        participations=participations(catalyst),
        precursor_participations=participations(precursor),
        memberships=memberships(catalyst), precursor_memberships=memberships(precursor),
        users=users, organisations=organisations,
        phases=[(p.kind.value, p.name, p.starts_on, p.ends_on) for p in catalyst.phases],
    )


def audit_entries(session, operation_id: int, action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.operation_id == operation_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(session.scalars(query.order_by(AuditEntry.id)))


def audit_count(session, operation_id: int) -> int:
    return session.scalar(select(func.count(AuditEntry.id))
                          .where(AuditEntry.operation_id == operation_id))


def add_colleague(organisation_code: str, local_part: str, name: str = "A Colleague") -> User:
    """A new active account in a demo organisation, at the demo's domain (in an app
    context)."""
    return factories.user(organisation=find_by_code(organisation_code), email=demo(local_part),
                          display_name=name)


def participation(session, operation_id: int, code: str) -> Participation:
    return session.scalar(select(Participation).join(Participation.organisation).where(
        Participation.operation_id == operation_id, Organisation.code == code))
