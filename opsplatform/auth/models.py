from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opsplatform.core.db import Base, db, utcnow
from opsplatform.core.text import MAX_EMAIL_LENGTH
from opsplatform.core.types import str_enum
from opsplatform.organisations.models import Organisation

# The longest text each field takes: the column, the forms and the domain read these.
MAX_DISPLAY_NAME_LENGTH = 200
MAX_JOB_TITLE_LENGTH = 200
MAX_PHONE_LENGTH = 50
MAX_LANGUAGES_LENGTH = 200
MAX_TOKEN_NAME_LENGTH = 100
MAX_TIME_ZONE_LENGTH = 64  # the longest IANA name is 32


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so that uniqueness ignores letter case.
    email: Mapped[str] = mapped_column(String(MAX_EMAIL_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(MAX_DISPLAY_NAME_LENGTH))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_secretariat: Mapped[bool] = mapped_column(default=False)
    # Contact details shown in operation directories.
    job_title: Mapped[str | None] = mapped_column(String(MAX_JOB_TITLE_LENGTH))
    office_phone: Mapped[str | None] = mapped_column(String(MAX_PHONE_LENGTH))
    duty_phone: Mapped[str | None] = mapped_column(String(MAX_PHONE_LENGTH))
    languages: Mapped[str | None] = mapped_column(String(MAX_LANGUAGES_LENGTH))
    time_zone: Mapped[str | None] = mapped_column(String(MAX_TIME_ZONE_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_sign_in_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    def end_all_sessions(self, reason: SessionEndReason) -> None:
        """Sign the account out everywhere: every copy of every session cookie stops working."""
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == self.id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )


class SessionEndReason(enum.StrEnum):
    SIGNED_OUT = "signed_out"
    EXPIRED = "expired"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    DEACTIVATED = "deactivated"


def hash_session_key(key: str) -> str:
    # The key has 256 bits of entropy: a fast hash keeps a database dump from replaying it.
    return hashlib.sha256(key.encode()).hexdigest()


class UserSession(Base):
    """One signed-in browser session. The cookie holds its key; ending the row ends the session.

    A session cookie is signed, not stored, so without this row a copy taken before
    sign-out would keep working until it expired.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[SessionEndReason | None] = mapped_column(str_enum(SessionEndReason, 20))
    # Where it was opened from, for the account holder and for investigations.
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A bearer token for /api/v1. Only a SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_TOKEN_NAME_LENGTH))
    # The first characters of the token, so its owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.revoked_at is None and self.expires_at > now and self.user.is_active
