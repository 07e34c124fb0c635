"""Who takes part in an operation: invitations, answers, withdrawals, and people's roles.

Callers (views, API, CLI) have checked the user's permission; these functions
enforce the rules of the data, write the audit entry, and flush.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from typing_extensions import TypeIs

from opsplatform.audit.models import AuditAction
from opsplatform.audit.operations import record
from opsplatform.auth.models import User
from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.db import db, utcnow
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.organisations.models import Organisation, OrganisationKind

from .access import forget_access
from .models import (
    Membership,
    Operation,
    OperationRole,
    Participation,
    ParticipationStatus,
)

# -- participation ----------------------------------------------------------------------------


def _participation_of(operation: Operation, organisation: Organisation) -> Participation | None:
    return db.session.scalar(
        select(Participation).where(Participation.operation_id == operation.id,
                                    Participation.organisation_id == organisation.id)
    )


def invite(operation: Operation, organisation: Organisation, *, actor: User,
           contact_points: list[User] | None = None) -> Participation:
    """Invite an organisation (again, after a decline or withdrawal)."""
    if operation.closed_at is not None:
        raise ConflictError(_("The operation is closed."), code="operation_closed")
    if not organisation.is_active:
        raise DomainError(_("%(code)s is not an active organisation.", code=organisation.code),
                          code="inactive_organisation", field="organisation")
    participation = _participation_of(operation, organisation)
    if participation is not None and participation.status in (ParticipationStatus.INVITED,
                                                              ParticipationStatus.ACCEPTED):
        message = (_("%(code)s has already been invited.", code=organisation.code)
                   if participation.status is ParticipationStatus.INVITED
                   else _("%(code)s already takes part.", code=organisation.code))
        raise ConflictError(message, code="already_invited", field="organisation")
    if participation is None:
        participation = Participation(operation=operation, organisation=organisation,
                                      invited_by_id=actor.id)
        db.session.add(participation)
    participation.status = ParticipationStatus.INVITED
    participation.invited_at = utcnow()
    participation.invited_by_id = actor.id
    participation.responded_at = participation.responded_by_id = None
    participation.withdrawn_at = participation.withdrawn_by_id = None
    db.session.flush()
    record(AuditAction.PARTICIPANT_INVITED, target=participation, actor=actor, operation=operation,
           subject=organisation.code)
    for person in contact_points or []:
        add_member(participation, person, OperationRole.CONTACT_POINT, actor=actor)
    forget_access()
    return participation


def default_role_for(organisation: Organisation) -> OperationRole:
    """International organisations observe; everyone else takes part as a contact point."""
    if organisation.kind is OrganisationKind.INTERNATIONAL_ORGANISATION:
        return OperationRole.OBSERVER
    return OperationRole.CONTACT_POINT


def ensure_taking_part(operation: Operation, organisations: list[Organisation],
                        actor: User) -> None:
    """The host and the organising organisations take part without being asked."""
    for organisation in organisations:
        participation = _participation_of(operation, organisation)
        if participation is not None and participation.status is ParticipationStatus.ACCEPTED:
            continue
        if participation is None or participation.status is not ParticipationStatus.INVITED:
            participation = invite(operation, organisation, actor=actor)
        _accept(participation, actor, responder=None)


def _accept(participation: Participation, actor: User, responder: User | None) -> None:
    participation.status = ParticipationStatus.ACCEPTED
    participation.responded_at = utcnow()
    participation.responded_by_id = actor.id
    if responder is not None and _membership_of(participation.operation_id, responder) is None:
        # Whoever accepts for their organisation becomes its first contact (or observer).
        add_member(participation, responder, default_role_for(participation.organisation),
                   actor=actor)
    record(AuditAction.PARTICIPATION_ACCEPTED, target=participation, actor=actor,
           operation=participation.operation_id, subject=participation.organisation.code)
    forget_access()
    db.session.flush()


def respond_to_invitation(participation: Participation, *, accept: bool, actor: User) -> None:
    """An invited administration's answer, given by one of its people."""
    if participation.status is not ParticipationStatus.INVITED:
        raise ConflictError(_("This invitation has already been answered."),
                            code="not_invited")
    if actor.organisation_id != participation.organisation_id:
        raise DomainError(_("Only the invited organisation can answer its invitation."),
                          code="wrong_organisation")
    if accept:
        _accept(participation, actor, responder=actor)
        return
    participation.status = ParticipationStatus.DECLINED
    participation.responded_at = utcnow()
    participation.responded_by_id = actor.id
    record(AuditAction.PARTICIPATION_DECLINED, target=participation, actor=actor,
           operation=participation.operation_id, subject=participation.organisation.code)
    forget_access()
    db.session.flush()


