"""Who takes part: invitations, withdrawals, and the people of each organisation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError
from opsplatform.core.permissions import Permission
from opsplatform.organisations.models import Organisation

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


def _invite_form(operation: Operation, participations: list[Participation]) -> InviteForm:
    form = InviteForm(prefix="invite")
    busy = {p.organisation_id for p in participations
            if p.status in (ParticipationStatus.INVITED, ParticipationStatus.ACCEPTED)}
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.code))
    form.organisation.choices = [("", _("Choose…"))] + [
        (o.code, f"{o.code} — {o.name}") for o in organisations if o.id not in busy]
    return form


def _member_form(participation: Participation, prefix: str | None = None) -> MemberForm:
    form = MemberForm(prefix=prefix or f"member-{participation.id}")
    taken = set(db.session.scalars(select(Membership.user_id).where(
        Membership.operation_id == participation.operation_id)))
    people = db.session.scalars(
        select(User).where(User.organisation_id == participation.organisation_id,
                           User.is_active.is_(True)).order_by(User.display_name))
    form.user.choices = [(0, _("Choose…"))] + [
        (u.id, f"{u.display_name} ({u.email})") for u in people if u.id not in taken]
    form.role.choices = [SelectChoice(role.value, role.label)
                         for role in current_access().roles_assignable()]
    return form


def _page(operation: Operation, status: int = 200, **forms):
    participations = queries.participations_with_people(operation)
    access = current_access()
    if access.can(Permission.PARTICIPANTS_WRITE):
        forms.setdefault("invite_form", _invite_form(operation, participations))
    member_forms = {
        p.id: forms.get("member_forms", {}).get(p.id) or _member_form(p)
        for p in participations if p.status in (ParticipationStatus.INVITED,
                                                ParticipationStatus.ACCEPTED)
        and access.may_manage_people_of(p)
    }
    forms["member_forms"] = member_forms
    return render_template("operations/participants.html", operation=operation,
                           participations=participations, roles=list(OperationRole),
                           **forms), status


@bp.get("/<int:operation_id>/participants")
@operation_route(Permission.PARTICIPANTS_READ)
def participants(operation):
    return _page(operation)


@bp.post("/<int:operation_id>/participants")
@operation_route(Permission.PARTICIPANTS_WRITE)
def invite(operation):
    form = _invite_form(operation, queries.participations_with_people(operation))
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
            return redirect(url_for(".participants", operation_id=operation.id))
    return _page(operation, 422, invite_form=form)


@bp.post("/<int:operation_id>/participants/<int:participation_id>/withdraw")
@operation_route(Permission.PARTICIPANTS_WRITE)
def withdraw(operation, participation_id: int):
    participation = load_child(Participation, participation_id, operation)
    taking_part.withdraw_participation(participation, actor=current_user)
    flash(_("%(code)s no longer takes part.", code=participation.organisation.code), "success")
    return redirect(url_for(".participants", operation_id=operation.id))


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
            return redirect(url_for(".participants", operation_id=operation.id))
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
    return redirect(url_for(".participants", operation_id=operation.id))


@bp.post("/<int:operation_id>/members/<int:membership_id>/remove")
@operation_route(Permission.MEMBERS_WRITE_OWN)
def remove_member(operation, membership_id: int):
    membership = load_child(Membership, membership_id, operation)
    current_access().require_people_of(membership.participation)
    current_access().require_assignable(membership.role)
    name = membership.user.display_name
    taking_part.remove_member(membership, actor=current_user)
    flash(_("%(name)s no longer has a role in this operation.", name=name), "success")
    return redirect(url_for(".participants", operation_id=operation.id))
