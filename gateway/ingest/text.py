"""Text encodings of CSV uploads: detection, and a streaming conversion to UTF-8.

Accepted: UTF-8 with or without byte order mark, UTF-16 (little or big endian) with byte order
mark, and Windows-1252 when the bytes are not valid UTF-8. Whatever the input, the reader sees
one stream of UTF-8 bytes read in bounded blocks.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import BinaryIO

from . import errors

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
UTF16 = "utf-16"
CP1252 = "cp1252"

READ_BYTES = 4 << 20

# Bytes that never occur in text: C0 controls other than tab, line feed, vertical tab, form
# feed, carriage return, and the DOS end-of-file mark some exporters still append.
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1A}
_CONTROL_BYTES = bytes(sorted(_CONTROL))
_BINARY_RATIO = 0.01
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _control_count(data: bytes) -> int:
    return len(data) - len(data.translate(None, _CONTROL_BYTES))


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data or _control_count(data) > len(data) * _BINARY_RATIO


def _utf16_without_bom(head: bytes) -> str | None:
    """Name the byte order of UTF-16 text that lacks its byte order mark, if it looks so."""
    even = head[0::2]
    odd = head[1::2]
    if not even or not odd:
        return None
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.02:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.02:
        return "utf-16-be"
    return None


class TextSource:
    """A CSV upload's bytes as UTF-8, whatever the file's encoding.

    ``encoding`` is decided from the head of the file. A UTF-8 guess made on a head that is
    plain ASCII stays provisional: if the first non-ASCII byte further on is not valid UTF-8,
    the file is Windows-1252 and ``encoding`` changes while reading (bytes read before were
    ASCII, which both encodings read the same). A file with valid UTF-8 accents and, later,
    bytes that are not UTF-8 mixes encodings and is refused.
    """

    def __init__(self, handle: BinaryIO, head: bytes, at_eof: bool) -> None:
        self._handle = handle
        self.bom_length = 0
        self._codec = UTF8
        self.settled = True
        if head.startswith(codecs.BOM_UTF8):
            self.encoding = UTF8_BOM
            self.bom_length = 3
            body = head[3:]
            if _looks_binary(body):
                raise errors.type_unsupported("binary data", "un file binario")
            self._check_utf8_head(body, at_eof)
        elif head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
            raise errors.encoding_invalid("UTF-32 text", "testo UTF-32")
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = UTF16
            self._codec = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
            self.bom_length = 2
            self._check_utf16_head(head[2:], at_eof)
        else:
            if b"\x00" in head:
                byte_order = _utf16_without_bom(head)
                if byte_order:
                    raise errors.encoding_invalid(
                        f"UTF-16 text without byte order mark ({byte_order})",
                        f"testo UTF-16 senza BOM ({byte_order})",
                    )
                raise errors.type_unsupported("binary data", "un file binario")
            if _looks_binary(head):
                raise errors.type_unsupported("binary data", "un file binario")
            self.encoding = UTF8
            self._check_utf8_head(head, at_eof)

    def _check_utf8_head(self, body: bytes, at_eof: bool) -> None:
        if body.isascii():
            self.settled = self.encoding != UTF8 or at_eof
            return
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(body, final=at_eof)
        except UnicodeDecodeError as exc:
            if not body[: exc.start].isascii():
                raise errors.encoding_invalid(
                    "the file mixes UTF-8 with another encoding",
                    "il file mescola UTF-8 con un'altra codifica",
                    byte_offset=self.bom_length + exc.start,
                ) from exc
            if self.bom_length:
                raise errors.encoding_invalid(
                    "the file starts with a UTF-8 byte order mark but is not UTF-8",
                    "il file inizia con il BOM UTF-8 ma non è in UTF-8",
                    byte_offset=self.bom_length + exc.start,
                ) from exc
            self._to_cp1252(body, self.bom_length)
            return
        self.settled = True

    def _to_cp1252(self, sample: bytes, offset: int) -> None:
        try:
            sample.decode(CP1252)
        except UnicodeDecodeError as exc:
            raise errors.encoding_invalid(
                "bytes that are valid neither in UTF-8 nor in Windows-1252",
                "byte non validi né in UTF-8 né in Windows-1252",
                byte_offset=offset + exc.start,
            ) from exc
        self.encoding = CP1252
        self._codec = CP1252
        self.settled = True

    def _check_utf16_head(self, body: bytes, at_eof: bool) -> None:
        decoder = codecs.getincrementaldecoder(self._codec)()
        try:
            text = decoder.decode(body, final=at_eof)
        except UnicodeDecodeError as exc:
            raise errors.encoding_invalid(
                "invalid UTF-16 text", "testo UTF-16 non valido", byte_offset=2 + exc.start
            ) from exc
        if "\x00" in text or sum(1 for ch in text if ord(ch) in _CONTROL) > len(text) * 0.01:
            raise errors.type_unsupported("binary data", "un file binario")

    @property
    def is_utf8(self) -> bool:
        """True while the file's bytes are read as UTF-8 as they are (no conversion)."""
        return self._codec == UTF8

    def settle(self, data: bytes, offset: int, final: bool) -> int | None:
        """Check a stretch of a UTF-8 file whose encoding is still provisional.

        ``offset`` is where ``data`` starts in the file. Returns None when ``data`` reads as
        UTF-8 (the encoding is then settled if it held a non-ASCII byte), or the index in
        ``data`` from which the file turned out to be Windows-1252. Raises FileRejected when
        valid UTF-8 accents are followed by bytes that are not UTF-8.
        """
        if self.settled or data.isascii():
            return None
        match = _NON_ASCII.search(data)
        first = match.start() if match else 0
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(data[first : first + 4096], final=final and first + 4096 >= len(data))
        except UnicodeDecodeError as exc:
            if exc.start == 0:
                self._to_cp1252(data[first : first + 4096], offset + first)
                return first
            raise errors.encoding_invalid(
                "the file mixes UTF-8 with another encoding",
                "il file mescola UTF-8 con un'altra codifica",
                byte_offset=offset + first + exc.start,
            ) from exc
        self.settled = True
        return None

    def pieces(self, offset: int | None = None, read_bytes: int = READ_BYTES) -> Iterator[bytes]:
        """Yield the file's content from ``offset`` (after the byte order mark), as UTF-8."""
        handle = self._handle
        offset = self.bom_length if offset is None else offset
        handle.seek(offset)
        if self._codec == UTF8:
            while block := handle.read(read_bytes):
                switch = self.settle(block, offset, final=False)
                if switch is None:
                    yield block
                else:
                    yield block[:switch]
                    yield self._cp1252_to_utf8(block[switch:], offset + switch)
                    offset += len(block)
                    break
                offset += len(block)
        if self._codec == CP1252:
            while block := handle.read(read_bytes):
                yield self._cp1252_to_utf8(block, offset)
                offset += len(block)
        elif self._codec != UTF8:
            decoder = codecs.getincrementaldecoder(self._codec)()
            while True:
                block = handle.read(read_bytes)
                try:
                    text = decoder.decode(block, final=not block)
                except UnicodeDecodeError as exc:
                    raise errors.encoding_invalid(
                        "invalid UTF-16 text",
                        "testo UTF-16 non valido",
                        byte_offset=offset + exc.start,
                    ) from exc
                if text:
                    yield text.encode("utf-8")
                if not block:
                    break
                offset += len(block)

    def _cp1252_to_utf8(self, block: bytes, offset: int) -> bytes:
        try:
            return block.decode(CP1252).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise errors.encoding_invalid(
                "bytes that are valid neither in UTF-8 nor in Windows-1252",
                "byte non validi né in UTF-8 né in Windows-1252",
                byte_offset=offset + exc.start,
            ) from exc

    def mixed_encoding(self, row: int) -> errors.FileRejected:
        """The error for UTF-8 text in which a later byte, near ``row``, is not UTF-8."""
        return errors.encoding_invalid(
            "the file mixes UTF-8 with another encoding",
            "il file mescola UTF-8 con un'altra codifica",
            row=row,
        )
