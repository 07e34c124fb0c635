"""Encrypted fields: bound to their row and column, never in clear in the database, rotated.

The model here exists for the tests only: its table is created inside the test's
transaction (rolled back at the end) and its registration for ``keys rotate`` is
withdrawn afterwards, so neither the schema nor the other tests see it.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import MetaData, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, configure_mappers, mapped_column

from opsplatform.core.blind_index import IndexKind, blind_index, blind_index_column
from opsplatform.core.crypto import DecryptionError, key_id, keyring
from opsplatform.core.db import NAMING_CONVENTION, db
from opsplatform.core.encrypted import (
    EncryptedRow,
    EncryptedTable,
    ciphertext_column,
    encrypted,
    new_uuid,
)
from opsplatform.core.rotation import (
    RotationCounts,
    registered_rotations,
    rotate_all,
    unregister_rotation,
)
from tests.core.conftest import LOST_KEY, NEW_KEY, OLD_KEY

pytestmark = pytest.mark.usefixtures("without_demo_documents")

TABLE = "test_case_notes"
BODY = "Consignee KIM Min-jun, Seoul; parcel RR123456785CN declared as 'tea samples'"


@pytest.fixture
def CaseNote(_transaction):  # noqa: N802 - a model class
    """A model with two encrypted fields, its table created on the test's connection."""

    class TestBase(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING_CONVENTION)

    class CaseNote(EncryptedRow, TestBase):
        __tablename__ = TABLE

        id: Mapped[int] = mapped_column(primary_key=True)
        body_ciphertext: Mapped[bytes] = ciphertext_column()
        body: Mapped[str] = encrypted("body_ciphertext")
        phone_ciphertext: Mapped[bytes | None] = ciphertext_column()
        phone: Mapped[str | None] = encrypted("phone_ciphertext")
        phone_index: Mapped[str | None] = blind_index_column()

    TestBase.metadata.create_all(_transaction)
    configure_mappers()
    yield CaseNote
    unregister_rotation(TABLE)
    TestBase.registry.dispose()


def _add(in_app, model, body: str = BODY, phone: str | None = None) -> int:
    with in_app() as session:
        note = model(body=body, phone=phone)
        if phone is not None:
            note.phone_index = blind_index(IndexKind.PHONE, phone, region="KR")
        session.add(note)
        session.flush()
        return note.id


def _raw(session, note_id: int, column: str = "body_ciphertext") -> bytes | None:
    value = session.execute(text(f"SELECT {column} FROM {TABLE} WHERE id = :id"),
                            {"id": note_id}).scalar_one()
    return None if value is None else bytes(value)


# -- encryption -------------------------------------------------------------------------------

def test_a_field_reads_back_what_was_written(in_app, CaseNote):
    note_id = _add(in_app, CaseNote, phone="+82 2 312 3456")
    with in_app() as session:
        note = session.get(CaseNote, note_id)
        assert note.body == BODY
        assert note.phone == "+82 2 312 3456"
        note.body = "Returned for correction"
    with in_app() as session:
        assert session.get(CaseNote, note_id).body == "Returned for correction"


def test_the_database_holds_only_ciphertext_under_the_current_key(in_app, CaseNote):
    note_id = _add(in_app, CaseNote, phone="+82 2 312 3456")
    with in_app() as session:
        raw = _raw(session, note_id)
        raw_phone = _raw(session, note_id, "phone_ciphertext")
        assert raw[1:5] == key_id(keyring().keys[0])  # the key id is kept with the value
    for secret in (b"KIM", b"Min-jun", b"RR123456785CN", b"tea samples"):
        assert secret not in raw
    assert b"312" not in raw_phone
    assert len(raw) > len(BODY.encode())


def test_an_empty_optional_field_is_null(in_app, CaseNote):
    note_id = _add(in_app, CaseNote, phone=None)
    with in_app() as session:
        assert _raw(session, note_id, "phone_ciphertext") is None
        assert session.get(CaseNote, note_id).phone is None


def test_the_row_identity_is_known_before_the_insert_and_cannot_change(in_app, CaseNote):
    with in_app() as session:
        note = CaseNote(body=BODY)
        assert note.id is None and len(note.uuid) == 36
        given = new_uuid()
        assert CaseNote(uuid=given, body=BODY).uuid == given
        with pytest.raises(ValueError, match="cannot change"):
            note.uuid = new_uuid()
        session.expunge_all()


def test_a_value_copied_to_another_row_does_not_decrypt(in_app, CaseNote):
    first = _add(in_app, CaseNote, body="FIRST")
    second = _add(in_app, CaseNote, body="SECOND")
    with in_app() as session:
        session.get(CaseNote, second).body_ciphertext = session.get(CaseNote, first).body_ciphertext
    with in_app() as session:
        note = session.get(CaseNote, second)
        with pytest.raises(DecryptionError) as refused:
            note.body  # noqa: B018 - reading decrypts
    assert f"{TABLE}.body_ciphertext of row {note.uuid} cannot be decrypted" \
        in str(refused.value)


