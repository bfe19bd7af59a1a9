"""RPO answers from a memory-mapped consultation searched a window at a time.

A batch is judged against the consultation chunk after chunk; the lookups must give the same
answers as a search of the whole array, and must not leave the whole file resident.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from gateway.rpo import (
    DATE_UNKNOWN,
    NOT_REGISTERED,
    Consultation,
    Entries,
    RpoIndex,
    open_index,
    write_index,
)
from gateway.rpo import index as rpo_index

NOW = datetime(2025, 6, 16, tzinfo=UTC)


def _entries(rng: np.random.Generator, size: int, low: int) -> Entries:
    keys = np.unique(rng.integers(low, low + 3 * size, size))
    registered = np.where(
        rng.random(len(keys)) < 0.2, rng.integers(1, 1_700_000_000, len(keys)), NOT_REGISTERED
    )
    registered[rng.random(len(keys)) < 0.05] = DATE_UNKNOWN
    return Entries(keys, registered)


def _mapped_resident_bytes(path: str) -> int:
    wanted = os.path.realpath(path)
    total, current = 0, False
    with open("/proc/self/smaps") as fh:
        for line in fh:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:
                current = fields[-1] == wanted
            elif current and line.startswith("Rss:"):
                total += int(fields[1]) * 1024
    return total


@pytest.mark.parametrize("window", [1, 7, 64, 1 << 20])
def test_windowed_answers_match_a_search_of_the_whole_index(tmp_path, monkeypatch, window):
    monkeypatch.setattr(rpo_index, "_WINDOW", window)
    rng = np.random.default_rng(window)
    low = 393_000_000_000
    newer, older = _entries(rng, 3_000, low), _entries(rng, 1_000, low)
    paths = []
    for name, entries in (("newer", newer), ("older", older)):
        path = tmp_path / f"{name}.bin"
        with open(path, "wb") as out:
            write_index(out, entries)
        paths.append(path)
    queries = np.concatenate(
        [
            rng.integers(low - 10, low + 9_100, 4_000),
            newer.keys[[0, -1]],
            older.keys[[0, -1]],
            [-1, low - 1, low + 10**9],
        ]
    )
    mapped = RpoIndex(
        [
            Consultation("newer", NOW - timedelta(days=1), open_index(paths[0])),
            Consultation("older", NOW - timedelta(days=5), open_index(paths[1])),
        ]
    )
    answer, registered_at = mapped.answer_keys(queries)
    # Expected: the newest consultation holding the number answers, by plain binary search.
    expected_answer = np.full(len(queries), -1)
    expected_at = np.full(len(queries), NOT_REGISTERED)
    for position, entries in reversed(list(enumerate((newer, older)))):
        slots = np.minimum(np.searchsorted(entries.keys, queries), len(entries.keys) - 1)
        hit = (entries.keys[slots] == queries) & (queries != -1)
        expected_answer[hit] = position
        expected_at[hit] = entries.registered_at[slots[hit]]
    assert (answer == expected_answer).all()
    assert (registered_at == expected_at).all()
    assert (answer == 0).sum() > 100 and (answer == 1).sum() > 10


def test_lookups_leave_little_of_a_large_consultation_resident(tmp_path, monkeypatch):
    if not os.path.exists("/proc/self/smaps"):
        pytest.skip("needs /proc/self/smaps")
    monkeypatch.setattr(rpo_index, "_WINDOW", 1 << 14)
    rng = np.random.default_rng(3)
    entries = _entries(rng, 400_000, 393_000_000_000)
    path = tmp_path / "large.bin"
    with open(path, "wb") as out:
        write_index(out, entries)
    mapped = open_index(path)
    index = RpoIndex([Consultation("c", NOW, mapped)])
    queries = rng.choice(entries.keys, 50_000)
    answer, _ = index.answer_keys(queries)
    assert (answer == 0).all()
    # The file is 16 bytes per entry; after the lookups about one window's pages stay mapped.
    assert os.path.getsize(path) > 5_000_000
    assert _mapped_resident_bytes(str(path)) < 1_000_000
    # Reading the whole arrays does make the file resident: the measure sees the mapping.
    assert int(mapped.keys.sum()) and int((mapped.registered_at != 0).sum())
    assert _mapped_resident_bytes(str(path)) > 4_000_000
