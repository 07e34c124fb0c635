"""Blind indexes: keyed hashes of normalised identifiers, to match records without decrypting.

``blind_index(kind, value)`` normalises ``value`` the way its kind is written in the real
world ("176-1234 5675" and "17612345675" are one air waybill), then computes
HMAC-SHA256 over the kind and the normalised value with the index key (see crypto.py:
a key of its own, stable across data-key rotation). A record stores the index next to
the encrypted value, in a ``blind_index_column()``; two records share an identifier when
their indexes are equal, which an indexed equality query finds. The same text under two
kinds gives different indexes.

An index is ``BLIND_INDEX_LENGTH`` hex characters: the index key's id (8) and the first
128 bits of the MAC (32, HMAC-SHA-256-128 as in RFC 4868). The key id lets a future
change of index key find the indexes still to recompute.

Each normaliser raises ``InvalidIdentifier`` (a DomainError with a stable code) naming
what is wrong, for the domain's operations to show against the field at fault.
"""

from __future__ import annotations

import enum
import hmac
import re
import unicodedata
from hashlib import sha256

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String
from sqlalchemy.orm import MappedColumn, mapped_column

from .crypto import Keyring, keyring
from .errors import DomainError
from .phones import InvalidPhoneNumber, normalise_phone

_MAC_BYTES = 16
BLIND_INDEX_LENGTH = 8 + 2 * _MAC_BYTES


class IndexKind(enum.StrEnum):
    """What an identifier is. The values are hashed into every index: never change one."""

    EMAIL = "email"
    PHONE = "phone"
    TRACKING_NUMBER = "tracking_number"
    AIR_WAYBILL = "air_waybill"
    CONTAINER_NUMBER = "container_number"
    NAME = "name"


class InvalidIdentifier(DomainError, ValueError):
    """A value that cannot be an identifier of its kind; ``code`` is ``invalid_<kind>``."""

    def __init__(self, kind: IndexKind, message: str):
        super().__init__(message, code=f"invalid_{kind.value}")
        self.kind = kind


# Written between the groups of identifiers: spaces (any), hyphens and dashes, dots, slashes.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015./]+")


