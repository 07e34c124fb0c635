"""The registry of data at rest that ``keys rotate`` re-encrypts.

Everything encrypted with the data key registers here: the stored files (files.py) and
every table with encrypted fields (encrypted.py does it when the table's mapper is
configured). ``rotate_all`` walks the registry, so a new domain's encrypted data is
rotated without touching the command.

A registered item re-encrypts in batches, committing each one, so it can be stopped and
run again; a value it cannot decrypt is reported and left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import configure_mappers

from .crypto import Keyring, keyring


@dataclass
class RotationCounts:
    reencrypted: int = 0
    already_current: int = 0
    failed: int = 0
    # Rewritten by the app while the rotation ran (so under the current key); left alone.
    changed_meanwhile: int = 0
    batches: int = 0

    def summary(self) -> str:
        text = (f"{self.reencrypted} re-encrypted, {self.already_current} already under the "
                f"current key, {self.failed} failed")
        if self.changed_meanwhile:
            text += f", {self.changed_meanwhile} changed meanwhile"
        return text + "."


class RotationLog(Protocol):
    def batch(self, item: str, counts: RotationCounts) -> None:
        """A batch of ``item`` is committed; ``counts`` are its totals so far."""

    def failure(self, message: str) -> None:
        """A value could not be decrypted (and was left as it is)."""


class Rotatable(Protocol):
    """Encrypted data that can be re-encrypted under the current key."""

    @property
    def name(self) -> str:
        """What the command's report calls it: "Stored files", a table's name."""

    @property
    def default_batch_size(self) -> int:
        """Rows per batch unless the command is told otherwise (files are big, fields small)."""

    def rotate(self, ring: Keyring, batch_size: int,
               log: RotationLog) -> list[tuple[str, RotationCounts]]:
        """Re-encrypt what is not under ``ring``'s current key; counts per part (file, column)."""


_registry: dict[str, Rotatable] = {}


def register_rotation(item: Rotatable) -> Rotatable:
    """Add ``item`` to what ``keys rotate`` walks (again: no change); returns it."""
    existing = _registry.get(item.name)
    if existing is not None and existing != item:
        raise ValueError(f"two kinds of encrypted data are both named {item.name!r}")
    _registry[item.name] = item
    return item


def unregister_rotation(name: str) -> None:
    """Forget an item (for tests, whose models live no longer than the test)."""
    _registry.pop(name, None)


def registered_rotations() -> list[Rotatable]:
    """Every registered item, in registration order (with every mapper configured first)."""
    configure_mappers()
    return list(_registry.values())


def rotate_all(log: RotationLog, batch_size: int | None = None,
               ) -> list[tuple[str, RotationCounts]]:
    """Re-encrypt everything registered under the current data key; counts per part."""
    ring = keyring()
    results = []
    for item in registered_rotations():
        results.extend(item.rotate(ring, batch_size or item.default_batch_size, log))
    return results
