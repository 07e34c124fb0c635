"""Access matrices: the status each role gets from each route, written as data and run here.

A matrix is a list of entries (one route, one method) with the expected status for
every role, written from the access model rather than read from the code under test.
``cases()`` parametrizes a test over every (entry, role); the test sends the request
its own way (a form, a JSON body) and hands the response to ``check()``.
``assert_complete()`` fails when a covered URL rule has no entry, so that a route added
later cannot skip the proof.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from tests.support.clients import assert_api_error
from tests.url_rules import RULES, served_methods

REDIRECTS = (301, 302, 303)


def _no_values(*_args) -> dict:
    return {}


@dataclass(frozen=True)
class Entry:
    """One route of a matrix and the status each role gets from it.

    ``values``, ``body`` and ``arrange`` are called by the test that runs the matrix,
    with whatever context that test's module gives them (the demo's ids, made data).
    """

    name: str
    endpoint: str
    method: str
    # Role -> status, or the statuses in the order of the matrix's roles.
    expected: Mapping[str, int] | Sequence[int]
    # URL arguments; the form data or JSON body (a value, or a callable making it); data
    # to make before the request.
    values: Callable[..., dict] = _no_values
    body: Any = None
    arrange: Callable[..., Any] | None = None
    # A regex the Location of an allowed redirect matches.
    redirect: str | None = None

    @property
    def route(self) -> tuple[str, str]:
        return self.endpoint, self.method

    @property
    def rule(self) -> Rule:
        """The entry's URL rule (as the app's URL map holds it)."""
        return next(rule for rule in RULES if rule.endpoint == self.endpoint
                    and self.method in rule.methods)

    def url(self, **values) -> str:
        """The entry's path with ``values`` for its arguments (others are left out)."""
        built = self.rule.build(values, append_unknown=False)
        assert built is not None, f"{self.name}: its URL needs {sorted(self.rule.arguments)}"
        return built[1]

    def body_for(self, *context):
        return self.body(*context) if callable(self.body) else self.body


@dataclass
class AccessMatrix:
    """Entries over one list of roles, and what every response of the matrix must show.

    ``error_codes``: the JSON error code that goes with a refused status (the API's
    401, 403, 404). ``hidden``: text a 404 must not contain (the name of what is not
    found). ``anonymous``: the role that is not signed in, whose 302 goes to the sign-in
    page.
    """

    roles: Sequence[str]
    entries: Sequence[Entry]
    error_codes: Mapping[int, str] = field(default_factory=dict)
    hidden: Sequence[str] = ()
    anonymous: str | None = None

    def __post_init__(self):
        self.roles = list(self.roles)
        self.entries = [self._with_roles(entry) for entry in self.entries]
        names = [entry.name for entry in self.entries]
        assert len(names) == len(set(names)), f"entry names repeat: {names}"

    def _with_roles(self, entry: Entry) -> Entry:
        expected = entry.expected
        if not isinstance(expected, Mapping):
            assert len(expected) == len(self.roles), (entry.name, expected, self.roles)
            expected = dict(zip(self.roles, expected, strict=True))
        assert list(expected) == self.roles, (
            f"{entry.name}: statuses for {list(expected)}, not for the roles {self.roles}")
        return replace(entry, expected=expected)

    @property
    def routes(self) -> set[tuple[str, str]]:
        return {entry.route for entry in self.entries}

    def entry(self, name: str) -> Entry:
        return next(entry for entry in self.entries if entry.name == name)

    def pairs(self, *, roles: Iterable[str] | None = None) -> list[tuple[Entry, str]]:
        """Every (entry, role), or (entry, role) for ``roles`` only."""
        roles = list(self.roles if roles is None else roles)
        return [(entry, role) for entry in self.entries for role in roles]

    def cases(self, *, roles: Iterable[str] | None = None) -> list:
        """``pytest.param(entry, role)`` for every entry and role (or only ``roles``)."""
        return [pytest.param(entry, role, id=f"{entry.name}-{role}")
                for entry, role in self.pairs(roles=roles)]

    def allowed_role(self, entry: Entry, statuses: Iterable[int] = (200, 201, *REDIRECTS)) -> str:
        """The last role of ``roles`` (the most powerful) that ``entry`` lets through."""
        return next(role for role in reversed(self.roles) if entry.expected[role] in statuses)

    def check(self, entry: Entry, role: str, response: TestResponse, *, url: str = "",
              hidden: Iterable[str] = ()) -> None:
        """Assert that ``role`` got what ``entry`` expects, looking as the matrix says
        (``hidden``: more text this 404 must not show)."""
        expected = entry.expected[role]
        where = f"{entry.method} {url or entry.endpoint} as {role}"
        assert response.status_code == expected, (
            f"{where}: {response.status_code}, expected {expected}; {response.text[:300]}")
        if expected in self.error_codes:
            assert_api_error(response, expected, self.error_codes[expected])
        if expected == 404:
            for text in [*self.hidden, *hidden]:
                assert text not in response.text, f"{where}: the 404 shows {text!r}"
        if expected in REDIRECTS:
            location = response.headers["Location"]
            if role == self.anonymous:
                assert location.startswith("/sign-in?next="), f"{where}: to {location}"
            elif entry.redirect:
                assert re.match(entry.redirect, location), f"{where}: to {location}"


def assert_complete(rules: Iterable[Rule], *matrices: AccessMatrix) -> None:
    """Every method of every rule in ``rules`` has an entry in one of ``matrices``, and
    every entry names such a route."""
    routes = {(rule.endpoint, method) for rule in rules for method in served_methods(rule)}
    assert routes, "no URL rule to cover"
    covered = set().union(*(matrix.routes for matrix in matrices))
    missing = sorted(routes - covered)
    assert not missing, f"routes without an entry in an access matrix: {missing}"
    stale = sorted(covered - routes)
    assert not stale, f"entries for routes that do not exist (or are not covered): {stale}"