def _text(kind: IndexKind, value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a {kind.value} to normalise is a str, not {type(value).__name__}")
    # NFKC: full-width digits and letters (common in East Asian input) become ASCII.
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise InvalidIdentifier(kind, _("The value is empty."))
    return text


_STRAY_CHARACTER = {
    IndexKind.TRACKING_NUMBER: _l("A tracking number is written with letters and digits "
                                  "(and spaces or hyphens), not \u201c%(character)s\u201d."),
    IndexKind.AIR_WAYBILL: _l("An air waybill number is written with digits (and spaces or "
                              "hyphens), not \u201c%(character)s\u201d."),
    IndexKind.CONTAINER_NUMBER: _l("A container number is written with letters and digits "
                                   "(and spaces or hyphens), not \u201c%(character)s\u201d."),
}


def _compact(kind: IndexKind, value: str) -> str:
    """Upper-case letters and digits, separators removed; anything else is refused."""
    compact = _SEPARATORS.sub("", _text(kind, value)).upper()
    stray = next((ch for ch in compact if not ("A" <= ch <= "Z" or "0" <= ch <= "9")), None)
    if stray is not None:
        raise InvalidIdentifier(kind, str(_STRAY_CHARACTER[kind]) % {"character": stray})
    return compact


# -- e-mail -----------------------------------------------------------------------------------

def normalise_email(value: str) -> str:
    """``local@domain``: trimmed, lower-cased, the domain in its ASCII (IDNA) form.

    Plus tags and dots are kept: "j.doe+parcel@example.com" and "jdoe@example.com" are
    one mailbox at some providers and two at others, and a false link between two
    people costs more than a missed one.
    """
    text = _text(IndexKind.EMAIL, value)
    try:
        address = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidIdentifier(IndexKind.EMAIL, _(
            "This is not a valid e-mail address: %(reason)s", reason=str(error))) from error
    return f"{address.local_part.lower()}@{address.ascii_domain.lower()}"


# -- shipment identifiers ---------------------------------------------------------------------

_TRACKING_LENGTH = (8, 40)
# UPU S10 postal item identifier: service indicator, 8-digit serial, check digit, country.
_S10 = re.compile(r"^[A-Z]{2}(\d{8})(\d)[A-Z]{2}$")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def _s10_check_digit(serial: str) -> int:
    check = 11 - sum(int(digit) * weight for digit, weight in zip(serial, _S10_WEIGHTS,
                                                                   strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def normalise_tracking_number(value: str) -> str:
    """A postal or express tracking number: upper case, without spaces or hyphens.

    UPU S10 numbers of the postal services ("RR 123 456 785 CN") must have their
    check digit right; couriers' own formats (digits, or "1Z..." and the like) are
    taken as they are, 8 to 40 letters and digits.
    """
    kind = IndexKind.TRACKING_NUMBER
    compact = _compact(kind, value)
    low, high = _TRACKING_LENGTH
    if not low <= len(compact) <= high:
        raise InvalidIdentifier(kind, _(
            "A tracking number has %(low)d to %(high)d letters and digits; this one has "
            "%(count)d.", low=low, high=high, count=len(compact)))
    postal = _S10.match(compact)
    if postal:
        expected = _s10_check_digit(postal.group(1))
        if int(postal.group(2)) != expected:
            raise InvalidIdentifier(kind, _(
                "The check digit of this postal item number (its 11th character) should be "
                "%(expected)d, not %(found)s: look for a mistyped digit.",
                expected=expected, found=postal.group(2)))
    return compact


def normalise_air_waybill(value: str) -> str:
    """An air waybill number as IATA writes it: "176-12345675".

    Eleven digits: the airline's 3-digit prefix and an 8-digit serial whose last digit
    is the first seven taken modulo 7.
    """
    kind = IndexKind.AIR_WAYBILL
    compact = _compact(kind, value)
    letter = next((ch for ch in compact if not ch.isdigit()), None)
    if letter is not None:
        raise InvalidIdentifier(kind, str(_STRAY_CHARACTER[kind]) % {"character": letter})
    if len(compact) != 11:
        raise InvalidIdentifier(kind, _(
            "An air waybill number has 11 digits: a 3-digit airline prefix and an 8-digit "
            "serial number. This one has %(count)d.", count=len(compact)))
    prefix, serial = compact[:3], compact[3:]
    expected = int(serial[:7]) % 7
    if int(serial[7]) != expected:
        raise InvalidIdentifier(kind, _(
            "The last digit of an air waybill number is the serial's first seven digits "
            "modulo 7: %(expected)d here, not %(found)s. Look for a mistyped digit.",
            expected=expected, found=serial[7]))
    return f"{prefix}-{serial}"


# ISO 6346: letters count 10 to 38, skipping the multiples of 11.
_CONTAINER_LETTER_VALUES = {
    letter: value
    for letter, value in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                             (n for n in range(10, 39) if n % 11), strict=True)
}
_CONTAINER = re.compile(r"^[A-Z]{4}\d{7}$")
_EQUIPMENT_CATEGORIES = "UJZ"


def _container_check_digit(first_ten: str) -> int:
    total = sum((_CONTAINER_LETTER_VALUES[ch] if ch.isalpha() else int(ch)) * 2 ** position
                for position, ch in enumerate(first_ten))
    return total % 11 % 10


def normalise_container_number(value: str) -> str:
    """An ISO 6346 container number, "CSQU3054383": upper case, without spaces or hyphens.

    Owner code (3 letters), equipment category (U, J or Z), 6-digit serial, check digit.
    """
    kind = IndexKind.CONTAINER_NUMBER
    compact = _compact(kind, value)
    if not _CONTAINER.match(compact):
        raise InvalidIdentifier(kind, _(
            "A container number has 4 letters then 7 digits, as in CSQU 305438 3."))
    if compact[3] not in _EQUIPMENT_CATEGORIES:
        raise InvalidIdentifier(kind, _(
            "The fourth letter of a container number is its equipment category, U, J or Z, "
            "not %(letter)s.", letter=compact[3]))
    expected = _container_check_digit(compact[:10])
    if int(compact[10]) != expected:
        raise InvalidIdentifier(kind, _(
            "The check digit of this container number (its last digit) should be "
            "%(expected)d, not %(found)s: look for a mistyped character.",
            expected=expected, found=compact[10]))
    return compact


# -- names ------------------------------------------------------------------------------------

# Latin letters that are not a base letter plus an accent, so NFKD leaves them alone.
_LETTER_FOLDS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                               "þ": "th", "ħ": "h", "ı": "i", "ŧ": "t"})
_APOSTROPHES = frozenset("'\u2018\u2019\u02bc\u02bb`\u00b4")


