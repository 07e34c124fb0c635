"""How fast anyone may guess passwords, without letting an attacker lock the owner out.

Every check runs before a password is hashed, and costs no database query:

- per address, over all accounts (SIGN_IN_FAILURES_PER_ADDRESS), and over the whole
  platform (SIGN_IN_FAILURES_GLOBAL): failures spend them;
- per account and address (SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS): an attacker at
  one address is stopped on that account; the owner elsewhere is not;
- per account from anywhere: past SIGN_IN_ACCOUNT_FREE_FAILURES, each failure makes the
  next attempt wait twice as long (up to SIGN_IN_ACCOUNT_DELAY_CAP), so guessing one
  password stays slow however many addresses an attacker has.

A browser that has signed in to the account before carries a signed "known device"
cookie, and the platform-wide budget and the account's delay do not hold it up: the
owner's own laptop gets in while strangers wait. Counters are keyed by a hash of the
address typed, so an account that does not exist is throttled like one that does.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from opsplatform.core.ratelimits import (
    Budget,
    client_address,
    enabled,
    seconds_until,
    storage,
)

PER_ADDRESS = Budget("sign-in-failures-address", "SIGN_IN_FAILURES_PER_ADDRESS")
GLOBAL = Budget("sign-in-failures-global", "SIGN_IN_FAILURES_GLOBAL")
PER_ACCOUNT_AND_ADDRESS = Budget("sign-in-failures-account-address",
                                 "SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS")

KNOWN_DEVICE_COOKIE = "opsplatform_device"
_KNOWN_DEVICE_SALT = "opsplatform.known-device"
_KNOWN_ACCOUNTS_PER_DEVICE = 5


class _CheckSlots:
    """Password checks running at once in this process; more are refused, not queued.

    A refused attempt is answered at once, so a flood never holds the server's threads
    while argon2 runs: the API and the pages keep theirs.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self._running >= current_app.config["SIGN_IN_CHECKS_AT_ONCE"]:
                raise SignInThrottled(1, busy=True)
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1


CHECK_SLOTS = _CheckSlots()


class SignInThrottled(Exception):
    """Too many failures: try again in ``retry_after`` seconds. Says nothing of the account."""

    def __init__(self, retry_after: int, *, busy: bool = False):
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.busy = busy  # too many sign-ins being checked at once, not too many failures


def _account_tag(email: str) -> str:
    """A keyed hash of the address typed: counters and cookies never hold it in clear."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"sign-in:" + email.encode(), hashlib.sha256).hexdigest()[:32]


def _delay_keys(tag: str) -> tuple[str, str]:
    prefix = f"{current_app.config['RATELIMIT_KEY_PREFIX']}/sign-in-delay/{tag}"
    return f"{prefix}/failures", f"{prefix}/hold"


@dataclass(frozen=True)
class SignInAttempt:
    """One attempt to sign in to an account (known by its tag) from ``address``."""

    tag: str  # the account typed, as counters key it (_account_tag)
    address: str
    known_device: bool

    @classmethod
    def from_request(cls, email: str) -> SignInAttempt:
        tag = _account_tag(email)
        return cls(tag, client_address(), tag in _known_tags())

    def check(self) -> None:
        """Raise SignInThrottled when a budget is spent; call before hashing the password."""
        waits = [PER_ADDRESS.wait_for(self.address),
                 PER_ACCOUNT_AND_ADDRESS.wait_for(self.tag, self.address)]
        if not self.known_device:
            waits += [GLOBAL.wait_for(), self._account_delay()]
        if max(waits) > 0:
            raise SignInThrottled(max(waits))

    def failed(self) -> list[str]:
        """Count a failure; return the budgets it used up, for the audit trail."""
        spent = [budget.name for budget, keys in (
            (PER_ADDRESS, (self.address,)), (GLOBAL, ()),
            (PER_ACCOUNT_AND_ADDRESS, (self.tag, self.address)),
        ) if not budget.spend(*keys)]
        delay = self._add_account_failure()
        if delay:
            spent.append(f"account-delay-{delay}s")
        return spent

    def succeeded(self) -> None:
        # The owner's own address starts afresh; the account's delay stays for strangers.
        PER_ACCOUNT_AND_ADDRESS.refill(self.tag, self.address)

    def _account_delay(self) -> int:
        _failures, hold = _delay_keys(self.tag)
        if not enabled() or not storage().get(hold):
            return 0
        return seconds_until(storage().get_expiry(hold))

    def _add_account_failure(self) -> int:
        """Count the account's failure; past the free ones, hold it for a doubling delay."""
        config = current_app.config
        if not enabled():
            return 0
        failures_key, hold = _delay_keys(self.tag)
        failures = storage().incr(
            failures_key, int(config["SIGN_IN_ACCOUNT_FAILURE_WINDOW"].total_seconds()))
        beyond = failures - config["SIGN_IN_ACCOUNT_FREE_FAILURES"]
        if beyond <= 0:
            return 0
        cap = int(config["SIGN_IN_ACCOUNT_DELAY_CAP"].total_seconds())
        delay = min(2 ** min(beyond - 1, 30), cap)
        storage().clear(hold)
        storage().incr(hold, delay)
        return delay


# -- known devices -----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_KNOWN_DEVICE_SALT)


def _known_tags() -> list[str]:
    value = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not value:
        return []
    max_age = int(current_app.config["KNOWN_DEVICE_LIFETIME"].total_seconds())
    try:
        tags = _serializer().loads(value, max_age=max_age)
    except BadSignature:
        return []
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def remember_device(response: Response, email: str) -> None:
    """Mark this browser as one that signed in to ``email`` (a few accounts at most)."""
    tag = _account_tag(email)
    tags = [tag] + [known for known in _known_tags() if known != tag]
    config = current_app.config
    response.set_cookie(
        KNOWN_DEVICE_COOKIE, _serializer().dumps(tags[:_KNOWN_ACCOUNTS_PER_DEVICE]),
        max_age=int(config["KNOWN_DEVICE_LIFETIME"].total_seconds()),
        secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
