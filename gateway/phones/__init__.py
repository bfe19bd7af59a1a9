"""Phone number classification: libphonenumber's answer (default region IT), vectorised.

``classify_phones`` classifies a whole column at once and agrees exactly with
``classify_phone_reference``, which asks phonenumbers one value at a time.
"""

from __future__ import annotations

from phonenumbers import PhoneNumberType

from gateway.phones.classify import classify_phones
from gateway.phones.numbering import type_name
from gateway.phones.reference import (
    INVALID,
    MISSING,
    NOT_ITALIAN,
    VALID,
    classify_phone_reference,
)

PHONE_STATUSES = (MISSING, INVALID, NOT_ITALIAN, VALID)
PHONE_TYPES = tuple(type_name(number_type) for number_type in PhoneNumberType.values())

__all__ = [
    "INVALID",
    "MISSING",
    "NOT_ITALIAN",
    "PHONE_STATUSES",
    "PHONE_TYPES",
    "VALID",
    "classify_phone_reference",
    "classify_phones",
]
