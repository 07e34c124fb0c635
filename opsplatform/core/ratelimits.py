"""Rate limits: Flask-Limiter, its counters in Redis when REDIS_URL is set, in memory otherwise.

In Redis every app server counts together; in memory each process counts for itself
(enough for one machine, and for the tests). Limits are answered with 429 and a
``Retry-After`` header, on the page or as the API's JSON error.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import Blueprint, Flask, current_app, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import Storage

from .refusals import RefusalCache, remember_refusal

limiter = Limiter(key_func=get_remote_address)


def client_address() -> str:
    """The caller's address (the proxies' X-Forwarded-For is trusted only when configured)."""
    return get_remote_address() or "unknown"


def _api_caller() -> str:
    """API limits count per token; requests without one count per address."""
    authorization = request.headers.get("Authorization", "")
    if authorization:
        # Keyed by a hash of what was presented: no database read before the limit applies.
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    return "address:" + client_address()


def limit_api(blueprint: Blueprint) -> None:
    """Put every route of the API blueprint under the per-token limit (API_RATE_LIMIT)."""
    limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_api_caller,
                         scope="api")(blueprint)


def seconds_until(moment: float) -> int:
    """Whole seconds from now until ``moment`` (a Unix time), at least 1: a Retry-After."""
    return max(1, math.ceil(moment - time.time()))


def enabled() -> bool:
    """False where the configuration turns rate limits off (RATELIMIT_ENABLED, benchmarks)."""
    return limiter.enabled


class Budget:
    """A named rate limit spent only when the caller says so (failures, not requests).

    With rate limits off, it is never spent and never waits.
    """

    def __init__(self, name: str, config_key: str):
        self.name = name
        self.config_key = config_key

    def _item(self) -> RateLimitItem:
        return parse(current_app.config[self.config_key])

    def _keys(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        return (current_app.config["RATELIMIT_KEY_PREFIX"], self.name, *keys)

    def wait_for(self, *keys: str) -> int:
        """Seconds until the budget for ``keys`` allows another spend; 0 when it does now."""
        item, keys = self._item(), self._keys(keys)
        if not enabled() or limiter.limiter.test(item, *keys):
            return 0
        reset_at = limiter.limiter.get_window_stats(item, *keys).reset_time
        return seconds_until(reset_at)

    def spend(self, *keys: str) -> bool:
        """Spend one; False when this spend used up the budget."""
        if not enabled():
            return True
        item, keys = self._item(), self._keys(keys)
        limiter.limiter.hit(item, *keys)
        return limiter.limiter.test(item, *keys)

    def refill(self, *keys: str) -> None:
        if enabled():
            limiter.limiter.clear(self._item(), *self._keys(keys))


def reset(app: Flask) -> None:
    """Unspend every limit and forget every refusal (each test starts afresh)."""
    with app.app_context():
        limiter.reset()
    app.extensions["opsplatform.refusals"].forget_all()


def storage() -> Storage:
    """The counters' storage in use (the in-memory fallback while Redis is unreachable)."""
    return limiter.limiter.storage


def _refuse(error: RateLimitExceeded):
    """The platform's 429 (page or JSON), saying when the spent limit allows a request again.

    Floods get this many times a second, so the page stands alone (no layout, no user).
    """
    from .errors import ERROR_CODES, friendly_message, json_error, wants_json

    message = friendly_message(error)
    if wants_json():
        body, status = json_error(429, ERROR_CODES[429], message)
    else:
        body, status = render_template("errors/rate_limited.html", message=message), 429
    limit = limiter.current_limit
    retry_after = seconds_until(limit.reset_at) if limit else 60
    remember_refusal(retry_after)
    return body, status, {"Retry-After": str(retry_after)}


def init_app(app: Flask) -> None:
    """Attach the limiter, and the refusal cache in front of the app (before any proxy fix)."""
    from .requests import fixed_security_headers

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _refuse)
    cache = RefusalCache(app.wsgi_app, headers=fixed_security_headers(app.config))
    app.wsgi_app = cache  # type: ignore[method-assign]
    app.extensions["opsplatform.refusals"] = cache
