"""The JSON report, written as a stream (``schemas/report.schema.json``).

Rows are serialised a frame at a time with polars' JSON encoder, so only one frame of report
rows is in memory at once. Each row shows the values of the columns its codes are about
(``CODES[code].fields``), so a vendor sees what to fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, BinaryIO

import polars as pl

from .catalogue import CODES

# Header members in the order they are written; other members follow, then "rows".
_HEADER_ORDER = ("batch_id", "ruleset", "decision", "batch_reasons", "counts")


def _columns_by_code() -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for code in CODES.values():
        for name in code.fields:
            columns.setdefault(name, []).append(code.code)
    return columns


_CODES_BY_COLUMN = _columns_by_code()


def report_row_json(frame: pl.DataFrame) -> pl.Series:
    """One JSON object per report row: row, status, codes, warnings, values."""
    all_codes = pl.concat_list(pl.col("codes"), pl.col("warnings"))
    has = {
        code: all_codes.list.contains(pl.lit(code))
        for codes in _CODES_BY_COLUMN.values()
        for code in codes
    }
    pairs = []
    for column, codes in _CODES_BY_COLUMN.items():
        if column not in frame.columns:
            continue
        offending = pl.any_horizontal([has[c] for c in codes])
        member = (
            pl.struct(pl.col(column).cast(pl.Utf8))
            .struct.json_encode()
            .str.strip_prefix("{")
            .str.strip_suffix("}")
        )
        pairs.append(pl.when(offending).then(member))
    values = (
        pl.concat_str(
            [pl.lit("{"), pl.concat_str(pairs, separator=",", ignore_nulls=True), pl.lit("}")]
        )
        if pairs
        else pl.lit("{}")
    )
    head = (
        pl.struct(
            pl.col("_row").cast(pl.Int64).alias("row"),
            pl.col("status"),
            pl.col("codes"),
            pl.col("warnings"),
        )
        .struct.json_encode()
        .str.strip_suffix("}")
    )
    return frame.select(
        pl.concat_str([head, pl.lit(',"values":'), values, pl.lit("}")]).alias("json")
    ).to_series()


def write_report_json(
    out: BinaryIO, header: dict[str, Any], report_frames: Iterable[pl.DataFrame]
) -> int:
    """Write the report to a binary stream: header members, then every row; return the rows.

    ``header`` holds ``ruleset``, ``decision``, ``batch_reasons``, ``counts`` and optionally
    ``batch_id`` (and any other member the caller wants stated). ``report_frames`` are the
    frames the engine gave ``on_report``.
    """
    members = [k for k in _HEADER_ORDER if header.get(k) is not None]
    members += [k for k in header if k not in _HEADER_ORDER and k != "rows"]
    out.write(b"{")
    for key in members:
        out.write(json.dumps(key).encode() + b":")
        out.write(json.dumps(header[key], ensure_ascii=False, default=str).encode("utf-8"))
        out.write(b",")
    out.write(b'"rows":[')
    rows = 0
    for frame in report_frames:
        if not frame.height:
            continue
        text = report_row_json(frame).str.join(",\n").item()
        out.write((",\n" if rows else "\n").encode() + text.encode("utf-8"))
        rows += frame.height
    out.write(b"\n]}\n" if rows else b"]}\n")
    return rows
