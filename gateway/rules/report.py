"""The JSON report, written as a stream (``schemas/report.schema.json``).

Rows are serialised a frame at a time with polars string expressions, so only one frame of
report rows is in memory at once. Each row shows the values of the columns its codes are about
(``CODES[code].fields``), so a vendor sees what to fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, BinaryIO

import numpy as np
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


def _offending_columns(codes: Iterable[str]) -> set[str]:
    """The columns whose values a row with these codes shows."""
    named = set(codes)
    return {column for column, about in _CODES_BY_COLUMN.items() if named.intersection(about)}


# The characters a JSON string must escape: the quote, the backslash and control characters.
_MUST_ESCAPE = r'["\\\x00-\x1f]'


def _json_member(name: str, escape: bool) -> pl.Expr:
    """Column ``name`` as the JSON member ``"name":value``, its text a string or null.

    Values are only quoted unless some value of the column needs escaping; then the column goes
    through polars' JSON encoder.
    """
    key = json.dumps(name)
    text = pl.col(name).cast(pl.Utf8)
    if escape:
        member = pl.struct(text.alias(name)).struct.json_encode().str.slice(1)
        return member.str.strip_suffix("}")
    return pl.concat_str(pl.lit(f'{key}:"'), text, pl.lit('"')).fill_null(f"{key}:null")


def report_row_json(frame: pl.DataFrame) -> pl.Series:
    """One JSON object per report row: row, status, codes, warnings, values."""
    height = frame.height
    if not height:
        return pl.Series("json", [], dtype=pl.Utf8)
    # Rows share a few combinations of status and codes: their JSON and the columns a row
    # shows are worked out once per combination, then looked up for each row.
    combinations = (
        frame.select("status", "codes", "warnings")
        .with_row_index("_at")
        .group_by("status", "codes", "warnings")
        .agg("_at")
        .with_row_index("_combination")
    )
    rows = combinations.select("_combination", "_at").explode("_at", empty_as_null=False)
    which = np.empty(height, dtype=np.uint32)
    which[rows.get_column("_at").to_numpy()] = rows.get_column("_combination").to_numpy()
    leads = []
    shown_by = []
    for status, codes, warnings in combinations.select("status", "codes", "warnings").iter_rows():
        leads.append(
            f',"status":{_compact(status)},"codes":{_compact(codes)},'
            f'"warnings":{_compact(warnings)},"values":{{'
        )
        shown_by.append(_offending_columns([*codes, *warnings]))
    flags: dict[str, pl.Series] = {}
    for column in _CODES_BY_COLUMN:
        if column in frame.columns:
            shown = np.array([column in columns for columns in shown_by])[which]
            if shown.any():
                flags[column] = pl.Series(f"_shows_{column}", shown)
    work = frame.select(
        pl.col("_row").cast(pl.Int64).cast(pl.Utf8).alias("_row"),
        pl.Series("_lead", leads, dtype=pl.Utf8).gather(which),
        *flags,
    ).with_columns(flags.values())
    # Only the values a row shows decide whether a column needs escaping.
    escape = (
        work.select(
            pl.col(c).filter(pl.col(f"_shows_{c}")).str.contains(_MUST_ESCAPE).any().alias(c)
            for c in flags
        ).row(0, named=True)
        if flags
        else {}
    )
    values = [pl.when(pl.col(f"_shows_{c}")).then(_json_member(c, escape[c])) for c in flags]
    return work.select(
        pl.concat_str(
            pl.lit('{"row":'),
            "_row",
            "_lead",
            pl.concat_str(values, separator=",", ignore_nulls=True) if values else pl.lit(""),
            pl.lit("}}"),
        ).alias("json")
    ).to_series()


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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
