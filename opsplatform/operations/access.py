"""How a user stands in an operation, and the one way into a handler of one operation.

Someone with no standing in an operation gets 404 for it and everything
under it, never 403: they must not learn that it exists. Pages and API views
alike take the operation through ``@operation_route(permission)``; what a
member may do beyond one permission (whose people, which role, whose returns)
is asked of the standing, whose ``require_*`` methods refuse with 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import abort, g
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    bindparam,
    exists,
    false,
    or_,
    select,
    true,
)

from opsplatform.auth.models import User
from opsplatform.core.access import forbid
from opsplatform.core.db import Base, db, is_valid_id
from opsplatform.core.permissions import AccessRole, Permission, role_allows, roles_allowed

from .models import (
    Membership,
    Operation,
    OperationRole,
    Participation,
    ParticipationStatus,
    PeriodReturn,
)


class ParticipationLike(Protocol):
    """A participation as a list reads it (a row with its id), for the checks needing no more."""

    @property
    def id(self) -> int: ...


@dataclass(frozen=True)
class RowScope:
    """Whose per-administration rows a caller sees: every administration's, or one's own.

    Queries restrict their rows with it (``where``), the way ``visible_operations``
    restricts operations, so the rule is decided once, in ``OperationAccess``.
    """

    everyone: bool
    organisation_id: int | None = None
    organisation_code: str | None = None

    def where(self, organisation_id: SQLColumnExpression[Any]) -> ColumnElement[bool]:
        """A condition on a column holding an organisation id."""
        if self.everyone:
            return true()
        return false() if self.organisation_id is None else organisation_id == self.organisation_id

    @staticmethod
    def where_code(organisation_code: SQLColumnExpression[Any]) -> ColumnElement[bool]:
        """A condition on a column holding an organisation code (audit entries' subject),
        with bound parameters (a statement built once): run it with ``code_values()``."""
        return or_(bindparam("scope_everyone", type_=Boolean),
                   organisation_code == bindparam("scope_code", type_=String))

    def code_values(self) -> dict[str, Any]:
        """``where_code``'s parameters: every row, or the own code's (none for nobody)."""
        return {"scope_everyone": self.everyone,
                "scope_code": None if self.everyone else self.organisation_code}


NOBODY = RowScope(everyone=False)


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

    def is_own(self, participation: Participation | ParticipationLike) -> bool:
        return self.participation is not None and self.participation.id == participation.id

    def may_manage_people_of(self, participation: Participation | ParticipationLike) -> bool:
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

    @property
    def files_own_returns(self) -> bool:
        """A contact point of an administration taking part: it files that one's returns."""
        return self.participation is not None and self.may_file_returns_for(self.participation)

    # -- refusals: each raises 403 unless the standing allows -----------------------------

    def require(self, permission: Permission, message: str | None = None) -> None:
        if not self.can(permission):
            forbid(message)

    def require_people_of(self, participation: Participation) -> None:
        """May manage the people of ``participation`` (see ``may_manage_people_of``)."""
        if not self.may_manage_people_of(participation):
            forbid(_("You may not change the people of %(code)s.",
                     code=participation.organisation.code))

    def require_assignable(self, role: OperationRole | str) -> None:
        """May give (or take away) ``role``: a contact point only its own kind."""
        if role not in self.roles_assignable():
            forbid(_("You may not give or take away that role."))

    def require_participation(self) -> Participation:
        """The participation of the caller's own organisation (the secretariat may have none)."""
        if self.participation is None:
            forbid()
        return self.participation

    def require_own_reporting(self) -> Participation:
        """The caller's own participation, for filing its returns."""
        if not self.files_own_returns:
            forbid(_("Only a contact point of an administration taking part in the "
                     "operation files its returns."))
        return self.participation  # type: ignore[return-value]

    @property
    def reporting_rows(self) -> RowScope:
        """Whose returns and reminders the caller sees, in tables, exports and activity.

        Coordinators and the secretariat see every administration's; other members
        only their own administration's (everyone in the operation sees the totals).
        """
        return RowScope(everyone=True) if self.can(Permission.COMPLIANCE_READ) else self.own_rows

    @property
    def own_rows(self) -> RowScope:
        """The caller's own administration's rows, for members whose organisation takes part."""
        if self.participation is None or not self.can(Permission.COMPLIANCE_SUMMARY_READ):
            return NOBODY
        organisation = self.participation.organisation
        return RowScope(False, organisation.id, organisation.code)

    @property
    def label(self) -> str:
        """How the standing reads in lists: the role, "Secretariat" or "Invited"."""
        if self.role is AccessRole.SECRETARIAT:
            return _("Secretariat")
        if self.role is AccessRole.INVITEE:
            return _("Invited")
        return OperationRole(self.role.value).label if self.role else ""


NO_ACCESS = OperationAccess(None)


def operation_roles_allowed(permission: Permission) -> list[OperationRole]:
    """The roles a person holds inside an operation (memberships) that the permission map
    grants ``permission``: for SQL that selects people by their role."""
    return [role for role in OperationRole if role.value in roles_allowed(permission)]

# A model whose rows belong to one operation (an ``operation_id`` column).
ChildT = TypeVar("ChildT", bound=Base)


def _role(user: User, status: ParticipationStatus | None, role: OperationRole | None,
          others_named: bool) -> AccessRole | None:
    """The rule, in one place: how a user stands given their organisation's participation.

    ``status`` is that participation's (None: the organisation is not asked to take
    part); ``role`` the user's own role through it; ``others_named`` whether the
    invitation named people (then only they may answer it).
    """
    if user.is_secretariat:
        return AccessRole.SECRETARIAT
    if status is None or not user.organisation.is_active:
        return None
    if status is ParticipationStatus.ACCEPTED and role is not None:
        return AccessRole(role.value)
    if status is ParticipationStatus.INVITED and (role is not None or not others_named):
        return AccessRole.INVITEE
    return None


def _standing_rows(user: User, operation_ids: list[int]) -> list:
    """(participation id, operation id, status, the user's role, someone named) of the
    user's organisation in those operations. Whether an invitation named anyone is asked
    only for invitations the user holds no role in (rare), in a second query."""
    rows = db.session.execute(_STANDINGS, {
        "user_id": user.id, "operation_ids": operation_ids,
        "organisation_id": user.organisation_id,
    }).all() if operation_ids else []
    unnamed = [row.id for row in rows
               if row.status is ParticipationStatus.INVITED and row.role is None]
    named = set(db.session.scalars(
        select(Membership.participation_id).where(Membership.participation_id.in_(unnamed))
    )) if unnamed else set()
    return [(row.id, row.operation_id, row.status, row.role, row.id in named) for row in rows]


def _standings_statement() -> Select:
    """The user's organisation's participations in some operations, with the user's role
    through each: narrow columns, built once with bound parameters, since every page of
    an operation and every list runs it."""
    return (
        select(Participation.id, Participation.operation_id, Participation.status,
               Membership.role)
        .outerjoin(Membership, (Membership.participation_id == Participation.id)
                   & (Membership.user_id == bindparam("user_id")))
        .where(Participation.operation_id.in_(bindparam("operation_ids", expanding=True)),
               Participation.organisation_id == bindparam("organisation_id"))
    )


_STANDINGS = _standings_statement()


def standings(user: User, operations: list) -> dict[int, OperationAccess]:
    """The user's standing in each of ``operations`` (objects or rows with an ``id``), for
    lists: the role and what it allows, without loading the participations (the
    standing of a loaded operation, with its participation, is ``access_for``'s)."""
    ids = [operation.id for operation in operations]
    if not user.is_authenticated or not user.is_active:
        return {operation_id: NO_ACCESS for operation_id in ids}
    if user.is_secretariat:  # the rule needs no row
        return {operation_id: _SECRETARIAT for operation_id in ids}
    found = {operation_id: (status, role, named)
             for _id, operation_id, status, role, named in _standing_rows(user, ids)}
    result = {}
    for operation_id in ids:
        role = _role(user, *found.get(operation_id, (None, None, False)))
        result[operation_id] = _BY_ROLE[role]
    return result


_BY_ROLE = {role: OperationAccess(role) for role in (*AccessRole, None)}
_SECRETARIAT = _BY_ROLE[AccessRole.SECRETARIAT]


def standing_in(user: User, operation: Operation) -> OperationAccess:
    """The standing in one operation with the participation of the user's organisation."""
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    rows = _standing_rows(user, [operation.id])
    participation_id, status, role, named = (
        (rows[0][0], *rows[0][2:]) if rows else (None, None, None, False))
    access_role = _role(user, status, role, named)
    if access_role is None:
        return NO_ACCESS
    participation = (db.session.get(Participation, participation_id)
                     if participation_id is not None else None)
    return OperationAccess(access_role, participation)


def access_for(user: User, operation: Operation) -> OperationAccess:
    """The user's standing in ``operation``, worked out once per request."""
    cache = g.setdefault("_operation_access", {})
    key = (getattr(user, "id", None), operation.id)
    if key not in cache:
        cache[key] = standing_in(user, operation)
    return cache[key]


def forget_access() -> None:
    """Drop cached standings after a change to participation or roles in this request."""
    g.pop("_operation_access", None)


def visible_operations(user: User) -> Select:
    """Operations ``user`` may know exist: the SQL twin of ``_standing``."""
    query = select(Operation)
    if user.is_secretariat:
        return query
    if not user.organisation.is_active:
        return query.where(false())
    own_participation = (Participation.operation_id == Operation.id) & (
        Participation.organisation_id == user.organisation_id
    )
    holds_role = exists().where(Membership.participation_id == Participation.id,
                                Membership.user_id == user.id)
    nobody_named = ~exists().where(Membership.participation_id == Participation.id)
    as_member = exists().where(own_participation,
                               Participation.status == ParticipationStatus.ACCEPTED, holds_role)
    as_invitee = exists().where(own_participation,
                                Participation.status == ParticipationStatus.INVITED,
                                or_(holds_role, nobody_named))
    return query.where(or_(as_member, as_invitee))


def _load(operation_id: int, permissions: frozenset[Permission]) -> Operation:
    """The operation for the current user: 404 without standing, 403 without any of
    ``permissions``. The standing is then ``current_access()``."""
    operation = db.get_by_id(Operation, operation_id)
    if operation is None:
        abort(404)
    access = access_for(current_user, operation)
    if access.role is None:
        abort(404)
    if not any(access.can(permission) for permission in permissions):
        abort(403)
    g.operation = operation
    g.operation_access = access
    return operation


def load_child(model: type[ChildT], child_id: int, operation: Operation) -> ChildT:
    """An object of ``operation`` by id; one from another operation is a 404."""
    child = None
    if is_valid_id(child_id):
        columns = model.__table__.c
        child = db.session.scalar(
            select(model).where(columns.id == child_id, columns.operation_id == operation.id)
        )
    if child is None:
        abort(404)
    return child


def load_own_return(operation: Operation, return_id: int) -> PeriodReturn:
    """A return of ``operation`` filed by the caller's own administration, for correcting.

    Not a contact point of an administration taking part: 403; another
    administration's return, or none: 404 (it is not the caller's to see).
    """
    participation = current_access().require_own_reporting()
    period_return = load_child(PeriodReturn, return_id, operation)
    if period_return.organisation_id != participation.organisation_id:
        abort(404)
    return period_return


def operation_route(permission: Permission, *or_permissions: Permission) -> Callable:
    """The one way into a handler of one operation, for pages and the API alike.

    The view's URL names ``operation_id``; the view receives the loaded operation in its
    place, and the caller's standing is ``current_access()``. No standing: 404; standing
    without ``permission`` (nor any of ``or_permissions``): 403.
    """
    needed = frozenset((permission, *or_permissions))

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(operation_id: int, **kwargs):
            return view(_load(operation_id, needed), **kwargs)

        wrapper.operation_permissions = needed  # type: ignore[attr-defined]
        return wrapper

    return decorator


def current_access() -> OperationAccess:
    """The caller's standing in the operation its ``operation_route`` loaded."""
    return g.operation_access
