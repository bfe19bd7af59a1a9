"""The set of numbers already seen in a batch, against a plain Python set."""

from __future__ import annotations

import numpy as np

from gateway.rules.duplicates import NULL_KEY, SeenNumbers


def test_repeats_match_a_plain_set_across_chunks_and_countries():
    rng = np.random.default_rng(4)
    # Italian mobiles and landlines, foreign numbers, and keys either side of a 2**32 boundary.
    pool = np.concatenate(
        [
            rng.integers(393_000_000_000, 393_000_005_000, 3_000),
            rng.integers(390_600_000_000, 390_600_001_000, 500),
            rng.integers(442_070_000_000, 442_070_000_300, 200),
            np.array([2**32 - 1, 2**32, 2**33, 1, 0]),
        ]
    )
    seen = SeenNumbers()
    remembered: set[int] = set()
    for _ in range(40):
        keys = rng.choice(np.append(pool, NULL_KEY), int(rng.integers(0, 700)))
        expected = []
        for key in keys.tolist():
            if key == NULL_KEY:
                expected.append(False)
                continue
            expected.append(key in remembered)
            remembered.add(key)
        assert seen.mark(keys).tolist() == expected
    assert len(seen) == len(remembered)
    probe = np.append(pool[:50], 5_000_000_000_000)
    assert seen.contains(probe).tolist() == [k in remembered for k in probe.tolist()]
