"""The OpenAPI 3 document of /api/v1, built from the views' docstrings and schemas."""

from __future__ import annotations

import re

from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from apispec_webframeworks.flask import FlaskPlugin
from flask import current_app, jsonify

from opsplatform.core.access import public

from . import bp
from .schemas.errors import ErrorSchema

_CACHE_KEY = "opsplatform.openapi"


class _SchemaRulesPlugin(BasePlugin):
    """States a schema's rules across fields, which it keeps beside them as ``Meta.openapi``.

    apispec reads each field's own rules (maxLength, enum, pattern...) from its
    validators; one such as "exactly one of a or b" needs saying in JSON Schema words.
    """

    def schema_helper(self, name, definition, schema=None, **kwargs) -> dict | None:
        if schema is None:
            return None
        meta = getattr(resolve_schema_cls(schema), "Meta", None)
        return dict(getattr(meta, "openapi", {}))


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": "ErrorSchema"}}}


def build_spec() -> dict:
    spec = APISpec(
        title="opsplatform API",
        version="1",
        openapi_version="3.0.3",
        plugins=[FlaskPlugin(), MarshmallowPlugin(), _SchemaRulesPlugin()],
        info={"description": "Joint customs enforcement operations. Every request except "
                             "this document needs 'Authorization: Bearer <token>'."},
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.schema("ErrorSchema", schema=ErrorSchema)
    # The status each stands for is the key its operations use (see _add_common_errors).
    for _status, name, text in [
        (400, "BadRequest", "Malformed request: invalid JSON, JSON nested too deeply, or a "
                            "character no text can hold (NUL) in the field `field` names"),
        (401, "Unauthorized", "Missing, malformed, expired or revoked token"),
        (403, "Forbidden", "The caller may see this but not do this"),
        (404, "NotFound", "No such object, or not visible to the caller"),
        (409, "Conflict", "Clashes with the current state, e.g. a duplicate"),
        (413, "TooLarge", "The body is larger than the platform accepts (MAX_CONTENT_LENGTH)"),
        (415, "UnsupportedMediaType", "The body is not application/json"),
        (422, "Unprocessable", "The body has invalid fields"),
    ]:
        spec.components.response(name, _error_response(text))
    spec.components.response("TooManyRequests", {
        **_error_response("Over the token's budget of requests a minute"),
        "headers": {"Retry-After": {"description": "Seconds to wait before sending again",
                                    "schema": {"type": "integer"}}}})
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document":
            spec.path(view=current_app.view_functions[rule.endpoint], app=current_app)
    document = spec.to_dict()
    document["security"] = [{"bearerAuth": []}]
    for path, operations in document["paths"].items():
        for operation in operations.values():
            _add_path_parameters(path, operation)
            _add_common_errors(path, operation)
    return document


def _add_path_parameters(path: str, operation: dict) -> None:
    """Describe the ids in the path (``/operations/{operation_id}``): all are integer ids."""
    parameters = operation.setdefault("parameters", [])
    named = {parameter.get("name") for parameter in parameters if parameter.get("in") == "path"}
    for name in re.findall(r"{(\w+)}", path):
        if name not in named:
            parameters.insert(0, {"in": "path", "name": name, "required": True,
                                  "schema": {"type": "integer"}})


def _add_common_errors(path: str, operation: dict) -> None:
    """Every endpoint can answer these; say so once here rather than in each docstring."""
    responses = operation.setdefault("responses", {})
    # Any query string, body or path may carry a NUL character, refused with 400.
    common = {"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden",
              "429": "TooManyRequests"}
    if "{" in path:
        common["404"] = "NotFound"
    if "requestBody" in operation:
        common |= {"413": "TooLarge", "415": "UnsupportedMediaType", "422": "Unprocessable"}
    if any(parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
        common["422"] = "Unprocessable"  # a query parameter out of range
    for status, name in common.items():
        responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})


@bp.get("/openapi.json")
@public
def openapi_document():
    # Built once per process: it depends only on the code.
    document = current_app.extensions.get(_CACHE_KEY)
    if document is None:
        document = current_app.extensions[_CACHE_KEY] = build_spec()
    return jsonify(document)
