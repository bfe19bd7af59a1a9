"""Reading speed and memory of the batch readers (not part of the test suite).

    python -m tests.ingest.benchmark_ingest --rows 1000000            # CSV
    python -m tests.ingest.benchmark_ingest --rows 200000 --xlsx      # XLSX (slow to generate)

Generates a file with the 17 canonical columns (Italian accents, about one row in ten with a
quoted field), then reads it in a fresh process and prints rows per second (best of
``--repeat``) and the reading process's peak resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gateway.ingest import CANONICAL_COLUMNS, open_table

NAMES = ["Mario", "Luca", "Giulia", "Anna", "Niccolò", "Chiara", "Francesco", "Sofia"]
SURNAMES = ["Rossi", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "D'Angelo"]
CITIES = ["Roma", "Milano", "Napoli", "Torino", "Forlì", "Cantù", "Bari"]


def _row(rnd: random.Random, i: int) -> list[object]:
    first, last = rnd.choice(NAMES), rnd.choice(SURNAMES)
    address = f"Via Garibaldi {i % 200}, int. 3" if i % 10 == 0 else f"Via Roma {i % 300}"
    return [
        f"+39 347 {rnd.randrange(1_000_000, 9_999_999)}",
        first,
        last,
        f"{first.lower()}.{i}@example.it",
        "RSSMRA85T10A562S",
        address,
        f"{rnd.randrange(10000, 99999)}",
        rnd.choice(CITIES),
        "RM",
        "https://www.example.it/form",
        "2024-03-05T10:11:12+01:00",
        "v2",
        "sì",
        f"192.168.{i % 256}.{(i * 7) % 256}",
        "2024-03-05 10:15:00",
        f"PRF-{i}",
        "IT01234567890",
    ]


def write_csv(path: Path, rows: int) -> None:
    rnd = random.Random(1)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(CANONICAL_COLUMNS) + "\n")
        for i in range(rows):
            fields = [str(v) for v in _row(rnd, i)]
            out.write(",".join(f'"{v}"' if "," in v else v for v in fields) + "\n")


def write_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    rnd = random.Random(1)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(CANONICAL_COLUMNS))
    base = dt.datetime(2024, 1, 1, 8, 0, 0)
    for i in range(rows):
        row = _row(rnd, i)
        row[0] = 3_470_000_000 + rnd.randrange(9_999_999)
        row[10] = base + dt.timedelta(seconds=37 * i)
        row[14] = base + dt.timedelta(seconds=37 * i + 600)
        sheet.append(row)
    workbook.save(path)


def read(path: str, repeat: int, chunk_rows: int) -> None:
    best = float("inf")
    rows = 0
    for _ in range(repeat):
        start = time.perf_counter()
        with open_table(path) as table:
            rows = sum(chunk.height for chunk in table.iter_chunks(chunk_rows))
        best = min(best, time.perf_counter() - start)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{rows} rows in {best:.3f} s: {rows / best:,.0f} rows/s; peak RSS {peak_mib:.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-rows", type=int, default=65536)
    parser.add_argument("--read", help="read this file and report (used internally)")
    args = parser.parse_args()
    if args.read:
        read(args.read, args.repeat, args.chunk_rows)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("list.xlsx" if args.xlsx else "list.csv")
        (write_xlsx if args.xlsx else write_csv)(path, args.rows)
        print(f"{path.name}: {args.rows} rows, {path.stat().st_size / 2**20:.0f} MiB")
        command = [sys.executable, "-m", "tests.ingest.benchmark_ingest", "--read", str(path)]
        command += ["--repeat", str(args.repeat), "--chunk-rows", str(args.chunk_rows)]
        return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
