"""The measured work of each case, run in a fresh process of its own.

    python -m gateway.bench.measure KIND SPEC.json

KIND is ``job`` (run one prepared batch through the batch job), ``rpo`` (look numbers up in
memory-mapped consultations) or ``baseline`` (the naive reference and the engine on one file).
The process prints one JSON document on its last line of output; its peak resident memory
belongs to that work alone (plus the interpreter and the imported packages).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MB = 1_000_000


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (10^6 bytes).

    Read from the kernel's high-water mark of this process's memory (VmHWM). Not from
    ``getrusage``: its ``ru_maxrss`` survives ``execve``, so a child started by a large
    parent reports at least the parent's size at the time of the fork.
    """
    return _status_kb("VmHWM") * 1024 / MB


def current_rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / MB


def mapped_rss_bytes(paths: list[str]) -> int:
    """Resident bytes of this process's memory maps of the given files (Linux)."""
    wanted = {os.path.realpath(p) for p in paths}
    total = 0
    current = False
    with open("/proc/self/smaps") as fh:
        for line in fh:
            fields = line.split(maxsplit=5)
            if fields and "-" in fields[0] and not fields[0].endswith(":"):
                current = len(fields) == 6 and fields[5].strip() in wanted
            elif current and line.startswith("Rss:"):
                total += int(line.split()[1]) * 1024
    return total


def reset_peak_rss() -> bool:
    """Start the kernel's high-water mark of this process's memory afresh (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _counts_view(counts: dict[str, Any]) -> dict[str, Any]:
    keys = ("total", "accepted", "rejected", "warned")
    return {**{k: counts[k] for k in keys}, "by_code": dict(sorted(counts["by_code"].items()))}


def measure_job(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the batch job on a prepared batch, as a worker would."""
    import gateway.batches.judge  # noqa: F401 - loaded before timing, as in a running worker
    from gateway import create_app
    from gateway.batches import manifest as manifests

    app = create_app(
        {
            "storage_url": spec["storage_url"],
            "signing_key_dir": spec["signing_key_dir"],
            "start_jobs": False,
            "job_workers": 1,
            "secret_key": "benchmark",
            "max_upload_bytes": max(spec["size"] + 1, 1 << 30),
        }
    )
    runtime = app.extensions["gateway"]
    runtime.signer  # noqa: B018 - the signing key is made on first use, not part of a job
    before = current_rss_mb()
    _, wall, cpu = _timed(lambda: runtime.run_batch(spec["batch_id"]))
    manifest, _ = manifests.load(runtime.store, spec["batch_id"])
    counts = manifest.get("counts") or {}
    got = _counts_view(counts) if counts else {}
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "rows": counts.get("total", 0),
        "rows_per_second": counts.get("total", 0) / wall if wall else 0.0,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": before,
        "state": manifest["state"],
        "counts": got,
        "check_ok": manifest["state"] == "certified" and got == spec["expected"],
        "job_error": manifest.get("error"),
    }


