"""Objection lookups: sorted int64 keys of the numbers that objected, searched with numpy."""

from __future__ import annotations

import os
from datetime import datetime

import numpy as np
import polars as pl

from ..rpo.keys import NULL_KEY, key_array
from ..rules.timestamps import epoch_us
from .parse import parse_objections


class ObjectionIndex:
    """The numbers that objected, as they apply to one buyer at one processing time."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = np.unique(np.asarray(keys, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def empty(cls) -> ObjectionIndex:
        """An index with no objection."""
        return cls(np.empty(0, dtype=np.int64))

    @classmethod
    def from_entries(cls, frame: pl.DataFrame, now: datetime | None = None) -> ObjectionIndex:
        """Entries (``key``, ``recorded_at_us``) recorded at or before ``now`` (all if None)."""
        if now is not None:
            frame = frame.filter(pl.col("recorded_at_us") <= epoch_us(now))
        return cls(frame.get_column("key").to_numpy())

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], now: datetime | None = None) -> ObjectionIndex:
        """An index from a CSV ``phone[,recorded_at]`` (offline checks).

        Lines without ``recorded_at`` apply whatever ``now`` is.
        """
        return cls.from_entries(parse_objections(path), now)

    def lookup(self, e164: pl.Series) -> pl.Series:
        """True where an E.164 number objected; False for nulls and other values."""
        return pl.Series("objected", self.lookup_keys(key_array(e164)), dtype=pl.Boolean)

    def lookup_keys(self, keys: np.ndarray) -> np.ndarray:
        """:meth:`lookup` for int64 keys (``-1`` = no number), as a numpy bool array."""
        if not len(self.keys):
            return np.zeros(len(keys), dtype=bool)
        slots = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return (self.keys[slots] == keys) & (keys != NULL_KEY)
