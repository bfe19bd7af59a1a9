"""A streaming, vectorised reader for the first visible worksheet of an XLSX (or XLSM) workbook.

Why: calamine parses a whole worksheet before giving back its first row, on one core and holding
the interpreter lock, and keeps every cell in memory. This reader inflates the worksheet part
about a megabyte at a time, cuts the XML at row boundaries and turns each block into column
fragments with numpy byte scans and polars string kernels (both release the lock, so two blocks
are read at once and reading overlaps with judging); memory stays flat whatever the sheet size.

How a block is read: the positions of its '<' bytes are the tags; each cell start tag
(``<c r="..."``) is parsed with fixed-width reads of eight bytes at computed offsets (letters
and row digits by table lookups and integer arithmetic), the tags that follow it must match one
of the cell shapes byte for byte, and every other tag must be a row tag. The values (each ends
at the next '<') are copied into one buffer and split by polars' CSV reader; numbers and dates
are converted in bulk, the rare value holding an entity or escape in Python.

Exactness: every value is the text the calamine path (``sheet_reader``) gives for the same cell.
The reader handles the cell shapes that spreadsheet writers produce (``<c r=.. s=.. t=..>`` with
``<v>``, ``<is><t>`` or ``<f>``; shared, inline and formula strings, numbers, booleans, dates by
number format, the 1904 date system); it proves each block is made of those shapes and nothing
else. Whatever it cannot prove it reads exactly like calamine goes to calamine: workbook-level
surprises before reading (the table then comes from calamine entirely), an odd cell mid-file
from that cell's row on (rows already yielded are not repeated).

What calamine does, as this reader mirrors it (python-calamine 0.9 on calamine 0.37):

- text in ``<t>`` and ``<v>``: line ends normalised to ``\\n``, the five XML entities and
  character references decoded; a ``<t>`` without ``xml:space="preserve"`` is trimmed of XML
  white space; then ``_xHHHH_`` escapes below U+0100 are decoded, per ``<t>``;
- a string is the concatenation of its ``<t>`` elements, phonetic runs (``<rPh>``) left out;
- numbers whose style has a date or time number format (built-in ids 14-22, 45, 47, or a custom
  code that calamine's rule calls a date) are dates: serial days from 1899-12-30 with the 1900
  leap-year quirk (serials below 60 are one day later), or from 1904-01-01, rounded to the
  millisecond; below 1 a time of day, whole a date, otherwise a date-time;
- a ``<v>`` after ``<f>`` is the value; a formula after its value empties the cell.

Values come out stripped of surrounding white space and with blank ones null, as the chunks
have them; calamine's own trimming of ``<t>`` text therefore only matters for the header, whose
cells are read exactly.
"""

from __future__ import annotations

import functools
import re
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import numpy as np
import polars as pl

from . import errors
from .columns import ROW_COLUMN, map_header
from .table import WHITESPACE, Table

__all__ = ["FallbackSheet", "open_xlsx"]


class FallbackSheet(Protocol):
    """The calamine reading of the same worksheet, resumable at a sheet row."""

    columns: list[str]

    def frames_from(self, rows: int, row: int) -> Iterator[pl.DataFrame]:
        """Finished frames for sheet rows ``row`` onwards, cut at ``iter_chunks`` boundaries."""
        ...

    def close(self) -> None:
        """Release the workbook."""
        ...


class _Unsupported(Exception):
    """Something the fast reader cannot prove it reads exactly like calamine."""


# Inflated bytes per worksheet block. Blocks end at a row boundary, so a block holds this much
# plus the rest of one row.
_BLOCK_BYTES = 1 << 20
_FIRST_BLOCK_BYTES = 256 << 10
# Inflated bytes per piece taken from zlib.
_PIECE_BYTES = 1 << 20
# Threads reading blocks at once (the machine this runs on has two cores, and a chunk is
# judged while the next one is read).
_READ_THREADS = 2
# A single row larger than this (or XML without row ends) is left to calamine.
_MAX_PENDING_BYTES = 64 << 20
# Where ``<sheetData>`` must show up, and how far a sheet may run on without a closing tag.
_MAX_PREAMBLE_BYTES = 8 << 20
# Blank sheet rows between two rows with cells beyond this many start a new frame rather than
# a dense grid of empty rows.
_MAX_DENSE_GAP = 1024
# Zero bytes after each block, so fixed-width reads past the end never leave the buffer.
_PAD = bytes(64)

_SERIAL_LIMIT = 2958465.0  # 9999-12-31: beyond it calamine gives the number, not a date
_MS_PER_DAY = 86_400_000
_EPOCH_TO_UNIX_MS = 25569 * _MS_PER_DAY  # 1899-12-30 to 1970-01-01

