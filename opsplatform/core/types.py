"""Column types shared by every domain."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def str_enum(enum_class: type[enum.StrEnum], length: int = 40) -> Enum:
    """Store a StrEnum by its value in a plain string column (portable, readable in dumps)."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
