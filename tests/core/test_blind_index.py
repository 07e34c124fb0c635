"""Blind indexes: one normal form per identifier however it is written, keyed, kind-separated."""

from __future__ import annotations

import re

import pytest

from opsplatform.core.blind_index import (
    BLIND_INDEX_LENGTH,
    IndexKind,
    InvalidIdentifier,
    blind_index,
    normalise,
)
from opsplatform.core.crypto import keyring
from tests.core.conftest import INDEX_KEY, NEW_KEY, OLD_KEY

# Each kind: the normal form, then the ways officers and documents write the same identifier.
VARIANTS = {
    IndexKind.EMAIL: ("john.doe+parcel@example.com", [
        "john.doe+parcel@example.com",
        "  John.Doe+Parcel@EXAMPLE.com ",
        "JOHN.DOE+PARCEL@Example.Com",
    ]),
    IndexKind.PHONE: ("+442079460958", [
        "+44 20 7946 0958",
        "+44 (0)20 7946-0958",
        "+44.20.7946.0958",
        "tel:+44-20-7946-0958",
        "+４４ ２０ ７９４６ ０９５８",  # full-width digits
    ]),
    IndexKind.TRACKING_NUMBER: ("RR123456785CN", [
        "RR123456785CN",
        "rr 123 456 785 cn",
        "RR-1234-5678-5-CN",
    ]),
    IndexKind.AIR_WAYBILL: ("176-12345675", [
        "176-1234 5675",
        "17612345675",
        "176 12345675",
        "176-1234-5675",
    ]),
    IndexKind.CONTAINER_NUMBER: ("CSQU3054383", [
        "CSQU3054383",
        "csqu 305438 3",
        "CSQU-305438-3",
        "CSQU 3054383",
    ]),
    IndexKind.NAME: ("jun kim min", [
        "KIM Min-jun",
        "Min-Jun Kim",
        "Kim, Min Jun",
        "  kim   min\tjun ",
        "ＫＩＭ Ｍｉｎ－ｊｕｎ",  # full-width, as an East Asian keyboard types it
    ]),
}


@pytest.mark.parametrize("kind", list(IndexKind))
def test_every_way_of_writing_an_identifier_gives_one_normal_form_and_one_index(app, kind):
    normal, variants = VARIANTS[kind]
    with app.app_context():
        assert {normalise(kind, variant) for variant in variants} == {normal}
        assert len({blind_index(kind, variant) for variant in variants}) == 1


def test_indexes_are_fixed_length_hex_led_by_the_index_key_id(app):
    with app.app_context():
        for kind, (_normal, variants) in VARIANTS.items():
            index = blind_index(kind, variants[0])
            assert len(index) == BLIND_INDEX_LENGTH
            assert re.fullmatch(r"[0-9a-f]+", index)
            assert index.startswith(keyring().index_key_id)


def test_different_identifiers_give_different_indexes(app):
    with app.app_context():
        assert blind_index("air_waybill", "176-12345675") != blind_index("air_waybill",
                                                                         "176-12345686")
        assert blind_index("name", "Kim Min-jun") != blind_index("name", "Kim Min-jin")


def test_the_kind_is_part_of_the_index(app):
    # The same normal form under two kinds must not link a container to a parcel.
    with app.app_context():
        assert normalise("container_number", "CSQU3054383") == \
            normalise("tracking_number", "CSQU3054383")
        assert blind_index("container_number", "CSQU3054383") != \
            blind_index("tracking_number", "CSQU3054383")


@pytest.mark.parametrize("first, second", [
    ("José Álvarez-Núñez", "JOSE ALVAREZ NUNEZ"),
    ("Łukasz Wójcik", "lukasz wojcik"),
    ("Søren Ærø", "soren aero"),
    ("Seán O'Brien", "SEAN OBRIEN"),
    ("Seán O’Brien", "O'Brien, Sean"),
    ("Straße", "STRASSE"),
    ("İlhan Yıldız", "ilhan yildiz"),
    ("Nguyễn Văn An", "an nguyen van"),
    ("Jean-Pierre Dupont", "Dupont Jean Pierre"),
])
def test_names_fold_case_accents_punctuation_spacing_and_word_order(app, first, second):
    assert normalise("name", first) == normalise("name", second)


def test_names_keep_transliterations_and_scripts_apart():
    # Folding "ü" to "ue" is a guess about the language; it is not made.
    assert normalise("name", "Müller") == "muller"
    assert normalise("name", "Mueller") == "mueller"
    assert normalise("name", "김 민준") == "김 민준"


