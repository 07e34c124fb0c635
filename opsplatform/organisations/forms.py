from __future__ import annotations

import pycountry
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from opsplatform.core.forms import BaseForm

from .models import (
    MAX_ORGANISATION_CODE_LENGTH,
    MAX_ORGANISATION_NAME_LENGTH,
    OrganisationKind,
    WcoRegion,
)


def _country_choices():
    countries = sorted(pycountry.countries, key=lambda country: country.name)
    return [SelectChoice("", _l("None"))] + [
        SelectChoice(c.alpha_2, f"{c.name} ({c.alpha_2})") for c in countries
    ]


class OrganisationForm(BaseForm):
    code = StringField(_l("Code"),
                       validators=[DataRequired(), Length(max=MAX_ORGANISATION_CODE_LENGTH)],
                       description=_l("Short and unique: KR, WCO, RILO-AP, UNODC"))
    name = StringField(_l("Name"),
                       validators=[DataRequired(), Length(max=MAX_ORGANISATION_NAME_LENGTH)])
    kind = SelectField(_l("Kind"), choices=OrganisationKind.choices())
    # The country is checked in operations.py, whose message names the code it refuses.
    country_code = SelectField(_l("Country"), validators=[Optional()], validate_choice=False,
                               description=_l("Required for a member administration"))
    wco_region = SelectField(
        _l("WCO region"),
        choices=[SelectChoice("", _l("None")), *WcoRegion.choices()],
        validators=[Optional()],
    )
    is_active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country_code.choices = _country_choices()
