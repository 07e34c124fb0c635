"""A message, its addressees, its readers, its alert details and its attachments.

The subject is kept in clear (lists and search stay fast; the compose form says it
must carry no personal data); the body and every alert field are encrypted with the
data keyring (core/encrypted.py), each value bound to its row. Who sees a message is
decided in visibility.py from its ``MessageAddressee`` rows, written when it is sent.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opsplatform.auth.models import User
from opsplatform.core.blind_index import blind_index_column
from opsplatform.core.db import Base, utcnow
from opsplatform.core.encrypted import EncryptedRow, ciphertext_column, encrypted
from opsplatform.core.files import StoredFile
from opsplatform.core.types import str_enum
from opsplatform.core.vocabularies import (
    HandlingCode,
    LabelledEnum,
    TlpLevel,
    TransportMode,
    with_labels,
)
from opsplatform.organisations.models import Organisation

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 50_000
MAX_IDENTIFIER_LENGTH = 60
MAX_COMMODITY_LENGTH = 300
MAX_CONSIGNEE_LENGTH = 300
MAX_ROUTE_COUNTRIES = 10


class MessageKind(LabelledEnum):
    GENERAL = "general"
    ALERT = "alert"
    REQUEST = "request"
    REPLY = "reply"
    BULLETIN = "bulletin"


with_labels({
    MessageKind.GENERAL: _l("General"),
    MessageKind.ALERT: _l("Alert"),
    MessageKind.REQUEST: _l("Request for information"),
    MessageKind.REPLY: _l("Reply"),
    MessageKind.BULLETIN: _l("OCU bulletin"),
})(MessageKind)


class MessagePriority(LabelledEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    FLASH = "flash"


with_labels({
    MessagePriority.ROUTINE: _l("Routine"),
    MessagePriority.URGENT: _l("Urgent"),
    MessagePriority.FLASH: _l("Flash"),
})(MessagePriority)


class Audience(LabelledEnum):
    """To whom a message goes; the addressee rows say which organisations that was."""

    ALL = "all"
    OCU = "ocu"
    CHOSEN = "chosen"


with_labels({
    Audience.ALL: _l("All participants"),
    Audience.OCU: _l("The OCU only"),
    Audience.CHOSEN: _l("Chosen administrations"),
})(Audience)


class SourceReliability(LabelledEnum):
    """The 4x4 evaluation's source code (as in SIENA)."""

    A = "A"
    B = "B"
    C = "C"
    X = "X"


with_labels({
    SourceReliability.A: _l("A — no doubt about the source (reliable)"),
    SourceReliability.B: _l("B — source usually reliable"),
    SourceReliability.C: _l("C — source not usually reliable"),
    SourceReliability.X: _l("X — reliability cannot be assessed"),
})(SourceReliability)


class InformationAccuracy(LabelledEnum):
    """The 4x4 evaluation's information code."""

    KNOWN = "1"
    KNOWN_TO_SOURCE = "2"
    NOT_KNOWN = "3"
    CANNOT_JUDGE = "4"


with_labels({
    InformationAccuracy.KNOWN: _l("1 — known to be true without reservation"),
    InformationAccuracy.KNOWN_TO_SOURCE: _l("2 — known personally to the source"),
    InformationAccuracy.NOT_KNOWN: _l("3 — not known personally to the source, corroborated"),
    InformationAccuracy.CANNOT_JUDGE: _l("4 — cannot be judged"),
})(InformationAccuracy)