def test_e_mail_plus_tags_are_kept(app):
    with app.app_context():
        assert blind_index("email", "jdoe+parcel@example.com") != \
            blind_index("email", "jdoe@example.com")


def test_e_mail_domains_are_compared_in_their_ascii_form():
    assert normalise("email", "Info@Müller.example") == normalise("email",
                                                                  "info@xn--mller-kva.example")


def test_phone_numbers_without_country_code_need_the_default_region():
    assert normalise("phone", "02-312-3456", region="KR") == "+8223123456"
    assert normalise("phone", "(202) 555-0143", region="us") == "+12025550143"
    # A number written in international form ignores the default region...
    assert normalise("phone", "+82 2 312 3456", region="FR") == "+8223123456"
    # ...and the region's international call prefix is understood.
    assert normalise("phone", "0044 20 7946 0958", region="FR") == "+442079460958"
    assert normalise("phone", "011 44 20 7946 0958", region="US") == "+442079460958"
    with pytest.raises(InvalidIdentifier) as refused:
        normalise("phone", "02-312-3456")
    assert refused.value.code == "invalid_phone"
    assert "international form" in refused.value.message


def test_an_unknown_default_region_is_a_programming_error():
    with pytest.raises(ValueError, match="'XX' is not a region"):
        normalise("phone", "02-312-3456", region="XX")


@pytest.mark.parametrize("kind, value, message", [
    ("email", "j.doe@", "not a valid e-mail address: There must be something after the @-sign"),
    ("email", "j.doe.example.com", "not a valid e-mail address"),
    ("phone", "call me", "This is not a phone number."),
    ("phone", "+82 12", "too short for its country"),
    ("phone", "+82 2 312 3456 7890 1234 5678", "too long"),
    ("phone", "+999 123 4567", "no country code"),
    ("tracking_number", "RR123456784CN", "should be 5, not 4"),
    ("tracking_number", "1Z99", "8 to 40 letters and digits; this one has 4"),
    ("tracking_number", "RR#123456785CN", "not \u201c#\u201d"),
    ("air_waybill", "176-1234 5674", "modulo 7: 5 here, not 4"),
    ("air_waybill", "176-1234 567", "11 digits: a 3-digit airline prefix and an 8-digit serial "
                                    "number. This one has 10."),
    ("air_waybill", "EK176-12345675", "not \u201cE\u201d"),
    ("container_number", "CSQU3054384", "should be 3, not 4"),
    ("container_number", "CSQA3054383", "U, J or Z, not A"),
    ("container_number", "CSQ3054383", "4 letters then 7 digits"),
    ("name", " -- ", "at least one letter"),
    ("name", "", "The value is empty."),
    ("air_waybill", "   ", "The value is empty."),
])
def test_values_that_cannot_be_identifiers_are_refused_naming_the_problem(app, kind, value,
                                                                          message):
    with app.test_request_context(), pytest.raises(InvalidIdentifier) as refused:
        blind_index(kind, value)
    assert refused.value.code == f"invalid_{kind}"
    assert message in refused.value.message
    assert isinstance(refused.value, ValueError)


def test_only_text_is_normalised():
    with pytest.raises(TypeError):
        normalise("air_waybill", 17612345675)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        normalise("passport", "M12345678")


# -- the index key ------------------------------------------------------------------------------

def _index(app) -> str:
    with app.app_context():
        return blind_index("container_number", "CSQU 305438 3")


def test_indexes_survive_data_key_rotation(app, data_keys):
    data_keys(OLD_KEY)
    before = _index(app)
    # A rotation puts the new key in front; the index key comes from the last one.
    data_keys(f"{NEW_KEY},{OLD_KEY}")
    assert _index(app) == before
    # Dropping the old key changes the index key, unless BLIND_INDEX_KEY keeps it.
    data_keys(NEW_KEY)
    assert _index(app) != before
    data_keys(NEW_KEY, index_key=OLD_KEY)
    assert _index(app) == before


def test_another_index_key_gives_other_indexes_and_says_so(app, data_keys):
    data_keys(OLD_KEY)
    before = _index(app)
    data_keys(OLD_KEY, index_key=INDEX_KEY)
    after = _index(app)
    assert after != before
    assert after[:8] != before[:8]  # the key id tells which indexes need recomputing
    assert after[8:] != before[8:]
