"""Encrypted fields: columns that hold only ciphertext, each value bound to its row and column.

A model declares an encrypted field as the column that stores the ciphertext and the
plaintext attribute the code reads and writes; a blind index column, if the field is an
identifier to match on (see blind_index.py)::

    class SeizureParty(EncryptedRow, Base):
        __tablename__ = "seizure_parties"

        id: Mapped[int] = mapped_column(primary_key=True)
        name_ciphertext: Mapped[bytes] = ciphertext_column()
        name: Mapped[str] = encrypted("name_ciphertext")
        name_index: Mapped[str] = blind_index_column()

    party = SeizureParty(name="Kim Min-jun")
    party.name_index = blind_index(IndexKind.NAME, party.name)

Setting ``party.name`` encrypts at once with the current data key (AES-256-GCM; the blob
starts with the key's id, see crypto.py); reading it decrypts, or raises DecryptionError.
The associated data is the table's name, the column's name and the row's ``uuid``, which
EncryptedRow gives every row when the object is created, before any INSERT: a value
copied to another row or another column does not decrypt. (So renaming an encrypted
table or column in a migration means re-encrypting its values.)

SQL cannot look inside an encrypted field: compare its blind index instead. A Ciphertext
column refuses anything but ciphertext, so plaintext is never written to it by mistake.

Every table with a Ciphertext column registers itself for ``keys rotate`` when its mapper
is configured; a new domain's fields are rotated without touching the command.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    LargeBinary,
    String,
    Table,
    bindparam,
    event,
    func,
    inspect,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import (
    Mapped,
    MappedColumn,
    Mapper,
    Synonym,
    mapped_column,
    synonym,
    validates,
)
from sqlalchemy.types import TypeDecorator

from .crypto import (
    KEY_ID_BYTES,
    KEY_ID_OFFSET,
    DecryptionError,
    Keyring,
    is_sealed,
    key_id,
    keyring,
)
from .db import db
from .rotation import RotationCounts, RotationLog, register_rotation

_ASSOCIATED_DATA_LABEL = "opsplatform encrypted field v1"


class Ciphertext(TypeDecorator[bytes]):
    """A binary column that accepts only blobs sealed by crypto.Keyring."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, bytes) or not is_sealed(value):
            raise TypeError("an encrypted column holds ciphertext only: set the plaintext "
                            "through the model's encrypted() attribute")
        return value

    def process_result_value(self, value: Any, dialect) -> bytes | None:
        return None if value is None else bytes(value)


def ciphertext_column(**kwargs) -> MappedColumn:
    """The column behind an encrypted field: ``Mapped[bytes]`` (or ``bytes | None``).

    Extra arguments go to mapped_column (``deferred=True`` for long texts kept out of lists).
    """
    return mapped_column(Ciphertext(), **kwargs)


def new_uuid() -> str:
    return str(uuid.uuid4())


def associated_data(column: Column, row_uuid: str) -> bytes:
    """What binds a value to its place: table, column and row."""
    return "\x00".join((_ASSOCIATED_DATA_LABEL, column.table.name, column.name,
                        row_uuid)).encode()


class EncryptedRow:
    """Mixin for a model with encrypted fields: a ``uuid`` chosen in Python at creation.

    The uuid is known before the INSERT (unlike an autoincrement id), so a field can be
    encrypted as soon as it is set; and it never changes, since every value is bound to it.
    """

    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)

    @validates("uuid")
    def _keep_uuid(self, _key: str, value: str) -> str:
        current = self.__dict__.get("uuid")
        if current is not None and value != current:
            raise ValueError("a row's uuid binds its encrypted fields; it cannot change")
        return value


@event.listens_for(EncryptedRow, "init", propagate=True)
def _give_a_uuid(target: EncryptedRow, _args, kwargs) -> None:
    # Before the constructor sets the fields, which need it.
    target.uuid = kwargs.get("uuid") or new_uuid()


class _Plaintext:
    """The descriptor behind ``encrypted()``: decrypts on read, encrypts on write."""

    def __init__(self, ciphertext_key: str):
        self.ciphertext_key = ciphertext_key
        self._cache_key = f"_opsplatform_plaintext_{ciphertext_key}"

    def column(self, owner: type) -> Column:
        return inspect(owner).columns[self.ciphertext_key]

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        blob = getattr(instance, self.ciphertext_key)
        if blob is None:
            return None
        # Decrypt once per value: the cache holds the blob it was made from.
        cached = instance.__dict__.get(self._cache_key)
        if cached is not None and cached[0] is blob:
            return cached[1]
        column = self.column(type(instance))
        try:
            text = keyring().decrypt(blob, associated_data(column, instance.uuid)).decode()
        except DecryptionError as error:
            raise DecryptionError(f"{column.table.name}.{column.name} of row {instance.uuid} "
                                  f"cannot be decrypted: {error}") from error
        instance.__dict__[self._cache_key] = (blob, text)
        return text

    def __set__(self, instance: Any, value: str | None) -> None:
        if value is None:
            setattr(instance, self.ciphertext_key, None)
            return
        if not isinstance(value, str):
            raise TypeError(f"an encrypted field holds text, not {type(value).__name__}")
        if instance.uuid is None:
            instance.uuid = new_uuid()
        column = self.column(type(instance))
        blob = keyring().encrypt(value.encode(), associated_data(column, instance.uuid))
        setattr(instance, self.ciphertext_key, blob)
        instance.__dict__[self._cache_key] = (blob, value)