class Message(EncryptedRow, Base):
    __tablename__ = "messages"
    __table_args__ = (
        # An operation's list, newest first (keyset on sent_at, id).
        Index("ix_messages_operation_sent", "operation_id", "sent_at", "id"),
        Index("ix_messages_thread", "thread_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    # The first message of the thread (itself for a first message, set after its INSERT).
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sender_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"),
                                                        index=True)
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT_LENGTH))
    # None once deleted: the tombstone keeps who sent what kind of message when.
    body_ciphertext: Mapped[bytes | None] = ciphertext_column(deferred=True)
    body: Mapped[str | None] = encrypted("body_ciphertext")
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, 16))
    priority: Mapped[MessagePriority] = mapped_column(str_enum(MessagePriority, 16))
    handling_code: Mapped[HandlingCode] = mapped_column(str_enum(HandlingCode, 8))
    tlp: Mapped[TlpLevel] = mapped_column(str_enum(TlpLevel, 20))
    source_reliability: Mapped[SourceReliability | None] = mapped_column(
        str_enum(SourceReliability, 1))
    information_accuracy: Mapped[InformationAccuracy | None] = mapped_column(
        str_enum(InformationAccuracy, 1))
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, 16))
    requires_ack: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sender: Mapped[User] = relationship(foreign_keys=[sender_id])
    sender_organisation: Mapped[Organisation] = relationship()
    addressees: Mapped[list[MessageAddressee]] = relationship(
        back_populates="message", cascade="all, delete-orphan")
    alert: Mapped[AlertDetails | None] = relationship(
        back_populates="message", cascade="all, delete-orphan", uselist=False)
    attachments: Mapped[list[MessageAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan",
        order_by="MessageAttachment.id")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class MessageAddressee(Base):
    """An organisation a message was addressed to, and its acknowledgement."""

    __tablename__ = "message_addressees"
    __table_args__ = (Index("ix_message_addressees_organisation", "organisation_id",
                            "message_id"),)

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"),
                                            primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"),
                                                 primary_key=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    message: Mapped[Message] = relationship(back_populates="addressees")
    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    acknowledged_by: Mapped[User | None] = relationship()


class MessageRead(Base):
    """When a person first opened a message: unread counts are per person."""

    __tablename__ = "message_reads"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageDelivery(Base):
    """A message in one person's inbox: who may see it, kept as rows (deliveries.py), so
    that an inbox, its unread count and what awaits acknowledgement are read from the
    person's own rows, in index order, however many messages the platform holds.

    Written when a message is sent and whenever someone's standing in its operation
    changes; always the rows ``visibility.readable_by`` gives (tests hold them equal).
    """

    __tablename__ = "message_deliveries"
    __table_args__ = (
        Index("ix_message_deliveries_inbox", "user_id", "unread", "sent_at", "message_id"),
        Index("ix_message_deliveries_awaiting", "user_id", "awaits_ack"),
        Index("ix_message_deliveries_operation", "operation_id", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime]
    # Not yet opened by this person (never for a tombstone).
    unread: Mapped[bool] = mapped_column(default=True)
    # The person acknowledges for an administration asked to, which has not yet.
    awaits_ack: Mapped[bool] = mapped_column(default=False)


class AlertDetails(EncryptedRow, Base):
    """A shipment an alert is about, in fields, so it can become a seizure record and its
    identifiers can be matched (by blind index) without decrypting anything."""

    __tablename__ = "message_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"),
                                            unique=True)
    transport_mode: Mapped[TransportMode | None] = mapped_column(str_enum(TransportMode, 20))
    # ISO 3166 alpha-2 codes, origin first.
    route_countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    expected_arrival: Mapped[date | None]
    tracking_number_ciphertext: Mapped[bytes | None] = ciphertext_column()
    tracking_number: Mapped[str | None] = encrypted("tracking_number_ciphertext")
    tracking_number_index: Mapped[str | None] = blind_index_column()
    air_waybill_ciphertext: Mapped[bytes | None] = ciphertext_column()
    air_waybill: Mapped[str | None] = encrypted("air_waybill_ciphertext")
    air_waybill_index: Mapped[str | None] = blind_index_column()
    container_number_ciphertext: Mapped[bytes | None] = ciphertext_column()
    container_number: Mapped[str | None] = encrypted("container_number_ciphertext")
    container_number_index: Mapped[str | None] = blind_index_column()
    commodity_ciphertext: Mapped[bytes | None] = ciphertext_column()
    commodity: Mapped[str | None] = encrypted("commodity_ciphertext")
    consignee_ciphertext: Mapped[bytes | None] = ciphertext_column()
    consignee: Mapped[str | None] = encrypted("consignee_ciphertext")
    consignee_index: Mapped[str | None] = blind_index_column()

    message: Mapped[Message] = relationship(back_populates="alert")


class MessageAttachment(Base):
    __tablename__ = "message_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"),
                                            index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), unique=True)

    message: Mapped[Message] = relationship(back_populates="attachments")
    stored_file: Mapped[StoredFile] = relationship(lazy="joined", innerjoin=True)
