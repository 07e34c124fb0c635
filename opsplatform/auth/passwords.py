"""Password hashing (argon2id) and the platform's password rule."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256

# The test configuration asks for argon2's cheapest parameters: the suite hashes
# thousands of passwords, and their strength is not what it tests.
_HASHERS = {
    "default": PasswordHasher(),
    "cheapest": PasswordHasher.from_parameters(profiles.CHEAPEST),
}

# Long but common choices that pass a length rule; refused outright.
_COMMON_PASSWORDS = frozenset(
    {
        "123456789012", "1234567890123", "password1234", "password12345", "passwordpassword",
        "qwertyuiopas", "qwerty123456", "111111111111", "000000000000", "aaaaaaaaaaaa",
        "iloveyou1234", "welcome12345", "changeme1234", "administrator", "letmein12345",
        "customs12345", "opsplatform1", "opsplatform123",
    }
)


def _profile() -> str:
    return current_app.config["PASSWORD_HASHING"] if has_app_context() else "default"


def _hasher() -> PasswordHasher:
    return _HASHERS[_profile()]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash(profile: str) -> str:
    return _HASHERS[profile].hash("not-a-real-password-for-timing")


def verify_unknown_account(password: str) -> None:
    """Spend what checking a real password costs, so timing does not tell that no account exists."""
    verify_password(_dummy_hash(_profile()), password)


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Return why ``password`` is unacceptable, or None when it may be used."""
    if not password or not password.strip():
        return _("Enter a password.")
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or len(set(lowered)) < 4:
        return _("This password is too common or too simple; choose another.")
    personal = {email.lower(), email.split("@")[0].lower(), display_name.lower()}
    if lowered in {item for item in personal if item}:
        return _("Do not use your e-mail address or name as your password.")
    return None
