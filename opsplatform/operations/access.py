"""How a user stands in an operation, and loading what a URL names through it.

Someone with no standing in an operation gets 404 for it and everything
under it, never 403: they must not learn that it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, g
from flask_login import current_user
from sqlalchemy import Select, exists, or_, select

from opsplatform.auth.models import User
from opsplatform.core.db import Base, db
from opsplatform.core.permissions import AccessRole, Permission, role_allows

from .models import Membership, Operation, OperationRole, Participation, ParticipationStatus


@dataclass(frozen=True)
class OperationAccess:
    role: AccessRole | None
    # The participation of the user's own organisation, when it has one.
    participation: Participation | None = None

    def can(self, permission: Permission) -> bool:
        return role_allows(self.role, permission)

    @property
    def is_member(self) -> bool:
        return self.role is not None and self.role is not AccessRole.INVITEE

    def is_own(self, participation: Participation) -> bool:
        return self.participation is not None and self.participation.id == participation.id

    def may_manage_people_of(self, participation: Participation) -> bool:
        """Coordinators and the secretariat manage anyone's people; contact points their own."""
        return self.can(Permission.MEMBERS_WRITE_ANY) or (
            self.can(Permission.MEMBERS_WRITE_OWN) and self.is_own(participation)
        )

    def roles_assignable(self) -> list[OperationRole]:
        if self.can(Permission.MEMBERS_WRITE_ANY):
            return list(OperationRole)
        if self.can(Permission.MEMBERS_WRITE_OWN):
            return [OperationRole.CONTACT_POINT]
        return []

    def may_file_returns_for(self, participation: Participation) -> bool:
        return self.can(Permission.RETURNS_WRITE_OWN) and self.is_own(participation)


NO_ACCESS = OperationAccess(None)

# Ids are 32-bit integers on PostgreSQL: a larger one (from a URL or a form) names
# nothing, and must not reach the driver, which raises (a 500 instead of a 404).
MAX_ID = 2**31 - 1


def get_by_id(model: type[Base], object_id: object):
    """The ``model`` row with that id, or None, also for an id no row can have."""
    if not isinstance(object_id, int) or isinstance(object_id, bool):
        return None
    if not 0 < object_id <= MAX_ID:
        return None
    return db.session.get(model, object_id)


def _resolve(user: User, operation: Operation) -> OperationAccess:
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    own = db.session.scalar(
        select(Participation).where(
            Participation.operation_id == operation.id,
            Participation.organisation_id == user.organisation_id,
        )
    )
    if user.is_secretariat:
        return OperationAccess(AccessRole.SECRETARIAT, own)
    if own is None:
        return NO_ACCESS
    if own.status is ParticipationStatus.ACCEPTED:
        role = db.session.scalar(
            select(Membership.role).where(
                Membership.operation_id == operation.id,
                Membership.user_id == user.id,
                Membership.participation_id == own.id,
            )
        )
        return OperationAccess(AccessRole(role.value), own) if role else NO_ACCESS
    if own.status is ParticipationStatus.INVITED:
        return OperationAccess(AccessRole.INVITEE, own)
    return NO_ACCESS


def access_for(user: User, operation: Operation) -> OperationAccess:
    """The user's standing in ``operation``, worked out once per request."""
    cache = g.setdefault("_operation_access", {})
    key = (getattr(user, "id", None), operation.id)
    if key not in cache:
        cache[key] = _resolve(user, operation)
    return cache[key]


def forget_access() -> None:
    """Drop cached standings after a change to participation or roles in this request."""
    g.pop("_operation_access", None)


def visible_operations(user: User) -> Select:
    """Operations ``user`` may know exist: as a member, an invitee, or the secretariat."""
    query = select(Operation)
    if user.is_secretariat:
        return query
    own_participation = (Participation.operation_id == Operation.id) & (
        Participation.organisation_id == user.organisation_id
    )
    as_member = exists().where(
        own_participation,
        Participation.status == ParticipationStatus.ACCEPTED,
        Membership.participation_id == Participation.id,
        Membership.user_id == user.id,
    )
    as_invitee = exists().where(own_participation,
                                Participation.status == ParticipationStatus.INVITED)
    return query.where(or_(as_member, as_invitee))


def load_operation(operation_id: int, permission: Permission) -> Operation:
    """The operation for the current user: 404 without standing, 403 without ``permission``."""
    operation = get_by_id(Operation, operation_id)
    if operation is None:
        abort(404)
    access = access_for(current_user, operation)
    if access.role is None:
        abort(404)
    if not access.can(permission):
        abort(403)
    g.operation = operation
    g.operation_access = access
    return operation


def load_child(model: type[Base], child_id: int, operation: Operation):
    """An object of ``operation`` by id; one from another operation is a 404."""
    child = None
    if 0 < child_id <= MAX_ID:
        child = db.session.scalar(
            select(model).where(model.id == child_id, model.operation_id == operation.id)
        )
    if child is None:
        abort(404)
    return child


def operation_route(permission: Permission) -> Callable:
    """Decorate a view taking ``operation_id``: it receives the loaded, checked operation."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(operation_id: int, **kwargs):
            return view(load_operation(operation_id, permission), **kwargs)

        wrapper.operation_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator


def current_access() -> OperationAccess:
    """The standing computed by the last load_operation of this request."""
    return g.operation_access