def test_a_value_copied_to_another_column_does_not_decrypt(in_app, CaseNote):
    note_id = _add(in_app, CaseNote, body="+82 2 312 3456")
    with in_app() as session:
        note = session.get(CaseNote, note_id)
        note.phone_ciphertext = note.body_ciphertext
    with in_app() as session, pytest.raises(DecryptionError):
        session.get(CaseNote, note_id).phone  # noqa: B018


def test_a_tampered_value_does_not_decrypt(in_app, CaseNote):
    note_id = _add(in_app, CaseNote)
    with in_app() as session:
        note = session.get(CaseNote, note_id)
        blob = note.body_ciphertext
        note.body_ciphertext = blob[:-1] + bytes([blob[-1] ^ 1])
    with in_app() as session, pytest.raises(DecryptionError, match="does not authenticate"):
        session.get(CaseNote, note_id).body  # noqa: B018


def test_plaintext_cannot_be_written_to_an_encrypted_column(in_app, CaseNote):
    with in_app() as session:
        note = CaseNote(body=BODY)
        note.body_ciphertext = BODY.encode()
        session.add(note)
        with pytest.raises(StatementError, match="holds ciphertext only"):
            session.flush()
        session.rollback()
    with in_app() as session, pytest.raises(TypeError, match="holds text, not int"):
        CaseNote(body=42)
        session.expunge_all()


def test_without_its_key_a_field_does_not_decrypt(in_app, CaseNote, data_keys):
    data_keys(OLD_KEY)
    note_id = _add(in_app, CaseNote)
    data_keys(NEW_KEY)
    with in_app() as session, pytest.raises(DecryptionError, match="key that is not configured"):
        session.get(CaseNote, note_id).body  # noqa: B018


def test_records_are_matched_through_blind_indexes_without_decrypting(in_app, CaseNote):
    # Two administrations write the same phone number their own way.
    korea = _add(in_app, CaseNote, phone="02-312-3456")
    abroad = _add(in_app, CaseNote, phone="+82 (2) 312 3456")
    other = _add(in_app, CaseNote, phone="02-312-3457")
    with in_app() as session:
        wanted = blind_index(IndexKind.PHONE, "+8223123456")
        found = session.scalars(select(CaseNote.id).where(CaseNote.phone_index == wanted)).all()
    assert sorted(found) == sorted([korea, abroad])
    assert other not in found


def test_a_model_must_bind_its_encrypted_fields_to_a_row_identity():
    class TestBase(DeclarativeBase):
        pass

    class Loose(TestBase):
        __tablename__ = "test_loose_notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        body_ciphertext: Mapped[bytes] = ciphertext_column()

    try:
        with pytest.raises(TypeError, match="give it the EncryptedRow mixin"):
            TestBase.registry.configure()
    finally:
        TestBase.registry.dispose()


def test_an_encrypted_field_must_name_a_ciphertext_column():
    class TestBase(DeclarativeBase):
        pass

    class Mistyped(EncryptedRow, TestBase):
        __tablename__ = "test_mistyped_notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        body_text: Mapped[str]
        body: Mapped[str] = encrypted("body_text")

    try:
        with pytest.raises(TypeError, match=r"needs body_text to be a ciphertext_column\(\)"):
            TestBase.registry.configure()
    finally:
        TestBase.registry.dispose()


# -- the rotation registry and keys rotate ----------------------------------------------------

def test_tables_with_encrypted_fields_register_themselves_for_rotation(CaseNote):
    names = [item.name for item in registered_rotations()]
    assert names[0] == "Stored files"
    assert TABLE in names


def _notes_under(in_app, model, key: str, data_keys, count: int, *, phone: bool = True):
    data_keys(key)
    return [_add(in_app, model, body=f"NOTE {n}", phone="+82 2 312 3456" if phone else None)
            for n in range(count)]


