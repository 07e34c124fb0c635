from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from opsplatform.core.forms import BaseForm, LongSelect


class SignInForm(BaseForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


class ContactDetailsForm(BaseForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                               render_kw={"autocomplete": "name"})
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    office_phone = StringField(_l("Office phone"), validators=[Optional(), Length(max=50)],
                               render_kw={"autocomplete": "tel", "inputmode": "tel"})
    duty_phone = StringField(_l("24/7 phone"), validators=[Optional(), Length(max=50)],
                             render_kw={"inputmode": "tel"})
    languages = StringField(_l("Working languages"), validators=[Optional(), Length(max=200)],
                            description=_l("For example: English, French, Korean"))
    time_zone = SelectField(_l("Time zone"), validators=[Optional()], widget=LongSelect())


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=256)],
        description=_l("At least 12 characters. A phrase of several words works well."),
        render_kw={"autocomplete": "new-password"},
    )
    revoke_tokens = BooleanField(
        _l("Also revoke my API tokens"), default=True,
        description=_l("Systems using them stop working until you give them new tokens. "
                       "Keep it ticked if someone else may have known your password."))


class NewTokenForm(BaseForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("What will use it, for example: national seizure system"))
    days = IntegerField(_l("Valid for (days)"), validators=[InputRequired(), NumberRange(1, 365)],
                        default=90)


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class AccountForm(BaseForm):
    email = EmailField(_l("E-mail address"), filters=[_strip],
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    # The view checks that the organisation exists, with a clearer message than WTForms' own.
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[DataRequired()],
                                  validate_choice=False)
    is_platform_admin = BooleanField(_l("Platform administrator (manages organisations and accounts)"))
    is_secretariat = BooleanField(_l("WCO Secretariat (sees and plans every operation)"))
    is_active = BooleanField(_l("Active (may sign in and use API tokens)"), default=True)


class NewAccountForm(AccountForm):
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(max=256)],
        description=_l("At least 12 characters. Give it to the person by a separate channel."),
        render_kw={"autocomplete": "new-password"},
    )


class ResetPasswordForm(BaseForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=256)],
        description=_l("At least 12 characters. The account is signed out everywhere and "
                       "its API tokens are revoked."),
        render_kw={"autocomplete": "new-password"},
    )
