"""Throughput of ruleset 1 on a generated batch (not collected by pytest).

    python -m tests.rules.benchmark_engine [ROWS]

Generates ROWS realistic rows (default 1,000,000; about 2% of them rejected, 8% warned),
writes them as CSV, then times three passes over the same file: reading it alone (ingest),
the engine alone on chunks already in memory, and reading plus the engine. Prints rows per
second, CPU time and the peak resident memory of the streaming pass.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from gateway.ingest import open_table
from gateway.objections import ObjectionIndex
from gateway.rpo import (
    NOT_REGISTERED,
    Consultation,
    Entries,
    RpoIndex,
    open_index,
    write_index,
)
from gateway.rpo.parse import build_entries
from gateway.rules import evaluate

NOW = datetime(2025, 6, 16, 7, 0, tzinfo=UTC)
CONSULTED_AT = datetime(2025, 6, 15, tzinfo=UTC)
VENDOR = {
    "vendor_id": "v",
    "legal_entity_id": "IT12345678903",
    "name": "Vendor",
    "informative": [
        {
            "version": v,
            "effective_from": "2018-01-01",
            "sha256": c * 64,
            "url": "https://offerte.example/privacy",
            "third_party_sectors": ["energia"],
        }
        for v, c in (("v1", "a"), ("v2", "b"))
    ],
    "sources": [
        {"id": "web1", "kind": "web", "domains": ["offerte.example"]},
        {"id": "fiera", "kind": "event"},
    ],
}
BUYER = {"buyer_id": "b", "name": "Buyer", "roc_number": "1", "sector": "energia"}


def generate(rows: int, folder: Path) -> tuple[Path, Entries, ObjectionIndex]:
    """Write the batch CSV; return it with RPO entries covering every number."""
    rng = np.random.default_rng(7)
    mobile = rng.integers(3_200_000_000, 3_939_999_999, rows)
    phones = pl.Series(mobile).cast(pl.Utf8)
    phones = pl.select(
        pl.when(pl.int_range(rows) % 3 == 0).then("+39 " + phones).otherwise(phones)
    ).to_series()
    seconds = pl.Series(rng.integers(0, 3 * 365 * 86_400, rows))
    consent = pl.select(pl.lit(datetime(2021, 1, 1)) + pl.duration(seconds=seconds)).to_series()

    def pick(values: list[str], weights: list[float] | None = None) -> pl.Series:
        return pl.Series(rng.choice(values, rows, p=weights))

    frame = pl.DataFrame(
        {
            "phone": phones,
            "first_name": pick(["Mario", "Giulia", "Luca", "Anna"]),
            "last_name": pick(["Rossi", "Bianchi", "Russo"]),
            "email": pick(["mario.rossi@example.it", "g.b@example.com", "bad@"], [0.49, 0.5, 0.01]),
            "fiscal_code": pick(["RSSMRA85T10A562S", "12345678903", ""]),
            "postal_code": pick(["00187", "20121", "187"], [0.5, 0.49, 0.01]),
            "city": pick(["Roma", "Milano"]),
            "consent_source": pick(["https://www.offerte.example/form", "web1", "fiera"]),
            "consent_timestamp": consent.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "informativa_version": pick(["v1", "v2"]),
            "consent_third_party": pick(["si", "1", "yes"]),
            "consent_ip": pick(["192.168.1.10", "2001:db8::1"]),
            "proof_ref": pick(["SMS-1", "REC-2"]),
        }
    )
    path = folder / "batch.csv"
    frame.write_csv(path)
    keys = np.unique(mobile + 390_000_000_000)
    registered = np.where(
        rng.random(len(keys)) < 0.1,
        rng.integers(1_500_000_000, 1_700_000_000, len(keys)),
        NOT_REGISTERED,
    )
    return path, build_entries([keys], [registered]), ObjectionIndex(keys[:1000])


def _stream_in_child(
    path: Path, index_path: Path, objected: np.ndarray, rows: int
) -> tuple[str, float]:
    rpo = RpoIndex([Consultation("c1", CONSULTED_AT, open_index(index_path))])
    wall, cpu = time.perf_counter(), time.process_time()
    with open_table(path) as table:
        outcome = evaluate(
            table,
            vendor=VENDOR,
            buyer=BUYER,
            rpo=rpo,
            objections=ObjectionIndex(objected),
            now=NOW,
            mode="service",
            on_accepted=lambda f: None,
            on_report=lambda f: None,
        )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = (
        f"{'read + engine (streaming)':32s} {wall:6.2f} s  {rows / wall:>10,.0f} rows/s  "
        f"(cpu {cpu:.2f} s)  accepted {outcome.counts['accepted']}"
    )
    return line, peak


def _timed(label: str, rows: int, work) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:32s} {wall:6.2f} s  {rows / wall:>10,.0f} rows/s  (cpu {cpu:.2f} s){result}")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path, entries, objections = generate(rows, Path(tmp))
        rpo = RpoIndex([Consultation("c1", CONSULTED_AT, entries)])

        def read_only() -> str:
            with open_table(path) as table:
                for _chunk in table.iter_chunks(65536):
                    pass
            return ""

        def engine(table) -> str:
            outcome = evaluate(
                table,
                vendor=VENDOR,
                buyer=BUYER,
                rpo=rpo,
                objections=objections,
                now=NOW,
                mode="service",
                on_accepted=lambda f: None,
                on_report=lambda f: None,
            )
            counts = outcome.counts
            return f"  accepted {counts['accepted']}, rejected {counts['rejected']}"

        index_path = Path(tmp) / "rpo.bin"
        with open(index_path, "wb") as out:
            write_index(out, entries)
        # A fresh process, so that its peak memory is the streaming pass's own.
        context = multiprocessing.get_context("spawn")
        with context.Pool(1) as pool:
            line, peak = pool.apply(_stream_in_child, (path, index_path, objections.keys, rows))
        print(line)
        print(f"peak RSS of that process (streaming from disk): {peak:,.0f} MB")
        _timed("read only (ingest)", rows, read_only)
        with open_table(path) as table:
            columns = list(table.columns)
            chunks = list(table.iter_chunks(65536))

        class InMemory:
            def __init__(self) -> None:
                self.columns = columns

            def iter_chunks(self, _rows: int):
                return iter(chunks)

        _timed("engine only (chunks in memory)", rows, lambda: engine(InMemory()))


if __name__ == "__main__":
    main()
