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


def _offending_columns(combination: str) -> set[str]:
    """The columns whose values a row with these codes (``|``-joined) shows."""
    codes = set(combination.split("|"))
    return {column for column, about in _CODES_BY_COLUMN.items() if codes.intersection(about)}


def report_row_json(frame: pl.DataFrame) -> pl.Series:
    """One JSON object per report row: row, status, codes, warnings, values."""
    # Rows share a few combinations of codes: which columns a row shows is decided once per
    # distinct combination, then each column's flag is a lookup of the row's combination.
    combination = pl.concat_list(pl.col("codes"), pl.col("warnings")).list.join("|")
    keyed = frame.with_columns(combination.alias("_combination"))
    shown: dict[str, list[str]] = {}
    for key in keyed.get_column("_combination").unique().to_list():
        for column in _offending_columns(key):
            shown.setdefault(column, []).append(key)
    pairs = []
    for column in _CODES_BY_COLUMN:
        if column not in frame.columns or column not in shown:
            continue
        member = (
            pl.struct(pl.col(column).cast(pl.Utf8))
            .struct.json_encode()
            .str.strip_prefix("{")
            .str.strip_suffix("}")
        )
        pairs.append(pl.when(pl.col("_combination").is_in(shown[column])).then(member))
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
    return keyed.select(
        pl.concat_str([head, pl.lit(',"values":'), values, pl.lit("}")]).alias("json")
    ).to_series()


def render_report_rows(frame: pl.DataFrame) -> bytes:
    """A frame's report rows as the JSON text the report holds (empty for no rows).

    Rendering can happen while a batch is judged; :func:`write_rendered_report_json` then
    puts the pieces in the document once the header is known.
    """
    if not frame.height:
        return b""
    return report_row_json(frame).str.join(",\n").item().encode("utf-8")


def write_rendered_report_json(
    out: BinaryIO, header: dict[str, Any], rendered: Iterable[bytes]
) -> None:
    """Write the report from header members and pieces made by :func:`render_report_rows`."""
    members = [k for k in _HEADER_ORDER if header.get(k) is not None]
    members += [k for k in header if k not in _HEADER_ORDER and k != "rows"]
    out.write(b"{")
    for key in members:
        out.write(json.dumps(key).encode() + b":")
        out.write(json.dumps(header[key], ensure_ascii=False, default=str).encode("utf-8"))
        out.write(b",")
    out.write(b'"rows":[')
    wrote = False
    for piece in rendered:
        if not piece:
            continue
        out.write(b",\n" if wrote else b"\n")
        out.write(piece)
        wrote = True
    out.write(b"\n]}\n" if wrote else b"]}\n")


def write_report_json(
    out: BinaryIO, header: dict[str, Any], report_frames: Iterable[pl.DataFrame]
) -> int:
    """Write the report to a binary stream: header members, then every row; return the rows.

    ``header`` holds ``ruleset``, ``decision``, ``batch_reasons``, ``counts`` and optionally
    ``batch_id`` (and any other member the caller wants stated). ``report_frames`` are the
    frames the engine gave ``on_report``.
    """
    rows = 0

    def pieces() -> Iterable[bytes]:
        nonlocal rows
        for frame in report_frames:
            rows += frame.height
            yield render_report_rows(frame)

    write_rendered_report_json(out, header, pieces())
    return rows
