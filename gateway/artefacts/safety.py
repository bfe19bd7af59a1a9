"""Neutralising spreadsheet formula injection in every value we write to CSV or XLSX.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be run
as a formula by spreadsheet programs. Such text gets a leading apostrophe, which spreadsheets
show as plain text. Plain numbers (``+393471234567``, ``-12``, ``3,5``) are left exactly as
they are: dialers read these files and an E.164 number must stay intact.
"""

from __future__ import annotations

import re

import polars as pl

_RISKY_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?[0-9]+(?:[.,][0-9]+)?$"
_RISKY_RE = re.compile(_RISKY_START)
_NUMBER_RE = re.compile(_PLAIN_NUMBER)


def neutralise_value(value: str | None) -> str | None:
    """Return one value made inert for spreadsheets."""
    if value is None or not _RISKY_RE.match(value) or _NUMBER_RE.match(value):
        return value
    return "'" + value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with every text column made inert for spreadsheets (vectorised)."""
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype != pl.Utf8:
            continue
        col = pl.col(name)
        risky = col.str.contains(_RISKY_START) & ~col.str.contains(_PLAIN_NUMBER)
        exprs.append(pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(name))
    return frame.with_columns(exprs) if exprs else frame
