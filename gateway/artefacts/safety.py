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
_RISKY_FIRST = ["=", "+", "-", "@", "\t", "\r"]
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
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.Utf8]
    if not texts or not frame.height:
        return frame
    # One cheap pass finds the columns with any risky cell; only those pay for the number test.
    starts = frame.select(
        pl.col(name).str.slice(0, 1).is_in(_RISKY_FIRST).any().alias(name) for name in texts
    ).row(0)
    exprs = []
    for name, has_risky in zip(texts, starts, strict=True):
        if not has_risky:
            continue
        col = pl.col(name)
        risky = col.str.slice(0, 1).is_in(_RISKY_FIRST) & ~col.str.contains(_PLAIN_NUMBER)
        exprs.append(pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(name))
    return frame.with_columns(exprs) if exprs else frame
