"""Header mapping: canonical column names, their Italian aliases, and the header check."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from . import errors

# Table order of domain.md "Input: columns": canonical name, Italian aliases, required.
_COLUMN_TABLE: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("phone", ("telefono", "cellulare", "numero", "numero_telefono", "tel"), True),
    ("first_name", ("nome",), False),
    ("last_name", ("cognome",), False),
    ("email", ("e_mail", "posta_elettronica"), False),
    ("fiscal_code", ("codice_fiscale", "cf"), False),
    ("address", ("indirizzo",), False),
    ("postal_code", ("cap",), False),
    ("city", ("comune", "citta"), False),
    ("province", ("provincia", "prov"), False),
    ("consent_source", ("fonte_consenso", "fonte"), True),
    ("consent_timestamp", ("data_consenso", "timestamp_consenso"), True),
    ("informativa_version", ("versione_informativa", "informativa"), True),
    (
        "consent_third_party",
        ("consenso_terzi", "consenso_cessione_terzi", "cessione_terzi"),
        True,
    ),
    ("consent_ip", ("ip", "ip_consenso"), False),
    ("double_optin_at", ("data_doppio_optin", "double_opt_in"), False),
    ("proof_ref", ("rif_prova", "prova"), False),
    ("collected_by", ("titolare_raccolta", "raccolto_da"), False),
)

CANONICAL_COLUMNS: tuple[str, ...] = tuple(name for name, _, _ in _COLUMN_TABLE)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(name for name, _, req in _COLUMN_TABLE if req)
ALIASES: dict[str, tuple[str, ...]] = {name: aliases for name, aliases, _ in _COLUMN_TABLE}

# Columns every chunk carries besides the file's own; an extra header may not take these names.
ROW_COLUMN = "_row"
MALFORMED_COLUMN = "_malformed"

_LOOKUP: dict[str, str] = {}
for _name, _aliases, _ in _COLUMN_TABLE:
    _LOOKUP[_name] = _name
    for _alias in _aliases:
        _LOOKUP[_alias] = _name

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalise_header(header: str) -> str:
    """Fold a header cell for matching: no case, accents or surrounding spaces; ``_`` joins."""
    text = unicodedata.normalize("NFKD", header.replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SEPARATORS.sub("_", text.strip().casefold())


def canonical_column(header: str) -> str | None:
    """Return the canonical column a header cell names, or None for an extra column."""
    return _LOOKUP.get(normalise_header(header))


@dataclass(frozen=True)
class HeaderMap:
    """Which header cells become columns, and under which names."""

    positions: tuple[int, ...]  # index of each kept cell among the header's cells
    source_columns: tuple[str, ...]  # those cells as written
    columns: tuple[str, ...]  # their canonical names, or the header text for extras


def map_header(cells: list[str]) -> HeaderMap:
    """Map header cells to columns, or raise the header's FileRejected.

    Empty cells name no column and are left out (spreadsheet exports often end the header with
    a few). Two cells that map to one canonical name, or identical extra headers, are a
    duplicate; a missing required column is named in the error.
    """
    positions: list[int] = []
    source: list[str] = []
    names: list[str] = []
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if not cell.strip():
            continue
        name = canonical_column(cell) or cell
        if name in (ROW_COLUMN, MALFORMED_COLUMN):
            raise errors.reserved_column(cell)
        if name in seen:
            raise errors.duplicate_column(name, [seen[name], cell])
        seen[name] = cell
        positions.append(index)
        source.append(cell)
        names.append(name)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise errors.missing_columns(missing, ALIASES)
    return HeaderMap(tuple(positions), tuple(source), tuple(names))