def encrypted(ciphertext_attribute: str) -> Synonym[Any]:
    """The plaintext side of the ciphertext column named ``ciphertext_attribute``.

    Declare it ``Mapped[str]`` (or ``Mapped[str | None]`` if the column is nullable).
    """
    return synonym(ciphertext_attribute, descriptor=_Plaintext(ciphertext_attribute))


# -- key rotation -----------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class EncryptedTable:
    """``keys rotate`` for one table's encrypted columns, in one pass over the table."""

    table: Table
    default_batch_size: int = 500

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def columns(self) -> list[Column]:
        return [column for column in self.table.columns if isinstance(column.type, Ciphertext)]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EncryptedTable) and other.table is self.table

    def __hash__(self) -> int:
        return id(self.table)

    def rotate(self, ring: Keyring, batch_size: int,
               log: RotationLog) -> list[tuple[str, RotationCounts]]:
        table, columns = self.table, self.columns
        (primary_key,) = table.primary_key.columns
        row_uuid = table.c.uuid
        current = literal(key_id(ring.keys[0]), LargeBinary)
        # Stale values, found by the key id inside the blob: no key-id column is needed.
        stale = or_(*(
            func.substr(column, KEY_ID_OFFSET + 1, KEY_ID_BYTES) != current
            for column in columns
        ))
        counts = {column.name: RotationCounts() for column in columns}
        totals = RotationCounts()
        after = None
        while True:
            query = select(primary_key, row_uuid, *columns).where(stale)
            if after is not None:
                query = query.where(primary_key > after)
            rows = db.session.execute(query.order_by(primary_key).limit(batch_size)).all()
            if not rows:
                break
            self._rotate_batch(ring, columns, rows, counts, log)
            after = rows[-1][0]
            db.session.commit()
            # The updates went around the ORM: objects loaded earlier must reload.
            db.session.expire_all()
            totals.batches += 1
            totals.reencrypted = sum(part.reencrypted for part in counts.values())
            log.batch(self.name, totals)
        return [(f"{self.name}.{name}", part) for name, part in counts.items()]

    def _rotate_batch(self, ring: Keyring, columns: list[Column], rows,
                      counts: dict[str, RotationCounts], log: RotationLog) -> None:
        """Re-encrypt a batch's stale values; each row is (primary key, uuid, *columns)."""
        # Rows grouped by the columns they change: one UPDATE, executed many times, per group.
        groups: dict[tuple[int, ...], list[dict[str, Any]]] = {}
        for primary_key, row_uuid, *blobs in rows:
            params: dict[str, Any] = {"_rotated_pk": primary_key}
            changed = []
            for number, (column, blob) in enumerate(zip(columns, blobs, strict=True)):
                if blob is None:
                    continue
                if ring.is_current(blob):
                    counts[column.name].already_current += 1
                    continue
                place = associated_data(column, row_uuid)
                try:
                    plaintext = ring.decrypt(blob, place)
                except DecryptionError as error:
                    counts[column.name].failed += 1
                    log.failure(f"{self.name}.{column.name} of row {primary_key} ({row_uuid}) "
                                f"cannot be decrypted: {error}.")
                    continue
                params[f"_old_{number}"] = blob
                params[f"_new_{number}"] = ring.encrypt(plaintext, place)
                changed.append(number)
            if changed:
                groups.setdefault(tuple(changed), []).append(params)
        for numbers, group in groups.items():
            updated = self._write(columns, numbers, group)
            for number in numbers:
                counts[columns[number].name].reencrypted += updated
                counts[columns[number].name].changed_meanwhile += len(group) - updated

    def _write(self, columns: list[Column], changed: tuple[int, ...],
               group: list[dict[str, Any]]) -> int:
        """Write re-encrypted values; returns how many rows were still as read."""
        (primary_key,) = self.table.primary_key.columns
        # Only where the app did not rewrite the value since it was read (its write is current).
        statement = update(self.table).where(
            primary_key == bindparam("_rotated_pk"),
            *(columns[number] == bindparam(f"_old_{number}") for number in changed),
        ).values({columns[number]: bindparam(f"_new_{number}") for number in changed})
        if db.session.get_bind().dialect.supports_sane_multi_rowcount:
            return _rowcount(db.session.execute(statement, group))
        return sum(_rowcount(db.session.execute(statement, params)) for params in group)


def _rowcount(result: Any) -> int:
    """Rows an UPDATE matched (a CursorResult's, which ``execute`` types as a plain Result)."""
    return result.rowcount


@event.listens_for(Mapper, "mapper_configured")
def _register_encrypted_table(mapper: Mapper, class_: type) -> None:
    """Check a model's encrypted fields and put its table in the rotation registry."""
    table = mapper.local_table
    if not isinstance(table, Table):
        return
    for prop in mapper.synonyms:
        if isinstance(prop.descriptor, _Plaintext):
            target = mapper.columns.get(prop.name)
            if target is None or not isinstance(target.type, Ciphertext):
                raise TypeError(f"{class_.__name__}.{prop.key} = encrypted({prop.name!r}) needs "
                                f"{prop.name} to be a ciphertext_column()")
    columns = [column for column in table.columns if isinstance(column.type, Ciphertext)]
    if not columns:
        return
    if "uuid" not in table.c:
        raise TypeError(f"{class_.__name__} has encrypted columns but no uuid column in "
                        f"{table.name}: give it the EncryptedRow mixin")
    if len(table.primary_key.columns) != 1:
        raise TypeError(f"{table.name} has encrypted columns: it needs a one-column primary "
                        "key, to rotate them in batches")
    register_rotation(EncryptedTable(table))
