"""The list of operations, an operation's dashboard, its plan and its phases."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from opsplatform.core.access import secretariat_required
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError
from opsplatform.core.forms import render_form
from opsplatform.core.lists import load_page_args
from opsplatform.core.permissions import Permission
from opsplatform.organisations.models import Organisation, OrganisationKind

from .. import lists, operations, participants
from ..access import current_access, operation_route
from ..forms import NewOperationForm, PhasesForm, PlanForm
from ..lists import OperationListArgsSchema
from ..models import OperationStatus, PhaseKind
from . import bp
from .dashboard import dashboard_context


@bp.get("/")
def index():
    args, refused = load_page_args(OperationListArgsSchema(), request.args)
    # The account itself: the rows ask it for each operation, the proxy would cost each time.
    page = lists.operation_rows(current_user._get_current_object(), args)
    return render_template(
        "operations/index.html", page=page, args=args, refused=refused,
        statuses=list(OperationStatus),
    ), 422 if refused else 200


def _with_choices(form: PlanForm) -> PlanForm:
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.code)
    ).all()
    form.host.choices = [("", _("Choose…"))] + [
        (o.code, f"{o.code} — {o.name}") for o in organisations
        if o.kind is OrganisationKind.MEMBER_ADMINISTRATION
    ]
    # The host is checked by operations._validated_plan, whose message names the problem
    # ("must be an active member administration"), not WTForms' "Not a valid choice".
    form.host.validate_choice = False
    form.organisers.choices = [
        (o.code, f"{o.code} — {o.name}") for o in organisations
        if o.kind is not OrganisationKind.MEMBER_ADMINISTRATION
    ]
    return form


def _plan_fields(form: PlanForm) -> operations.PlanFields:
    by_code = {o.code: o for o in db.session.scalars(select(Organisation).where(
        Organisation.code.in_([form.host.data, *form.organisers.data])))}
    if form.host.data not in by_code:
        raise DomainError(_("Choose the host administration."), field="host")
    return operations.PlanFields(
        code=form.code.data, title=form.title.data, host=by_code[form.host.data],
        summary=form.summary.data or "", objectives=form.objectives.data or "",
        substance_groups=form.substance_groups.data, transport_modes=form.transport_modes.data,
        organisers=[by_code[code] for code in form.organisers.data if code in by_code],
        handling_code=form.handling_code.data, tlp=form.tlp.data,
        reporting_frequency=form.reporting_frequency.data,
        report_deadline_days=form.report_deadline_days.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@secretariat_required
def create():
    form = _with_choices(NewOperationForm())
    if form.validate_on_submit():
        try:
            operation = operations.create_operation(
                _plan_fields(form), actor=current_user,
                phases=operations.phase_template(form.planning_starts_on.data),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Operation %(code)s was created with the usual phases. Check their dates.",
                    code=operation.code), "success")
            return redirect(url_for(".edit_phases", operation_id=operation.id))
    return render_form("operations/new.html", form)


@bp.get("/<int:operation_id>")
@operation_route(Permission.OPERATION_READ, Permission.INVITATION_READ)
def overview(operation):
    access = current_access()
    if not access.is_member:
        return render_template("operations/invitation.html", operation=operation,
                               participation=access.participation, today=date.today())
    return render_template("operations/overview.html", operation=operation,
                           **dashboard_context(operation, access))


@bp.route("/<int:operation_id>/edit", methods=["GET", "POST"])
@operation_route(Permission.OPERATION_WRITE)
def edit(operation):
    form = _with_choices(PlanForm(obj=operation))
    if request.method == "GET":
        form.host.data = operation.host_organisation.code
        form.organisers.data = [o.code for o in operation.organisers]
        for name in ("handling_code", "tlp", "reporting_frequency"):
            getattr(form, name).data = getattr(operation, name).value
    if form.validate_on_submit():
        try:
            operations.update_operation(operation, _plan_fields(form), actor=current_user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("The plan was saved."), "success")
            return redirect(url_for(".overview", operation_id=operation.id))
    return render_form("operations/edit.html", form, operation=operation)


def _phase_rows(form: PhasesForm) -> tuple[list[operations.PhaseFields], list]:
    """The phases the form describes, and the form's row of each (to show its errors)."""
    rows, entries = [], []
    for entry in form.phases:
        if entry.remove.data or entry.is_blank:
            continue
        if not entry.kind.data:
            entry.form.row_errors.append(_("Choose the kind of this phase."))
            raise DomainError(_("Choose the kind of each phase."), field="phases")
        rows.append(operations.PhaseFields(PhaseKind(entry.kind.data), entry.form.name.data,
                                           entry.form.starts_on.data, entry.form.ends_on.data))
        entries.append(entry)
    return rows, entries


EXTRA_PHASE_ROWS = 2


@bp.route("/<int:operation_id>/phases", methods=["GET", "POST"])
@operation_route(Permission.PHASES_WRITE)
def edit_phases(operation):
    if request.method == "GET":
        form = PhasesForm(data={"phases": [
            {"kind": p.kind.value, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on}
            for p in operation.phases]})
        for _row in range(EXTRA_PHASE_ROWS):
            form.phases.append_entry()
        return render_template("operations/phases.html", form=form, operation=operation)
    form = PhasesForm()
    if form.validate():
        try:
            rows, entries = _phase_rows(form)
            operations.set_phases(operation, rows, actor=current_user)
        except operations.PhaseError as error:
            # On the row at fault, and in the summary that links to it.
            entries[error.index].form.row_errors.append(error.message)
            form.form_errors.append(error.message)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("The phases were saved; reporting periods follow them."), "success")
            return redirect(url_for(".overview", operation_id=operation.id))
    return render_form("operations/phases.html", form, operation=operation)


@bp.post("/<int:operation_id>/close")
@operation_route(Permission.OPERATION_CLOSE)
def close(operation):
    operations.close_operation(operation, actor=current_user)
    flash(_("The operation is closed."), "success")
    return redirect(url_for(".overview", operation_id=operation.id))


@bp.post("/<int:operation_id>/reopen")
@operation_route(Permission.OPERATION_CLOSE)
def reopen(operation):
    operations.reopen_operation(operation, actor=current_user)
    flash(_("The operation was reopened; its phases follow the calendar again."), "success")
    return redirect(url_for(".overview", operation_id=operation.id))


@bp.post("/<int:operation_id>/invitation/<any(accept, decline):answer>")
@operation_route(Permission.INVITATION_RESPOND)
def respond(operation, answer: str):
    participation = current_access().require_participation()
    participants.respond_to_invitation(participation, accept=answer == "accept",
                                     actor=current_user)
    if answer == "accept":
        flash(_("%(code)s now takes part in %(operation)s; you are its contact point.",
                code=participation.organisation.code, operation=operation.code), "success")
        return redirect(url_for(".overview", operation_id=operation.id))
    flash(_("%(code)s declined the invitation to %(operation)s.",
            code=participation.organisation.code, operation=operation.code), "info")
    return redirect(url_for("main.home"))
