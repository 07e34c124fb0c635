"""The request bodies the OpenAPI document describes, read when tests are collected.

Tests built on this walk every body and every text field in it: a field or an
endpoint added later is checked without anyone listing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from opsplatform.core.db import db
from opsplatform.messaging.models import Message
from opsplatform.messaging.operations import MessageFields, send_message
from opsplatform.messaging.visibility import readable_by
from opsplatform.operations.access import standing_in
from opsplatform.operations.models import Operation, PeriodReturn
from opsplatform.organisations.models import Organisation
from tests.support.clients import demo, find_user
from tests.url_rules import openapi_document

DOCUMENT = openapi_document()
# Whoever may send each body: the secretariat plans, a contact point files its returns.
CALLERS = ("secretariat", "cp.jp")
# CATALYST-DEMO: cp.jp is one of its contact points (tests/api/test_operations_api.py).
OPERATION_CODE = "CATALYST-DEMO"


@dataclass(frozen=True)
class Body:
    method: str
    path: str  # as the document names it: /api/v1/operations/{operation_id}
    schema: dict

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, values: dict[str, int]) -> str:
        """The path with an id for each of its parameters (``values``)."""
        path = self.path
        for name, value in values.items():
            path = path.replace(f"{{{name}}}", str(value))
        return path


@dataclass(frozen=True)
class TextField:
    body: Body
    path: tuple[str | int, ...]  # ("phases", 0, "name")
    schema: dict

    def __str__(self) -> str:
        return f"{self.body} {self.name}"

    @property
    def name(self) -> str:
        """As the platform names it in an error: ``phases.0.name``."""
        return ".".join(str(part) for part in self.path)

    def body_with(self, value) -> dict:
        """A body holding ``value`` at this field's place (and nothing else)."""
        for part in reversed(self.path):
            value = [value] if isinstance(part, int) else {part: value}
        return value

    def errors_in(self, fields: dict):
        """This field's messages in a validation failure's ``fields``, or None."""
        for part in self.path:
            if not isinstance(fields, dict) or str(part) not in fields:
                return None
            fields = fields[str(part)]
        return fields


def deref(schema: dict) -> dict:
    while "$ref" in schema:
        node = DOCUMENT
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _bodies() -> list[Body]:
    found = []
    for path, operations in sorted(DOCUMENT["paths"].items()):
        for method, operation in sorted(operations.items()):
            # JSON bodies (a file upload is multipart: its file is checked by content).
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                schema = content["application/json"]["schema"]
                found.append(Body(method.upper(), path, deref(schema)))
    return found


def _text_fields(body: Body, schema: dict, path: tuple = ()) -> list[TextField]:
    schema = deref(schema)
    if schema.get("type") == "object":
        return [field for name, child in sorted(schema.get("properties", {}).items())
                for field in _text_fields(body, child, (*path, name))]
    if schema.get("type") == "array":
        return _text_fields(body, schema["items"], (*path, 0))
    if schema.get("type") == "string":
        return [TextField(body, path, schema)]
    return []


BODIES = _bodies()
BODY = {str(body): body for body in BODIES}  # "POST /api/v1/operations": its Body
TEXT_FIELDS = [field for body in BODIES for field in _text_fields(body, body.schema)]


def _message_for_replies(operation_id: int) -> int:
    """A message of the operation that cp.jp sees (one it sends, if the demo has none)."""
    jp = find_user(demo("cp.jp"))
    found = db.session.scalar(select(Message.id).where(
        Message.operation_id == operation_id, readable_by(jp)).limit(1))
    if found is None:
        operation = db.session.get(Operation, operation_id)
        found = send_message(operation, MessageFields(subject="For the bodies' walk",
                                                      body="Replies come here.", audience="ocu"),
                             actor=jp, access=standing_in(jp, operation)).id
    return found


class Api:
    """Sends JSON to the API as whoever may send each body (``api_as``, tests/conftest.py)."""

    def __init__(self, api_as, in_app):
        self.api_as = api_as
        self._callers: dict[str, str] = {}
        with in_app() as session:
            self.operation_id = session.scalar(
                select(Operation.id).where(Operation.code == OPERATION_CODE))
            # Ids for the other path parameters, of objects the callers may change.
            self.path_values = {"operation_id": self.operation_id, "return_id": session.scalar(
                select(PeriodReturn.id).join(Organisation,
                                             Organisation.id == PeriodReturn.organisation_id)
                .where(PeriodReturn.operation_id == self.operation_id,
                       Organisation.code == "JP")),
                "message_id": _message_for_replies(self.operation_id)}

    def send(self, body: Body, payload=None, *, caller: str | None = None, **kwargs):
        caller = caller or self.caller_for(body)
        return self.api_as(caller).open(body.method, body.url(self.path_values), payload,
                                        **kwargs)

    def caller_for(self, body: Body) -> str:
        """The first caller whose empty body is refused for its fields, not for who they are."""
        if str(body) not in self._callers:
            for caller in CALLERS:
                if self.send(body, {}, caller=caller).status_code in (200, 422):
                    self._callers[str(body)] = caller
                    break
            else:
                raise AssertionError(f"none of {CALLERS} may send {body}")
        return self._callers[str(body)]
