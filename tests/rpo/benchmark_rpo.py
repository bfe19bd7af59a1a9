"""RPO index at scale (not collected by pytest).

    python -m tests.rpo.benchmark_rpo [ENTRIES] [--import]

Builds an index of ENTRIES numbers (default 30,000,000) from arrays, writes it, memory-maps
it and times 1,000,000 lookups of E.164 strings. With ``--import`` it also writes the same
numbers as a format A CSV and times ``RpoLedger.import_format_a`` on a local store.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from gateway.rpo import NOT_REGISTERED, Consultation, RpoIndex, RpoLedger, open_index, write_index
from gateway.rpo.parse import build_entries
from gateway.storage import LocalObjectStore

CONSULTED_AT = datetime(2025, 6, 1, tzinfo=UTC)
LOW, HIGH = 3_200_000_000, 3_939_999_999


def _lookups(index: RpoIndex, rng: np.random.Generator) -> None:
    queries = pl.Series("phone", rng.integers(LOW, HIGH, 1_000_000)).cast(pl.Utf8)
    queries = "+39" + queries
    for attempt in range(3):
        started = time.perf_counter()
        answer = index.lookup(queries)
        elapsed = time.perf_counter() - started
        covered = int(answer.get_column("covered").sum())
        print(f"1,000,000 lookups (attempt {attempt + 1}): {elapsed:.3f} s, {covered} covered")


def main() -> None:
    entries_wanted = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 30_000_000
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        numbers = rng.integers(LOW, HIGH, entries_wanted)
        registered = np.where(
            rng.random(entries_wanted) < 0.1,
            rng.integers(1_300_000_000, 1_700_000_000, entries_wanted),
            NOT_REGISTERED,
        )
        started = time.perf_counter()
        entries = build_entries([numbers + 390_000_000_000], [registered])
        print(f"build {len(entries):,} entries: {time.perf_counter() - started:.1f} s")
        path = Path(tmp) / "index.bin"
        with open(path, "wb") as out:
            size = write_index(out, entries)
        print(f"index file: {size / 1e6:,.0f} MB, {size / len(entries):.2f} bytes per entry")
        del entries, registered
        _lookups(RpoIndex([Consultation("c", CONSULTED_AT, open_index(path))]), rng)
        if "--import" in sys.argv:
            csv_path = Path(tmp) / "esito.csv"
            flags = np.where(rng.random(entries_wanted) < 0.1, "si", "no")
            pl.DataFrame(
                {"phone": pl.Series(numbers).cast(pl.Utf8), "registered": flags}
            ).write_csv(csv_path)
            del numbers, flags
            print(f"format A file: {os.path.getsize(csv_path) / 1e6:,.0f} MB")
            store = LocalObjectStore(Path(tmp) / "store")
            started, cpu = time.perf_counter(), time.process_time()
            meta = RpoLedger(store).import_format_a(csv_path, CONSULTED_AT)
            print(
                f"import {meta['entries']:,} entries: {time.perf_counter() - started:.1f} s "
                f"(cpu {time.process_time() - cpu:.1f} s)"
            )
            _lookups(RpoLedger(store).index(CONSULTED_AT), rng)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
