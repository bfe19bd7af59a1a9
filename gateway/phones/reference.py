"""The reference classification: libphonenumber, one value at a time."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from gateway.phones.numbering import DEFAULT_REGION, type_name

MISSING = "missing"
INVALID = "invalid"
NOT_ITALIAN = "not_italian"
VALID = "valid"

ITALIAN_COUNTRY_CODE = 39


def classify_phone_reference(value: str | None) -> tuple[str, str | None, str | None]:
    """Classify one value with phonenumbers (default region IT).

    Returns ``(status, e164, type)``: status is ``missing`` (None or blank), ``invalid`` (the
    library cannot parse it or says it is not a valid number), ``not_italian`` (valid with a
    calling code other than 39) or ``valid``. The E.164 form is given for valid and not_italian
    numbers, the lowercase number type for valid ones only.
    """
    if value is None or not value.strip():
        return MISSING, None, None
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except NumberParseException:
        return INVALID, None, None
    if not phonenumbers.is_valid_number(number):
        return INVALID, None, None
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if number.country_code != ITALIAN_COUNTRY_CODE:
        return NOT_ITALIAN, e164, None
    return VALID, e164, type_name(phonenumbers.number_type(number))
