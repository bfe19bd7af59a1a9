"""Speed of classify_phones on a million vendor-like values (a measurement, not a test).

Run from the repository root:

    .venv/bin/python -m tests.phones.benchmark_phones [--rows N] [--repeat N] [--malformed PCT]
        [--check N]

The mix is about 70% mobile and 25% fixed-line numbers in assorted formats and 5% malformed
values. The script prints the share of values the vectorised path leaves to the reference, the
time of each run and, with --check, how many of a sample agree with the reference.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import polars as pl

from gateway.phones import classify_phone_reference, classify_phones
from gateway.phones.classify import fast_path_mask

MOBILE_PREFIXES = [f"3{a}{b}" for a in "2345689" for b in "0123456789"] + ["371", "377"]
AREA_CODES = [
    "02", "06", "010", "011", "030", "031", "035", "040", "041", "045", "049", "050", "051",
    "055", "059", "070", "071", "075", "079", "080", "081", "089", "090", "091", "095", "0171",
    "0331", "0362", "0423", "0444", "0541", "0571", "0584", "0721", "0823", "0932",
]  # fmt: skip


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _mobile(rng: random.Random) -> str:
    number = rng.choice(MOBILE_PREFIXES) + _digits(rng, 7)
    head, tail = number[:3], number[3:]
    return rng.choices(
        [
            number,
            f"+39{number}",
            f"+39 {head} {tail}",
            f"+39 {head} {tail[:3]} {tail[3:]}",
            f"0039{number}",
            f"0039 {head} {tail}",
            f"{head} {tail}",
            f"{head}-{tail}",
            f"{head}/{tail}",
            f"{head}.{tail[:3]}.{tail[3:]}",
            f"(+39) {head} {tail}",
            f" {number} ",
        ],
        weights=[30, 12, 10, 4, 3, 2, 14, 8, 6, 2, 2, 7],
    )[0]


def _fixed(rng: random.Random) -> str:
    area = rng.choice(AREA_CODES)
    subscriber = _digits(rng, rng.choice([6, 7, 8]) if len(area) > 2 else 8)
    number = area + subscriber
    return rng.choices(
        [
            number,
            f"{area} {subscriber}",
            f"({area}) {subscriber[:4]} {subscriber[4:]}",
            f"{area}.{subscriber}",
            f"{area}-{subscriber}",
            f"{area}/{subscriber}",
            f"+39 {area} {subscriber}",
            f"+39{number}",
            f"0039 {area} {subscriber}",
        ],
        weights=[30, 20, 8, 6, 10, 10, 8, 5, 3],
    )[0]


def _malformed(rng: random.Random) -> str:
    mobile = rng.choice(MOBILE_PREFIXES) + _digits(rng, 7)
    kinds = [
        (lambda: "", 12),
        (lambda: "   ", 4),
        (lambda: rng.choice(["n/a", "N.D.", "-", "0", "nessuno", "xxx"]), 10),
        (lambda: mobile[: rng.randint(3, 8)], 12),  # truncated
        (lambda: mobile + _digits(rng, rng.randint(1, 5)), 10),  # extra digits
        (lambda: f"{mobile}.0", 8),  # spreadsheet float
        (lambda: f"39{mobile}", 5),  # country code without +
        (lambda: f"{mobile} / {rng.choice(MOBILE_PREFIXES)}{_digits(rng, 7)}", 5),
        (lambda: f"Tel: {mobile}", 4),
        (lambda: f"{mobile} (casa)", 3),  # a note after the number
        (lambda: f"{mobile} int. {rng.randint(1, 99)}", 2),  # an extension
        (lambda: rng.choice(["+41 44 668 18 00", "+44 20 7946 0958", "+33 1 42 68 53 00"]), 3),
        (lambda: "0041 44 668 18 00", 1),
        (lambda: "".join(chr(ord(c) + 0xFEE0) for c in mobile), 1),  # full-width digits
    ]
    makers, weights = zip(*kinds, strict=True)
    return rng.choices(makers, weights=weights)[0]()


def build_mix(rows: int, malformed: float = 5, seed: int = 20250101) -> list[str]:
    """Mobile and fixed-line numbers in a 70:25 ratio, plus a share (percent) of malformed."""
    rng = random.Random(seed)
    rest = 100 - malformed
    weights = [rest * 70 / 95, rest * 25 / 95, malformed]
    makers = rng.choices([_mobile, _fixed, _malformed], weights=weights, k=rows)
    return [make(rng) for make in makers]


def main() -> None:
    """Time classify_phones on the mix and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--malformed", type=float, default=5, help="percent of malformed values")
    parser.add_argument("--check", type=int, default=0, help="values to compare with the reference")
    args = parser.parse_args()

    values = pl.Series("phone", build_mix(args.rows, args.malformed), dtype=pl.Utf8)
    fallback = int((~fast_path_mask(values)).sum())
    print(f"rows: {len(values):,}")
    print(f"left to the reference: {fallback:,} ({fallback / len(values):.3%})")

    timings = []
    cpu_timings = []
    for _ in range(args.repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = classify_phones(values)
        timings.append(time.perf_counter() - start)
        cpu_timings.append(time.process_time() - cpu_start)
    print("wall per run (s): " + ", ".join(f"{t:.3f}" for t in timings))
    print("cpu per run (s, all threads): " + ", ".join(f"{t:.3f}" for t in cpu_timings))
    print(f"wall best {min(timings):.3f} s, median {statistics.median(timings):.3f} s")
    print(f"throughput (median): {len(values) / statistics.median(timings):,.0f} values/s")
    print(result.get_column("phone_status").value_counts(sort=True))

    if args.check:
        sample = values.head(args.check)
        start = time.perf_counter()
        expected = [classify_phone_reference(value) for value in sample.to_list()]
        reference_time = time.perf_counter() - start
        got = list(result.head(args.check).iter_rows())
        agree = sum(a == b for a, b in zip(expected, got, strict=True))
        print(f"reference: {len(sample) / reference_time:,.0f} values/s")
        print(f"agreement on {len(sample):,} values: {agree:,}")


if __name__ == "__main__":
    main()