# Number-format kinds of a cell style.
_NUMBER, _DATE, _DURATION = 0, 1, 2
_BUILTIN_DATE_IDS = frozenset({"14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "47"})
_BUILTIN_DURATION_IDS = frozenset({"46"})

# Cell value kinds.
_EMPTY, _TEXT_T, _TEXT_V, _NUMBER_V, _SHARED, _BOOL = 0, 1, 2, 3, 4, 5
# The ``t`` attribute of a cell.
_T_NONE, _T_N, _T_S, _T_B, _T_STR, _T_INLINE, _T_OTHER = 0, 1, 2, 3, 4, 5, 6

_NUMBER_TEXT = r"^-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"
_XML_WHITESPACE = " \t\n\r"


@functools.cache
def _word(pattern: bytes) -> tuple[int, int]:
    """The little-endian 64-bit value and mask that match ``pattern`` at a byte position."""
    if len(pattern) > 8:
        raise ValueError("patterns are at most 8 bytes")
    value = int.from_bytes(pattern.ljust(8, b"\0"), "little")
    mask = (1 << (8 * len(pattern))) - 1
    return value, mask


def _u64_windows(buf: bytes) -> np.ndarray:
    """Every 8-byte window of ``buf`` as one little-endian integer, indexed by start byte.

    A strided view (no copy): gathering at n positions reads 8 bytes for each in one go.
    """
    return np.ndarray(shape=(len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))


def _matches(words: np.ndarray, pattern: bytes) -> np.ndarray:
    value, mask = _word(pattern)
    return (words & np.uint64(mask)) == np.uint64(value)


_DIGIT_BIAS = np.uint64(0x3030303030303030)
_SIX = np.uint64(0x0606060606060606)
_HIGH_NIBBLES = np.uint64(0xF0F0F0F0F0F0F0F0)


def _parse_digits(words: np.ndarray, terminator: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decimal numbers at the start of each 8-byte window: (value, digit count, well formed).

    Well formed means 1 to 7 ASCII digits followed by the ``terminator`` byte. The digits are
    combined eight at a time with integer arithmetic across the bytes of one 64-bit word.
    """
    shifted = words ^ _DIGIT_BIAS
    # A byte is a digit when its value minus '0' is below 10: high nibble zero before and after
    # adding 6. Carries only leave non-digit bytes, so the lowest flagged byte is exact.
    flags = ((shifted + _SIX) | shifted) & _HIGH_NIBBLES
    lowest = flags & (~flags + np.uint64(1))
    # ``lowest`` is a power of two whose bit sits in byte ``count``.
    count = np.zeros(len(words), dtype=np.int64)
    nonzero = lowest != 0
    count[nonzero] = np.log2(lowest[nonzero].astype(np.float64)).astype(np.int64) // 8
    terminator_byte = (words >> (np.uint64(8) * count.astype(np.uint64))) & np.uint64(0xFF)
    good = nonzero & (count >= 1) & (count <= 7) & (terminator_byte == np.uint64(terminator))
    safe = np.where(good, count, 1).astype(np.uint64)
    digits = shifted & ((np.uint64(1) << (np.uint64(8) * safe)) - np.uint64(1))
    digits = digits << (np.uint64(8) * (np.uint64(8) - safe))
    digits = (digits * np.uint64(10) + (digits >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    digits = (digits * np.uint64(100) + (digits >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    digits = (digits * np.uint64(10000) + (digits >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return digits.astype(np.int64), count, good


# ---------------------------------------------------------------------------------------------
# Text values: the exact decoding, used where a value holds an entity, a carriage return or an
# escape (rare), and for header cells.

_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ESCAPE = re.compile(r"_x00([0-9A-Fa-f]{2})_")


def _entity(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise _Unsupported("a character reference XML does not allow")
    return chr(code)


def _decode_entities(text: str) -> str:
    if "&" not in text:
        return text
    decoded = _ENTITY.sub(_entity, text)
    # Any ampersand left was not a complete reference: calamine refuses the sheet.
    if text.count("&") != len(_ENTITY.findall(text)):
        raise _Unsupported("an unknown entity")
    return decoded


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x00" in text else text


def decode_text(raw: bytes, *, element: str, preserve: bool = False) -> str:
    """The string calamine reads from the raw content of a ``<t>`` or ``<v>`` element.

    ``element`` is ``"t"`` (trimmed of XML white space unless ``preserve``) or ``"v"``.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unsupported("bytes that are not UTF-8") from exc
    if "<" in text:
        raise _Unsupported("markup inside a value")
    text = _decode_entities(text.replace("\r\n", "\n").replace("\r", "\n"))
    if element == "t" and not preserve:
        text = text.strip(_XML_WHITESPACE)
    return _unescape(text)


# A tag inside a string item: closing slash, qualified name, attributes, self-closing slash.
_TAG = re.compile(
    rb"<(/?)([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)((?:\s+[^\s=>/]+\s*=\s*\"[^\"]*\")*)\s*(/?)>"
)
_ATTRIBUTE = re.compile(rb"([^\s=]+)\s*=\s*\"([^\"]*)\"")


def _string_item(raw: bytes) -> str:
    """The text of a rich ``<si>`` or ``<is>`` body: its ``<t>`` runs outside ``<rPh>``."""
    parts: list[str] = []
    phonetic = 0
    pos = 0
    text_start: tuple[int, bool] | None = None
    while True:
        start = raw.find(b"<", pos)
        if start < 0:
            break
        match = _TAG.match(raw, start)
        if match is None:
            raise _Unsupported("markup the reader does not model inside a string")
        closing, name, attributes, empty = match.groups()
        if b":" in name:
            raise _Unsupported("a namespace prefix inside a string")
        if text_start is not None:
            if not closing or name != b"t":
                raise _Unsupported("an element inside <t>")
            begin, preserve = text_start
            parts.append(decode_text(raw[begin:start], element="t", preserve=preserve))
            text_start = None
        elif name == b"rPh" and not empty:
            phonetic += -1 if closing else 1
        elif name == b"t" and not closing and not phonetic:
            values = dict(_ATTRIBUTE.findall(attributes))
            if set(values) - {b"xml:space"}:
                raise _Unsupported("an attribute of <t> the reader does not model")
            if not empty:
                text_start = (match.end(), values.get(b"xml:space") == b"preserve")
        pos = match.end()
    if text_start is not None or phonetic:
        raise _Unsupported("an unclosed element inside a string")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Number formats: which styles make a number a date.


def format_kind(code: str) -> int:
    """Whether a custom number format shows a date, a duration or a plain number.

    The same left-to-right reading as calamine: quoted text, the character after ``\\``, ``_``
    or ``*``, and anything in brackets are literal; only the first section (before ``;``)
    counts; a bracketed hour, minute or second (``[h]``) is a duration; ``d m y h s`` outside
    brackets make a date, and after an ``a`` (as in ``am/pm``) ``m p /`` do.
    """
    escaped = quoted = ampm = elapsed = False
    depth = 0
    previous = " "
    for char in code:
        if escaped:
            escaped = False
        elif char in "_\\*":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ";":
            return _NUMBER
        elif char == "[":
            depth += 1
        elif char == "]" and depth == 1 and elapsed:
            return _DURATION
        elif char == "]":
            depth = max(depth - 1, 0)
        elif char in "aA" and not ampm and depth == 0:
            ampm = True
        elif depth == 0 and (char in "pmPM/" if ampm else char in "dmhysDMHYS"):
            return _DATE
        elif not (elapsed and _ascii_folded(char) == _ascii_folded(previous)):
            elapsed = previous == "[" and char in "mhsMHS"
        previous = char
    return _NUMBER


def _ascii_folded(char: str) -> str:
    # calamine compares letters ignoring ASCII case only.
    return char.lower() if char.isascii() else char


# ---------------------------------------------------------------------------------------------
# The package: which part is the worksheet, the styles, the shared strings.

_ELEMENT = re.compile(
    r"""<(/?)([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
)
_ATTRIBUTE_TEXT = re.compile(r"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([^\"']*)[\"']")


def _attributes(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, double, single in _ATTRIBUTE_TEXT.findall(text):
        values[name] = _decode_entities(double if double or not single else single)
    return values


def _elements(
    xml: str, watched: frozenset[str]
) -> Iterator[tuple[bool, str, dict[str, str], bool]]:
    """(closing, name, attributes, self-closing) of each element tag of a small part.

    Every '<' must open a well-formed tag, a comment or a processing instruction. Elements
    with a namespace prefix are skipped, unless their local name is in ``watched`` (calamine
    matches those by local name, and this reader does not model prefixes).
    """
    pos = 0
    while (start := xml.find("<", pos)) >= 0:
        if xml.startswith("<?", start) or xml.startswith("<!--", start):
            end = xml.find("?>" if xml[start + 1] == "?" else "-->", start)
            if end < 0:
                raise _Unsupported("an unclosed comment or instruction")
            pos = end + 2
            continue
        match = _ELEMENT.match(xml, start)
        if match is None:
            raise _Unsupported("markup the reader does not parse")
        closing, name, attributes, empty = match.groups()
        pos = match.end()
        if ":" in name:
            if name.split(":", 1)[1] in watched:
                raise _Unsupported("a namespace prefix on an element calamine reads")
            continue
        yield bool(closing), name, _attributes(attributes), bool(empty)


def _small_part_text(archive: zipfile.ZipFile, name: str) -> str:
    data = archive.read(name)
    _check_declaration(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unsupported("a part that is not UTF-8") from exc


def _check_declaration(data: bytes) -> None:
    declaration = _DECLARATION.match(data[:512])
    if declaration:
        encoding = _ENCODING.search(declaration.group(0))
        if encoding and encoding.group(1).lower() not in (b"utf-8", b"utf8"):
            raise _Unsupported("an XML part not in UTF-8")
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _Unsupported("an XML part in UTF-16")


def _find_entry(archive: zipfile.ZipFile, path: str) -> str | None:
    """The archive entry for a part path, matched without regard to case, as calamine does."""
    lowered = path.lower()
    for name in archive.namelist():
        if name.lower() == lowered:
            return name
    return None


@dataclass
class _Book:
    """What the worksheet reader needs from the rest of the package."""

    sheet_entry: str
    date1904: bool
    styles: np.ndarray  # number-format kind of each cell style
    strings: pl.Series  # shared strings, in order, as calamine reads them
    string_padded: np.ndarray  # the string has white space around it
    string_blank: np.ndarray  # the string is empty or only white space


def _read_book(path: str, archive: zipfile.ZipFile) -> _Book:
    relationships: dict[str, str] = {}
    for closing, name, attrs, _ in _elements(
        _small_part_text(archive, _required(archive, "xl/_rels/workbook.xml.rels")),
        frozenset({"Relationship", "Relationships"}),
    ):
        if name == "Relationship" and not closing:
            # calamine takes the target as written, entities and all.
            if "&" in attrs.get("Target", ""):
                raise _Unsupported("an escaped relationship target")
            relationships[attrs.get("Id", "")] = attrs.get("Target", "")
    sheets: list[tuple[str, bool]] = []
    date1904 = False
    # calamine reads sheets by local name, but only the unprefixed workbookPr.
    for closing, name, attrs, _ in _elements(
        _small_part_text(archive, _required(archive, "xl/workbook.xml")),
        frozenset({"sheet", "workbook"}),
    ):
        if closing:
            continue
        if name == "workbookPr":
            date1904 = attrs.get("date1904") in ("1", "true")
        elif name == "sheet":
            state = attrs.get("state", "visible")
            if state not in ("visible", "hidden", "veryHidden"):
                raise _Unsupported("an unknown sheet state")
            rel = attrs.get("r:id")
            if rel is None or rel not in relationships:
                raise _Unsupported("a sheet without its relationship")
            # Targets are relative to xl/, or start with xl/ or /xl/ (as calamine reads them).
            target = relationships[rel]
            if target.startswith("/xl/"):
                target = target[1:]
            elif not target.startswith("xl/"):
                target = "xl/" + target
            sheets.append((target, state == "visible"))
    if not sheets:
        raise _Unsupported("a workbook without sheets")
    kinds = [_folder(target) for target, _ in sheets]
    if any(kind not in ("worksheets", "chartsheets", "dialogsheets") for kind in kinds):
        raise _Unsupported("a sheet of an unknown type")
    # The first visible worksheet, else the first sheet (as the calamine path picks).
    chosen = next(
        (
            target
            for (target, visible), kind in zip(sheets, kinds, strict=True)
            if visible and kind == "worksheets"
        ),
        sheets[0][0],
    )
    if _folder(chosen) != "worksheets":
        raise _Unsupported("no worksheet to read")
    entry = _find_entry(archive, chosen)
    if entry is None:
        raise _Unsupported("the worksheet part is missing")
    styles_entry = _find_entry(archive, "xl/styles.xml")
    styles = _read_styles(archive, styles_entry) if styles_entry else np.zeros(0, np.int8)
    strings_entry = _find_entry(archive, "xl/sharedStrings.xml")
    if strings_entry:
        strings = _read_shared_strings(path, archive, strings_entry)
    else:
        strings = pl.Series("s", [], dtype=pl.String)
    stripped = strings.str.strip_chars(WHITESPACE)
    padded = (stripped != strings).to_numpy()
    blank = (stripped.str.len_bytes() == 0).to_numpy()
    return _Book(entry, date1904, styles, strings, padded, blank)


def _required(archive: zipfile.ZipFile, path: str) -> str:
    entry = _find_entry(archive, path)
    if entry is None:
        raise _Unsupported(f"no {path}")
    return entry


def _folder(path: str) -> str:
    parts = path.split("/")
    return parts[1] if len(parts) > 1 else ""


def _read_styles(archive: zipfile.ZipFile, entry: str) -> np.ndarray:
    custom: dict[str, str] = {}
    kinds: list[int] = []
    section = ""
    for closing, name, attrs, empty in _elements(
        _small_part_text(archive, entry),
        frozenset({"numFmts", "numFmt", "cellXfs", "xf", "styleSheet"}),
    ):
        if name in ("numFmts", "cellXfs"):
            section = "" if closing or empty else name
        elif closing:
            continue
        elif name == "numFmt" and section == "numFmts":
            code = attrs.get("formatCode", "")
            if code:
                custom[attrs.get("numFmtId", "")] = code
        elif name == "xf" and section == "cellXfs":
            number_format = attrs.get("numFmtId")
            if number_format is None:
                kinds.append(_NUMBER)
            elif number_format in custom:
                kinds.append(format_kind(custom[number_format]))
            elif number_format in _BUILTIN_DATE_IDS:
                kinds.append(_DATE)
            elif number_format in _BUILTIN_DURATION_IDS:
                kinds.append(_DURATION)
            else:
                kinds.append(_NUMBER)
    return np.array(kinds, dtype=np.int8)


# ---------------------------------------------------------------------------------------------
# Inflating a part in blocks.


def _inflate(handle: BinaryIO, archive: zipfile.ZipFile, entry: str) -> Iterator[bytes]:
    """The inflated bytes of an archive entry, in pieces of at most a megabyte or so.

    Deflated entries are inflated with zlib directly (cheaper than ``ZipExtFile`` per byte, and
    zlib releases the interpreter lock); the CRC is checked at the end like zipfile does.
    """
    info = archive.getinfo(entry)
    if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) or info.flag_bits & 1:
        yield from _inflate_with_zipfile(archive, entry)
        return
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise _Unsupported("a damaged local file header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    remaining = info.compress_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type else None
    crc = 0
    produced = 0
    try:
        while remaining or (inflater is not None and inflater.unconsumed_tail):
            if inflater is not None and inflater.unconsumed_tail:
                piece = inflater.decompress(inflater.unconsumed_tail, _PIECE_BYTES)
            else:
                compressed = handle.read(min(remaining, _PIECE_BYTES // 4))
                if not compressed:
                    raise _Unsupported("a truncated archive entry")
                remaining -= len(compressed)
                piece = inflater.decompress(compressed, _PIECE_BYTES) if inflater else compressed
            if piece:
                crc = zlib.crc32(piece, crc)
                produced += len(piece)
                yield piece
        if inflater is not None:
            piece = inflater.flush()
            crc = zlib.crc32(piece, crc)
            produced += len(piece)
            if not inflater.eof:
                raise _Unsupported("a truncated deflate stream")
            if piece:
                yield piece
    except zlib.error as exc:
        raise _Unsupported("a damaged deflate stream") from exc
    if crc != info.CRC or produced != info.file_size:
        raise _Unsupported("an archive entry whose checksum does not match")


def _inflate_with_zipfile(archive: zipfile.ZipFile, entry: str) -> Iterator[bytes]:
    try:
        with archive.open(entry) as stream:
            while piece := stream.read(_PIECE_BYTES):
                yield piece
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
        raise _Unsupported("an archive entry zipfile cannot read") from exc


def _element_blocks(
    handle: BinaryIO,
    archive: zipfile.ZipFile,
    entry: str,
    root: bytes,
    item_end: bytes,
    first: int | None = None,
) -> Iterator[tuple[bytearray, int]]:
    """Blocks of the content of the ``root`` element (``sheetData`` or ``sst``), each ending
    right after an ``item_end`` (a row or a string item), so no item is split between blocks.

    Yields (buffer, length): the block is ``buffer[:length]``, followed by _PAD zero bytes.
    The first block is about ``first`` bytes, the others about _BLOCK_BYTES.
    """
    opening = b"<" + root
    closing = b"</" + root + b">"
    pieces = _inflate(handle, archive, entry)
    data = bytearray()
    for piece in pieces:
        data += piece
        at = data.find(opening)
        tag_end = data.find(b">", at) if at >= 0 else -1
        if tag_end >= 0:
            break
        if len(data) > _MAX_PREAMBLE_BYTES:
            raise _Unsupported(f"no <{root.decode()}> near the start")
    else:
        raise _Unsupported(f"no <{root.decode()}>")
    _check_declaration(bytes(data[:512]))
    tag = bytes(data[at + len(opening) : tag_end + 1])
    if root == b"sst" and tag.endswith(b"/>"):
        return
    if tag != b">" and (root == b"sheetData" or tag[:1] != b" "):
        raise _Unsupported(f"a <{root.decode()}> the reader does not model")
    if root == b"sheetData":
        _check_preamble(bytes(data[:at]))
    del data[: tag_end + 1]
    target = first or _BLOCK_BYTES
    finished = False
    while not finished:
        while len(data) < target:
            piece = next(pieces, None)
            if piece is None:
                finished = True
                break
            data += piece
        # The closing tag can only follow the last item end (one among the items is caught
        # as an odd tag).
        cut = data.rfind(item_end)
        end = data.find(closing, max(cut, 0))
        if end >= 0:
            # Read to the end of the entry, so that its checksum is checked.
            for _ in pieces:
                pass
            if end:
                del data[end:]
                data += _PAD
                yield data, end
            return
        if finished:
            break
        if cut < 0:
            if len(data) > _MAX_PENDING_BYTES:
                raise _Unsupported("an item too large to read in blocks")
            target = len(data) + _PIECE_BYTES
            continue
        cut += len(item_end)
        rest = data[cut:]
        del data[cut:]
        data += _PAD
        yield data, cut
        data = rest
        target = _BLOCK_BYTES
    raise _Unsupported(f"no </{root.decode()}>")


_DIMENSION = re.compile(rb"<dimension\s+ref\s*=\s*\"([^\"]*)\"")
_REFERENCE = re.compile(rb"^[A-Z]{1,3}[1-9][0-9]{0,6}(?::[A-Z]{1,3}[1-9][0-9]{0,6})?$")


def _check_preamble(preamble: bytes) -> None:
    """calamine parses the sheet's dimension before its rows, and refuses one it cannot read."""
    if b"<dimension" not in preamble:
        return
    found = _DIMENSION.search(preamble)
    if found is None or not _REFERENCE.match(found.group(1)):
        raise _Unsupported("a dimension the reader does not parse")


# ---------------------------------------------------------------------------------------------
# Shared strings.

_SI_T = b"<si><t>"
_SI_TP = b'<si><t xml:space="preserve">'
_T_SI_END = b"</t></si>"


def _read_shared_strings(path: str, archive: zipfile.ZipFile, entry: str) -> pl.Series:
    parts: list[pl.Series] = []
    with open(path, "rb") as handle:
        for buf, length in _element_blocks(handle, archive, entry, b"sst", b"</si>"):
            parts.append(_string_items(buf, length))
    if not parts:
        return pl.Series("s", [], dtype=pl.String)
    return pl.concat(parts, rechunk=True)


def _string_items(buf: bytearray, length: int) -> pl.Series:
    """The strings of the ``<si>`` items in a block, in order.

    A plain item (a single ``<t>``) is cut out by position; any other (rich text, phonetic
    runs) and any value holding an entity or escape is decoded in Python, one at a time.
    """
    a = np.frombuffer(buf, dtype=np.uint8)
    words = _u64_windows(buf)
    lt = np.flatnonzero(a[:length] == 0x3C)
    tags = words[lt]
    opening = _matches(tags, b"<si>")
    empty = _matches(tags, b"<si/>")
    if np.count_nonzero(_matches(tags, b"<si")) != np.count_nonzero(opening | empty):
        raise _Unsupported("a string item with attributes")
    starts = lt[opening | empty]
    is_empty = _matches(words[starts], b"<si/>")
    full = np.flatnonzero(~is_empty)
    ends = lt[_matches(tags, b"</si>")]
    if len(ends) != len(full):
        raise _Unsupported("unbalanced string items")
    item_end = np.zeros(len(starts), dtype=np.int64)
    item_end[full] = ends
    following = np.concatenate([starts[1:], [length]])
    if np.any(item_end[full] < starts[full]) or np.any(item_end[full] > following[full]):
        raise _Unsupported("unbalanced string items")
    plain = ~is_empty & _matches(words[starts], _SI_T)
    kept = ~is_empty & _matches(words[starts], _SI_TP[:8])
    at = np.flatnonzero(kept)
    if len(at):
        head = starts[at]
        kept[at] = (
            _matches(words[head + 8], _SI_TP[8:16])
            & _matches(words[head + 16], _SI_TP[16:24])
            & _matches(words[head + 22], _SI_TP[22:30])
        )
    value_start = np.where(plain, starts + len(_SI_T), starts + len(_SI_TP))
    value_end = lt[np.minimum(np.searchsorted(lt, value_start), len(lt) - 1)]
    simple = (plain | kept) & (value_end + len(_T_SI_END) == item_end + len(b"</si>"))
    simple &= _matches(words[value_end], _T_SI_END[:8])
    simple_at = np.flatnonzero(simple)
    found = _spans(a, value_start[simple_at], value_end[simple_at])
    texts = found.texts
    trimmed = np.flatnonzero(plain[simple_at] & found.padded)
    if len(trimmed):
        texts = texts.scatter(trimmed, texts.gather(trimmed).str.strip_chars(_XML_WHITESPACE))
    for index in np.flatnonzero(found.special):
        item = simple_at[index]
        raw = bytes(buf[value_start[item] : value_end[item]])
        texts[int(index)] = decode_text(raw, element="t", preserve=not plain[item])
    others = np.flatnonzero(~simple)
    other_texts = [
        "" if is_empty[item] else _string_item(bytes(buf[starts[item] + 4 : item_end[item]]))
        for item in others
    ]
    order = np.empty(len(starts), dtype=np.int64)
    order[simple_at] = np.arange(len(simple_at))
    order[others] = len(simple_at) + np.arange(len(others))
    combined = pl.concat([texts.fill_null(""), pl.Series("s", other_texts, dtype=pl.String)])
    return combined.gather(order)


# ---------------------------------------------------------------------------------------------
# Cutting spans out of a block and reading them as strings.


@dataclass
class _Spans:
    """Byte spans of a block read as strings, with what the fast path cannot take as is."""

    texts: pl.Series  # one per span; an empty span is null
    special: np.ndarray  # holds an entity, a carriage return or an escape
    padded: np.ndarray  # starts or ends with white space that every value is stripped of


# White space as ``WHITESPACE`` has it, by first or last byte (the no-break space, C2 A0 in
# UTF-8, is checked by its two bytes).
_SEPARATOR_CHOICES = (0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0E, 0x0F, 0x1F)
_SPACE_BYTES = np.zeros(256, dtype=bool)
_SPACE_BYTES[[0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C]] = True


def _spans(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> _Spans:
    """The bytes ``a[starts[i]:ends[i]]`` as strings; every span ends at a '<'.

    The spans and their '<' are copied into one buffer through a boolean mask, and polars' CSV
    reader splits it at the '<' bytes (no value can hold one: a count that does not match
    proves the spans wrong).
    """
    count = len(starts)
    if count == 0:
        empty = np.zeros(0, dtype=bool)
        return _Spans(pl.Series("v", [], dtype=pl.String), empty, empty)
    bounds = np.empty(2 * count + 2, dtype=np.int64)
    bounds[0] = 0
    bounds[1:-1:2] = starts
    bounds[2:-1:2] = ends + 1
    bounds[-1] = len(a)
    keep = np.zeros(2 * count + 1, dtype=bool)
    keep[1::2] = True
    packed = a[np.repeat(keep, np.diff(bounds))]
    data = packed.tobytes()
    # The reader needs a field separator that no value holds.
    separator = next((chr(byte) for byte in _SEPARATOR_CHOICES if bytes([byte]) not in data), None)
    if separator is None:
        raise _Unsupported("values holding every control character")
    try:
        frame = pl.read_csv(
            data,
            has_header=False,
            separator=separator,
            eol_char="<",
            quote_char=None,
            schema={"v": pl.String},
        )
    except pl.exceptions.ComputeError as exc:
        raise _Unsupported("values that are not UTF-8") from exc
    texts = frame.to_series()
    if len(texts) != count:
        raise _Unsupported("values the splitter did not separate one to one")
    lengths = ends - starts
    first = np.cumsum(lengths + 1) - lengths - 1  # where each value starts in ``packed``
    last = first + np.maximum(lengths - 1, 0)
    special = np.zeros(count, dtype=bool)
    # The CSV reader drops a byte order mark at the very start.
    special[0] = data.startswith(b"\xef\xbb\xbf")
    marks = [byte for byte in (b"&", b"\r") if byte in data]
    if b"_" in data and b"_x00" in data:
        marks.append(b"_")
    for byte in marks:
        found = np.flatnonzero(packed == byte[0])
        if byte == b"_":
            found = found[(packed[np.minimum(found + 1, len(packed) - 1)] == 0x78)]
        special[np.searchsorted(first, found, side="right") - 1] = True
    nonempty = lengths > 0
    head, tail = packed[first], packed[last]
    padded = nonempty & (_SPACE_BYTES[head] | _SPACE_BYTES[tail])
    nbsp = nonempty & ((head == 0xC2) | (tail == 0xA0))
    if nbsp.any():
        at = np.flatnonzero(nbsp)
        lead = (packed[first[at]] == 0xC2) & (packed[np.minimum(first[at] + 1, last[at])] == 0xA0)
        trail = (packed[np.maximum(last[at] - 1, first[at])] == 0xC2) & (packed[last[at]] == 0xA0)
        padded[at] |= (lead | trail) & (lengths[at] >= 2)
    return _Spans(texts, special, padded)


def _strip(texts: pl.Series, padded: np.ndarray) -> pl.Series:
    """``texts`` with the flagged entries stripped of surrounding white space."""
    at = np.flatnonzero(padded)
    if not len(at):
        return texts
    return texts.scatter(at, texts.gather(at).str.strip_chars(WHITESPACE))


# ---------------------------------------------------------------------------------------------
# Numbers and dates as text.


def _number_texts(values: np.ndarray) -> pl.Series:
    """Whole numbers as integer text, others as the shortest repr (as ``float.__repr__``)."""
    series = pl.Series("v", values, dtype=pl.Float64)
    magnitude = np.abs(values)
    whole = np.floor(values) == values
    integral = whole & (magnitude < 2.0**63)
    if integral.all():
        texts = series.cast(pl.Int64).cast(pl.String)
    else:
        texts = pl.select(
            pl.when(pl.lit(pl.Series(integral)))
            .then(series.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(series.cast(pl.String))
        ).to_series()
    # polars writes exponents its own way; those few go through Python.
    odd = np.flatnonzero(~integral & ~((magnitude >= 1e-4) & (magnitude < 1e16) & ~whole))
    if len(odd):
        texts = texts.scatter(
            odd,
            pl.Series([str(int(v)) if v == np.floor(v) else repr(float(v)) for v in values[odd]]),
        )
    return texts


def _date_texts(values: np.ndarray, date1904: bool) -> pl.Series:
    """Serial dates as calamine and the calamine path show them.

    calamine adds 1462 days in the 1904 system, adds a day below serial 60 (the 1900 leap-year
    quirk), and rounds to the millisecond from 1899-12-30; a value below 1 is a time of day
    (its seconds truncated), a whole value a date, anything else a date-time rounded to the
    second.
    """
    serial = values + 1462.0 if date1904 else values
    serial = np.where(serial < 60.0, serial + 1.0, serial)
    exact = serial * float(_MS_PER_DAY)
    floor = np.floor(exact)
    millis = floor.astype(np.int64) + ((exact - floor) >= 0.5)
    time_of_day = values < 1.0
    rounded = (millis // 1000 + (millis % 1000 >= 500)) * 1000
    stamp = np.where(
        time_of_day,
        (millis % _MS_PER_DAY) // 1000 * 1000,
        np.where(np.floor(values) == values, millis, rounded) - _EPOCH_TO_UNIX_MS,
    )
    moments = pl.Series("v", stamp, dtype=pl.Int64).cast(pl.Datetime("ms"))
    if not time_of_day.any():
        return moments.dt.strftime("%Y-%m-%dT%H:%M:%S")
    return pl.select(
        pl.when(pl.lit(pl.Series(time_of_day)))
        .then(moments.dt.strftime("%H:%M:%S"))
        .otherwise(moments.dt.strftime("%Y-%m-%dT%H:%M:%S"))
    ).to_series()


# ---------------------------------------------------------------------------------------------
# Cells of a worksheet block.

_C = b'<c r="'
_V = b"<v>"
_V_END = b"</v></c>"
_IS_T = b"<is><t>"
_IS_TP = b'<is><t xml:space="preserve">'
_T_END = b"</t></is></c>"
_C_END = b"</c>"
_F_END = b"</f>"


def _build_letters() -> np.ndarray:
    """Column (times 4) plus letter count, by the two bytes after ``r="``; -1: not a column.

    A count of 2 means a second capital follows the first; the third byte decides between two
    and three letters.
    """
    table = np.full(1 << 16, -1, dtype=np.int64)
    for first in range(65, 91):
        for second in range(256):
            key = first | (second << 8)
            if 65 <= second <= 90:
                table[key] = ((first - 64) * 26 + (second - 65)) * 4 + 2
            else:
                table[key] = (first - 65) * 4 + 1
    return table


def _build_types() -> np.ndarray:
    """The cell type and the length of its name (times 16), by the two bytes after ``t="``."""
    codes = np.full(1 << 16, _T_OTHER, dtype=np.int64)
    for name, kind, width in (
        (b's"', _T_S, 1),
        (b'n"', _T_N, 1),
        (b'b"', _T_B, 1),
        (b"st", _T_STR, 3),
        (b"in", _T_INLINE, 9),
    ):
        codes[name[0] | (name[1] << 8)] = kind | (width << 4)
    return codes


_LETTERS = _build_letters()
_TYPES = _build_types()
_INLINE_WORD = np.uint64(_word(b"inlineSt")[0])
_SHAPE_V, _SHAPE_IS, _SHAPE_END, _SHAPE_F, _SHAPE_NONE = 0, 1, 2, 3, 4


def _build_shapes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What follows a cell's start tag, by its second and third bytes, with the exact bytes
    (value and mask) that shape must start with."""
    shapes = np.full(1 << 16, _SHAPE_NONE, dtype=np.int8)
    values = np.zeros(5, dtype=np.uint64)
    masks = np.zeros(5, dtype=np.uint64)
    for shape, pattern in ((_SHAPE_V, _V), (_SHAPE_IS, b"<is><t"), (_SHAPE_END, _C_END)):
        shapes[pattern[1] | (pattern[2] << 8)] = shape
        values[shape], masks[shape] = _word(pattern)
    for separator in b" >/":
        shapes[ord("f") | (separator << 8)] = _SHAPE_F
    values[_SHAPE_F], masks[_SHAPE_F] = _word(b"<f")
    masks[_SHAPE_NONE] = 0xFF
    return shapes, values, masks


_SHAPES, _SHAPE_VALUES, _SHAPE_MASKS = _build_shapes()
_V_END_WORD = np.uint64(_word(_V_END)[0])
# The value kind of a <v> by the cell's type; error and ISO-date cells are left to calamine.
_V_KINDS = np.array([_NUMBER_V, _NUMBER_V, _SHARED, _BOOL, _TEXT_V, _EMPTY, _NUMBER_V], np.int8)


@dataclass
class _Cells:
    """The valid cells of a block, in file order, and whether an odd cell stopped the block.

    Values in ``texts`` are final: stripped of surrounding white space, and a cell whose value
    is empty or blank has no text (``where`` is -1).
    """

    rows: np.ndarray  # sheet row number (1-based)
    cols: np.ndarray  # column index (0-based)
    where: np.ndarray  # index of the cell's text in ``texts``, -1 for a blank cell
    texts: pl.Series  # ends with a null, at index len(texts) - 1
    odd: bool
    # What the exact header reading needs: each cell's value kind and raw span.
    kinds: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    preserve: np.ndarray
    block: bytearray

    def last_row(self, before: int) -> int:
        """The last row with a cell in this block, or ``before`` if it has none."""
        return int(self.rows[-1]) if len(self.rows) else before

    def exact_text(self, index: int, strings: pl.Series | None) -> str:
        """The cell's text as calamine gives it, surrounding white space included."""
        kind = self.kinds[index]
        raw = bytes(self.block[self.starts[index] : self.ends[index]])
        if kind == _TEXT_T:
            return decode_text(raw, element="t", preserve=bool(self.preserve[index]))
        if kind == _TEXT_V:
            return decode_text(raw, element="v")
        if kind == _SHARED and strings is not None:
            return strings[int(raw)] or ""
        where = self.where[index]
        return "" if where < 0 else self.texts[int(where)] or ""


class _BlockReader:
    """Turns worksheet blocks into cells. Blocks are independent, so several can be read at
    once; the order from one block to the next is checked by the caller."""

    def __init__(self, book: _Book) -> None:
        self.book = book

    def cells(self, buf: bytearray, length: int) -> _Cells:
        """The cells of the block ``buf[:length]``, up to its first odd cell."""
        a = np.frombuffer(buf, dtype=np.uint8)
        words = _u64_windows(buf)
        lt = np.flatnonzero(a[:length] == 0x3C)
        tags = len(lt)
        # Sentinels past the end: reads through them see zero bytes and match nothing.
        lt = np.concatenate([lt, np.full(8, length, dtype=np.int64)])
        cell_tags = np.flatnonzero(a[1:][lt[:tags]] == 0x63)  # '<c'
        p = lt[cell_tags]
        count = len(p)
        head = words[p]
        bad = ~_matches(head, _C)

        # The r attribute: one to three capital letters, then the row number.
        letters = _LETTERS[(head >> np.uint64(48)).astype(np.int64)]
        bad |= letters < 0
        col = letters >> 2
        n_letters = letters & 3
        at = np.flatnonzero(n_letters == 2)
        if len(at):
            third = a[p[at] + 8]
            capital = (third >= 65) & (third <= 90)
            col[at] = np.where(capital, (col[at] + 1) * 26 + third - 65, col[at])
            n_letters[at] += capital
        digits_at = p + 6 + n_letters
        row, n_digits, good = _digits_in_runs(words[digits_at], 0x22)
        bad |= ~good
        after = digits_at + n_digits + 1  # just past the closing quote

        # An optional s attribute, an optional t attribute, then '>' or '/>'.
        rest = words[after]
        style = np.full(count, -1, dtype=np.int64)
        at = np.flatnonzero(_matches(rest, b' s="'))
        if len(at):
            value, n, ok = _digits_in_runs(words[after[at] + 4], 0x22)
            style[at] = value
            bad[at] |= ~ok
            after[at] += 5 + n
            rest[at] = words[after[at]]
        has_t = _matches(rest, b' t="')
        cell_type = np.full(count, _T_NONE, dtype=np.int8)
        if has_t.any():
            name = words[after + 4]
            code = _TYPES[(name & np.uint64(0xFFFF)).astype(np.int64)]
            found = code & 15
            width = code >> 4
            tail = words[after + 12]
            exact = np.where(
                found == _T_INLINE,
                (name == _INLINE_WORD) & _matches(tail, b'r"'),
                (found != _T_STR) | _matches(name, b'str"'),
            )
            cell_type = np.where(has_t, np.where(exact, found, _T_OTHER), _T_NONE).astype(np.int8)
            bad |= cell_type == _T_OTHER
            # What follows the type's closing quote, from the windows already read.
            following = np.where(
                width == 1,
                name >> np.uint64(16),
                np.where(width == 3, name >> np.uint64(32), tail >> np.uint64(16)),
            )
            rest = np.where(has_t, following, rest)
            after = np.where(has_t, after + 5 + width, after)
        # Some writers put a space before the end of the tag.
        spaced = (rest & np.uint64(0xFF)) == np.uint64(0x20)
        rest = np.where(spaced, rest >> np.uint64(8), rest)
        after = after + spaced
        opened = _matches(rest, b">")
        bad |= ~(opened | _matches(rest, b"/>"))

        # What follows the start tag decides the cell's shape and how many tags it spans.
        inner = lt[cell_tags + 1]
        head = words[inner]
        shape = np.where(
            opened,
            _SHAPES[((head >> np.uint64(8)) & np.uint64(0xFFFF)).astype(np.int64)],
            _SHAPE_NONE,
        )
        bad |= opened & (
            (inner != after + 1)
            | ((head & _SHAPE_MASKS[shape]) != _SHAPE_VALUES[shape])
            | (shape == _SHAPE_NONE)
        )
        is_v = shape == _SHAPE_V
        is_text = shape == _SHAPE_IS
        preserve = is_text & ~_matches(head, _IS_T)
        at = np.flatnonzero(preserve)
        if len(at):
            head_at = inner[at]
            bad[at] |= ~(
                _matches(head[at], _IS_TP[:8])
                & _matches(words[head_at + 8], _IS_TP[8:16])
                & _matches(words[head_at + 16], _IS_TP[16:24])
                & _matches(words[head_at + 21], _IS_TP[21:29])
            )
        # A value runs from its tag to the next '<', which must close the cell.
        close = lt[cell_tags + np.where(is_v, 2, 3)]
        closing = words[close]
        bad |= is_v & (closing != _V_END_WORD)
        bad |= is_text & ~(_matches(closing, _T_END[:8]) & _matches(words[close + 5], _T_END[5:]))
        start = np.where(is_v, inner + len(_V), inner + np.where(preserve, len(_IS_TP), 7))
        end = close
        size = np.where(is_v, 4, np.where(is_text, 6, np.where(shape == _SHAPE_END, 2, 1)))
        kind = np.where(is_text, _TEXT_T, np.where(is_v, _NUMBER_V, _EMPTY)).astype(np.int8)

        at = np.flatnonzero(shape == _SHAPE_F)
        if len(at):
            _formula_cells(at, cell_tags, lt, words, a, size, kind, start, end, bad)

        # A <v> is read by the cell's type; an inline string cell ignores it.
        kind = np.where(kind == _NUMBER_V, _V_KINDS[cell_type], kind)
        kind[(kind != _TEXT_T) & (start >= end)] = _EMPTY

        first_odd, trailing = _check_gaps(cell_tags, size, tags, lt, words)
        flagged = np.flatnonzero(bad[:first_odd])
        if len(flagged):
            first_odd = int(flagged[0])
        # File order: rows never go back and columns rise within a row.
        key = row[:first_odd] * 32768 + col[:first_odd]
        backwards = np.flatnonzero(np.diff(key) <= 0)
        if len(backwards):
            first_odd = int(backwards[0]) + 1

        keep = slice(0, first_odd)
        texts, where, first_odd = self._values(
            a, words, kind[keep], start[keep], end[keep], style[keep], first_odd
        )
        keep = slice(0, first_odd)
        return _Cells(
            rows=row[keep],
            cols=col[keep],
            where=where[keep],
            texts=texts,
            odd=first_odd < count or trailing,
            kinds=kind[keep],
            starts=start[keep],
            ends=end[keep],
            preserve=preserve[keep],
            block=buf,
        )

    def _values(
        self,
        a: np.ndarray,
        words: np.ndarray,
        kind: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        style: np.ndarray,
        first_odd: int,
    ) -> tuple[pl.Series, np.ndarray, int]:
        """Every cell's final text in one series (plus a trailing null), and where each is.

        Returns the series, the index of each cell's text (-1: blank) and the first cell whose
        value is odd (``first_odd`` if none is).
        """
        book = self.book
        where = np.full(len(kind), -1, dtype=np.int64)
        pieces: list[pl.Series] = []
        offset = 0
        odd: list[int] = [first_odd]

        def place(cells: np.ndarray, texts: pl.Series, blank: np.ndarray | None = None) -> None:
            nonlocal offset
            where[cells] = offset + np.arange(len(cells))
            if blank is not None:
                where[cells[blank]] = -1
            pieces.append(texts)
            offset += len(texts)

        spans = np.flatnonzero((kind == _TEXT_T) | (kind == _TEXT_V) | (kind == _NUMBER_V))
        found = _spans(a, start[spans], end[spans])
        # Text spans keep their place in ``found.texts`` (number spans in it go unused).
        texts = found.texts
        numeric = kind[spans] == _NUMBER_V
        text_span = ~numeric
        padded = found.padded & text_span
        for index in np.flatnonzero(found.special & text_span):
            cell = spans[index]
            raw = a[start[cell] : end[cell]].tobytes()
            try:
                # Stripped like every value: calamine's own trimming of <t> changes nothing.
                texts[int(index)] = decode_text(raw, element="v").strip(WHITESPACE)
            except _Unsupported:
                odd.append(int(cell))
            padded[index] = False
        # Empty spans read as null; a value stripped or decoded to nothing is blank too.
        blank = end[spans] == start[spans]
        changed = np.flatnonzero(padded | (found.special & text_span))
        texts = _strip(texts, padded)
        if len(changed):
            blank[changed] |= (texts.gather(changed).str.len_bytes() == 0).to_numpy()
        where[spans] = np.where(text_span & ~blank, np.arange(len(spans)), -1)
        pieces.append(texts)
        offset = len(texts)

        number_at = np.flatnonzero(numeric)
        if len(number_at):
            number_cells = spans[number_at]
            numbers = texts.gather(number_at)
            valid = numbers.str.contains(_NUMBER_TEXT).fill_null(False).to_numpy()
            values = numbers.cast(pl.Float64, strict=False).fill_null(0.0).to_numpy()
            styles = style[number_cells]
            known = (styles >= 0) & (styles < len(book.styles))
            format_of = np.full(len(styles), _NUMBER, dtype=np.int8)
            format_of[known] = book.styles[styles[known]]
            dates = format_of == _DATE
            serial = values + 1462.0 if book.date1904 else values
            wrong = ~valid | ~np.isfinite(values)
            # Durations ([h]:mm) are calamine's to read.
            wrong |= format_of == _DURATION
            wrong |= dates & ((values < 0) | (serial >= _SERIAL_LIMIT))
            bad_at = np.flatnonzero(wrong)
            if len(bad_at):
                odd.append(int(number_cells[bad_at[0]]))
                values = np.where(wrong, 0.0, values)
            plain = np.flatnonzero(~dates)
            if len(plain):
                place(number_cells[plain], _number_texts(values[plain]))
            dated = np.flatnonzero(dates)
            if len(dated):
                place(number_cells[dated], _date_texts(values[dated], book.date1904))

        shared = np.flatnonzero(kind == _SHARED)
        if len(shared):
            index, n_digits, ok = _digits_in_runs(words[start[shared]], 0x3C)
            limit = len(book.strings)
            ok &= (start[shared] + n_digits == end[shared]) & (index < limit)
            bad_at = np.flatnonzero(~ok)
            if len(bad_at):
                odd.append(int(shared[bad_at[0]]))
                index = np.where(ok, index, 0)
            if limit:
                texts = book.strings.gather(index)
                texts = _strip(texts, book.string_padded[index])
                place(shared, texts, book.string_blank[index])

        flags = np.flatnonzero(kind == _BOOL)
        if len(flags):
            digit = a[start[flags]]
            ok = (end[flags] == start[flags] + 1) & ((digit == 0x30) | (digit == 0x31))
            bad_at = np.flatnonzero(~ok)
            if len(bad_at):
                odd.append(int(flags[bad_at[0]]))
            place(flags, pl.Series(np.where(digit == 0x31, "true", "false"), dtype=pl.String))

        pieces.append(pl.Series([None], dtype=pl.String))
        combined = pl.concat(pieces, rechunk=True) if len(pieces) > 1 else pieces[0]
        return combined, where, min(odd)


def _digits_in_runs(
    words: np.ndarray, terminator: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_parse_digits`` for windows where neighbours often repeat (the cells of one row share
    their row number): each run of equal windows is parsed once."""
    if len(words) < 2:
        return _parse_digits(words, terminator)
    changes = np.flatnonzero(words[1:] != words[:-1]) + 1
    if len(changes) * 2 > len(words):
        return _parse_digits(words, terminator)
    heads = np.concatenate([[0], changes])
    value, count, good = _parse_digits(words[heads], terminator)
    run = np.zeros(len(words), dtype=np.int64)
    run[changes] = 1
    run = np.cumsum(run)
    return value[run], count[run], good[run]


def _formula_cells(
    at: np.ndarray,
    cell_tags: np.ndarray,
    lt: np.ndarray,
    words: np.ndarray,
    a: np.ndarray,
    size: np.ndarray,
    kind: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    bad: np.ndarray,
) -> None:
    """Cells with a formula: ``<f>..</f>`` or ``<f/>``, then ``<v>`` or nothing."""
    first = cell_tags[at]
    second = lt[first + 2]
    closed = _matches(words[second], _F_END)
    self_closed = ~closed & (a[second - 1] == 0x3E) & (a[second - 2] == 0x2F)
    value_tag = np.where(closed, first + 3, first + 2)
    tag = lt[value_tag]
    has_v = _matches(words[tag], _V)
    has_end = _matches(words[tag], _C_END)
    bad[at] |= ~((closed | self_closed) & (has_v | has_end))
    size[at] = value_tag - first + np.where(has_v, 3, 1)
    with_value = at[has_v]
    close = lt[value_tag[has_v] + 1]
    start[with_value] = tag[has_v] + len(_V)
    end[with_value] = close
    bad[with_value] |= ~_matches(words[close], _V_END)
    kind[with_value] = _NUMBER_V


def _check_gaps(
    cell_tags: np.ndarray, size: np.ndarray, tags: int, lt: np.ndarray, words: np.ndarray
) -> tuple[int, bool]:
    """Check that every tag outside the cells is a row tag.

    Returns the first cell preceded by anything else (the cell count if none is) and whether
    anything else follows the last cell.
    """
    count = len(cell_tags)
    gap_start = np.concatenate([[0], cell_tags + size])
    lengths = np.concatenate([cell_tags, [tags]]) - gap_start
    gaps = np.flatnonzero(lengths)
    lengths = lengths[gaps]
    # A negative gap: the cell before it was read as spanning into the next one.
    suspects = [np.maximum(gaps[lengths < 0] - 1, 0)]
    lengths = np.maximum(lengths, 0)
    total = int(lengths.sum())
    if total:
        offsets = np.cumsum(lengths) - lengths
        index = np.repeat(gap_start[gaps] - offsets, lengths) + np.arange(total)
        tag = words[lt[index]]
        row_tag = (
            _matches(tag, b"</row>")
            | _matches(tag, b"<row ")
            | _matches(tag, b"<row>")
            | _matches(tag, b"<row/")
        )
        suspects.append(np.repeat(gaps, lengths)[~row_tag])
    found = np.concatenate(suspects)
    if not len(found):
        return count, False
    first = int(found.min())
    return first, first == count


# ---------------------------------------------------------------------------------------------
# The table.


def open_xlsx(
    path: str, filename: str | None, fallback: Callable[[], FallbackSheet]
) -> Table | None:
    """Open the first visible worksheet with the streaming reader, or return None.

    None means the reader cannot prove it reads this workbook exactly like calamine (or the
    file is damaged): the caller reads it with calamine, which also raises the file-level
    error a damaged file deserves. Header problems and an empty sheet raise FileRejected here,
    as the calamine path would. ``fallback`` opens the calamine reading, used from the first
    odd cell on if one turns up while reading.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            book = _read_book(path, archive)
        return XlsxTable(path, filename, book, fallback)
    except (_Unsupported, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, EOFError):
        return None


class XlsxTable(Table):
    """An XLSX worksheet read in blocks; see the module docstring."""

    format = "xlsx"

    def __init__(
        self, path: str, filename: str | None, book: _Book, fallback: Callable[[], FallbackSheet]
    ) -> None:
        self._path = path
        self._book = book
        self._fallback = fallback
        self._header_row, cells, has_data = self._open()
        header = map_header(cells)
        if not has_data:
            raise errors.empty(has_header=True)
        super().__init__(header, filename)
        positions = list(header.positions)
        self._positions = positions
        self._slots = np.full(_MAX_COLUMNS, len(positions), dtype=np.int64)
        self._slots[positions] = np.arange(len(positions))

    def close(self) -> None:
        """Nothing stays open between reads: each ``iter_chunks`` opens the file itself."""

    # -- reading -------------------------------------------------------------------------------

    def _cells(self, first: int | None = None) -> Iterator[_Cells]:
        """The cells of the worksheet, block by block; the last one may stop at an odd cell.

        Blocks are inflated here and read by a small pool of threads (numpy and polars work
        outside the interpreter lock), a few blocks ahead. A problem with the archive or the
        XML structure ends the stream with an odd, empty block (calamine then reads on, or
        raises the file-level error).
        """
        reader = _BlockReader(self._book)
        last_row = 0
        with ThreadPoolExecutor(_READ_THREADS, thread_name_prefix="xlsx-block") as pool:
            pending: deque[Future[_Cells]] = deque()
            try:
                with open(self._path, "rb") as handle, zipfile.ZipFile(handle) as archive:
                    blocks = _element_blocks(
                        handle, archive, self._book.sheet_entry, b"sheetData", b"</row>", first
                    )
                    for buf, length in blocks:
                        pending.append(pool.submit(reader.cells, buf, length))
                        if len(pending) < _READ_THREADS:
                            continue
                        cells = _following(pending.popleft().result(), last_row)
                        yield cells
                        if cells.odd:
                            return
                        last_row = cells.last_row(last_row)
                while pending:
                    cells = _following(pending.popleft().result(), last_row)
                    yield cells
                    if cells.odd:
                        return
                    last_row = cells.last_row(last_row)
            except (_Unsupported, zipfile.BadZipFile, OSError, EOFError):
                yield _no_cells()
            finally:
                for future in pending:
                    future.cancel()

    def _open(self) -> tuple[int, list[str], bool]:
        """Find the header (the first row showing anything) and a data row below it.

        Returns the header's row number, its cell texts and whether a data row follows.
        Raises FileRejected for a sheet showing nothing; _Unsupported if an odd cell comes
        before the answer.
        """
        header_row = 0
        texts: list[str] = []
        for cells in self._cells(_FIRST_BLOCK_BYTES):
            shown = cells.where >= 0
            if not header_row:
                hits = np.flatnonzero(shown)
                if len(hits):
                    header_row = int(cells.rows[hits[0]])
                    at = np.flatnonzero(cells.rows == header_row)
                    if cells.odd and at[-1] == len(cells.rows) - 1:
                        raise _Unsupported("an odd cell in the header row")
                    texts = [""] * (int(cells.cols[at[-1]]) + 1)
                    for index in at:
                        texts[int(cells.cols[index])] = cells.exact_text(
                            int(index), self._book.strings
                        )
            elif np.any(cells.rows == header_row):
                raise _Unsupported("a header row split between two blocks")
            if header_row and np.any(shown & (cells.rows > header_row)):
                return header_row, texts, True
            if cells.odd:
                raise _Unsupported("an odd cell before the first data row")
        if not header_row:
            raise errors.empty(has_header=False)
        return header_row, texts, False

    def _frames(self, rows: int) -> Iterator[pl.DataFrame]:
        data_start = self._header_row + 1
        window = -1
        parts: list[pl.DataFrame] = []  # finished frames of the chunk being filled
        last_row = self._header_row
        resume: int | None = None
        for cells in self._cells():
            keep = np.flatnonzero(cells.rows >= data_start)
            if len(keep):
                windows = (cells.rows[keep] - data_start) // rows
                cuts = np.flatnonzero(np.diff(windows)) + 1
                for segment in np.split(keep, cuts):
                    index = int((cells.rows[segment[0]] - data_start) // rows)
                    if index != window:
                        if parts:
                            yield _joined(parts)
                        parts, window = [], index
                    # One frame per block and chunk: a block's data is still in the cache.
                    parts.extend(self._parts(cells, segment))
            if cells.odd:
                # The row of the last good cell may be incomplete, and without one the last
                # row of the block before may go on: calamine reads that row again.
                resume = max(cells.last_row(last_row), data_start)
                break
            last_row = cells.last_row(last_row)
        if resume is None:
            if parts:
                yield _joined(parts)
            return
        yield from self._resume(rows, resume, window, parts)

    def _resume(
        self, rows: int, resume: int, window: int, parts: list[pl.DataFrame]
    ) -> Iterator[pl.DataFrame]:
        """Hand over to calamine at sheet row ``resume``; ``parts`` hold window ``window``."""
        data_start = self._header_row + 1
        parts = [part.filter(pl.col(ROW_COLUMN) < resume) for part in parts]
        if window != (resume - data_start) // rows and parts:
            yield _joined(parts)
            parts = []
        sheet = self._fallback()
        try:
            if sheet.columns != self.columns:
                raise RuntimeError("the calamine reading found another header")
            frames = sheet.frames_from(rows, resume)
            first = next(frames, None)
            if first is not None:
                parts.append(first)
            if parts:
                yield _joined(parts)
            yield from frames
        finally:
            sheet.close()

    def _parts(self, cells: _Cells, segment: np.ndarray) -> list[pl.DataFrame]:
        """Finished frames for the cells ``segment`` of a block (all within one chunk)."""
        rows, cols, where = cells.rows[segment], cells.cols[segment], cells.where[segment]
        # Each block's texts end with a null, which stands for every missing cell.
        null = len(cells.texts) - 1
        breaks = np.flatnonzero(np.diff(rows) > _MAX_DENSE_GAP) + 1
        return [
            self._part(rows[piece], cols[piece], where[piece], cells.texts, null)
            for piece in np.split(np.arange(len(rows)), breaks)
        ]

    def _part(
        self, rows: np.ndarray, cols: np.ndarray, where: np.ndarray, texts: pl.Series, null: int
    ) -> pl.DataFrame:
        """One finished frame for cells of consecutive rows (blank rows between included)."""
        first = int(rows[0])
        height = int(rows[-1]) - first + 1
        slots = self._slots[cols]
        width = len(self._positions)
        grid = np.full((width, height), null, dtype=np.int64)
        named = np.flatnonzero((slots < width) & (where >= 0))
        grid[slots[named], rows[named] - first] = where[named]
        # One gather for the whole grid; each column is a slice of it.
        values = texts.gather(grid.ravel())
        columns = {
            f"f{position}": values.slice(slot * height, height)
            for slot, position in enumerate(self._positions)
        }
        # A cell under no header still makes its row a data row.
        unnamed = np.flatnonzero((slots >= width) & (where >= 0))
        if len(unnamed):
            flag = np.zeros(height, dtype=bool)
            flag[rows[unnamed] - first] = True
            columns["unnamed"] = pl.select(
                pl.when(pl.lit(pl.Series(flag))).then(pl.lit("x"))
            ).to_series()
        # Values are final already (stripped, blank ones null): the shaping is all that is left.
        return self._finish(pl.DataFrame(columns), first, None, strip=[], nullify_all=False)


_MAX_COLUMNS = 18279  # ZZZ + 1: three letters


def _following(cells: _Cells, last_row: int) -> _Cells:
    """``cells``, or an odd empty block if its first row does not come after ``last_row``.

    A row must not go on from the block before (two <row> elements with one number): that
    block's rows are built already.
    """
    if len(cells.rows) and cells.rows[0] <= last_row:
        return _no_cells()
    return cells


def _joined(parts: list[pl.DataFrame]) -> pl.DataFrame:
    return parts[0] if len(parts) == 1 else pl.concat(parts, rechunk=True)


def _no_cells() -> _Cells:
    empty = np.zeros(0, dtype=np.int64)
    return _Cells(
        rows=empty,
        cols=empty,
        where=empty,
        texts=pl.Series([None], dtype=pl.String),
        odd=True,
        kinds=np.zeros(0, dtype=np.int8),
        starts=empty,
        ends=empty,
        preserve=np.zeros(0, dtype=bool),
        block=bytearray(),
    )
