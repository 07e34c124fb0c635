"""Platform administration of accounts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from opsplatform.core.access import platform_admin_required
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError
from opsplatform.core.forms import render_form
from opsplatform.core.lists import load_page_args
from opsplatform.organisations.models import Organisation

from . import operations
from .forms import AccountForm, NewAccountForm, ResetPasswordForm
from .lists import AccountListArgsSchema, account_rows
from .models import User

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")


@bp.before_request
@platform_admin_required
def _only_platform_admins():
    """Every page of this blueprint is for platform administrators."""


def _with_organisations(form: AccountForm) -> AccountForm:
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.code)).all()
    form.organisation_id.choices = [SelectChoice(str(o.id), f"{o.code} — {o.name}")
                                    for o in organisations]
    return form


def _fields(form: AccountForm) -> operations.AccountFields:
    organisation = db.get_by_id(Organisation, form.organisation_id.data)
    if organisation is None:  # the select only offers existing ones; a forged id lands here
        raise DomainError(_("Choose an existing organisation."), field="organisation_id")
    return operations.AccountFields(
        email=form.email.data,
        display_name=form.display_name.data,
        organisation=organisation,
        is_platform_admin=form.is_platform_admin.data,
        is_secretariat=form.is_secretariat.data,
        is_active=form.is_active.data,
    )


def _get_or_404(user_id: int) -> User:
    return db.get_by_id(User, user_id) or abort(404)


def _admin() -> User:
    return current_user._get_current_object()


def _refused_edit_page(user: User, *, form: AccountForm | None = None,
                       reset_form: ResetPasswordForm | None = None,
                       error: DomainError | None = None):
    """The account page again, with what was refused; 422 so nothing is committed."""
    if form is None:
        form = _with_organisations(AccountForm(obj=user, formdata=None))
    if reset_form is None:
        reset_form = ResetPasswordForm(formdata=None)
    if error is not None:
        form.add_domain_error(error)
    return render_template("accounts/form.html", form=form, user=user,
                           reset_form=reset_form), 422


@bp.get("/")
def index():
    args, refused = load_page_args(AccountListArgsSchema(), request.args)
    page = account_rows(args)
    return render_template("accounts/index.html", page=page, args=args,
                           refused=refused), 422 if refused else 200


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = _with_organisations(NewAccountForm())
    if form.validate_on_submit():
        try:
            user = operations.create_user(_fields(form), form.password.data,
                                          actor=_admin())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("The account %(email)s was created.", email=user.email), "success")
            return redirect(url_for(".edit", user_id=user.id))
    return render_form("accounts/form.html", form, user=None)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int):
    user = _get_or_404(user_id)
    form = _with_organisations(AccountForm(obj=user))
    if form.validate_on_submit():
        try:
            operations.update_user(user, _fields(form), actor=_admin())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("The account %(email)s was saved.", email=user.email), "success")
            return redirect(url_for(".edit", user_id=user.id))
    return render_form("accounts/form.html", form, user=user, reset_form=ResetPasswordForm())


@bp.post("/<int:user_id>/password")
def reset_password(user_id: int):
    user = _get_or_404(user_id)
    reset_form = ResetPasswordForm()
    if reset_form.validate():
        try:
            operations.reset_password(user, reset_form.new_password.data, actor=_admin())
        except DomainError as error:
            reset_form.add_domain_error(error)
        else:
            flash(_("A new password was set for %(email)s; their sessions were ended and "
                    "their API tokens revoked.", email=user.email), "success")
            return redirect(url_for(".edit", user_id=user.id))
    return _refused_edit_page(user, reset_form=reset_form)


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int):
    user = _get_or_404(user_id)
    try:
        operations.set_active(user, False, actor=_admin())
    except DomainError as error:
        return _refused_edit_page(user, error=error)
    flash(_("%(email)s was deactivated: signed out, and tokens no longer work.",
            email=user.email), "success")
    return redirect(url_for(".edit", user_id=user.id))


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id: int):
    user = _get_or_404(user_id)
    operations.set_active(user, True, actor=_admin())
    flash(_("%(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for(".edit", user_id=user.id))
