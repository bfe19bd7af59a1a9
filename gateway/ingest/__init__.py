"""Batch readers: CSV and spreadsheet uploads as column chunks the rules can judge.

``open_table(path)`` sniffs the bytes (never the file name), checks the header and returns a
:class:`Table`; ``table.iter_chunks(rows)`` yields polars DataFrames of at most ``rows`` rows:

- one ``pl.Utf8`` column per entry of ``table.columns``, in that order: canonical names for
  the known columns, the header text unchanged for extra ones; values stripped of surrounding
  whitespace, empty or whitespace-only cells null;
- ``_row`` (``pl.Int64``): the row number a spreadsheet shows for the record. The header is
  row 1 (or the row of the first non-blank line); a quoted line break inside a CSV field does
  not start a new row; a blank line or blank sheet row (every field empty, including a line
  of bare delimiters) counts as a row but is not yielded;
- ``_malformed`` (``pl.Boolean``): the CSV record has another number of fields than the
  header (the fields present are filled, the rest null). Always False for spreadsheets.

File-level problems raise :class:`FileRejected` (HTTP 422) with a stable ``error`` code and
an English and Italian message. ``open_table`` raises every one the head of the file shows:
type, size, encoding, header, and FILE_EMPTY (it reads ahead to the first data row, through
any number of blank lines). ``iter_chunks`` raises only what shows further into a CSV file:
bytes in a second encoding (FILE_ENCODING_INVALID: UTF-8 accents earlier, bytes that are not
UTF-8 later) or a record over 8 MB, i.e. a quoted field that never closes (FILE_UNREADABLE).

CSV encodings: UTF-8 with or without byte order mark, UTF-16 with byte order mark, and
Windows-1252 when the bytes are not UTF-8. ``encoding`` is decided at open from the first
64 KB; if those are plain ASCII, it reads "utf-8" until the first non-ASCII byte, and turns to
"cp1252" while reading if that byte is not UTF-8 (chunks already read are the same in both).

``read_ahead(table.iter_chunks(rows))`` yields the same chunks, read by a background thread
one chunk ahead of the caller, so parsing overlaps with whatever the caller does with a chunk.

Memory: CSV is read in blocks of about one chunk, whatever the file size (a UTF-8 file through
a memory map whose pages are released as blocks are read). XLSX is read by a streaming reader
(``ooxml``): the worksheet is inflated and parsed a block of about a megabyte at a time, with
the same cell values as calamine gives, so memory stays flat too; it hands a workbook (or the
rest of one, from an odd cell's row) to calamine when it cannot prove it reads it exactly.
XLS, ODS and those workbooks are read with python-calamine, which parses the whole first
visible worksheet into memory when the table is opened (about 40 bytes per cell plus the text,
bounded by the sheet's 1,048,576 rows); chunks are then converted from it one at a time.
"""

from __future__ import annotations

import os

from . import errors
from .columns import CANONICAL_COLUMNS, REQUIRED_COLUMNS, canonical_column
from .csv_reader import DELIMITERS, CsvTable
from .errors import FILE_LEVEL_CODES, FileRejected
from .read_ahead import read_ahead
from .sheet_reader import SheetTable
from .sniff import CSV, sniff_kind
from .table import DEFAULT_CHUNK_ROWS, Table

__all__ = [
    "CANONICAL_COLUMNS",
    "DEFAULT_CHUNK_ROWS",
    "DELIMITERS",
    "FILE_LEVEL_CODES",
    "REQUIRED_COLUMNS",
    "FileRejected",
    "Table",
    "canonical_column",
    "open_table",
    "read_ahead",
]

_HEAD_BYTES = 64 << 10


def open_table(
    path: str | os.PathLike[str], *, filename: str | None = None, max_bytes: int | None = None
) -> Table:
    """Open an upload as a Table, or raise FileRejected with the file-level code.

    ``filename`` is the name the vendor gave the file; it is kept for messages but plays no
    part in deciding the format. ``max_bytes`` refuses larger files (FILE_TOO_LARGE).
    """
    size = os.path.getsize(path)
    if max_bytes is not None and size > max_bytes:
        raise errors.too_large(size, max_bytes)
    if size == 0:
        raise errors.empty(has_header=False)
    handle = open(path, "rb")  # noqa: SIM115 - the table owns the handle until close()
    try:
        head = handle.read(_HEAD_BYTES)
        kind = sniff_kind(handle, head)
        if kind == CSV:
            return CsvTable(handle, head, size, filename)
        handle.close()
        return SheetTable(os.fspath(path), kind, filename)
    except BaseException:
        handle.close()
        raise
