"""The CSV block reader: record-aligned blocks of the UTF-8 stream, read into raw frames.

A block goes one of three ways:

1. Well-formed (the common case): polars' native CSV parser reads it, all columns as text.
   Every record is proven to have the header's number of fields by counting delimiters:
   polars refuses a record with too many fields, so if the delimiters outside quotes add up
   to exactly ``records * (width - 1)`` no record can have too few.
2. Some record has another number of fields (or a blank line is present): polars still reads
   the values, and numpy counts each record's fields from where its line feeds and quotes
   are and how many delimiters precede them (``_ByteCounts``).
3. Quotes that do not sit at field boundaries (``ab"c``, ``"ab"c``, a space before an opening
   quote): the block is read with Python's ``csv`` module (see ``csv_records``).

Blocks are cut at a line feed outside quotes. A UTF-8 file is read through a memory map, so
each block is copied once from the page cache, and the pages read are handed back to the
kernel: resident memory stays at a few blocks whatever the file size.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import mmap
import os
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO, NamedTuple

import numpy as np
import polars as pl

from . import errors
from .csv_records import CR_STANDIN, record_reader, split_lines
from .table import physical_names
from .text import TextSource

_QUOTE = ord('"')
_LF = ord("\n")
_CR = ord("\r")

# No contact record comes near this: a record that long has a quoted field that never closes.
_MAX_RECORD_BYTES = 8 << 20
# Up to this many quotes in a block, quoted spans are examined one by one; beyond, by polars.
_SPAN_LOOP_LIMIT = 50_000
# The first block of a file is this many times smaller than the others.
_FIRST_BLOCK_DIVISOR = 4

_LONE_CR_BYTES = re.compile(b"\r(?!\n)")
_NBSP_BYTES = re.compile(b"\xc2\xa0")


# A raw frame, the row number of its first record, each record's field count (None when all
# match the header), the columns that need stripping (None for all of them), and whether any
# column may hold empty strings (from quoted empty fields).
Raw = tuple[pl.DataFrame, int, "np.ndarray | None", "list[str] | None", bool]
_Bytes = bytes | mmap.mmap


class _QuotedContent(NamedTuple):
    delimiters: int
    breaks: bool


class _ByteCounts:
    """How many times one byte occurs before any offset of a block, from a single pass.

    The comparison mask is packed to bits, 64 bytes of the block per word; the count before
    an offset is the sum of the popcounts of the words before it plus that of the low bits of
    its own word. This avoids listing every delimiter of a block (about 17 per record), which
    costs several times more than the comparison.
    """

    def __init__(self, arr: np.ndarray, byte: int) -> None:
        # A spare word, so that the word of the block's end offset always exists.
        words = _bit_words(arr == byte, spare=1)
        before = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(np.bitwise_count(words), out=before[1:])
        self._arr = arr
        self._byte = byte
        self._words = words
        self._before_word = before

    def before(self, offsets: np.ndarray) -> np.ndarray:
        """For each offset (0 to the block's size), the matches at smaller offsets."""
        offsets = np.asarray(offsets, dtype=np.int64)
        index = offsets >> 6
        below = (np.uint64(1) << (offsets & 63).astype(np.uint64)) - np.uint64(1)
        return self._before_word[index] + np.bitwise_count(self._words[index] & below)

    @property
    def words(self) -> np.ndarray:
        """The mask itself: bit ``i % 64`` of word ``i // 64`` is set where the byte is."""
        return self._words

    def positions(self) -> np.ndarray:
        """Every offset where the byte is (for the rare paths that need them all)."""
        return np.flatnonzero(self._arr == self._byte)


def _quoted_content_at(
    quotes: np.ndarray, feeds: np.ndarray, delims: _ByteCounts, tab_delimited: bool
) -> _QuotedContent:
    """What the quoted values of a block hold, from the positions of its quotes and line
    feeds and the delimiter counts (vectorised: no per-value loop holding the interpreter
    lock)."""
    # An unclosed last quote opens no span (its record is judged by the field counts).
    closes = quotes[1::2]
    opens = quotes[0::2][: len(closes)]
    delimiters = int((delims.before(closes) - delims.before(opens)).sum())
    breaks = bool((np.searchsorted(feeds, closes) > np.searchsorted(feeds, opens)).any())
    if tab_delimited and delimiters:
        # A tab inside quotes is whitespace to strip at a value's edge (see the block check).
        breaks = True
    return _QuotedContent(delimiters, breaks)


def _bit_words(mask: np.ndarray, spare: int = 0) -> np.ndarray:
    """A Boolean mask packed to bits, 64 per little-endian word (the last word zero-padded),
    followed by ``spare`` zero words."""
    bits = np.packbits(mask, bitorder="little")
    words = np.zeros((len(bits) + 7) // 8 + spare, dtype="<u8")
    words.view(np.uint8)[: len(bits)] = bits
    return words


def _set_bits(words: np.ndarray) -> np.ndarray:
    """The positions of the set bits of a sparse bit mask (``_bit_words``), in no order."""
    at = np.flatnonzero(words)
    left = words[at]
    found = []
    while len(at):
        lowest = left & (~left + np.uint64(1))
        # A power of two converts to float exactly, so its log2 is its bit's index.
        found.append(at * 64 + np.log2(lowest).astype(np.int64))
        left = left & (left - np.uint64(1))
        more = left != 0
        at, left = at[more], left[more]
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def _release(mapped: mmap.mmap, start: int, end: int) -> None:
    """Drop the pages of ``mapped[start:end]`` from this process (they stay in the page cache)."""
    if not hasattr(mmap, "MADV_DONTNEED"):
        return
    first = start - start % mmap.PAGESIZE
    length = end - first
    length -= length % mmap.PAGESIZE
    if length > 0:
        mapped.madvise(mmap.MADV_DONTNEED, first, length)


def _close_map(mapped: mmap.mmap) -> None:
    # A view may still be alive (an exception's traceback holds one): the map then goes with it.
    with contextlib.suppress(BufferError):
        mapped.close()


class BlockParser:
    """Cut the UTF-8 stream into record-aligned blocks and read each one into a raw frame."""

    def __init__(
        self,
        width: int,
        delimiter: str,
        first_row: int,
        on_bad_utf8: Callable[[int], errors.FileRejected],
        block_bytes: int,
    ) -> None:
        self.width = width
        self.delimiter = delimiter
        self.delim_byte = ord(delimiter)
        self.names = physical_names(width)
        self.schema = dict.fromkeys(self.names, pl.Utf8)
        self.next_row = first_row
        self.on_bad_utf8 = on_bad_utf8
        self.block_bytes = block_bytes
        # Set after a block held a record of another width: the following blocks skip the
        # optimistic parse (which would fail again) until a block proves clean.
        self.exact = False

    def parse_file(self, handle: BinaryIO, offset: int, source: TextSource) -> Iterator[Raw]:
        """Read a UTF-8 file from ``offset`` through a memory map.

        Each block is copied once, straight from the page cache; pages already read are handed
        back to the kernel so the process's resident memory stays at a few blocks.
        """
        size = os.fstat(handle.fileno()).st_size
        if offset >= size:
            return
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            # The first blocks are smaller, so that whoever consumes the frames can start
            # sooner; the size doubles up to ``block_bytes``.
            step = max(1, self.block_bytes // _FIRST_BLOCK_DIVISOR)
            want = step
            while offset < size:
                end = min(offset + want, size)
                eof = end == size
                cut, quotes = self._plan(mapped, offset, end, eof)
                if cut == offset:
                    want = self._grow(end - offset)
                    continue
                window = mapped[offset:end] if cut is None else mapped[offset:cut]
                if source.settle(window, offset, final=eof or cut is not None) is not None:
                    # The file turned out to be Windows-1252 from this block on.
                    yield from self.parse_pieces(source.pieces(offset, self.block_bytes))
                    return
                if cut is None:
                    consumed, raws = self._block_with_csv(window, eof)
                    if not consumed:
                        want = self._grow(end - offset)
                        continue
                    cut = offset + consumed
                    yield from raws
                else:
                    yield self._fast(window, quotes)
                del window
                _release(mapped, offset, cut)
                offset = cut
                step = min(2 * step, self.block_bytes)
                want = step
        finally:
            _close_map(mapped)

    def parse_pieces(self, pieces: Iterator[bytes]) -> Iterator[Raw]:
        """Read a stream of UTF-8 pieces (a converted encoding)."""
        buf = b""
        pending: list[bytes] = []
        pending_size = 0
        want = self.block_bytes
        for piece in pieces:
            pending.append(piece)
            pending_size += len(piece)
            if len(buf) + pending_size < want:
                continue
            buf = b"".join([buf, *pending])
            pending.clear()
            pending_size = 0
            consumed, raws = self._block(buf, eof=False)
            yield from raws
            if consumed:
                buf = buf[consumed:]
                want = self.block_bytes
            else:
                want = self._grow(len(buf))
        buf = b"".join([buf, *pending])
        if buf:
            _, raws = self._block(buf, eof=True)
            yield from raws

    def _grow(self, have: int) -> int:
        """No record ends within the ``have`` bytes read: read further, up to a limit."""
        if have > _MAX_RECORD_BYTES:
            row = self.next_row
            raise errors.unreadable(
                f"row {row} is over {_MAX_RECORD_BYTES >> 20} MB long (a quoted field that "
                "never closes?)",
                f"la riga {row} supera {_MAX_RECORD_BYTES >> 20} MB (un campo tra virgolette "
                "che non si chiude?)",
                row=row,
            )
        return max(2 * have, have + self.block_bytes)

    def _plan(
        self, mem: _Bytes, start: int, end: int, eof: bool
    ) -> tuple[int | None, np.ndarray | None]:
        """Where the complete records of ``mem[start:end]`` end, and its quote positions.

        Returns (None, None) when quotes sit where only the csv module can read them, and
        (start, ...) when no record ends in the range yet.
        """
        if mem.find(b'"', start, end) < 0:
            cut = end if eof else mem.rfind(b"\n", start, end) + 1
            return max(cut, start), None
        arr = np.frombuffer(mem, dtype=np.uint8, count=end - start, offset=start)
        quotes = np.flatnonzero(arr == _QUOTE)
        del arr  # a live view would pin the memory map
        if not self._quotes_clean(mem, start, end, quotes, eof):
            return None, None
        if eof:
            if len(quotes) % 2:
                return None, None
            return end, quotes
        cut = self._last_record_end(mem, start, end, quotes)
        return cut, quotes[quotes < cut - start]

    def _block(self, buf: bytes, eof: bool) -> tuple[int, list[Raw]]:
        """Read the complete records at the head of ``buf``; return bytes consumed and frames."""
        cut, quotes = self._plan(buf, 0, len(buf), eof)
        if cut is None:
            return self._block_with_csv(buf, eof)
        if cut == 0:
            return 0, []
        block = buf if cut == len(buf) else buf[:cut]
        return cut, [self._fast(block, quotes)]

    @staticmethod
    def _last_record_end(mem: _Bytes, start: int, end: int, quotes: np.ndarray) -> int:
        """Offset just past the last line feed outside quotes (``start`` if there is none)."""
        pos = mem.rfind(b"\n", start, end)
        # Usually the last line feed is outside quotes; walk back a few lines before
        # classifying every line feed.
        for _ in range(64):
            if pos < 0 or not int(np.searchsorted(quotes, pos - start)) & 1:
                return max(pos + 1, start)
            pos = mem.rfind(b"\n", start, pos)
        arr = np.frombuffer(mem, dtype=np.uint8, count=end - start, offset=start)
        feeds = np.flatnonzero(arr == _LF)
        del arr
        outside = feeds[(np.searchsorted(quotes, feeds) & 1) == 0]
        return start + int(outside[-1]) + 1 if len(outside) else start

    def _quotes_clean(
        self, mem: _Bytes, start: int, end: int, quotes: np.ndarray, eof: bool
    ) -> bool:
        """True when every quote opens a field, closes one, or is a doubled quote inside one.

        Quotes alternate opening and closing; an opening quote must follow a delimiter, a line
        feed, the start of the block, or the closing quote just before it (a doubled quote);
        a closing quote must precede a delimiter, a line break, or an opening quote. A quote
        at the very end of an unfinished range is judged when more bytes arrive.
        """
        size = end - start
        arr = np.frombuffer(mem, dtype=np.uint8, count=size, offset=start)
        delim = self.delim_byte
        opening = quotes[0::2]
        closing = quotes[1::2]
        before = arr[np.maximum(opening - 1, 0)]
        ok_open = (opening == 0) | (before == delim) | (before == _LF)
        if len(opening) > 1:
            doubled = np.zeros(len(opening), dtype=bool)
            doubled[1:] = closing[: len(opening) - 1] == opening[1:] - 1
            ok_open |= doubled
        if not ok_open.all():
            return False
        if not len(closing):
            return True
        after_pos = closing + 1
        at_end = after_pos >= size
        after = arr[np.minimum(after_pos, size - 1)]
        after2 = arr[np.minimum(after_pos + 1, size - 1)]
        del arr
        cr_ok = (after == _CR) & ((after_pos + 1 >= size) | (after2 == _LF))
        ok_close = at_end | (after == delim) | (after == _LF) | cr_ok | (after == _QUOTE)
        # A quote followed by another quote must be the first of a doubled pair, i.e. the
        # next quote opens right after it.
        next_open = np.full(len(closing), -1, dtype=np.int64)
        count = min(len(closing), len(opening) - 1)
        next_open[:count] = opening[1 : count + 1]
        ok_close &= (after != _QUOTE) | at_end | (next_open == after_pos)
        return bool(ok_close.all())

    def _fast(self, block: bytes, quotes: np.ndarray | None) -> Raw:
        """Read a record-aligned block with polars; count fields only when they may differ."""
        if not block.endswith(b"\n"):
            # The file's last record, without a line break: polars would accept it with one
            # empty field too many, so it gets a line break like every other record.
            block += b"\n"
        arr = np.frombuffer(block, dtype=np.uint8)
        raw: pl.DataFrame | None = None
        counts: np.ndarray | None = None
        quoted = quotes is not None and len(quotes) > 0
        inside = _QuotedContent(0, False)
        separators: tuple[np.ndarray, _ByteCounts] | None = None
        if not self.exact:
            try:
                raw = self._read(block, ragged=False)
            except pl.exceptions.PolarsError:
                self._check_utf8(block)
                self.exact = True
            else:
                outside = int(np.count_nonzero(arr == self.delim_byte))
                if quoted:
                    inside = self._quoted_content(block, quotes, raw)
                    outside -= inside.delimiters
                if outside != raw.height * (self.width - 1):
                    separators = self._separators(arr)
                    counts = self._field_counts(arr, quotes, *separators)
        if raw is None:
            try:
                raw = self._read(block, ragged=True)
            except pl.exceptions.PolarsError:
                self._check_utf8(block)
                return self._csv_frame(block)
            separators = feeds, delims = self._separators(arr)
            counts = self._field_counts(arr, quotes, feeds, delims)
            if quoted:
                assert quotes is not None
                inside = _quoted_content_at(quotes, feeds, delims, self.delimiter == "\t")
        if counts is not None:
            if len(counts) != raw.height:
                # polars and the quote-aware count disagree on where records end: let the
                # csv module decide.
                return self._csv_frame(block)
            if (counts == self.width).all():
                counts = None
                self.exact = False
            else:
                self.exact = True
        first_row = self.next_row
        self.next_row = first_row + raw.height
        # polars reads an empty quoted field as an empty string rather than null. Quotes that
        # open and close side by side are such a field (or an escaped quote, which is harmless).
        empties = quoted and bool((np.diff(quotes)[0::2] == 1).any())
        strip = self._columns_to_strip(block, arr, quotes, raw, inside, separators)
        return raw, first_row, counts, strip, empties

    def _columns_to_strip(
        self,
        block: bytes,
        arr: np.ndarray,
        quotes: np.ndarray | None,
        raw: pl.DataFrame,
        inside: _QuotedContent,
        separators: tuple[np.ndarray, _ByteCounts] | None,
    ) -> list[str] | None:
        """The columns whose values may start or end with whitespace (None: all of them).

        Stripping every value is a large share of the reading time, so a block is checked
        first: whitespace other than the plain space can only be at a value's edge if it occurs
        in the block at all (tab, vertical tab, form feed, no-break space, a carriage return
        not ending a line) or inside a quoted value (line breaks); failing those, only columns
        with a value starting or ending with a space need stripping, and there can be none
        when no space in the block sits at a field's edge.
        """
        cr = b"\r" in block
        if (
            inside.breaks
            or (self.delimiter != "\t" and b"\t" in block)
            or b"\x0b" in block
            or b"\x0c" in block
            or (b"\xc2" in block and _NBSP_BYTES.search(block) is not None)
            or (cr and _LONE_CR_BYTES.search(block) is not None)
        ):
            return None
        if not self._space_at_an_edge(arr, quotes, separators, cr):
            return []
        edges = raw.select(
            (pl.col(n).str.starts_with(" ") | pl.col(n).str.ends_with(" ")).any()
            for n in self.names
        ).row(0)
        return [name for name, edge in zip(self.names, edges, strict=True) if edge]

    def _space_at_an_edge(
        self,
        arr: np.ndarray,
        quotes: np.ndarray | None,
        separators: tuple[np.ndarray, _ByteCounts] | None,
        cr: bool,
    ) -> bool:
        """Whether some space in a record-aligned block may start or end a value.

        A value starts with a space when one follows a field's start (the block's start, a
        delimiter or line feed outside quotes, or an opening quote) and ends with one when one
        precedes a field's end (a delimiter, line feed or carriage return outside quotes, or a
        closing quote). False means no value of the block has a space at either edge.
        """
        spaces = self._spaces_by_a_boundary(arr, quotes, separators, cr)
        if not len(spaces):
            return False
        size = len(arr)
        before = arr[np.maximum(spaces - 1, 0)]
        after = arr[np.minimum(spaces + 1, size - 1)]
        delim = self.delim_byte
        outside_edge = (
            (spaces == 0)
            | (spaces == size - 1)
            | (before == delim)
            | (before == _LF)
            | (after == delim)
            | (after == _LF)
            | (after == _CR)
        )
        quote_edge = (before == _QUOTE) | (after == _QUOTE)
        if quotes is None or not len(quotes):
            return bool(outside_edge.any())
        candidates = outside_edge | quote_edge
        if not candidates.any():
            return False
        positions = spaces[candidates]
        within = (np.searchsorted(quotes, positions) & 1) == 1
        # Outside quotes, a delimiter or line break beside the space bounds a field; inside,
        # only the quote beside it does (a delimiter there is text).
        return bool(
            (outside_edge[candidates] & ~within).any() | (quote_edge[candidates] & within).any()
        )

    def _spaces_by_a_boundary(
        self,
        arr: np.ndarray,
        quotes: np.ndarray | None,
        separators: tuple[np.ndarray, _ByteCounts] | None,
        cr: bool,
    ) -> np.ndarray:
        """Where the spaces are that touch a delimiter, line break or quote, or the block's ends
        (in no order, some perhaps twice).

        Only those can be at a value's edge. Spaces beside a delimiter (or line feed) are found
        on bit-packed masks, 64 bytes of the block per word, where a neighbour is one bit away;
        beside the rarer line feeds, quotes and carriage returns, by looking at the bytes next
        to each. Listing every space of a block costs several times more.
        """
        size = len(arr)
        space = ord(" ")
        spaces = _bit_words(arr == space)
        if separators is None:
            marks = _bit_words((arr == self.delim_byte) | (arr == _LF))
            points = []
        else:
            feeds, delims = separators
            marks = delims.words[: len(spaces)]
            points = [feeds]
        if quotes is not None and len(quotes):
            points.append(quotes)
        if cr:
            points.append(np.flatnonzero(arr == _CR))
        one, last = np.uint64(1), np.uint64(63)
        # Bit i of ``after`` / ``before``: byte i + 1 / byte i - 1 is a delimiter.
        after = (marks >> one) | np.append(marks[1:] << last, np.uint64(0))
        before = (marks << one) | np.insert(marks[:-1] >> last, 0, np.uint64(0))
        touching = spaces & (after | before)
        found = [_set_bits(touching), np.array([0, size - 1])]
        for point in points:
            for side in (point - 1, point + 1):
                side = side[(side >= 0) & (side < size)]
                found.append(side[arr[side] == space])
        candidates = np.concatenate(found)
        return candidates[arr[candidates] == space]

    def _read(self, block: bytes, ragged: bool) -> pl.DataFrame:
        # polars' parser leaves each column in dozens of pieces; one piece per column makes
        # every later step cheaper (the artefact writers read the Arrow buffers piece by piece).
        return pl.read_csv(
            block,
            has_header=False,
            schema=self.schema,
            separator=self.delimiter,
            quote_char='"',
            truncate_ragged_lines=ragged,
            raise_if_empty=False,
        ).rechunk()

    def _quoted_content(
        self, block: bytes, quotes: np.ndarray, raw: pl.DataFrame
    ) -> _QuotedContent:
        """Delimiters inside quoted values (the only values that can hold one), and whether
        any quoted value holds a line break or tab."""
        if len(quotes) <= _SPAN_LOOP_LIMIT:
            count = block.count
            find = block.find
            delim = self.delimiter.encode()
            spans = list(zip(quotes[0::2].tolist(), quotes[1::2].tolist(), strict=False))
            delimiters = sum(count(delim, start, end) for start, end in spans)
            # A carriage return inside quotes is either part of a line break (caught here) or
            # a lone one (caught on the whole block); a tab is caught on the whole block, or
            # counted as a delimiter when it is one.
            breaks = any(find(b"\n", start, end) >= 0 for start, end in spans)
            if self.delimiter == "\t" and delimiters:
                breaks = True
            return _QuotedContent(delimiters, breaks)
        counted = raw.select(
            pl.sum_horizontal(pl.all().str.count_matches(self.delimiter, literal=True).sum())
        ).item()
        return _QuotedContent(int(counted or 0), True)

    def _separators(self, arr: np.ndarray) -> tuple[np.ndarray, _ByteCounts]:
        """Where the line feeds of a block are, and its delimiter counts, quoted or not."""
        return np.flatnonzero(arr == _LF), _ByteCounts(arr, self.delim_byte)

    def _field_counts(
        self, arr: np.ndarray, quotes: np.ndarray | None, feeds: np.ndarray, delims: _ByteCounts
    ) -> np.ndarray:
        """Each record's number of fields, from where delimiters and line feeds fall."""
        quoted = quotes is not None and len(quotes) > 0
        if quoted:
            feeds = feeds[(np.searchsorted(quotes, feeds) & 1) == 0]
        ends = feeds
        if len(arr) and arr[-1] != _LF:
            ends = np.append(feeds, len(arr))
        counts = np.diff(delims.before(ends), prepend=0) + 1
        if quoted:
            assert quotes is not None
            if len(quotes) % 2:
                # An unclosed quote: everything after it is inside, as the parity says.
                every = delims.positions()
                outside = every[(np.searchsorted(quotes, every) & 1) == 0]
                return np.diff(np.searchsorted(outside, ends), prepend=0) + 1
            # Delimiters inside a quoted value separate nothing: count them per quoted span
            # and take them off the record the span belongs to.
            opens, closes = quotes[0::2], quotes[1::2]
            inside = delims.before(closes) - delims.before(opens)
            if inside.any():
                records = np.searchsorted(ends, opens)
                counts -= np.bincount(records, weights=inside, minlength=len(counts)).astype(
                    counts.dtype
                )
        return counts

    def _check_utf8(self, block: bytes) -> None:
        try:
            block.decode("utf-8")
        except UnicodeDecodeError as exc:
            row = self.next_row + block.count(b"\n", 0, exc.start)
            raise self.on_bad_utf8(row) from exc

    def _block_with_csv(self, buf: bytes, eof: bool) -> tuple[int, list[Raw]]:
        """Read the head of ``buf`` with the csv module; the last record waits for more bytes."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            text = decoder.decode(buf, final=eof)
        except UnicodeDecodeError as exc:
            row = self.next_row + buf.count(b"\n", 0, exc.start)
            raise self.on_bad_utf8(row) from exc
        lines = split_lines(text, complete=eof)
        records, starts = self._csv_records(lines)
        if not eof:
            if len(records) < 2:
                return 0, []
            keep = len(records) - 1
            records = records[:keep]
            consumed = len("".join(lines[: starts[keep]]).encode("utf-8"))
        else:
            consumed = len(buf)
        if not records:
            return consumed, []
        return consumed, [self._records_frame(records)]

    def _csv_frame(self, block: bytes) -> Raw:
        """Read a whole, record-aligned block with the csv module."""
        self._check_utf8(block)
        lines = split_lines(block.decode("utf-8"), complete=True)
        records, _ = self._csv_records(lines)
        return self._records_frame(records)

    def _csv_records(self, lines: list[str]) -> tuple[list[list[str]], list[int]]:
        reader = record_reader(lines, self.delimiter)
        records: list[list[str]] = []
        starts: list[int] = []
        start = 0
        try:
            for record in reader:
                records.append(record)
                starts.append(start)
                start = reader.line_num
        except csv.Error as exc:
            row = self.next_row + len(records)
            raise errors.unreadable(
                f"row {row} cannot be read as CSV ({exc})",
                f"la riga {row} non può essere letta come CSV ({exc})",
                row=row,
            ) from exc
        return records, starts

    def _records_frame(self, records: list[list[str]]) -> Raw:
        width = self.width
        counts = np.fromiter((len(r) for r in records), dtype=np.int64, count=len(records))
        padded = [
            r if len(r) == width else (r + [""] * (width - len(r)) if len(r) < width else r[:width])
            for r in records
        ]
        names = physical_names(width)
        columns = list(zip(*padded, strict=True)) if padded else [() for _ in names]
        raw = pl.DataFrame(
            {
                name: pl.Series(name, values, dtype=pl.Utf8)
                for name, values in zip(names, columns, strict=True)
            }
        )
        if any(CR_STANDIN in cell for record in records for cell in record):
            raw = raw.with_columns(pl.all().str.replace_all(CR_STANDIN, "\r", literal=True))
        first_row = self.next_row
        self.next_row += len(records)
        return raw, first_row, counts, None, True
