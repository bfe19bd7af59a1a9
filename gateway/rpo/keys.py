"""E.164 numbers as sortable 64-bit keys, shared by the RPO and objection indexes.

An E.164 number is ``+`` and at most 15 digits, the first non-zero, so its digits read as an
integer are unique and fit an int64 ("+393331234567" becomes 393331234567).
"""

from __future__ import annotations

import numpy as np
import polars as pl

NULL_KEY = -1  # stands for "no number" in numpy arrays of keys


def e164_keys(values: pl.Series) -> pl.Series:
    """Int64 keys of E.164 strings; null for anything that is not ``+`` and digits."""
    text = pl.col("value")
    digits = text.str.strip_prefix("+")
    keys = digits.cast(pl.Int64, strict=False)
    ok = text.str.starts_with("+") & (digits.str.len_bytes() <= 15) & (keys > 0)
    frame = values.cast(pl.Utf8).rename("value").to_frame()
    return frame.select(pl.when(ok).then(keys)).to_series().alias(values.name)


def keys_to_e164(keys: np.ndarray | pl.Series) -> pl.Series:
    """E.164 strings of keys."""
    series = pl.Series("phone", keys, dtype=pl.Int64)
    return ("+" + series.cast(pl.Utf8)).alias("phone")


def key_array(values: pl.Series) -> np.ndarray:
    """Keys of E.164 strings as a numpy int64 array, ``NULL_KEY`` where there is no number."""
    return e164_keys(values).fill_null(NULL_KEY).to_numpy()
