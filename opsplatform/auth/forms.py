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
from opsplatform.core.text import MAX_EMAIL_LENGTH

from .models import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_JOB_TITLE_LENGTH,
    MAX_LANGUAGES_LENGTH,
    MAX_PHONE_LENGTH,
    MAX_TOKEN_NAME_LENGTH,
)
from .passwords import MAX_PASSWORD_LENGTH


class SignInForm(BaseForm):
    email = EmailField(_l("E-mail address"),
                       validators=[DataRequired(), Length(max=MAX_EMAIL_LENGTH)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class ContactDetailsForm(BaseForm):
    display_name = StringField(_l("Name"),
                               validators=[DataRequired(), Length(max=MAX_DISPLAY_NAME_LENGTH)],
                               render_kw={"autocomplete": "name"})
    job_title = StringField(_l("Job title"),
                            validators=[Optional(), Length(max=MAX_JOB_TITLE_LENGTH)])
    office_phone = StringField(_l("Office phone"),
                               validators=[Optional(), Length(max=MAX_PHONE_LENGTH)],
                               render_kw={"autocomplete": "tel", "inputmode": "tel"})
    duty_phone = StringField(_l("24/7 phone"),
                             validators=[Optional(), Length(max=MAX_PHONE_LENGTH)],
                             render_kw={"inputmode": "tel"})
    languages = StringField(_l("Working languages"),
                            validators=[Optional(), Length(max=MAX_LANGUAGES_LENGTH)],
                            description=_l("For example: English, French, Korean"))
    # Which zones exist is the domain's rule (auth.operations, core.time_zones).
    time_zone = SelectField(_l("Time zone"), validators=[Optional()], widget=LongSelect(),
                            validate_choice=False)


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        description=_l("At least 12 characters. A phrase of several words works well."),
        render_kw={"autocomplete": "new-password"},
    )
    revoke_tokens = BooleanField(
        _l("Also revoke my API tokens"), default=True,
        description=_l("Systems using them stop working until you give them new tokens. "
                       "Keep it ticked if someone else may have known your password."))


class NewTokenForm(BaseForm):
    name = StringField(_l("Token name"),
                       validators=[DataRequired(), Length(max=MAX_TOKEN_NAME_LENGTH)],
                       description=_l("What will use it, for example: national seizure system"))
    days = IntegerField(_l("Valid for (days)"), validators=[InputRequired(), NumberRange(1, 365)],
                        default=90)


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class AccountForm(BaseForm):
    email = EmailField(_l("E-mail address"), filters=[_strip],
                       validators=[DataRequired(), Email(check_deliverability=False),
                                   Length(max=MAX_EMAIL_LENGTH)])
    display_name = StringField(_l("Name"),
                               validators=[DataRequired(), Length(max=MAX_DISPLAY_NAME_LENGTH)])
    # The view checks that the organisation exists, with a clearer message than WTForms' own.
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[DataRequired()],
                                  validate_choice=False)
    is_platform_admin = BooleanField(
        _l("Platform administrator (manages organisations and accounts)"))
    is_secretariat = BooleanField(_l("WCO Secretariat (sees and plans every operation)"))
    is_active = BooleanField(_l("Active (may sign in and use API tokens)"), default=True)


class NewAccountForm(AccountForm):
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        description=_l("At least 12 characters. Give it to the person by a separate channel."),
        render_kw={"autocomplete": "new-password"},
    )


class ResetPasswordForm(BaseForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        description=_l("At least 12 characters. The account is signed out everywhere and "
                       "its API tokens are revoked."),
        render_kw={"autocomplete": "new-password"},
    )
