"""RPO (Registro Pubblico delle Opposizioni) consultations: imports, storage and lookups."""

from __future__ import annotations

from .errors import ImportRejected
from .index import Consultation, RpoIndex, open_index, write_index
from .keys import e164_keys, keys_to_e164
from .ledger import RpoLedger
from .parse import DATE_UNKNOWN, NOT_REGISTERED, Entries, parse_format_a, parse_format_b

__all__ = [
    "DATE_UNKNOWN",
    "NOT_REGISTERED",
    "Consultation",
    "Entries",
    "ImportRejected",
    "RpoIndex",
    "RpoLedger",
    "e164_keys",
    "keys_to_e164",
    "open_index",
    "parse_format_a",
    "parse_format_b",
    "write_index",
]
