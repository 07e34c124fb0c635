"""Encryption at rest: a copy of the database (the SQLite file's bytes; every column of
every table as a dump shows it, on SQLite and PostgreSQL) holds no message body, alert
field or attachment in clear, only the subject, which stays in clear by design; and
``keys rotate`` re-encrypts them all, every message staying readable."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from opsplatform import create_app
from opsplatform.core.crypto import keyring
from opsplatform.core.db import Base, Database, db
from opsplatform.core.files import read_file
from opsplatform.core.migrate import upgrade
from opsplatform.messaging import attachments
from opsplatform.messaging import operations as messaging
from opsplatform.messaging.models import AlertDetails, Message, MessageKind
from opsplatform.messaging.operations import AlertFields, MessageFields
from tests.core.conftest import NEW_KEY, OLD_KEY, data_keys  # noqa: F401  (a fixture)
from tests.core.test_files import pdf
from tests.messaging.world import build_world

pytestmark = pytest.mark.usefixtures("without_demo_documents")

SUBJECT = "SUBJECT-IN-CLEAR parcel to watch"
BODY = "BODY-SECRET the consignee lives at 12 Harbour Street"
COMMODITY = "COMMODITY-SECRET white powder"
CONSIGNEE = "CONSIGNEE-SECRET Trading"
TRACKING = "RR123456785KR"
FILE_TEXT = "ATTACHMENT-SECRET seizure list"
SECRETS = [BODY, COMMODITY, CONSIGNEE, TRACKING, FILE_TEXT, "PDF-SECRET"]


def _send_everything() -> tuple[int, int, int]:
    """A world, and in it an alert with a body, every alert field and two attachments;
    (message id, text attachment id, world's addressee id). Flushed, not committed."""
    world = build_world()
    fields = MessageFields(
        subject=SUBJECT, body=BODY, kind=MessageKind.ALERT, organisations=[world.b.code],
        alert=AlertFields(tracking_number=TRACKING, transport_mode="postal",
                          route_countries=["KR", "JP"], commodity=COMMODITY,
                          consignee=CONSIGNEE))
    access = world.access(world.sender)
    message = messaging.send_message(world.operation, fields, actor=world.sender,
                                     access=access)
    text = attachments.add_attachment(message, "list.txt", FILE_TEXT.encode(),
                                      actor=world.sender, access=access)
    attachments.add_attachment(message, "report.pdf", pdf("PDF-SECRET"), actor=world.sender,
                               access=access)
    db.session.flush()
    return message.id, text.id, world.addressee.id


def _dump(session) -> str:
    """Every value of every table, as a dump would write it (bytes as Latin-1)."""
    parts = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            for value in row:
                parts.append(value.decode("latin-1") if isinstance(value, bytes)
                             else str(value))
    return "\n".join(parts)


def test_a_dump_of_the_database_shows_no_message_in_clear(in_app):
    with in_app() as session:
        _send_everything()
        dump = _dump(session)
    assert SUBJECT in dump  # the dump is read whole: the subject is there
    for secret in SECRETS:
        assert secret not in dump, secret


def test_the_sqlite_file_holds_no_message_in_clear(tmp_path):
    """A copy of the database file, after the messages were committed."""
    path = tmp_path / "copy.sqlite"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}"},
                     instance_path=tmp_path / "instance", environ={"OPSPLATFORM_ENV": "testing"})
    engine = Database.state(app).engine
    try:
        with engine.begin() as connection:
            upgrade(connection)
        with app.app_context():
            _send_everything()
            db.session.commit()
    finally:
        engine.dispose()
    files = [path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-journal"))]
    copy = b"".join(file.read_bytes() for file in files if file.exists())
    assert SUBJECT.encode() in copy
    for secret in SECRETS:
        assert secret.encode() not in copy, secret
        assert secret.encode("utf-16-le") not in copy, secret


def test_key_rotation_re_encrypts_messages_alerts_and_attachments(in_app, runner, client_as,
                                                                   data_keys):  # noqa: F811
    data_keys(OLD_KEY)
    with in_app():
        message_id, text_id, addressee_id = _send_everything()
    data_keys(f"{NEW_KEY},{OLD_KEY}")

    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "messages.body_ciphertext: 1 re-encrypted, 0 already under the current key, " \
           "0 failed." in result.output
    for column in ("tracking_number", "commodity", "consignee"):
        assert f"message_alerts.{column}_ciphertext: 1 re-encrypted" in result.output
    assert "Stored files: 2 re-encrypted" in result.output

    # The old key can go: everything reads under the new one alone.
    data_keys(NEW_KEY)
    with in_app() as session:
        message = session.get(Message, message_id)
        assert keyring().is_current(message.body_ciphertext) and message.body == BODY
        alert = session.scalar(select(AlertDetails).where(AlertDetails.message_id == message_id))
        assert (alert.tracking_number, alert.commodity, alert.consignee) == (
            TRACKING, COMMODITY, CONSIGNEE)
        assert [read_file(a.stored_file) for a in message.attachments][0] == FILE_TEXT.encode()
        operation_id = message.operation_id
    # And through the pages, as the addressee reads it.
    client = client_as(_user(in_app, addressee_id))
    page = client.get(f"/operations/{operation_id}/messages/{message_id}")
    assert page.status_code == 200 and "BODY-SECRET" in page.text
    download = client.get(f"/operations/{operation_id}/messages/{message_id}"
                          f"/attachments/{text_id}")
    assert download.data == FILE_TEXT.encode()


def _user(in_app, user_id: int):
    from opsplatform.auth.models import User

    with in_app() as session:
        return session.get(User, user_id)
