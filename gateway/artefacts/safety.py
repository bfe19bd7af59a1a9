"""Neutralising spreadsheet formula injection in every value we write to CSV or XLSX.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be run
as a formula by spreadsheet programs. Such text gets a leading apostrophe, which spreadsheets
show as plain text. Plain numbers (``+393471234567``, ``-12``, ``3,5``) are left exactly as
they are: dialers read these files and an E.164 number must stay intact.

Almost every column of a real list has no value with such a start, so each column is screened
first by reading the first byte of its values straight from polars' Arrow string views
(through the Arrow C stream interface, without a copy); only columns where the screen finds
one pay for the per-value tests.
"""

from __future__ import annotations

import re

import nanoarrow
import numpy as np
import polars as pl

_RISKY_START = r"^[=+\-@\t\r]"
_RISKY_FIRST = ["=", "+", "-", "@", "\t", "\r"]
_PLAIN_NUMBER = r"^[+-]?[0-9]+(?:[.,][0-9]+)?$"
_RISKY_RE = re.compile(_RISKY_START)
_NUMBER_RE = re.compile(_PLAIN_NUMBER)
_RISKY_BYTES = np.zeros(256, dtype=bool)
_RISKY_BYTES[[ord(c) for c in _RISKY_FIRST]] = True
# Arrow's string view: 16 bytes per value, the length (little-endian) in the first four, then
# the text itself if it fits in twelve bytes, else its first four bytes. Either way the first
# byte of the text is byte 4.
_VIEW_BYTES = 16
_FIRST_BYTE = 4


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
    exprs = []
    for name in texts:
        if not may_start_risky(frame.get_column(name)):
            continue
        col = pl.col(name)
        risky = col.str.slice(0, 1).is_in(_RISKY_FIRST) & ~col.str.contains(_PLAIN_NUMBER)
        exprs.append(pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def may_start_risky(values: pl.Series) -> bool:
    """Whether some value of a text column starts with a character spreadsheets may run.

    Read from the string views' first bytes; a column in any other layout is screened with a
    polars expression instead.
    """
    for array in nanoarrow.c_array_stream(values):
        if array.schema.format != "vu":
            return bool(values.str.slice(0, 1).is_in(_RISKY_FIRST).any())
        view = array.view()
        start, count = view.offset, view.length
        if not count:
            continue
        views = np.frombuffer(view.buffer(1), dtype=np.uint8).reshape(-1, _VIEW_BYTES)
        views = views[start : start + count]
        risky = _RISKY_BYTES[views[:, _FIRST_BYTE]]
        if not risky.any():
            continue
        # An empty value's view is all zeros (the format pads inline text with zeros); a null's
        # view may hold anything, so the validity bitmap decides.
        if view.null_count:
            valid = np.frombuffer(view.buffer(0), dtype=np.uint8)
            present = np.unpackbits(valid, bitorder="little")[start : start + count]
            risky &= present.astype(bool)
        if risky.any():
            return True
    return False
