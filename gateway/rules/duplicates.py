"""The set of phone numbers already seen in a batch, as sorted int64 arrays.

Numbers are kept in a few sorted runs whose sizes at least double from newest to oldest (like a
binary counter): adding a chunk merges runs only when the newer one catches up, so each number
is merged O(log n) times and the memory is 8 bytes per distinct number (plus a transient copy).
"""

from __future__ import annotations

import numpy as np

NULL_KEY = -1


class SeenNumbers:
    """Distinct int64 keys seen so far."""

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs)

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Whether each key was seen (vectorised)."""
        found = np.zeros(len(keys), dtype=bool)
        for run in self._runs:
            slots = np.minimum(np.searchsorted(run, keys), len(run) - 1)
            found |= run[slots] == keys
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
        known = self.contains(unique)
        flags = np.ones(len(judged), dtype=bool)
        flags[np.minimum.reduceat(order, starts)] = False
        flags[order] |= np.repeat(known, np.diff(np.append(starts, len(ordered))))
        repeat[positions] = flags
        fresh = unique[~known]
        if len(fresh):
            self._add(fresh)
        return repeat

    def _add(self, run: np.ndarray) -> None:
        self._runs.append(run)
        while len(self._runs) > 1 and len(self._runs[-2]) <= 2 * len(self._runs[-1]):
            newer = self._runs.pop()
            older = self._runs.pop()
            # Two sorted runs: the stable sort (timsort) merges them in linear time.
            merged = np.concatenate((older, newer))
            merged.sort(kind="stable")
            self._runs.append(merged)
