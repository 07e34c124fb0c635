"""The base of every output schema: fields a caller may not see are dropped, in one place."""

from __future__ import annotations

from typing import Any, Self

from marshmallow import Schema

from opsplatform.core.permissions import Permission
from opsplatform.operations.access import OperationAccess

_PERMISSION_KEY = "x-permission"


def needs(permission: Permission, description: str) -> dict:
    """Metadata of a field shown only to callers holding ``permission`` in the operation.

    The OpenAPI document shows it too (``x-permission``), so clients can read the rule.
    """
    return {"description": f"{description} Only for callers with '{permission.value}'.",
            _PERMISSION_KEY: permission.value}


class VisibleSchema(Schema):
    """An object as a caller may see it.

    Build it with ``for_access(access)``: the fields whose permission the caller's
    standing lacks are left out. A schema with such fields refuses to dump otherwise,
    so no view can forget the check (built bare, it still documents every field).
    """

    def __init__(self, *, access: OperationAccess | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.access = access

    def dump(self, obj: Any, *, many: bool | None = None):
        unchecked = set(self.guarded_fields()) & set(self.fields)
        if self.access is None and unchecked:
            raise TypeError(f"{type(self).__name__} would show {sorted(unchecked)} unchecked: "
                            "build it with for_access(access)")
        return super().dump(obj, many=many)

    @classmethod
    def guarded_fields(cls) -> dict[str, Permission]:
        """The fields that need a permission, with the permission each needs."""
        return {name: Permission(field.metadata[_PERMISSION_KEY])
                for name, field in cls._declared_fields.items()
                if _PERMISSION_KEY in field.metadata}

    @classmethod
    def for_access(cls, access: OperationAccess, **kwargs: Any) -> Self:
        """The schema showing what a caller with ``access`` may see."""
        hidden = {name for name, permission in cls.guarded_fields().items()
                  if not access.can(permission)}
        visible = [name for name in cls._declared_fields if name not in hidden]
        return cls(only=visible, access=access, **kwargs)
