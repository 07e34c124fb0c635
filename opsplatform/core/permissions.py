"""Who may do what inside an operation: permissions, roles, and the one map between them.

Permissions are named ``<scope>:<resource>:<action>``. A user's role in an
operation comes from operations/access.py; this module only says what each
role allows. Later domains (messages, seizures, reports) add their
permissions here and to the map, nowhere else.
"""

from __future__ import annotations

import enum


class Permission(enum.StrEnum):
    OPERATION_READ = "operation:overview:read"
    OPERATION_WRITE = "operation:plan:write"
    PHASES_WRITE = "operation:phases:write"
    OPERATION_CLOSE = "operation:status:close"
    INVITATION_READ = "operation:invitation:read"
    INVITATION_RESPOND = "operation:invitation:respond"
    PARTICIPANTS_READ = "operation:participants:read"
    PARTICIPANTS_WRITE = "operation:participants:write"
    # People (per-operation roles) of any participating administration, or of one's own.
    MEMBERS_WRITE_ANY = "operation:members:write_any"
    MEMBERS_WRITE_OWN = "operation:members:write_own"
    CONTACTS_READ = "operation:contacts:read"
    ACTIVITY_READ = "operation:activity:read"
    # The full administration × period table, or only the totals.
    COMPLIANCE_READ = "operation:compliance:read"
    COMPLIANCE_SUMMARY_READ = "operation:compliance:read_summary"
    REMINDERS_SEND = "operation:reminders:send"
    # Nil returns and seizure returns of one's own administration.
    RETURNS_WRITE_OWN = "operation:returns:write_own"
    PERIODS_WRITE = "operation:periods:write"
    # Lock a reporting period's returns once final (and unlock it).
    PERIODS_LOCK = "operation:periods:lock"
    DOCUMENTS_READ = "operation:documents:read"
    DOCUMENTS_WRITE = "operation:documents:write"
    # Messages addressed to (or sent by) one's own administration; sending them.
    MESSAGES_READ = "operation:messages:read"
    MESSAGES_SEND = "operation:messages:send"
    # The OCU: bulletins to all; every message of the operation, who has acknowledged
    # it and reminding those who have not; deleting one (a tombstone stays).
    MESSAGES_BULLETIN = "operation:messages:bulletin"
    MESSAGES_OVERSEE = "operation:messages:oversee"
    MESSAGES_DELETE = "operation:messages:delete"


class AccessRole(enum.StrEnum):
    """How a user stands in one operation."""

    SECRETARIAT = "secretariat"
    COORDINATOR = "coordinator"
    CONTACT_POINT = "contact_point"
    OBSERVER = "observer"
    # A user of an administration invited but not yet taking part.
    INVITEE = "invitee"


_MEMBER_BASICS = frozenset({
    Permission.OPERATION_READ,
    Permission.PARTICIPANTS_READ,
    Permission.CONTACTS_READ,
    Permission.DOCUMENTS_READ,
    Permission.ACTIVITY_READ,
    Permission.COMPLIANCE_SUMMARY_READ,
    Permission.MESSAGES_READ,
    Permission.MESSAGES_SEND,
})

ROLE_PERMISSIONS: dict[AccessRole, frozenset[Permission]] = {
    # Listed, not "every permission but": a new permission is granted to nobody silently.
    AccessRole.SECRETARIAT: _MEMBER_BASICS | {
        Permission.OPERATION_WRITE,
        Permission.PHASES_WRITE,
        Permission.OPERATION_CLOSE,
        Permission.PARTICIPANTS_WRITE,
        Permission.MEMBERS_WRITE_ANY,
        Permission.MEMBERS_WRITE_OWN,
        Permission.COMPLIANCE_READ,
        Permission.REMINDERS_SEND,
        Permission.PERIODS_WRITE,
        Permission.PERIODS_LOCK,
        Permission.DOCUMENTS_WRITE,
    },
    AccessRole.COORDINATOR: _MEMBER_BASICS | {
        Permission.MESSAGES_BULLETIN,
        Permission.MESSAGES_OVERSEE,
        Permission.MESSAGES_DELETE,
        Permission.MEMBERS_WRITE_ANY,
        Permission.MEMBERS_WRITE_OWN,
        Permission.COMPLIANCE_READ,
        Permission.REMINDERS_SEND,
        Permission.PERIODS_LOCK,
        Permission.DOCUMENTS_WRITE,
    },
    AccessRole.CONTACT_POINT: _MEMBER_BASICS | {
        Permission.MEMBERS_WRITE_OWN,
        Permission.RETURNS_WRITE_OWN,
    },
    AccessRole.OBSERVER: _MEMBER_BASICS,
    AccessRole.INVITEE: frozenset({Permission.INVITATION_READ, Permission.INVITATION_RESPOND}),
}


def roles_allowed(permission: Permission) -> frozenset[AccessRole]:
    """The roles granted ``permission`` (for SQL that selects people by role)."""
    return frozenset(role for role, granted in ROLE_PERMISSIONS.items() if permission in granted)


def role_allows(role: AccessRole | None, permission: Permission) -> bool:
    if not isinstance(permission, Permission):
        # A string (or a template's undefined name) must not quietly mean "no".
        raise TypeError(f"not a Permission: {permission!r}")
    return role is not None and permission in ROLE_PERMISSIONS[role]
