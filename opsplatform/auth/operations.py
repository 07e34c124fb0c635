"""Changes to accounts, sessions and API tokens. Each writes its audit entry and flushes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update

from opsplatform.audit.models import AuditAction
from opsplatform.audit.operations import apply_changes, record
from opsplatform.core import time_zones
from opsplatform.core.db import db, utcnow
from opsplatform.core.errors import ConflictError, DomainError
from opsplatform.core.phones import InvalidPhoneNumber, normalise_phone, region_of
from opsplatform.core.text import MAX_EMAIL_LENGTH, check_length
from opsplatform.organisations.models import Organisation

from . import passwords, tokens
from .models import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_JOB_TITLE_LENGTH,
    MAX_LANGUAGES_LENGTH,
    MAX_PHONE_LENGTH,
    MAX_TIME_ZONE_LENGTH,
    MAX_TOKEN_NAME_LENGTH,
    ApiToken,
    SessionEndReason,
    User,
    UserSession,
    hash_session_key,
)
from .throttling import CHECK_SLOTS, SignInAttempt


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_password(password: str, *, email: str, display_name: str, field: str = "password"):
    problem = passwords.password_problem(password, email=email, display_name=display_name)
    if problem:
        raise DomainError(problem, code="weak_password", field=field)


# -- signing in ---------------------------------------------------------------------------


def authenticate(email: str, password: str, attempt: SignInAttempt) -> User | None:
    """Return the active account these credentials open, recording the attempt either way.

    Raises SignInThrottled, before any password is hashed, while ``attempt`` is over
    a budget (see throttling.py). The caller shows one generic message on failure,
    whatever the reason, so that nobody learns which accounts exist.
    """
    attempt.check()
    email = normalise_email(email)
    with CHECK_SLOTS.slot():
        user = find_user_by_email(email)
        password_hash = user.password_hash if user is not None else None
        # Nothing has changed yet: end the read so that no transaction (nor SQLite's write
        # lock) is held through the slow hash; the entries below start a fresh one.
        db.session.rollback()
        if password_hash is None:
            passwords.verify_unknown_account(password)
            right = False
        else:
            right = passwords.verify_password(password_hash, password)
    if user is None:
        reason = "unknown_account"
    elif not right:
        reason = "wrong_password"
    elif not user.is_active:
        reason = "inactive_account"
    else:
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
        user.last_sign_in_at = utcnow()
        attempt.succeeded()
        record(AuditAction.SIGN_IN, target=user, actor=user, subject=email)
        return user
    details: dict = {"reason": reason}
    spent = attempt.failed()
    if spent:
        details["throttled"] = spent  # the failure that used up a budget says which
    record(AuditAction.SIGN_IN_FAILED, target=user, actor=None, subject=email, details=details)
    return None


def open_session(user: User, *, ip_address: str | None, user_agent: str | None) -> str:
    """Record a new signed-in session of ``user`` and return the key its cookie carries.

    The account's sessions that ended, or outlived the longest a session may last, go.
    """
    oldest = utcnow() - current_app.config["PERMANENT_SESSION_LIFETIME"]
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id,
        or_(UserSession.ended_at.is_not(None), UserSession.started_at < oldest)))
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, key_hash=hash_session_key(key), ip_address=ip_address,
                               user_agent=(user_agent or "")[:200] or None))
    db.session.flush()
    return key


def close_session(user: User, key: str, reason: SessionEndReason) -> None:
    """End the session whose cookie carries ``key``; a sign-out is audited."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.key_hash == hash_session_key(key),
               UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason))
    if reason is SessionEndReason.SIGNED_OUT:
        record(AuditAction.SIGN_OUT, target=user, actor=user, subject=user.email)


# -- accounts -----------------------------------------------------------------------------


@dataclass
class AccountFields:
    email: str
    display_name: str
    organisation: Organisation
    is_platform_admin: bool = False
    is_secretariat: bool = False
    is_active: bool = True


def _check_email(email: str) -> str:
    """The normalised address, or a DomainError when it cannot be an e-mail address."""
    email = normalise_email(email)
    if not email:
        raise DomainError(_("Enter an e-mail address."), code="missing_email", field="email")
    check_length(email, MAX_EMAIL_LENGTH, "email")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise DomainError(
            _("%(email)s is not a valid e-mail address.", email=email),
            code="invalid_email",
            field="email",
        ) from error
    return email


