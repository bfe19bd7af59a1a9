"""The Table every reader returns, and the chunk shape they all share."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from types import TracebackType

import numpy as np
import polars as pl

from .columns import MALFORMED_COLUMN, ROW_COLUMN, HeaderMap

DEFAULT_CHUNK_ROWS = 65536
# What "surrounding whitespace" means for every value: ASCII white space and the no-break
# space spreadsheets like to leave behind.
WHITESPACE = " \t\n\r\x0b\x0c\xa0"


def physical_names(width: int) -> list[str]:
    """Names of a raw frame's columns, one per field position of the header."""
    return [f"f{i}" for i in range(width)]


class Table(abc.ABC):
    """An opened upload: its format, its header mapping, and its rows in column chunks.

    Every chunk has one ``pl.Utf8`` column per entry of ``columns`` (values stripped of
    surrounding whitespace, empty cells null), then ``_row`` (``pl.Int64``, the spreadsheet row
    number) and ``_malformed`` (``pl.Boolean``). Blank rows are not yielded but keep their row
    number. A chunk holds at most the requested number of rows.
    """

    format: str
    encoding: str | None = None
    delimiter: str | None = None

    def __init__(self, header: HeaderMap, filename: str | None) -> None:
        self.filename = filename
        self.source_columns: list[str] = list(header.source_columns)
        self.columns: list[str] = list(header.columns)
        self._header = header

    @abc.abstractmethod
    def _frames(self, rows: int) -> Iterator[pl.DataFrame]:
        """Yield finished frames of any height; ``iter_chunks`` cuts them to size."""

    def iter_chunks(self, rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pl.DataFrame]:
        """Yield the data rows in chunks of at most ``rows`` rows, in file order.

        May raise FileRejected when a problem shows only further into the file (for example
        bytes in a second encoding). Each call reads the file again from the first row.
        """
        if rows < 1:
            raise ValueError("rows must be positive")
        for frame in self._frames(rows):
            height = frame.height
            if height <= rows:
                if height:
                    yield frame
                continue
            for start in range(0, height, rows):
                yield frame.slice(start, rows)

    @abc.abstractmethod
    def close(self) -> None:
        """Release the file."""

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _finish(
        self,
        raw: pl.DataFrame,
        first_row: int,
        field_counts: np.ndarray | None,
        strip: list[str] | None = None,
        nullify_all: bool = True,
    ) -> pl.DataFrame:
        """Turn a raw frame (``f0``... by field position) into a chunk of the public shape.

        ``raw`` holds consecutive records starting at row ``first_row``; ``field_counts`` is
        each record's number of fields when some record may differ from the header's width
        (None means every record matched it). ``strip`` names the columns that may need
        stripping (None: all); empty strings become null in those, or in every column with
        ``nullify_all``.
        """
        width = raw.width
        height = raw.height
        names = raw.columns
        to_strip = names if strip is None else strip
        to_null = names if strip is None or nullify_all else strip
        cleaned = raw
        if to_strip:
            cleaned = cleaned.with_columns(pl.col(to_strip).str.strip_chars(WHITESPACE))
        if to_null:
            cleaned = cleaned.with_columns(
                pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in to_null
            )
        rows = pl.Series(ROW_COLUMN, np.arange(first_row, first_row + height, dtype=np.int64))
        if field_counts is None:
            malformed = pl.Series(MALFORMED_COLUMN, np.zeros(height, dtype=bool))
        else:
            malformed = pl.Series(MALFORMED_COLUMN, field_counts != width)
        header = self._header
        chunk = cleaned.select(
            [
                pl.col(f"f{p}").alias(name)
                for p, name in zip(header.positions, header.columns, strict=True)
            ]
        ).with_columns(rows, malformed)
        # A record whose every field is empty is a blank line (or a row of bare delimiters, as
        # spreadsheet exports write): it keeps its row number but is not a data row. A record
        # with more fields than the header is kept even then, since fields were cut off.
        blank = cleaned.select(~pl.any_horizontal(pl.all().is_not_null())).to_series()
        if field_counts is not None:
            blank = blank & pl.Series(field_counts <= width)
        if blank.any():
            chunk = chunk.filter(~blank)
        return chunk