def test_rotation_re_encrypts_fields_and_the_old_key_can_then_be_dropped(in_app, runner,
                                                                        CaseNote, data_keys):
    old = _notes_under(in_app, CaseNote, OLD_KEY, data_keys, 3)
    old += _notes_under(in_app, CaseNote, OLD_KEY, data_keys, 2, phone=False)
    data_keys(f"{NEW_KEY},{OLD_KEY}")
    new = _add(in_app, CaseNote, body="ALREADY NEW")
    with in_app() as session:
        before = _raw(session, old[0])

    result = runner.invoke(args=["keys", "rotate", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    # Every registered table, the messages' among them, and this test's own.
    assert re.search(rf"Encrypted data: Stored files, messages, message_alerts, .*{TABLE}",
                     result.output)
    assert f"{TABLE}, batch 3: 8 re-encrypted so far." in result.output
    assert f"{TABLE}.body_ciphertext: 5 re-encrypted, 0 already under the current key, " \
           "0 failed." in result.output
    assert f"{TABLE}.phone_ciphertext: 3 re-encrypted, 0 already under the current key, " \
           "0 failed." in result.output

    data_keys(NEW_KEY)
    with in_app() as session:
        assert _raw(session, old[0]) != before
        for number, note_id in enumerate(old):
            note = session.get(CaseNote, note_id)
            assert keyring().is_current(note.body_ciphertext)
            assert note.body == f"NOTE {number % 3}"
            assert note.phone == ("+82 2 312 3456" if number < 3 else None)
        assert session.get(CaseNote, new).body == "ALREADY NEW"

    again = runner.invoke(args=["keys", "rotate"])
    assert again.exit_code == 0, again.output
    assert f"{TABLE}.body_ciphertext: 0 re-encrypted" in again.output


def test_rotation_reports_values_it_cannot_decrypt_and_leaves_them(in_app, runner, CaseNote,
                                                                   data_keys):
    lost = _notes_under(in_app, CaseNote, LOST_KEY, data_keys, 1)[0]
    kept = _notes_under(in_app, CaseNote, OLD_KEY, data_keys, 1)[0]
    # A row whose body is lost but whose phone is fine: the phone is still rotated.
    with in_app() as session:
        mixed = session.get(CaseNote, kept)
        mixed_id = _add(in_app, CaseNote, body="MIXED", phone="+82 2 312 3456")
        session.execute(text(f"UPDATE {TABLE} SET body_ciphertext = :blob WHERE id = :id"),
                        {"blob": _raw(session, lost), "id": mixed_id})
        assert mixed.body == "NOTE 0"
    with in_app() as session:
        lost_before = _raw(session, lost)

    data_keys(f"{NEW_KEY},{OLD_KEY}")
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 1
    assert f"{TABLE}.body_ciphertext of row {lost} (" in result.output
    assert f"{TABLE}.body_ciphertext of row {mixed_id} (" in result.output
    assert f"{TABLE}.body_ciphertext: 1 re-encrypted, 0 already under the current key, " \
           "2 failed." in result.output
    # The lost row's phone is lost too; the mixed row's is not.
    assert f"{TABLE}.phone_ciphertext: 2 re-encrypted, 0 already under the current key, " \
           "1 failed." in result.output
    assert "3 value(s) could not be decrypted" in result.output
    with in_app() as session:
        assert _raw(session, lost) == lost_before
        assert keyring().is_current(_raw(session, kept))
        assert keyring().is_current(_raw(session, mixed_id, "phone_ciphertext"))
        assert session.get(CaseNote, mixed_id).phone == "+82 2 312 3456"


class _Quiet:
    def batch(self, item: str, counts: RotationCounts) -> None:
        pass

    def failure(self, message: str) -> None:
        raise AssertionError(message)


class _StopAfterFirstBatch:
    def batch(self, item: str, counts: RotationCounts) -> None:
        if item == TABLE:
            raise KeyboardInterrupt

    def failure(self, message: str) -> None:
        raise AssertionError(message)


def test_a_stopped_rotation_keeps_its_committed_batches_and_resumes(app, in_app, CaseNote,
                                                                   data_keys):
    notes = _notes_under(in_app, CaseNote, OLD_KEY, data_keys, 5, phone=False)
    data_keys(f"{NEW_KEY},{OLD_KEY}")
    with app.app_context(), pytest.raises(KeyboardInterrupt):
        rotate_all(_StopAfterFirstBatch(), batch_size=2)
    with in_app() as session:
        current = [keyring().is_current(_raw(session, note_id)) for note_id in notes]
    assert current == [True, True, False, False, False]

    with app.app_context():
        results = dict(rotate_all(_Quiet(), batch_size=500))
    assert results[f"{TABLE}.body_ciphertext"].reencrypted == 3
    with in_app() as session:
        assert all(keyring().is_current(_raw(session, note_id)) for note_id in notes)


def _read_row(model, note_id: int):
    """The row as the rotation reads it: primary key, uuid, then the encrypted columns."""
    table = model.__table__
    return db.session.execute(
        select(table.c.id, table.c.uuid, table.c.body_ciphertext, table.c.phone_ciphertext)
        .where(table.c.id == note_id)).one()


def test_rotation_leaves_a_value_the_app_rewrote_meanwhile(in_app, CaseNote, data_keys):
    edited, untouched = _notes_under(in_app, CaseNote, OLD_KEY, data_keys, 2, phone=False)
    data_keys(f"{NEW_KEY},{OLD_KEY}")
    table = EncryptedTable(CaseNote.__table__)
    columns = table.columns
    counts = {column.name: RotationCounts() for column in columns}
    # The rotation reads a batch...
    with in_app():
        rows = [_read_row(CaseNote, note_id) for note_id in (edited, untouched)]
    # ...an app server saves an edit (under the current key)...
    with in_app() as session:
        session.get(CaseNote, edited).body = "EDITED"
    # ...and the rotation's write must not bring the old text back.
    with in_app():
        table._rotate_batch(keyring(), columns, rows, counts, _Quiet())
    assert counts["body_ciphertext"].changed_meanwhile == 1
    assert counts["body_ciphertext"].reencrypted == 1
    with in_app() as session:
        assert session.get(CaseNote, edited).body == "EDITED"
        assert session.get(CaseNote, untouched).body == "NOTE 1"
        assert keyring().is_current(session.get(CaseNote, untouched).body_ciphertext)
