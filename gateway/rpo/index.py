"""RPO lookups: sorted int64 keys searched with numpy, memory-mapped from index files.

An index file holds one consultation: a 16-byte header (``RPOIDX01`` and the entry count as a
little-endian int64), then every key in ascending order, then every registered_at value in the
same order (int64 epoch seconds, or the sentinels of :mod:`gateway.rpo.parse`). That is 16 bytes
per entry, on disk and, memory-mapped, in memory only for the pages a lookup touches.

Lookups walk a large index a window at a time and hand each window's pages back to the kernel
when done (they stay in the page cache), so a process judging many chunks against a large
consultation keeps a few megabytes of it resident rather than the whole file.
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from ..rules.catalogue import RPO_VALIDITY_DAYS
from ..rules.timestamps import to_utc
from .keys import NULL_KEY, key_array
from .parse import DATE_UNKNOWN, NOT_REGISTERED, Entries, parse_format_a

MAGIC = b"RPOIDX01"
HEADER_BYTES = 16
_WRITE_STEP = 1 << 20  # entries per write, so no full copy of an array is made
# Entries searched at a time (8 MB of keys): the resident share of a mapped index.
_WINDOW = 1 << 20

LOOKUP_SCHEMA = {
    "covered": pl.Boolean,
    "registered": pl.Boolean,
    "registered_at": pl.Datetime("us", "UTC"),
    "consultation_id": pl.Utf8,
}


def index_bytes(entries: int) -> int:
    """Size of an index file holding ``entries`` entries."""
    return HEADER_BYTES + 16 * entries


def write_index(out: BinaryIO, entries: Entries) -> int:
    """Write an index file to a binary stream; return the bytes written."""
    n = len(entries)
    out.write(MAGIC + struct.pack("<q", n))
    for array in (entries.keys, entries.registered_at):
        little = array.astype("<i8", copy=False)
        for start in range(0, n, _WRITE_STEP):
            out.write(little[start : start + _WRITE_STEP].tobytes())
    return index_bytes(n)


@dataclass
class MappedEntries(Entries):
    """Entries whose arrays are views of a read-only memory map of an index file."""

    mapping: mmap.mmap | None = None

    def release(self, first: int, stop: int) -> None:
        """Hand back the pages of entries ``first`` to ``stop`` (keys and registered_at).

        They stay in the page cache; a later lookup maps them again.
        """
        if self.mapping is None or not hasattr(mmap, "MADV_DONTNEED"):
            return
        n = len(self.keys)
        for base in (HEADER_BYTES, HEADER_BYTES + 8 * n):
            start = base + 8 * first
            end = base + 8 * stop
            start -= start % mmap.PAGESIZE
            length = end - start
            length -= length % mmap.PAGESIZE
            if length > 0:
                self.mapping.madvise(mmap.MADV_DONTNEED, start, length)


def open_index(path: str | os.PathLike[str]) -> Entries:
    """Memory-map an index file (read only)."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        header = fh.read(HEADER_BYTES)
        if len(header) != HEADER_BYTES or header[:8] != MAGIC:
            raise ValueError(f"{path}: not an RPO index file")
        (n,) = struct.unpack("<q", header[8:])
        if size != index_bytes(n):
            raise ValueError(f"{path}: truncated RPO index file ({size} bytes for {n} entries)")
        if n == 0:
            empty = np.empty(0, dtype=np.int64)
            return Entries(empty, empty)
        # The map stays valid after the file is closed; the arrays keep it alive.
        mapping = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    keys = np.frombuffer(mapping, dtype="<i8", count=n, offset=HEADER_BYTES)
    registered = np.frombuffer(mapping, dtype="<i8", count=n, offset=HEADER_BYTES + 8 * n)
    return MappedEntries(keys, registered, mapping)


