"""Phone numbers: read as people write them, kept in E.164, shown in international form.

One place for the rule, used by the accounts' contact details and by the blind
indexes that match the phone numbers of seizure parties.
"""

from __future__ import annotations

import unicodedata

import phonenumbers
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .errors import DomainError


class InvalidPhoneNumber(DomainError):
    """Not a phone number, or not one its country could have; the message says which."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, code="invalid_phone", field=field)



_NOT_A_NUMBER = _l("This is not a phone number.")
_PARSE_PROBLEMS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
        _l("The phone number has no country code: write it in international form, "
           "starting with + and the country code."),
    phonenumbers.NumberParseException.NOT_A_NUMBER: _NOT_A_NUMBER,
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD:
        _l("The phone number is too short after its international call prefix."),
    phonenumbers.NumberParseException.TOO_SHORT_NSN: _l("The phone number is too short."),
    phonenumbers.NumberParseException.TOO_LONG: _l("The phone number is too long."),
}
_LENGTH_PROBLEMS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
        _l("The phone number's country code does not exist."),
    phonenumbers.ValidationResult.TOO_SHORT:
        _l("The phone number is too short for its country."),
    phonenumbers.ValidationResult.TOO_LONG:
        _l("The phone number is too long for its country."),
    phonenumbers.ValidationResult.INVALID_LENGTH:
        _l("The phone number does not have a length its country uses."),
}


def normalise_phone(value: str, region: str | None = None) -> str:
    """The number in E.164 ("+442079460958").

    ``region`` (ISO 3166 alpha-2, e.g. "KR") reads numbers written without a country
    code, as the administration that recorded them would dial them. A number must have a
    possible length for its country; it need not be in a range the phonenumbers
    metadata knows to be allocated, which lags behind the real world.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise InvalidPhoneNumber(_("The value is empty."))
    if region is not None and region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{region!r} is not a region phonenumbers knows")
    try:
        number = phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException as error:
        problem = _PARSE_PROBLEMS.get(error.error_type, _NOT_A_NUMBER)
        raise InvalidPhoneNumber(str(problem)) from error
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason not in (phonenumbers.ValidationResult.IS_POSSIBLE,
                      phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        raise InvalidPhoneNumber(str(_LENGTH_PROBLEMS[reason]))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region_of(code: str | None) -> str | None:
    """``code`` (an organisation's, e.g. "KR") as a region to read national numbers in,
    when it is one (international organisations, "WCO", have none)."""
    code = (code or "").upper()
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def format_phone(value: str | None) -> str:
    """A stored number as people read it ("+44 20 7946 0958"); anything else unchanged."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
