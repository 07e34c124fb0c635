"""/api/v1/operations: operations, their plan and phases, who takes part, the directory.

A thin skin over operations/operations.py and operations/queries.py, which hold the
rules; what each caller sees of an operation is decided by OperationSchema.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from opsplatform.core.access import secretariat_required
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError, json_error
from opsplatform.core.lists import ListArgsError, load_args
from opsplatform.core.permissions import AccessRole, Permission
from opsplatform.operations import lists, operations, participants, queries
from opsplatform.operations.access import (
    OperationAccess,
    access_for,
    current_access,
    operation_route,
    standings,
)
from opsplatform.operations.directory import record_directory_export
from opsplatform.operations.lists import OperationListArgsSchema, ParticipantListArgsSchema
from opsplatform.operations.models import (
    Operation,
    OperationStatus,
)
from opsplatform.organisations.models import Organisation
from opsplatform.organisations.operations import get_by_code

from . import bp
from .body import load_json
from .schemas.operations import (
    OperationCreateSchema,
    OperationPatchSchema,
    OperationSchema,
)
from .schemas.participants import ContactSchema, InviteSchema, ParticipantSchema

_PLAN_FIELDS = [f.name for f in dataclasses.fields(operations.PlanFields)]
# What a PATCH of each field needs; the plan fields need OPERATION_WRITE.
_PATCH_PERMISSIONS = {"phases": Permission.PHASES_WRITE, "status": Permission.OPERATION_CLOSE}


def _operation_json(operation: Operation, access: OperationAccess) -> dict:
    return OperationSchema.for_access(access).dump(operation)


def _organisation(code: str, field: str) -> Organisation:
    try:
        return get_by_code(code)
    except DomainError as error:
        error.field = field
        raise


def _plan_fields(values: dict, operation: Operation | None = None) -> operations.PlanFields:
    """PlanFields from the given ``values``, the rest from ``operation`` (or the defaults)."""
    plan = {}
    if operation is not None:
        plan = {name: getattr(operation, name) for name in _PLAN_FIELDS
                if name not in ("host", "organisers")}
        plan["host"] = operation.host_organisation
        plan["organisers"] = list(operation.organisers)
    for name in _PLAN_FIELDS:
        if name not in values:
            continue
        if name == "host":
            plan[name] = _organisation(values[name], "host")
        elif name == "organisers":
            plan[name] = [_organisation(code, "organisers") for code in values[name]]
        else:
            plan[name] = values[name]
    return operations.PlanFields(**plan)


def _phase_fields(rows: list[dict]) -> list[operations.PhaseFields]:
    return [operations.PhaseFields(row["kind"], row["name"], row["starts_on"], row["ends_on"])
            for row in rows]


def _load_for_listing(listed: list[Operation]) -> dict[int, list[dict]]:
    """Load the organisers of a page of operations; return its participants as plain rows."""
    ids = [operation.id for operation in listed]
    if ids:
        db.session.scalars(select(Operation).where(Operation.id.in_(ids))
                           .options(selectinload(Operation.organisers))).all()
    return queries.participant_rows(ids)


# -- operations -------------------------------------------------------------------------------


@bp.get("/operations")
def list_operations():
    """The operations the caller may see, newest first.
    ---
    get:
      summary: List operations
      description: >-
        Operations the caller takes part in or is invited to (the secretariat sees all),
        newest first, in pages: pass the `next_cursor` of a page as `cursor` for the next,
        with the same filters (a cursor belongs to the filters it was given with; another
        list's, an altered one or one for other filters is refused with 422 and the code
        `invalid_cursor`). `total` counts every operation matching the filters.
        An invited administration sees of an operation only what its invitation shows.
      tags: [Operations]
      parameters:
        - in: query
          schema: OperationListArgsSchema
      responses:
        200:
          description: A page of operations
          content:
            application/json:
              schema: OperationListSchema
    """
    try:
        args = load_args(OperationListArgsSchema(), request.args)
    except ListArgsError as error:
        return json_error(422, error.code, error.message, field=error.field,
                          fields=error.messages)
    page = lists.list_operations(current_user, args)
    participant_rows = _load_for_listing(page.items)
    standing_of = standings(current_user, page.items)
    today = date.today()
    schemas: dict[AccessRole | None, OperationSchema] = {}
    items = []
    for operation in page.items:
        access = standing_of[operation.id]
        if access.role not in schemas:
            schemas[access.role] = OperationSchema.for_access(
                access, today=today, participant_rows=participant_rows)
        items.append(schemas[access.role].dump(operation))
    return {"items": items, "next_cursor": page.next_cursor, "total": page.total}


@bp.post("/operations")
@secretariat_required
def create_operation():
    """Create an operation (secretariat only).
    ---
    post:
      summary: Create an operation
      description: >-
        The host and the organisers take part from the start. Without `phases`, the
        usual cycle (planning, briefing, operational, follow-up, debriefing, closed)
        starts today. Nothing is saved unless everything is valid.
      tags: [Operations]
      requestBody:
        required: true
        content:
          application/json:
            schema: OperationCreateSchema
      responses:
        201:
          description: The operation created
          headers:
            Location:
              description: Its URL
              schema: {type: string}
          content:
            application/json:
              schema: OperationSchema
        409:
          $ref: '#/components/responses/Conflict'
    """
    body = load_json(OperationCreateSchema())
    phases = _phase_fields(body["phases"]) if "phases" in body else None
    operation = operations.create_operation(_plan_fields(body), actor=current_user,
                                            phases=phases)
    location = url_for("api.get_operation", operation_id=operation.id)
    return _operation_json(operation, access_for(current_user, operation)), 201, {
        "Location": location}


@bp.get("/operations/<int:operation_id>")
@operation_route(Permission.OPERATION_READ, Permission.INVITATION_READ)
def get_operation(operation):
    """One operation.
    ---
    get:
      summary: Get an operation
      description: >-
        Members see the plan and who takes part; an invited administration sees what
        its invitation shows. Fields that need a permission name it (`x-permission`).
      tags: [Operations]
      responses:
        200:
          description: The operation
          content:
            application/json:
              schema: OperationSchema
    """
    return _operation_json(operation, current_access())


@bp.patch("/operations/<int:operation_id>")
# Those who may change nothing are refused before they learn anything from validation.
@operation_route(Permission.OPERATION_WRITE, *_PATCH_PERMISSIONS.values())
def update_operation(operation):
    """Change an operation's plan, phases or status (secretariat).
    ---
    patch:
      summary: Change an operation
      description: >-
        Only the fields sent change. Plan fields need `operation:plan:write`; `phases`
        replaces all the phases and needs `operation:phases:write`; `status` closes the
        operation now (`closed`) or undoes an early closure (`active`) and needs
        `operation:status:close`. Nothing is saved unless everything is valid.
      tags: [Operations]
      requestBody:
        required: true
        content:
          application/json:
            schema: OperationPatchSchema
      responses:
        200:
          description: The operation as changed
          content:
            application/json:
              schema: OperationSchema
        409:
          $ref: '#/components/responses/Conflict'
    """
    access = current_access()
    body = load_json(OperationPatchSchema())
    needed = {_PATCH_PERMISSIONS.get(name, Permission.OPERATION_WRITE) for name in body}
    for permission in needed or {Permission.OPERATION_WRITE}:
        access.require(permission, _("You may not change this operation."))

    plan = {name: value for name, value in body.items() if name in _PLAN_FIELDS}
    if plan:
        operations.update_operation(operation, _plan_fields(plan, operation), actor=current_user)
    if "phases" in body:
        operations.set_phases(operation, _phase_fields(body["phases"]), actor=current_user)
    if body.get("status") == "closed" and operation.closed_at is None:
        operations.close_operation(operation, actor=current_user)
    elif body.get("status") == "active" and (
            operation.closed_at is not None
            or operation.status_on(date.today()) is not OperationStatus.ACTIVE):
        # Undoes an early closure; otherwise the calendar decides and this says so (409).
        operations.reopen_operation(operation, actor=current_user)
    return _operation_json(operation, access)


# -- participants and contacts ----------------------------------------------------------------


@bp.get("/operations/<int:operation_id>/participants")
@operation_route(Permission.PARTICIPANTS_READ)
def list_participants(operation):
    """Who takes part.
    ---
    get:
      summary: List an operation's participants
      description: >-
        The organisations asked to take part, by code, with their people and their role
        in the operation: every one whatever its answer, or with `status` only those
        taking part (`accepted`), not answered yet, declined or withdrawn; `q` searches
        them (the participants page takes the same arguments). In pages: pass the
        `next_cursor` of a page as `cursor` for the next, with the same filters.
        `total` counts every organisation matching the filters.
      tags: [Participants]
      parameters:
        - in: query
          schema: ParticipantListArgsSchema
      responses:
        200:
          description: A page of participants, by organisation code
          content:
            application/json:
              schema: ParticipantListSchema
    """
    try:
        args = load_args(ParticipantListArgsSchema(), request.args)
    except ListArgsError as error:
        return json_error(422, error.code, error.message, field=error.field,
                          fields=error.messages)
    page = lists.list_participants(operation, args)
    return {"items": ParticipantSchema.for_access(current_access(), many=True).dump(page.items),
            "next_cursor": page.next_cursor, "total": page.total}


@bp.post("/operations/<int:operation_id>/participants")
@operation_route(Permission.PARTICIPANTS_WRITE)
def invite(operation):
    """Invite an organisation (secretariat).
    ---
    post:
      summary: Invite an organisation
      description: >-
        By organisation code. An organisation that declined or was withdrawn can be
        invited again; one already invited or taking part cannot (409
        `already_invited`). `contact_points` names people of that organisation as its
        contact points now.
      tags: [Participants]
      requestBody:
        required: true
        content:
          application/json:
            schema: InviteSchema
      responses:
        201:
          description: The invitation
          content:
            application/json:
              schema: ParticipantSchema
        409:
          $ref: '#/components/responses/Conflict'
    """
    body = load_json(InviteSchema())
    organisation = get_by_code(body["organisation"])
    people = participants.people_of(organisation, body["contact_points"])
    participation = participants.invite(operation, organisation, actor=current_user,
                                      contact_points=people)
    return ParticipantSchema.for_access(current_access()).dump(participation), 201


@bp.get("/operations/<int:operation_id>/contacts")
@operation_route(Permission.CONTACTS_READ)
def list_contacts(operation):
    """The operation's contact-point directory.
    ---
    get:
      summary: Get an operation's directory
      description: >-
        The people of the organisations taking part, by organisation and role, with
        how to reach them. Each call is recorded in the audit trail, like an export.
      tags: [Participants]
      responses:
        200:
          description: The directory
          content:
            application/json:
              schema: ContactListSchema
    """
    entries = queries.directory(operation)
    record_directory_export(operation, actor=current_user._get_current_object(), format="api")
    return {"items": ContactSchema.for_access(current_access(), many=True).dump(entries)}
