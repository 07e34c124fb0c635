"""Platform administration of organisations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opsplatform.core.access import platform_admin_required
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError
from opsplatform.core.forms import render_form
from opsplatform.core.lists import load_page_args

from . import operations
from .forms import OrganisationForm
from .lists import OrganisationListArgsSchema, organisation_rows
from .models import Organisation, OrganisationKind, WcoRegion

bp = Blueprint("organisations", __name__, url_prefix="/admin/organisations")


@bp.before_request
@platform_admin_required
def _only_platform_admins():
    """Every page of this blueprint is for platform administrators."""


def _fields(form: OrganisationForm) -> operations.OrganisationFields:
    return operations.OrganisationFields(
        code=form.code.data,
        name=form.name.data,
        kind=OrganisationKind(form.kind.data),
        country_code=form.country_code.data or None,
        wco_region=WcoRegion(form.wco_region.data) if form.wco_region.data else None,
        is_active=form.is_active.data,
    )


def _get_or_404(organisation_id: int) -> Organisation:
    return db.get_by_id(Organisation, organisation_id) or abort(404)


@bp.get("/")
def index():
    args, refused = load_page_args(OrganisationListArgsSchema(), request.args)
    return render_template("organisations/index.html", page=organisation_rows(args), args=args,
                           refused=refused, kinds=list(OrganisationKind)), \
        422 if refused else 200


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = operations.create_organisation(
                _fields(form), actor=current_user._get_current_object())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Organisation %(code)s was created.", code=organisation.code), "success")
            return redirect(url_for(".index"))
    return render_form("organisations/form.html", form, organisation=None)


@bp.route("/<int:organisation_id>", methods=["GET", "POST"])
def edit(organisation_id: int):
    organisation = _get_or_404(organisation_id)
    form = OrganisationForm(obj=organisation)
    if request.method == "GET":
        form.kind.data = organisation.kind.value
        form.wco_region.data = organisation.wco_region.value if organisation.wco_region else ""
    if form.validate_on_submit():
        try:
            operations.update_organisation(organisation, _fields(form),
                                           actor=current_user._get_current_object())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Organisation %(code)s was saved.", code=organisation.code), "success")
            return redirect(url_for(".index"))
    return render_form("organisations/form.html", form, organisation=organisation)
