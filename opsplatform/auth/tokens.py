"""API bearer tokens: the secret's format, its hash and how a request presents it."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from opsplatform.core.db import db, utcnow

from .models import ApiToken

TOKEN_PREFIX = "opsp_"
_TOKEN_PATTERN = re.compile(r"^opsp_[A-Za-z0-9_-]{43}$")
# last_used_at is a hint for the owner, not an audit record: write it sparingly.
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # The secret has 256 bits of entropy, so a fast hash is enough to store it safely.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class TokenCheck:
    token: ApiToken | None
    problem: str | None  # a stable error code when token is None


def authenticate(authorization: str | None) -> TokenCheck:
    """Find the usable token named by an ``Authorization: Bearer ...`` header."""
    if not authorization:
        return TokenCheck(None, "missing_token")
    scheme, _, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not _TOKEN_PATTERN.match(secret):
        return TokenCheck(None, "malformed_token")
    # The account comes in the same query: every API request needs it.
    token = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                              .where(ApiToken.token_hash == hash_secret(secret)))
    if token is None:
        return TokenCheck(None, "invalid_token")
    now = utcnow()
    if token.revoked_at is not None:
        return TokenCheck(None, "token_revoked")
    if token.expires_at <= now:
        return TokenCheck(None, "token_expired")
    if not token.user.is_active:
        return TokenCheck(None, "account_inactive")
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        token.last_used_at = now
    return TokenCheck(token, None)