def measure_rpo(spec: dict[str, Any]) -> dict[str, Any]:
    """Look numbers up against memory-mapped consultations."""
    import numpy as np
    import polars as pl

    from gateway.rpo import Consultation, RpoIndex, open_index
    from gateway.rpo.index import HEADER_BYTES

    keys = np.load(spec["queries"])
    queries = ("+" + pl.Series("phone", keys).cast(pl.Utf8)).alias("phone")
    del keys
    paths = [item["path"] for item in spec["consultations"]]
    gc.collect()
    process_peak = peak_rss_mb()
    # From here the high-water mark measures what opening and searching the index costs.
    reset = reset_peak_rss()
    before = current_rss_mb()
    index = RpoIndex(
        [
            Consultation(
                item["id"], datetime.fromisoformat(item["consulted_at"]), open_index(item["path"])
            )
            for item in spec["consultations"]
        ]
    )
    entries = sum(c["entries"] for c in index.consultations)
    runs = []
    covered = 0
    for _ in range(3):
        answer, wall, cpu = _timed(lambda: index.lookup(queries))
        covered = int(answer.get_column("covered").sum())
        runs.append((wall, cpu))
        del answer
    peak = peak_rss_mb()
    first_wall, first_cpu = runs[0]
    disk = sum(os.path.getsize(p) for p in paths)
    # Each file starts with a fixed header; per entry counts what grows with the entries.
    headers = HEADER_BYTES * len(paths)
    return {
        "seconds": first_wall,
        "cpu_seconds": first_cpu,
        "seconds_runs": [w for w, _ in runs],
        "rows": len(queries),
        "rows_per_second": len(queries) / first_wall,
        "entries": entries,
        "consultations": len(paths),
        "covered": covered,
        "covered_expected": spec["covered_expected"],
        "check_ok": covered == spec["covered_expected"],
        "disk_bytes": disk,
        "bytes_per_entry_disk": (disk - headers) / entries,
        # Peak memory of the lookups above what the process held before opening the index
        # (the answers included), and what of the index files stays mapped afterwards.
        "bytes_per_entry_memory": (peak - before) * MB / entries if reset else None,
        "bytes_per_entry_mapped_after": mapped_rss_bytes(paths) / entries,
        "peak_rss_mb": max(process_peak, peak),
    }


def measure_baseline(spec: dict[str, Any]) -> dict[str, Any]:
    """The naive row-by-row reference and the engine, on the same file, in this process."""
    import polars as pl

    from gateway.bench import data
    from gateway.ingest import open_table
    from gateway.objections import ObjectionIndex
    from gateway.rpo import Consultation, RpoIndex, parse_format_a
    from gateway.rules import evaluate
    from gateway.rules import reference as ref

    now = datetime.now(UTC)
    consulted_at = datetime.fromisoformat(spec["consulted_at"])
    entries = parse_format_a(spec["rpo"])
    objections = ObjectionIndex.from_file(spec["objections"], now)
    vendor, buyer = data.vendor_profile(), data.buyer_profile()

    def engine() -> dict[str, Any]:
        kept: list[pl.DataFrame] = []
        with open_table(spec["batch"]) as table:
            outcome = evaluate(
                table,
                vendor=vendor,
                buyer=buyer,
                rpo=RpoIndex([Consultation("esito", consulted_at, entries)]),
                objections=objections,
                now=now,
                mode="service",
                on_accepted=kept.append,
                on_report=kept.append,
            )
        return outcome.counts

    def baseline() -> dict[str, Any]:
        outcome = ref.judge_rows(
            ref.read_csv_records(spec["batch"]),
            vendor=vendor,
            buyer=buyer,
            rpo=[
                ref.RpoConsultation(
                    "esito",
                    consulted_at,
                    ref.IndexRegistrations(entries.keys, entries.registered_at),
                )
            ],
            objections=set(objections.keys.tolist()),
            now=now,
            mode="service",
        )
        return outcome.counts

    engine_counts, engine_wall, engine_cpu = _timed(engine)
    baseline_counts, baseline_wall, baseline_cpu = _timed(baseline)
    rows = engine_counts["total"]
    engine_view, baseline_view = _counts_view(engine_counts), _counts_view(baseline_counts)
    return {
        "rows": rows,
        "seconds": engine_wall,
        "cpu_seconds": engine_cpu,
        "rows_per_second": rows / engine_wall,
        "baseline_seconds": baseline_wall,
        "baseline_cpu_seconds": baseline_cpu,
        "baseline_rows_per_second": baseline_counts["total"] / baseline_wall,
        "speedup": baseline_wall / engine_wall,
        "counts": engine_view,
        "baseline_counts": baseline_view,
        "check_ok": engine_view == baseline_view == spec["expected"],
        "peak_rss_mb": peak_rss_mb(),
    }


KINDS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "job": measure_job,
    "rpo": measure_rpo,
    "baseline": measure_baseline,
}


def main(argv: list[str]) -> int:
    """Run one measurement and print its JSON result on the last line."""
    kind, spec_path = argv
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    result = KINDS[kind](spec)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
