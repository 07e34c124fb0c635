"""Answer a flood from memory: once the rate limits refuse an address on a path, its next
requests there get a fixed 429 from this WSGI middleware until Retry-After has passed.

The decision stays the limiter's (its counters in Redis or memory); this only remembers
it per process, so that a refused request costs no Flask dispatch, no session and no
template. A flood of 50 connections is then answered at the speed of the socket, and
the server's threads stay free for everyone else.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from flask import request

# Enough for every address of a large botnet; beyond it, the oldest refusals are forgotten
# (the limiter still refuses them, only more slowly).
MAX_REMEMBERED = 10_000

_BODY = (b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         b"<title>Too many requests</title></head><body><main><h1>Too many requests</h1>"
         b"<p>Wait a moment, then try again.</p></main></body></html>")


class RefusalCache:
    """WSGI middleware in front of the app (inside ProxyFix, so it sees the client)."""

    def __init__(self, app: Callable, headers: Iterable[tuple[str, str]] = ()):
        self.app = app
        self.headers = list(headers)
        self._until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def remember(self, address: str, path: str, retry_after: int) -> None:
        with self._lock:
            if len(self._until) >= MAX_REMEMBERED:
                now = time.monotonic()
                self._until = {key: until for key, until in self._until.items() if until > now}
                while len(self._until) >= MAX_REMEMBERED:
                    self._until.pop(next(iter(self._until)))
            self._until[address, path] = time.monotonic() + retry_after

    def forget_all(self) -> None:
        with self._lock:
            self._until.clear()

    def __call__(self, environ: dict, start_response: Callable):
        if environ.get("REQUEST_METHOD") == "POST":
            key = (environ.get("REMOTE_ADDR", ""), environ.get("PATH_INFO", ""))
            until = self._until.get(key)
            if until is not None:
                wait = until - time.monotonic()
                if wait > 0:
                    start_response("429 Too Many Requests", [
                        ("Content-Type", "text/html; charset=utf-8"),
                        ("Content-Length", str(len(_BODY))),
                        ("Retry-After", str(max(1, int(wait + 0.999)))),
                        ("Cache-Control", "no-store"), *self.headers])
                    return [_BODY]
                with self._lock:
                    self._until.pop(key, None)
        return self.app(environ, start_response)


def remember_refusal(retry_after: int) -> None:
    """Let the middleware answer this address's next POSTs to this path until then."""
    from flask import current_app

    cache = current_app.extensions.get("opsplatform.refusals")
    if cache is not None and request.method == "POST":
        cache.remember(request.remote_addr or "", request.path, retry_after)
