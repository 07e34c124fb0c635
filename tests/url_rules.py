"""The app's URL rules, read when tests are collected so they can be parametrized over them.

Tests built on this grow with the app: a route added by a later issue is checked
without anyone remembering to list it.
"""

from __future__ import annotations

import uuid

from werkzeug.routing import (
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    Rule,
    UUIDConverter,
)

from opsplatform import create_app

# Only the routing table is read: the in-memory database is never connected to.
_APP = create_app({"DATABASE_URL": "sqlite://"}, environ={"OPSPLATFORM_ENV": "testing"})
RULES: list[Rule] = sorted(_APP.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))
CHECKED_METHODS = ("GET", "POST")


def rule_methods(rule: Rule) -> list[str]:
    return [method for method in CHECKED_METHODS if method in (rule.methods or ())]


def routes(*blueprints: str) -> list[tuple[Rule, str]]:
    """Every (rule, method) pair, optionally only those of the named blueprints."""
    return [
        (rule, method)
        for rule in RULES
        if not blueprints or rule.endpoint.split(".")[0] in blueprints
        for method in rule_methods(rule)
    ]


def served_methods(rule: Rule) -> list[str]:
    """Every method the rule answers, but those Werkzeug adds (HEAD, OPTIONS)."""
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def rules_of_blueprint(blueprint: str) -> list[Rule]:
    return [rule for rule in RULES if rule.endpoint.split(".")[0] == blueprint]


def rules_under(path: str) -> list[Rule]:
    """The rules of ``path`` and of everything under it."""
    return [rule for rule in RULES if rule.rule == path or rule.rule.startswith(f"{path}/")]


def route_id(rule: Rule, method: str) -> str:
    return f"{method} {rule.rule}"


def openapi_document() -> dict:
    """The API's OpenAPI document, for tests parametrized over its operations and bodies."""
    from opsplatform.api.openapi import build_spec

    with _APP.app_context():
        return build_spec()


def _dummy_value(converter: BaseConverter):
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def build_url(rule: Rule, values: dict | None = None) -> str:
    """The path of ``rule`` with ``values`` for its arguments (dummy ones for the rest)."""
    values = dict(values or {})
    for name, converter in rule._converters.items():
        values.setdefault(name, _dummy_value(converter))
    return rule.build(values, append_unknown=False)[1]