def withdraw_participation(participation: Participation, *, actor: User) -> None:
    """End an organisation's part; its people lose access, their history stays."""
    operation = participation.operation
    if participation.status not in (ParticipationStatus.INVITED, ParticipationStatus.ACCEPTED):
        raise ConflictError(_("%(code)s does not take part.", code=participation.organisation.code),
                            code="not_participating")
    if participation.organisation_id == operation.host_organisation_id:
        raise DomainError(_("The host administration cannot be withdrawn."),
                          code="host_cannot_withdraw")
    participation.status = ParticipationStatus.WITHDRAWN
    participation.withdrawn_at = utcnow()
    participation.withdrawn_by_id = actor.id
    record(AuditAction.PARTICIPATION_WITHDRAWN, target=participation, actor=actor,
           operation=operation, subject=participation.organisation.code)
    forget_access()
    db.session.flush()


# -- people and their roles -------------------------------------------------------------------


def _membership_of(operation_id: int, user: User) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.operation_id == operation_id,
                                 Membership.user_id == user.id)
    )


def _may_be_added(person: User | None, organisation: Organisation) -> TypeIs[User]:
    return person is not None and person.is_active and person.organisation_id == organisation.id


def people_of(organisation: Organisation, emails: list[str]) -> list[User]:
    """The active accounts of ``organisation`` with these addresses, for an invitation.

    An address of nobody, of someone deactivated or of someone elsewhere is refused
    alike, naming only the address given: the platform's accounts are not a directory
    to be read by trying addresses.
    """
    people = []
    for email in dict.fromkeys(emails):
        person = find_user_by_email(email)
        if not _may_be_added(person, organisation):
            raise DomainError(
                _("No active account of %(code)s has the e-mail address %(email)s.",
                  code=organisation.code, email=email),
                code="unknown_person", field="contact_points")
        people.append(person)
    return people


def add_member(participation: Participation, user: User | None, role: OperationRole, *,
               actor: User) -> Membership:
    """Give a person of the participating organisation a role in the operation.

    Nobody, somebody deactivated and somebody of another organisation are refused in
    the same words, naming no one, so that an id reveals nothing about its account.
    """
    if participation.status not in (ParticipationStatus.INVITED, ParticipationStatus.ACCEPTED):
        raise ConflictError(_("%(code)s does not take part.", code=participation.organisation.code),
                            code="not_participating")
    if not _may_be_added(user, participation.organisation):
        raise DomainError(_("Choose one of the active people of %(code)s.",
                            code=participation.organisation.code),
                          code="unknown_person", field="user")
    existing = _membership_of(participation.operation_id, user)
    if existing is not None:
        raise ConflictError(
            _("%(email)s already has a role in this operation (%(role)s).", email=user.email,
              role=existing.role.label),
            code="already_member", field="user")
    membership = Membership(operation_id=participation.operation_id, participation=participation,
                            user=user, role=OperationRole(role), added_by_id=actor.id)
    db.session.add(membership)
    db.session.flush()
    record(AuditAction.MEMBER_ADDED, target=membership, actor=actor,
           operation=participation.operation_id, subject=user.email,
           details={"role": membership.role.value,
                    "organisation": participation.organisation.code})
    forget_access()
    return membership


def _check_keeps_a_contact_point(membership: Membership, new_role: OperationRole | None) -> None:
    participation = membership.participation
    if (membership.role is not OperationRole.CONTACT_POINT
            or new_role is OperationRole.CONTACT_POINT
            or participation.status is not ParticipationStatus.ACCEPTED
            or not participation.organisation.is_member_administration):
        return
    others = [m for m in participation.members
              if m.id != membership.id and m.role is OperationRole.CONTACT_POINT]
    if not others:
        raise DomainError(
            _("%(code)s must keep at least one contact point: add another one first.",
              code=participation.organisation.code),
            code="last_contact_point", field="user")


def change_member_role(membership: Membership, role: OperationRole, *, actor: User) -> None:
    role = OperationRole(role)
    if membership.role is role:
        return
    _check_keeps_a_contact_point(membership, role)
    old = membership.role
    membership.role = role
    record(AuditAction.MEMBER_ROLE_CHANGED, target=membership, actor=actor,
           operation=membership.operation_id, subject=membership.user.email,
           details={"changes": {"role": [old.value, role.value]}})
    forget_access()
    db.session.flush()


def remove_member(membership: Membership, *, actor: User) -> None:
    _check_keeps_a_contact_point(membership, None)
    record(AuditAction.MEMBER_REMOVED, target=membership, actor=actor,
           operation=membership.operation_id, subject=membership.user.email,
           details={"role": membership.role.value})
    membership.participation.members.remove(membership)
    db.session.delete(membership)
    forget_access()
    db.session.flush()
