"""CSV uploads: encoding, delimiter and header detection; rows come from ``csv_blocks``.

Rules of the reading: a record ends at a line feed (optionally preceded by a carriage
return) outside quotes; a field that starts with ``"`` is quoted and may hold delimiters,
doubled quotes and line breaks; a quote elsewhere is literal text; a carriage return not
followed by a line feed is text (files that use a bare carriage return as their only line
break, from old Mac software, are read with it as the line break).

Row numbers count records, as a spreadsheet shows them: the header is row 1 (or the row of the
first non-blank record), a quoted line break does not start a row, and a blank line is a row
that is not yielded. The delimiter (comma, semicolon, tab or pipe) is the one that splits the
header into the most known column names and agrees best with the next lines.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

import polars as pl

from . import errors
from .columns import canonical_column, map_header
from .csv_blocks import BlockParser
from .csv_records import CR_STANDIN, is_blank, record_reader, split_lines
from .table import Table
from .text import TextSource

DELIMITERS = (",", ";", "\t", "|")

_SAMPLE_BYTES = 64 << 10
_MAX_HEADER_BYTES = 1 << 20
_PEEK_BLOCK_BYTES = 256 << 10
_MAX_BLOCK_BYTES = 32 << 20
_HEADER_PROBE_RECORDS = 20


@dataclass(frozen=True)
class _Header:
    cells: list[str]
    delimiter: str
    row: int  # row number of the header record
    data_offset: int  # bytes of the UTF-8 stream before the first data record
    bytes_per_row: float
    cr_only: bool


def _probe(lines: list[str], delimiter: str) -> tuple[tuple[int, float, int], _Header | None]:
    """Read the head with one delimiter; score how well it fits and describe the header."""
    reader = record_reader(lines, delimiter)
    row = 0
    header: list[str] | None = None
    header_lines = 0
    header_row = 0
    following: list[int] = []
    following_lines = 0
    try:
        for record in reader:
            row += 1
            if is_blank(record):
                continue
            if header is None:
                header = [cell.replace(CR_STANDIN, "\r") for cell in record]
                header_lines = reader.line_num
                header_row = row
                continue
            following.append(len(record))
            following_lines = reader.line_num
            if len(following) >= _HEADER_PROBE_RECORDS:
                break
    except csv.Error:
        return (-1, 0.0, 0), None
    if header is None:
        return (-1, 0.0, 0), None
    width = len(header)
    known = sum(1 for cell in header if canonical_column(cell))
    fit = sum(1 for n in following if n == width) / len(following) if following else 0.0
    head_bytes = sum(len(line.encode("utf-8")) for line in lines[:header_lines])
    if following:
        body = sum(len(line.encode("utf-8")) for line in lines[header_lines:following_lines])
        per_row = max(body / len(following), 1.0)
    else:
        per_row = 200.0
    described = _Header(header, delimiter, header_row, head_bytes, per_row, cr_only=False)
    return (known, fit, width), described


def _read_header(source: TextSource) -> _Header:
    """Find the header record and the delimiter, from the head of the UTF-8 stream."""
    limit = _SAMPLE_BYTES
    while True:
        sample = bytearray()
        pieces = source.pieces(read_bytes=limit)
        at_eof = True
        for piece in pieces:
            sample += piece
            if len(sample) >= limit:
                at_eof = False
                break
        pieces.close()
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(bytes(sample), final=at_eof)
        except UnicodeDecodeError as exc:
            raise source.mixed_encoding(row=1) from exc
        cr_only = "\r" in text and "\n" not in text
        if cr_only:
            text = text.replace("\r", "\n")
        lines = split_lines(text, complete=at_eof)
        scored = [_probe(lines, delimiter) for delimiter in DELIMITERS]
        best_score, best = max(scored, key=lambda item: item[0])
        complete = best is not None and (at_eof or best.data_offset < len(sample) // 2)
        if complete or limit >= _MAX_HEADER_BYTES:
            break
        limit *= 4
    if best is None:
        if not at_eof:
            raise errors.unreadable(
                "no header row in the first megabyte", "nessuna intestazione nel primo megabyte"
            )
        raise errors.empty(has_header=False)
    if best_score[2] <= 1:
        # A single column: no delimiter in the header, so report the usual one.
        best = replace(best, delimiter=",")
    return replace(best, cr_only=cr_only)


class CsvTable(Table):
    """A CSV upload opened for reading."""

    format = "csv"

    def __init__(
        self, handle: BinaryIO, head: bytes, size: int, filename: str | None = None
    ) -> None:
        self._handle = handle
        self._source = TextSource(handle, head, at_eof=len(head) >= size)
        header = _read_header(self._source)
        super().__init__(map_header(header.cells), filename)
        self.delimiter = header.delimiter
        self._info = header
        self._width = len(header.cells)
        # Read up to the first data row now, so that an empty file is refused at open.
        frames = self._file_frames(_PEEK_BLOCK_BYTES)
        try:
            if not any(frame.height for frame in frames):
                raise errors.empty(has_header=True)
        finally:
            frames.close()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The file's text encoding: utf-8, utf-8-sig, utf-16 or cp1252."""
        return self._source.encoding

    def close(self) -> None:
        """Release the file."""
        self._handle.close()

    def _frames(self, rows: int) -> Iterator[pl.DataFrame]:
        # Blocks of about ``rows`` records: one frame per chunk, rarely two.
        target = int(rows * self._info.bytes_per_row * 0.9)
        yield from self._file_frames(max(1, min(_MAX_BLOCK_BYTES, target)))

    def _file_frames(self, block_bytes: int) -> Iterator[pl.DataFrame]:
        parser = BlockParser(
            width=self._width,
            delimiter=self.delimiter or ",",
            first_row=self._info.row + 1,
            on_bad_utf8=self._source.mixed_encoding,
            block_bytes=block_bytes,
        )
        source = self._source
        if source.is_utf8 and not self._info.cr_only:
            raws = parser.parse_file(
                self._handle, source.bom_length + self._info.data_offset, source
            )
        else:
            raws = parser.parse_pieces(self._data_pieces(block_bytes))
        for raw, first_row, counts, strip, empties in raws:
            yield self._finish(raw, first_row, counts, strip=strip, nullify_all=empties)

    def _data_pieces(self, block_bytes: int) -> Iterator[bytes]:
        """The UTF-8 stream after the header record."""
        skip = self._info.data_offset
        cr_only = self._info.cr_only
        for piece in self._source.pieces(read_bytes=block_bytes):
            if cr_only:
                piece = piece.replace(b"\r", b"\n")
            if skip:
                if len(piece) <= skip:
                    skip -= len(piece)
                    continue
                piece = piece[skip:]
                skip = 0
            yield piece