def normalise_name(value: str) -> str:
    """A person's or company's name folded for matching: "alvarez jose nunez".

    Case folded, accents removed (NFKD, then the combining marks dropped, and a few
    letters such as ø and ł mapped to their base letter), apostrophes dropped
    ("O'Brien" = "OBrien"), other punctuation and runs of spaces made one space, and the
    words put in alphabetical order: the same person is written "KIM Min-jun",
    "Min-jun Kim" and "Kim, Min Jun" by different administrations. Transliterations
    ("Müller"/"Mueller") and titles are not folded.
    """
    text = unicodedata.normalize("NFKD", unicodedata.normalize(
        "NFKD", _text(IndexKind.NAME, value)).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_LETTER_FOLDS)
    text = "".join(
        "" if ch in _APOSTROPHES
        else ch if unicodedata.category(ch)[0] in "LNM"
        else " "
        for ch in text
    )
    words = text.split()
    if not words:
        raise InvalidIdentifier(IndexKind.NAME, _("A name needs at least one letter."))
    return unicodedata.normalize("NFC", " ".join(sorted(words)))


# -- the index --------------------------------------------------------------------------------

def normalise(kind: IndexKind | str, value: str, *, region: str | None = None) -> str:
    """``value`` in the normal form of ``kind``; ``region`` is read for phone numbers only."""
    kind = IndexKind(kind)
    if kind is IndexKind.PHONE:
        try:
            return normalise_phone(_text(kind, value), region)
        except InvalidPhoneNumber as error:
            raise InvalidIdentifier(kind, error.message) from error
    return _NORMALISERS[kind](value)


_NORMALISERS = {
    IndexKind.EMAIL: normalise_email,
    IndexKind.TRACKING_NUMBER: normalise_tracking_number,
    IndexKind.AIR_WAYBILL: normalise_air_waybill,
    IndexKind.CONTAINER_NUMBER: normalise_container_number,
    IndexKind.NAME: normalise_name,
}


def index_of_normalised(ring: Keyring, kind: IndexKind, normalised: str) -> str:
    """The index of a value already in its normal form, under ``ring``'s index key."""
    message = kind.value.encode() + b"\x00" + normalised.encode()
    mac = hmac.new(ring.index_key, message, sha256).digest()[:_MAC_BYTES]
    return ring.index_key_id + mac.hex()


def blind_index(kind: IndexKind | str, value: str, *, region: str | None = None) -> str:
    """The blind index of ``value`` as an identifier of ``kind`` (needs an app context).

    Raises InvalidIdentifier when ``value`` cannot be one.
    """
    kind = IndexKind(kind)
    return index_of_normalised(keyring(), kind, normalise(kind, value, region=region))


def blind_index_column(**kwargs) -> MappedColumn:
    """A column for blind indexes, indexed for equality lookups.

    Declare it ``Mapped[str]`` or ``Mapped[str | None]``; extra arguments go to mapped_column.
    """
    kwargs.setdefault("index", True)
    return mapped_column(String(BLIND_INDEX_LENGTH), **kwargs)
