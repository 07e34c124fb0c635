"""Signing in and out, and the account holder's own profile and API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from opsplatform.core import time_zones
from opsplatform.core.access import public
from opsplatform.core.db import db
from opsplatform.core.errors import DomainError
from opsplatform.core.forms import render_form
from opsplatform.core.phones import format_phone
from opsplatform.core.ratelimits import limiter
from opsplatform.core.requests import keep_changes_despite_error

from . import operations
from .forms import ChangePasswordForm, ContactDetailsForm, NewTokenForm, SignInForm
from .models import ApiToken, SessionEndReason
from .operations import normalise_email
from .sessions import end_session, start_session
from .throttling import SignInAttempt, SignInThrottled, remember_device

bp = Blueprint("auth", __name__)



def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("main.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SIGN_IN_REQUEST_LIMIT"], methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        attempt = SignInAttempt.from_request(normalise_email(form.email.data))
        try:
            user = operations.authenticate(form.email.data, form.password.data, attempt)
        except SignInThrottled as throttled:
            return _throttled(form, throttled)
        if user is not None:
            start_session(user)
            response = redirect(_safe_next(request.args.get("next")))
            remember_device(response, user.email)
            return response
        keep_changes_despite_error()  # the failed attempt stays in the audit trail
        form.form_errors.append(_("The e-mail address or password is not correct, "
                                  "or the account cannot sign in."))
        form.password.data = ""
        return render_template("auth/sign_in.html", form=form), 401
    return render_form("auth/sign_in.html", form)


def _throttled(form: SignInForm, throttled: SignInThrottled):
    if throttled.busy:
        form.form_errors.append(_("Too many sign-ins at this moment. Wait a few seconds, "
                                  "then try again."))
    else:
        minutes = max(1, -(-throttled.retry_after // 60))
        form.form_errors.append(ngettext(
            "Too many failed sign-ins. Wait %(num)d minute, then try again.",
            "Too many failed sign-ins. Wait %(num)d minutes, then try again.", minutes))
    form.password.data = ""
    response = make_response(render_template("auth/sign_in.html", form=form), 429)
    response.headers["Retry-After"] = str(throttled.retry_after)
    return response


@bp.post("/sign-out")
def sign_out():
    end_session(SessionEndReason.SIGNED_OUT)
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"))


def _profile_page(status: int = 200, **context):
    user = current_user._get_current_object()
    context.setdefault("details_form", _details_form(user))
    context.setdefault("password_form", ChangePasswordForm(prefix="password"))
    context.setdefault("token_form", NewTokenForm(prefix="token"))
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("auth/profile.html", user=user, tokens=tokens,
                           has_live_tokens=any(token.is_usable() for token in tokens),
                           **context), status


def _details_form(user, formdata=None) -> ContactDetailsForm:
    form = ContactDetailsForm(formdata=formdata, obj=user, prefix="details")
    zones = time_zones.grouped_choices(str(get_locale()))
    if user.time_zone and not time_zones.is_known(user.time_zone):
        zones = ((user.time_zone, user.time_zone), *zones)  # an older value stays on offer
    form.time_zone.choices = [("", _("Not set")), *zones]
    if formdata is None:  # stored in E.164, shown as people write them
        form.office_phone.data = format_phone(user.office_phone) or None
        form.duty_phone.data = format_phone(user.duty_phone) or None
    return form


@bp.get("/profile")
def profile():
    return _profile_page()


@bp.post("/profile/details")
def update_details():
    user = current_user._get_current_object()
    form = _details_form(user, formdata=request.form)
    if form.validate():
        try:
            operations.update_contact_details(
                user,
                operations.ContactDetails(
                    display_name=form.display_name.data,
                    job_title=form.job_title.data,
                    office_phone=form.office_phone.data,
                    duty_phone=form.duty_phone.data,
                    languages=form.languages.data,
                    time_zone=form.time_zone.data,
                ),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Your contact details were saved."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(422, details_form=form)


@bp.post("/profile/password")
def change_password():
    form = ChangePasswordForm(prefix="password")
    if form.validate():
        user = current_user._get_current_object()
        try:
            revoked = operations.change_own_password(
                user, form.current_password.data, form.new_password.data,
                revoke_tokens=form.revoke_tokens.data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            # Every session of the account ended; this browser goes on in a new one.
            start_session(user)
            flash(ngettext("Your password was changed. Other sessions were signed out, and "
                           "%(num)d API token was revoked.",
                           "Your password was changed. Other sessions were signed out, and "
                           "%(num)d API tokens were revoked.", revoked)
                  if revoked else
                  _("Your password was changed. Other sessions were signed out."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(422, password_form=form)


@bp.post("/profile/tokens")
def create_token():
    form = NewTokenForm(prefix="token")
    if form.validate():
        try:
            token, secret = operations.create_token(
                current_user._get_current_object(), form.name.data, form.days.data,
                actor=current_user._get_current_object(),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            # Shown once, on this response only; it is never stored in clear.
            return _profile_page(new_token=token, new_secret=secret)
    return _profile_page(422, token_form=form)


@bp.post("/profile/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    token = db.get_by_id(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    operations.revoke_token(token, actor=current_user._get_current_object())
    flash(_("The token “%(name)s” was revoked.", name=token.name), "success")
    return redirect(url_for("auth.profile"))