def _search(entries: Entries, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of the sorted ``wanted`` keys an index holds, and their registered_at values.

    The index is searched a window at a time; a mapped index releases each window after.
    """
    keys = entries.keys
    size = len(keys)
    found = np.zeros(len(wanted), dtype=bool)
    registered_at = np.full(len(wanted), NOT_REGISTERED, dtype=np.int64)
    starts = np.arange(0, size, _WINDOW)
    # The window each query falls in (the last one whose first key is not above it): queries
    # are sorted, so each window's queries are one run.
    bounds = np.searchsorted(wanted, keys[starts], side="left")
    bounds = np.append(bounds, len(wanted))
    for number, first in enumerate(starts.tolist()):
        low, high = int(bounds[number]), int(bounds[number + 1])
        if low == high:
            continue
        stop = min(first + _WINDOW, size)
        window = keys[first:stop]
        part = wanted[low:high]
        slots = np.minimum(np.searchsorted(window, part), len(window) - 1)
        hit = window[slots] == part
        found[low:high] = hit
        registered_at[low:high][hit] = entries.registered_at[first + slots[hit]]
        if isinstance(entries, MappedEntries):
            entries.release(first, stop)
    return found, registered_at


@dataclass(frozen=True)
class Consultation:
    """One RPO consultation as the index sees it."""

    id: str
    consulted_at: datetime
    entries: Entries

    def valid_at(self, now: datetime) -> bool:
        """Whether the consultation may be relied on at ``now``.

        A consultation is valid from its time for 15 days: ``consulted_at <= now <
        consulted_at + 15 days``. At exactly 15 days it is no longer valid.
        """
        now = to_utc(now)
        return self.consulted_at <= now < self.consulted_at + timedelta(days=RPO_VALIDITY_DAYS)


class RpoIndex:
    """Answers "is this number covered, and registered?" for a set of consultations.

    When several consultations cover a number, the newest (latest ``consulted_at``) answers.
    """

    def __init__(self, consultations: Sequence[Consultation]) -> None:
        self._items = sorted(consultations, key=lambda c: (c.consulted_at, c.id), reverse=True)

    @classmethod
    def empty(cls) -> RpoIndex:
        """An index that covers nothing."""
        return cls([])

    @classmethod
    def from_files(cls, files: Sequence[tuple[str | os.PathLike[str], datetime]]) -> RpoIndex:
        """Build an index from format A files and their consultation times (offline checks).

        The consultation ids are the file names (numbered when two are alike).
        """
        items: list[Consultation] = []
        used: set[str] = set()
        for path, consulted_at in files:
            name = Path(path).name
            cid, n = name, 1
            while cid in used:
                n += 1
                cid = f"{name}#{n}"
            used.add(cid)
            items.append(Consultation(cid, to_utc(consulted_at), parse_format_a(path)))
        return cls(items)

    @property
    def ids(self) -> list[str]:
        """Consultation ids, newest first (the positions :meth:`answer_keys` refers to)."""
        return [c.id for c in self._items]

    @property
    def consultations(self) -> list[dict[str, object]]:
        """``[{id, consulted_at, entries}]``, newest first."""
        return [
            {"id": c.id, "consulted_at": c.consulted_at, "entries": len(c.entries)}
            for c in self._items
        ]

    def valid_at(self, now: datetime) -> RpoIndex:
        """The same index restricted to consultations valid at ``now``."""
        return RpoIndex([c for c in self._items if c.valid_at(now)])

    def consulted_at(self, consultation_id: str) -> datetime:
        """When a consultation of this index was made."""
        for item in self._items:
            if item.id == consultation_id:
                return item.consulted_at
        raise KeyError(consultation_id)

    def lookup(self, e164: pl.Series) -> pl.DataFrame:
        """Look up E.164 numbers; return one row per input, in order.

        Columns: ``covered``, ``registered`` (False when not covered), ``registered_at`` (null
        when not registered or the date is unknown) and ``consultation_id`` (the consultation
        that answered). Nulls and non-E.164 values are not covered.
        """
        return self.lookup_keys(key_array(e164))

    def lookup_keys(self, keys: np.ndarray) -> pl.DataFrame:
        """:meth:`lookup` for int64 keys (see :mod:`gateway.rpo.keys`; ``-1`` = no number)."""
        answer, registered_at = self.answer_keys(keys)
        ids = pl.Series("ids", [c.id for c in self._items], dtype=pl.Utf8)
        frame = pl.DataFrame({"answer": answer, "at": registered_at})
        covered = pl.col("answer") >= 0
        is_registered = covered & (pl.col("at") != NOT_REGISTERED)
        known = is_registered & (pl.col("at") != DATE_UNKNOWN)
        return frame.select(
            covered.alias("covered"),
            is_registered.alias("registered"),
            pl.from_epoch(pl.when(known).then(pl.col("at")), time_unit="s")
            .cast(pl.Datetime("us"))
            .dt.replace_time_zone("UTC")
            .alias("registered_at"),
            pl.when(covered)
            .then(pl.lit(ids).gather(pl.col("answer").clip(0, None)))
            .alias("consultation_id")
            if len(ids)
            else pl.lit(None, dtype=pl.Utf8).alias("consultation_id"),
        )

    def answer_keys(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The raw answer for int64 keys: which consultation answered (its position in
        :attr:`consultations`, ``-1`` when none) and the stored registered_at value (epoch
        seconds, ``NOT_REGISTERED`` or ``DATE_UNKNOWN``)."""
        n = len(keys)
        answer = np.full(n, -1, dtype=np.int32)
        registered_at = np.full(n, NOT_REGISTERED, dtype=np.int64)
        present = np.flatnonzero(keys != NULL_KEY)
        if not len(present) or not self._items:
            return answer, registered_at
        # Sorted queries make numpy's binary search walk the index in order.
        order = present[np.argsort(keys[present])]
        queries = keys[order]
        pending = np.arange(len(queries))
        for position, item in enumerate(self._items):
            if not len(pending):
                break
            if not len(item.entries):
                continue
            hit, values = _search(item.entries, queries[pending])
            rows = order[pending[hit]]
            answer[rows] = position
            registered_at[rows] = values[hit]
            pending = pending[~hit]
        return answer, registered_at
