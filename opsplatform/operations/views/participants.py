"""Who takes part: invitations, withdrawals, and the people of each organisation."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError
from opsplatform.core.lists import load_page_args
from opsplatform.core.permissions import Permission
from opsplatform.organisations.models import Organisation, OrganisationKind

from .. import participants as taking_part
from .. import queries
from ..access import current_access, load_child, operation_route
from ..forms import InviteForm, MemberForm, RoleForm
from ..models import (
    Membership,
    Operation,
    OperationRole,
    Participation,
    ParticipationStatus,
)
from . import bp


def _invite_form(operation: Operation) -> InviteForm:
    """Every active organisation not already invited to or taking part in ``operation``."""
    form = InviteForm(prefix="invite")
    busy = (select(Participation.organisation_id)
            .where(Participation.operation_id == operation.id,
                   Participation.status.in_((ParticipationStatus.INVITED,
                                             ParticipationStatus.ACCEPTED))))
    organisations = db.session.execute(
        select(Organisation.code, Organisation.name)
        .where(Organisation.is_active.is_(True), Organisation.id.not_in(busy))
        .order_by(Organisation.code))
    form.organisation.choices = [("", _("Choose…"))] + [
        (code, f"{code} — {name}") for code, name in organisations]
    return form


def _member_form(participation, people: list | None = None,
                 roles: list[SelectChoice] | None = None) -> MemberForm:
    """The form adding someone of ``participation``'s organisation: ``people`` (found for
    a whole page by ``queries.people_to_add``), else found here."""
    form = MemberForm(prefix=f"member-{participation.id}")
    if people is None:
        operation = db.session.get_one(Operation, participation.operation_id)
        people = queries.people_to_add(operation, [participation.organisation_id])[
            participation.organisation_id]
    form.user.choices = [(0, _("Choose…"))] + [
        (user_id, f"{name} ({email})") for user_id, name, email in people]
    form.role.choices = roles if roles is not None else _assignable_choices()
    return form


def _assignable_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, role.label)
            for role in current_access().roles_assignable()]


def _page_params() -> dict[str, Any]:
    """Which page of the list a form was sent from (to show it again, or go back to it)."""
    return {name: request.args[name] for name in ("cursor", "limit") if name in request.args}


def _back_to_page(operation: Operation):
    return redirect(url_for(".participants", operation_id=operation.id, **_page_params()))


def _page(operation: Operation, status: int = 200, **forms):
    access = current_access()
    args, refused = load_page_args(queries.ParticipantsArgsSchema(), request.args)
    page = queries.participants_page(operation, args)
    if access.can(Permission.PARTICIPANTS_WRITE):
        forms.setdefault("invite_form", _invite_form(operation))
    managed = [p for p in page.items
               if p.status in (ParticipationStatus.INVITED, ParticipationStatus.ACCEPTED)
               and access.may_manage_people_of(p)]
    given = forms.get("member_forms", {})
    people = queries.people_to_add(operation, [p.organisation_id for p in managed
                                               if p.id not in given])
    roles = _assignable_choices()
    forms["member_forms"] = {p.id: given.get(p.id) or _member_form(
        p, people[p.organisation_id], roles) for p in managed}
    return render_template(
        "operations/participants.html", operation=operation, page=page, args=args,
        refused=refused, page_params=args.url_params(args.cursor),
        assignable=access.roles_assignable(), role_labels=OperationRole.labels_now(),
        status_labels=ParticipationStatus.labels_now(),
        kind_labels=OrganisationKind.labels_now(), **forms,
    ), 422 if refused and status == 200 else status


@bp.get("/<int:operation_id>/participants")
@operation_route(Permission.PARTICIPANTS_READ)
def participants(operation):
    return _page(operation)


@bp.post("/<int:operation_id>/participants")
@operation_route(Permission.PARTICIPANTS_WRITE)
def invite(operation):
    form = _invite_form(operation)
    # Who may be invited is the rule of participants.invite, whose messages name the problem
    # ("MX has already been invited"), not WTForms' "Not a valid choice".
    form.organisation.validate_choice = False
    if form.validate():
        code = form.organisation.data.strip()
        organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
        try:
            if organisation is None:
                raise DomainError(_("There is no organisation with the code %(code)s.",
                                    code=code[:20]),
                                  code="unknown_organisation", field="organisation")
            taking_part.invite(operation, organisation, actor=current_user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("%(code)s was invited.", code=organisation.code), "success")
            return _back_to_page(operation)
    return _page(operation, 422, invite_form=form)


@bp.post("/<int:operation_id>/participants/<int:participation_id>/withdraw")
@operation_route(Permission.PARTICIPANTS_WRITE)
def withdraw(operation, participation_id: int):
    participation = load_child(Participation, participation_id, operation)
    taking_part.withdraw_participation(participation, actor=current_user)
    flash(_("%(code)s no longer takes part.", code=participation.organisation.code), "success")
    return _back_to_page(operation)


@bp.post("/<int:operation_id>/participants/<int:participation_id>/members")
@operation_route(Permission.MEMBERS_WRITE_OWN)
def add_member(operation, participation_id: int):
    participation = load_child(Participation, participation_id, operation)
    current_access().require_people_of(participation)
    form = _member_form(participation)
    # The person is checked by participants.add_member, which refuses anyone the caller
    # may not add in words that name no one; the role by the standing (403).
    form.user.validate_choice = form.role.validate_choice = False
    if form.validate():
        current_access().require_assignable(form.role.data)
        role = OperationRole(form.role.data)
        try:
            membership = taking_part.add_member(participation, db.get_by_id(User, form.user.data),
                                                role, actor=current_user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("%(name)s was added as %(role)s.", name=membership.user.display_name,
                    role=role.label), "success")
            return _back_to_page(operation)
    return _page(operation, 422, member_forms={participation.id: form})


@bp.post("/<int:operation_id>/members/<int:membership_id>/role")
@operation_route(Permission.MEMBERS_WRITE_OWN)
def change_role(operation, membership_id: int):
    membership = load_child(Membership, membership_id, operation)
    current_access().require_people_of(membership.participation)
    form = RoleForm()
    if not form.validate():
        abort(400)
    role = OperationRole(form.role.data)
    current_access().require_assignable(role)
    current_access().require_assignable(membership.role)
    taking_part.change_member_role(membership, role, actor=current_user)
    flash(_("%(name)s is now %(role)s.", name=membership.user.display_name, role=role.label),
          "success")
    return _back_to_page(operation)


@bp.post("/<int:operation_id>/members/<int:membership_id>/remove")
@operation_route(Permission.MEMBERS_WRITE_OWN)
def remove_member(operation, membership_id: int):
    membership = load_child(Membership, membership_id, operation)
    current_access().require_people_of(membership.participation)
    current_access().require_assignable(membership.role)
    name = membership.user.display_name
    taking_part.remove_member(membership, actor=current_user)
    flash(_("%(name)s no longer has a role in this operation.", name=name), "success")
    return _back_to_page(operation)
