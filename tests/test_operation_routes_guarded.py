"""Every URL of one operation, page or API, goes in through ``operation_route``.

The decorator loads the operation and checks the caller's standing (404 outside,
403 without the permission); a view that took ``operation_id`` any other way
could forget either. This walks the URL map, so a new route is checked the day it
is added.
"""

from __future__ import annotations

from opsplatform.core.permissions import Permission


def _operation_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if "operation_id" in rule.arguments]


def test_every_route_naming_an_operation_is_guarded_by_a_permission(app):
    rules = _operation_rules(app)
    assert any(rule.endpoint.startswith("api.") for rule in rules)
    assert any(rule.endpoint.startswith("operations.") for rule in rules)
    unguarded = []
    for rule in rules:
        permissions = getattr(app.view_functions[rule.endpoint], "operation_permissions", None)
        if not permissions or not all(isinstance(p, Permission) for p in permissions):
            unguarded.append(f"{rule.rule} ({rule.endpoint})")
    assert unguarded == [], "not entered through @operation_route: " + ", ".join(unguarded)

