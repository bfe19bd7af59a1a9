"""``python -m gateway.bench``: the benchmark command.

Generates its own deterministic data, runs each case (the measured part in a process of its
own), and prints rows per second and peak resident memory per case, or with ``--json`` one
JSON document. Exit status 1 when a case failed or its outcome did not match what the
generator intended (a broken run); missed targets are reported, not failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .cases import BASELINE_ROWS, CASES, TARGETS, Context


def _cases(text: str) -> list[int]:
    try:
        chosen = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError("cases are numbers 1-6, comma separated") from None
    if not chosen or not set(chosen) <= set(CASES):
        raise argparse.ArgumentTypeError("cases are numbers 1-6, comma separated")
    return chosen


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m gateway.bench",
        description="Benchmark the gateway on generated data: rows per second and peak memory.",
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=1_000_000,
        help="rows of case 1 (case 2: 5x, case 3: 1/5, case 4: that many lookups against 30x "
        "entries, case 5: about 1 KB per row uploaded, case 6: at most "
        f"{BASELINE_ROWS:,}); default 1,000,000",
    )
    parser.add_argument(
        "--cases",
        type=_cases,
        default=sorted(CASES),
        help="comma-separated case numbers to run (default: all)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="folder for generated data (default: a temporary folder)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    return parser


def _line(number: int, result: dict[str, Any]) -> str:
    title = CASES[number][0]
    if "error" in result:
        return f"{number}  {title:30s}  FAILED: {result['error'].splitlines()[-1]}"
    met = {True: "met", False: "MISSED", None: "n/a"}[result.get("met")]
    check = "" if result.get("check_ok") else "  CHECK FAILED"
    figures = (
        f"{result['rows']:>11,} rows  {result['seconds']:8.2f} s  "
        f"{result['rows_per_second']:>11,.0f} rows/s  peak RSS {result['peak_rss_mb']:7.0f} MB"
    )
    return f"{number}  {title:30s}  {figures}  target {met}{check}"


def _details(number: int, result: dict[str, Any]) -> list[str]:
    if "error" in result:
        return []
    out = []
    if number in (1, 2, 3):
        out.append(
            f"   state {result['state']}, cpu {result['cpu_seconds']:.1f} s, file "
            f"{result['file_bytes'] / 1e6:,.0f} MB, counts as generated: {result['check_ok']}"
        )
        out.append(f"   counts by code: {json.dumps(result['counts'].get('by_code', {}))}")
        if number == 2 and "throughput_vs_case_1" in result:
            out.append(
                f"   vs case 1: throughput x{result['throughput_vs_case_1']:.2f}, "
                f"peak RSS x{result['peak_rss_vs_case_1']:.2f}"
            )
    elif number == 4:
        out.append(
            f"   {result['entries']:,} entries in {result['consultations']} consultations; "
            f"runs {', '.join(f'{s:.3f}' for s in result['seconds_runs'])} s; bytes per entry: "
            f"disk {result['bytes_per_entry_disk']:.2f}, memory at peak "
            f"{result['bytes_per_entry_memory'] or float('nan'):.2f}, still mapped after "
            f"{result['bytes_per_entry_mapped_after']:.2f}; covered {result['covered']:,} "
            f"(expected {result['covered_expected']:,})"
        )
    elif number == 5:
        out.append(
            f"   {result['bytes'] / 1e6:,.0f} MB at {result['mb_per_second']:.0f} MB/s, HTTP "
            f"{result['status']}; server idle {result['idle_rss_mb']:.0f} MB, peak "
            f"{result['peak_rss_mb']:.0f} MB, above idle {result['peak_rss_above_idle_mb']:.0f} MB"
            f" ({result['rss_samples']} samples); stored upload intact: {result['check_ok']}"
        )
    elif number == 6:
        out.append(
            f"   engine {result['rows_per_second']:,.0f} rows/s, naive baseline "
            f"{result['baseline_rows_per_second']:,.0f} rows/s: speed-up "
            f"x{result['speedup']:.1f}; same counts as generated: {result['check_ok']}"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    args = build_parser().parse_args(argv)
    if not 1 <= args.rows < 2_000_000:
        # Case 2 writes 5x the rows, and the generator keeps numbers unique below ten million.
        print("--rows must be between 1 and 1,999,999", file=sys.stderr)
        return 2
    command = "python -m gateway.bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    ctx = Context(rows=args.rows, workdir=workdir, keep=args.keep, log=log)
    started = time.perf_counter()
    try:
        for number in args.cases:
            case_started = time.perf_counter()
            try:
                result = CASES[number][1](ctx)
            except Exception as exc:  # a failed case is reported and the others still run
                log(f"case {number} failed: {exc}")
                result = {"error": "".join(traceback.format_exception_only(exc)).strip()}
            result.update(
                case=number,
                title=CASES[number][0],
                targets=TARGETS[number],
                case_seconds=time.perf_counter() - case_started,
            )
            ctx.results[number] = result
            if not args.json:
                print("\n".join([_line(number, result), *_details(number, result)]), flush=True)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    total = time.perf_counter() - started
    broken = [n for n, r in ctx.results.items() if "error" in r or not r.get("check_ok")]
    if args.json:
        document = {
            "command": command,
            "rows": args.rows,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "seconds": total,
            "cases": {str(n): r for n, r in ctx.results.items()},
            "broken_cases": broken,
        }
        print(json.dumps(document, indent=2))
    else:
        print(
            f"command: {command}   ({os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, {total:.0f} s in all)"
        )
    return 1 if broken else 0
