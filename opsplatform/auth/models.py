from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opsplatform.core.db import Base, utcnow
from opsplatform.organisations.models import Organisation


def new_session_nonce() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so that uniqueness ignores letter case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_secretariat: Mapped[bool] = mapped_column(default=False)
    # Contact details shown in operation directories.
    job_title: Mapped[str | None] = mapped_column(String(200))
    office_phone: Mapped[str | None] = mapped_column(String(50))
    duty_phone: Mapped[str | None] = mapped_column(String(50))
    languages: Mapped[str | None] = mapped_column(String(200))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Changing it signs the account out everywhere (password reset, deactivation).
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_sign_in_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    def get_id(self) -> str:
        # Flask-Login stores this in the session; a new nonce invalidates old sessions.
        return f"{self.id}:{self.session_nonce}"

    def end_all_sessions(self) -> None:
        self.session_nonce = new_session_nonce()


class ApiToken(Base):
    """A bearer token for /api/v1. Only a SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
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