def _check_no_self_lockout(user: User, actor: User | None, *, is_active: bool,
                           is_platform_admin: bool) -> None:
    """Platform admins cannot lock themselves out: another admin has to do it.

    This keeps at least one administrator able to undo the change.
    """
    if actor is None or actor.id != user.id:
        return
    if user.is_active and not is_active:
        raise DomainError(
            _("You cannot deactivate your own account; ask another platform administrator."),
            code="own_account",
            field="is_active",
        )
    if user.is_platform_admin and not is_platform_admin:
        raise DomainError(
            _("You cannot remove your own platform administrator role; "
              "ask another platform administrator."),
            code="own_account",
            field="is_platform_admin",
        )


def _check_email_free(email: str, *, except_user: User | None = None) -> None:
    existing = find_user_by_email(email)
    if existing is not None and existing is not except_user:
        raise ConflictError(
            _("An account with the e-mail address %(email)s already exists.", email=email),
            code="duplicate_email",
            field="email",
        )


def _check_display_name(display_name: str) -> str:
    display_name = display_name.strip()
    if not display_name:
        raise DomainError(_("Enter the person's name."), code="missing_name", field="display_name")
    return check_length(display_name, MAX_DISPLAY_NAME_LENGTH, "display_name")


def create_user(fields: AccountFields, password: str, *, actor: User | None) -> User:
    """Open an account; ``actor`` is the administrator, or None for the command line."""
    email = _check_email(fields.email)
    display_name = _check_display_name(fields.display_name)
    _check_email_free(email)
    _check_password(password, email=email, display_name=display_name)
    user = User(
        email=email,
        display_name=display_name,
        organisation=fields.organisation,
        password_hash=passwords.hash_password(password),
        is_platform_admin=fields.is_platform_admin,
        is_secretariat=fields.is_secretariat,
        is_active=fields.is_active,
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    record(
        AuditAction.USER_CREATED,
        actor=actor,
        target=user,
        subject=email,
        details={
            "organisation": fields.organisation.code,
            "is_platform_admin": fields.is_platform_admin,
            "is_secretariat": fields.is_secretariat,
        },
    )
    return user


def update_user(user: User, fields: AccountFields, *, actor: User) -> User:
    """Apply an administrator's edit; deactivation also ends sessions and token use."""
    _check_no_self_lockout(user, actor, is_active=fields.is_active,
                           is_platform_admin=fields.is_platform_admin)
    email = _check_email(fields.email)
    display_name = _check_display_name(fields.display_name)
    _check_email_free(email, except_user=user)
    changes = apply_changes(
        user,
        {
            "email": email,
            "display_name": display_name,
            "organisation": fields.organisation,
            "is_platform_admin": fields.is_platform_admin,
            "is_secretariat": fields.is_secretariat,
        },
    )
    if changes:
        record(AuditAction.USER_UPDATED, actor=actor, target=user, subject=user.email,
               details={"changes": changes})
    if fields.is_active != user.is_active:
        set_active(user, fields.is_active, actor=actor)
    db.session.flush()
    return user


def set_active(user: User, is_active: bool, *, actor: User | None) -> None:
    """Deactivate (signing out everywhere, stopping tokens) or reactivate an account.

    ``actor`` is the administrator, or None for the system.
    """
    if user.is_active == is_active:
        return
    _check_no_self_lockout(user, actor, is_active=is_active,
                           is_platform_admin=user.is_platform_admin)
    user.is_active = is_active
    if not is_active:
        user.end_all_sessions(SessionEndReason.DEACTIVATED)
    action = AuditAction.USER_REACTIVATED if is_active else AuditAction.USER_DEACTIVATED
    record(action, actor=actor, target=user, subject=user.email)
    db.session.flush()


def reset_password(user: User, new_password: str, *, actor: User | None) -> None:
    """An administrator sets a new password; the account is signed out everywhere and its
    API tokens are revoked (a reset is the answer to an account that is not under control)."""
    _check_password(new_password, email=user.email, display_name=user.display_name)
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    user.end_all_sessions(SessionEndReason.PASSWORD_RESET)
    revoked = revoke_all_tokens(user, actor=actor)
    record(AuditAction.USER_PASSWORD_RESET, actor=actor, target=user, subject=user.email,
           details={"tokens_revoked": revoked})
    db.session.flush()


def change_own_password(user: User, current_password: str, new_password: str, *,
                        revoke_tokens: bool) -> int:
    """Change the account holder's password, ending their sessions (the caller starts a new
    one for this browser) and, if asked, revoking their API tokens; returns how many."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise DomainError(
            _("Your current password is not correct."), code="wrong_password",
            field="current_password",
        )
    _check_password(
        new_password, email=user.email, display_name=user.display_name, field="new_password"
    )
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    user.end_all_sessions(SessionEndReason.PASSWORD_CHANGED)
    revoked = revoke_all_tokens(user, actor=user) if revoke_tokens else 0
    record(AuditAction.PASSWORD_CHANGED, actor=user, target=user, subject=user.email,
           details={"tokens_revoked": revoked})
    db.session.flush()
    return revoked


@dataclass
class ContactDetails:
    display_name: str
    job_title: str | None = None
    office_phone: str | None = None
    duty_phone: str | None = None
    languages: str | None = None
    time_zone: str | None = None


_CONTACT_DETAIL_LIMITS = {"job_title": MAX_JOB_TITLE_LENGTH, "office_phone": MAX_PHONE_LENGTH,
                          "duty_phone": MAX_PHONE_LENGTH, "languages": MAX_LANGUAGES_LENGTH,
                          "time_zone": MAX_TIME_ZONE_LENGTH}


_PHONE_FIELDS = ("office_phone", "duty_phone")


def _phone_number(value: str | None, user: User, field: str) -> str | None:
    """``value`` in E.164; written without a country code, read as dialled in the
    country of the user's administration."""
    if value is None:
        return None
    try:
        return normalise_phone(value, region_of(user.organisation.code))
    except InvalidPhoneNumber as error:
        error.field = field
        raise


def _check_time_zone(zone: str | None, user: User) -> None:
    """A zone from the picker's list; one saved before the list was narrowed may stay."""
    if zone is not None and zone != user.time_zone and not time_zones.is_known(zone):
        raise DomainError(_("Choose a time zone from the list."), code="unknown_time_zone",
                          field="time_zone")


def update_contact_details(user: User, details: ContactDetails) -> None:
    """The account holder edits how colleagues in operations can reach them."""
    values = {name: (value or "").strip() or None for name, value in vars(details).items()}
    for name, limit in _CONTACT_DETAIL_LIMITS.items():
        value = values[name]
        if value is not None:
            check_length(value, limit, name)
    for name in _PHONE_FIELDS:
        values[name] = _phone_number(values[name], user, name)
    _check_time_zone(values["time_zone"], user)
    values["display_name"] = _check_display_name(details.display_name)
    changes = apply_changes(user, values)
    if changes:
        record(AuditAction.PROFILE_UPDATED, actor=user, target=user, subject=user.email,
               details={"changes": changes})
    db.session.flush()


# -- API tokens ---------------------------------------------------------------------------


def create_token(user: User, name: str, days: int | None = None, *,
                 actor: User | None) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored.

    ``actor`` is the account holder, or None for the command line.
    """
    config = current_app.config
    name = check_length((name or "").strip(), MAX_TOKEN_NAME_LENGTH, "name")
    if not name:
        raise DomainError(_("Give the token a name."), code="missing_name", field="name")
    days = config["API_TOKEN_DEFAULT_DAYS"] if days is None else days
    if not 1 <= days <= config["API_TOKEN_MAX_DAYS"]:
        raise DomainError(
            _("A token lasts from 1 to %(max)d days.", max=config["API_TOKEN_MAX_DAYS"]),
            code="invalid_lifetime",
            field="days",
        )
    if not user.is_active:
        raise DomainError(_("This account is deactivated."), code="account_inactive")
    secret = tokens.new_secret()
    now = utcnow()
    token = ApiToken(
        user=user,
        name=name,
        prefix=secret[:12],
        token_hash=tokens.hash_secret(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),  # exactly ``days`` after its creation
    )
    db.session.add(token)
    db.session.flush()
    record(AuditAction.TOKEN_CREATED, actor=actor, target=token, subject=user.email,
           details={"name": token.name, "days": days})
    return token, secret


def revoke_token(token: ApiToken, *, actor: User | None) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    record(AuditAction.TOKEN_REVOKED, actor=actor, target=token, subject=token.user.email,
           details={"name": token.name})
    db.session.flush()


def revoke_all_tokens(user: User, *, actor: User | None) -> int:
    """Revoke every API token of ``user`` still in force; return how many."""
    live = db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > utcnow())).all()
    for token in live:
        revoke_token(token, actor=actor)
    return len(live)
