"""The one map from roles to permissions."""

from __future__ import annotations

import pytest

from opsplatform.core.permissions import ROLE_PERMISSIONS, AccessRole, Permission, role_allows


def test_the_secretariat_holds_every_permission_but_an_invitee_s_a_contact_point_s_and_the_ocu_s():
    """Listed one by one, so that a new permission is granted to it only by saying so.

    The OCU's hold on messages is its own: the secretariat reads what is addressed to it."""
    assert set(Permission) - ROLE_PERMISSIONS[AccessRole.SECRETARIAT] == {
        Permission.INVITATION_READ, Permission.INVITATION_RESPOND, Permission.RETURNS_WRITE_OWN,
        Permission.MESSAGES_BULLETIN, Permission.MESSAGES_OVERSEE, Permission.MESSAGES_DELETE}


def test_every_permission_belongs_to_some_role():
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted == set(Permission)


@pytest.mark.parametrize("asked", ["operation:overview:read", "operation:overview:raed", None])
def test_a_permission_asked_by_string_or_undefined_name_is_an_error(asked):
    with pytest.raises(TypeError):
        role_allows(AccessRole.SECRETARIAT, asked)
