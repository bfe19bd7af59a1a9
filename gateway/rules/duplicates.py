"""The set of phone numbers already seen in a batch, as sorted arrays of 32-bit halves.

A key (a non-negative int64) is split into its high and low 32 bits. Numbers of one country
share a few high parts, so the set is a small map from high part to the sorted low parts seen
under it: 4 bytes per distinct number. Each high part keeps its lows in a few sorted runs whose
sizes at least double from newest to oldest (like a binary counter): adding a chunk merges runs
only when the newer one catches up, so each number is merged O(log n) times.
"""

from __future__ import annotations

import numpy as np

NULL_KEY = -1
_LOW_BITS = 32
_LOW_MASK = (1 << _LOW_BITS) - 1


class _Runs:
    """Distinct uint32 values in sorted runs."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(r) for r in self.runs)

    def contains(self, values: np.ndarray) -> np.ndarray:
        found = np.zeros(len(values), dtype=bool)
        for run in self.runs:
            slots = np.minimum(np.searchsorted(run, values), len(run) - 1)
            found |= run[slots] == values
        return found

    def add(self, run: np.ndarray) -> None:
        self.runs.append(run)
        while len(self.runs) > 1 and len(self.runs[-2]) <= 2 * len(self.runs[-1]):
            newer = self.runs.pop()
            older = self.runs.pop()
            # Two sorted runs: the stable sort (timsort) merges them in linear time.
            merged = np.concatenate((older, newer))
            merged.sort(kind="stable")
            self.runs.append(merged)


class SeenNumbers:
    """Distinct int64 keys seen so far."""

    def __init__(self) -> None:
        self._parts: dict[int, _Runs] = {}

    def __len__(self) -> int:
        return sum(len(r) for r in self._parts.values())

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Whether each key was seen (vectorised)."""
        found = np.zeros(len(keys), dtype=bool)
        keys = np.asarray(keys, dtype=np.int64)
        for high, runs in self._parts.items():
            rows = np.flatnonzero((keys >= 0) & (keys >> _LOW_BITS == high))
            if len(rows):
                found[rows] = runs.contains((keys[rows] & _LOW_MASK).astype(np.uint32))
        return found

    def mark(self, keys: np.ndarray) -> np.ndarray:
        """Flag repeats among ``keys`` (``NULL_KEY`` = not judged), then remember the rest.

        A key is a repeat when an earlier position of ``keys`` or an earlier call had it.
        """
        repeat = np.zeros(len(keys), dtype=bool)
        positions = np.flatnonzero(keys != NULL_KEY)
        if not len(positions):
            return repeat
        judged = keys[positions]
        # Sorting groups equal keys (and keeps the binary searches cache-friendly); the first
        # occurrence of a key is the smallest position in its group.
        order = np.argsort(judged)
        ordered = judged[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        unique = ordered[starts]
        known = np.zeros(len(unique), dtype=bool)
        # Sorted keys: each high part is one run of ``unique``.
        highs = unique >> _LOW_BITS
        bounds = np.flatnonzero(np.concatenate(([True], highs[1:] != highs[:-1], [True])))
        for first, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            high = int(highs[first])
            lows = (unique[first:stop] & _LOW_MASK).astype(np.uint32)
            runs = self._parts.get(high)
            if runs is None:
                runs = self._parts[high] = _Runs()
            else:
                known[first:stop] = runs.contains(lows)
            fresh = lows[~known[first:stop]]
            if len(fresh):
                runs.add(fresh)
        flags = np.ones(len(judged), dtype=bool)
        flags[np.minimum.reduceat(order, starts)] = False
        flags[order] |= np.repeat(known, np.diff(np.append(starts, len(ordered))))
        repeat[positions] = flags
        return repeat
