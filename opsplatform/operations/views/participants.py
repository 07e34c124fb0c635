"""Who takes part: the list (a table, filtered), and one page per organisation asked, which
holds what is done to it: its people's roles, then withdrawing it or removing them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from opsplatform.auth.models import User
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError
from opsplatform.core.lists import load_page_args
from opsplatform.core.permissions import Permission
from opsplatform.organisations.models import Organisation, OrganisationKind

from .. import lists, queries
from .. import participants as taking_part
from ..access import access_for, current_access, load_child, operation_route
from ..forms import InviteForm, MemberForm, RoleForm
from ..models import (
    Membership,
    Operation,
    OperationRole,
    Participation,
    ParticipationStatus,
)
from . import bp

# Whose people may still be given roles (and who may still be withdrawn).
_ASKED = (ParticipationStatus.INVITED, ParticipationStatus.ACCEPTED)


def _invite_form(operation: Operation) -> InviteForm:
    """Every active organisation not already invited to or taking part in ``operation``."""
    form = InviteForm(prefix="invite")
    busy = (select(Participation.organisation_id)
            .where(Participation.operation_id == operation.id,
                   Participation.status.in_(_ASKED)))
    organisations = db.session.execute(
        select(Organisation.code, Organisation.name)
        .where(Organisation.is_active.is_(True), Organisation.id.not_in(busy))
        .order_by(Organisation.code))
    form.organisation.choices = [("", _("Choose…"))] + [
        (code, f"{code} — {name}") for code, name in organisations]
    return form


def _member_form(operation: Operation, participation: Participation) -> MemberForm:
    """The form giving a role to someone of ``participation``'s organisation who has none."""
    form = MemberForm(prefix=f"member-{participation.id}")
    people = queries.people_to_add(operation, [participation.organisation_id])[
        participation.organisation_id]
    form.user.choices = [(0, _("Choose…"))] + [
        (user_id, f"{name} ({email})") for user_id, name, email in people]
    form.role.choices = [SelectChoice(role.value, role.label)
                         for role in current_access().roles_assignable()]
    return form


# -- the list ---------------------------------------------------------------------------------


def _status_choices(counts) -> list[tuple[str, str, int]]:
    """The status filter's choices: (value, label, how many match the search)."""
    labels = {
        ParticipationStatus.ACCEPTED.value: _("Taking part"),
        ParticipationStatus.INVITED.value: _("Invited, no answer"),
        ParticipationStatus.DECLINED.value: _("Declined"),
        ParticipationStatus.WITHDRAWN.value: _("Withdrawn"),
        lists.EVERY_STATUS: _("All"),
    }
    return [(value, labels[value], counts[value]) for value in lists.PARTICIPANT_FILTERS]


def _list_page(operation: Operation, status: int = 200, invite_form: InviteForm | None = None):
    access = current_access()
    args, refused = load_page_args(lists.ParticipantPageArgsSchema(), request.args)
    counts = lists.participant_counts(operation, args)
    page = lists.participant_rows(operation, args, counts)
    if invite_form is None and access.can(Permission.PARTICIPANTS_WRITE):
        invite_form = _invite_form(operation)
    filters = {name: value for name, value in args.url_params().items() if name != "status"}
    return render_template(
        "operations/participants.html", operation=operation, page=page, args=args,
        refused=refused, choices=_status_choices(counts), filters=filters,
        invite_form=invite_form,
    ), 422 if refused and status == 200 else status


@bp.get("/<int:operation_id>/participants")
@operation_route(Permission.PARTICIPANTS_READ)
def participants(operation):
    return _list_page(operation)


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
            # The list of those not answered yet, where the new invitation now is.
            return redirect(url_for(".participants", operation_id=operation.id,
                                    status=ParticipationStatus.INVITED.value))
    return _list_page(operation, 422, invite_form=form)


# -- one organisation asked -------------------------------------------------------------------


def _participant_page(operation: Operation, participation: Participation, status: int = 200,
                      member_form: MemberForm | None = None):
    access = current_access()
    people = sorted(db.session.scalars(
        select(Membership).where(Membership.participation_id == participation.id)
        .options(joinedload(Membership.user))),
        key=lambda m: (lists.ROLE_ORDER[m.role], m.user.display_name, m.id))
    is_asked = participation.status in _ASKED
    manages = is_asked and access.may_manage_people_of(participation)
    if manages and member_form is None:
        member_form = _member_form(operation, participation)
    is_host = participation.organisation_id == operation.host_organisation_id
    return render_template(
        "operations/participant.html", operation=operation, participation=participation,
        people=people, manages=manages, member_form=member_form if manages else None,
        assignable=access.roles_assignable(), is_host=is_host,
        may_withdraw=is_asked and not is_host and access.can(Permission.PARTICIPANTS_WRITE),
        may_invite_again=not is_asked and access.can(Permission.PARTICIPANTS_WRITE),
        role_labels=OperationRole.labels_now(),
        kind_label=OrganisationKind.labels_now()[participation.organisation.kind],
    ), status


@bp.get("/<int:operation_id>/participants/<int:participation_id>")
@operation_route(Permission.PARTICIPANTS_READ)
def participant(operation, participation_id: int):
    return _participant_page(operation, load_child(Participation, participation_id, operation))


def _back_to(operation: Operation, participation_id: int):
    """Back to the organisation's page, or home if the caller can no longer see it (they
    removed their own role)."""
    if not access_for(current_user, operation).can(Permission.PARTICIPANTS_READ):
        return redirect(url_for("main.home"))
    return redirect(url_for(".participant", operation_id=operation.id,
                            participation_id=participation_id))


@bp.post("/<int:operation_id>/participants/<int:participation_id>/withdraw")
@operation_route(Permission.PARTICIPANTS_WRITE)
def withdraw(operation, participation_id: int):
    participation = load_child(Participation, participation_id, operation)
    taking_part.withdraw_participation(participation, actor=current_user)
    flash(_("%(code)s no longer takes part.", code=participation.organisation.code), "success")
    return _back_to(operation, participation.id)


@bp.post("/<int:operation_id>/participants/<int:participation_id>/members")
@operation_route(Permission.MEMBERS_WRITE_OWN)
def add_member(operation, participation_id: int):
    participation = load_child(Participation, participation_id, operation)
    current_access().require_people_of(participation)
    form = _member_form(operation, participation)
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
            return _back_to(operation, participation.id)
    return _participant_page(operation, participation, 422, member_form=form)


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
    return _back_to(operation, membership.participation_id)


@bp.post("/<int:operation_id>/members/<int:membership_id>/remove")
@operation_route(Permission.MEMBERS_WRITE_OWN)
def remove_member(operation, membership_id: int):
    membership = load_child(Membership, membership_id, operation)
    current_access().require_people_of(membership.participation)
    current_access().require_assignable(membership.role)
    name, participation_id = membership.user.display_name, membership.participation_id
    taking_part.remove_member(membership, actor=current_user)
    flash(_("%(name)s no longer has a role in this operation.", name=name), "success")
    return _back_to(operation, participation_id)

