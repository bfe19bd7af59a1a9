"""Vendor and buyer profiles: the JSON Schemas the rules rely on, with defaults applied."""

from __future__ import annotations

from .validation import (
    allowed_phone_types,
    load_schema,
    validate_buyer_profile,
    validate_vendor_profile,
)

__all__ = [
    "allowed_phone_types",
    "load_schema",
    "validate_buyer_profile",
    "validate_vendor_profile",
]
