"""CSV artefacts written chunk by chunk: the certified list and the report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from .safety import neutralise_frame

# Columns of the report CSV ahead of the input columns.
REPORT_LEAD = ("row", "status", "codes", "warnings")
CODE_SEPARATOR = "|"
_E164 = r"^\+[0-9]+$"


def _write_csv(frame: pl.DataFrame, out: Any, *, header: bool) -> None:
    # polars hands the text to ``out.write`` in pieces of about a megabyte: no copy of the
    # whole chunk's text is made on the way.
    frame.write_csv(out, include_header=header)


class CertifiedListWriter:
    """Writes accepted rows: canonical names, E.164 phones, extra columns carried through."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.columns: list[str] | None = None
        self.rows = 0

    def set_columns(self, columns: Iterable[str]) -> None:
        """Fix the output columns (the file's, internal ``_`` columns excluded) and write them."""
        self.columns = [c for c in columns if not c.startswith("_")]
        _write_csv(pl.DataFrame(schema={c: pl.Utf8 for c in self.columns}), self.out, header=True)

    def write(self, frame: pl.DataFrame) -> None:
        """Append a chunk of accepted rows."""
        assert self.columns is not None, "set_columns first"
        if not frame.height:
            return
        chunk = frame.select([pl.col(c).cast(pl.Utf8) for c in self.columns])
        # The phone column holds the E.164 numbers the rules wrote: plain numbers, left as they
        # are by neutralising, which would otherwise test each one for its leading "+".
        phone = [
            c
            for c in self.columns
            if c == "phone" and chunk.get_column(c).str.contains(_E164).all()
        ]
        safe = neutralise_frame(chunk.drop(phone)).hstack(chunk.select(phone))
        _write_csv(safe.select(self.columns), self.out, header=False)
        self.rows += frame.height


def report_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Flatten report rows for CSV and XLSX: codes joined, input columns after the lead."""
    inputs = [
        c
        for c in frame.columns
        if not c.startswith("_") and c not in ("status", "codes", "warnings")
    ]
    return frame.select(
        pl.col("_row").alias("row"),
        pl.col("status"),
        pl.col("codes").list.join(CODE_SEPARATOR).alias("codes"),
        pl.col("warnings").list.join(CODE_SEPARATOR).alias("warnings"),
        *[pl.col(c).cast(pl.Utf8) for c in inputs],
    )


class ReportCsvWriter:
    """Writes report rows as CSV chunk by chunk (codes separated by ``|``)."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.rows = 0
        self._wrote_header = False

    def write(self, frame: pl.DataFrame) -> None:
        """Append a chunk of report rows (the frames the rules engine hands over)."""
        if not frame.height:
            return
        flat = neutralise_frame(report_table(frame))
        _write_csv(flat, self.out, header=not self._wrote_header)
        self._wrote_header = True
        self.rows += frame.height

    def finish(self) -> int:
        """Write the header if no row came; return the number of rows."""
        if not self._wrote_header:
            self.out.write((",".join(REPORT_LEAD) + "\n").encode())
            self._wrote_header = True
        return self.rows


def write_report_csv(out: Any, frames: Iterable[pl.DataFrame]) -> int:
    """Write report rows as CSV (codes separated by ``|``); return the number of rows."""
    writer = ReportCsvWriter(out)
    for frame in frames:
        writer.write(frame)
    return writer.finish()
