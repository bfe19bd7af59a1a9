"""What a file is, judged by its bytes: CSV text, a workbook, or something to refuse.

The file name plays no part: a PDF renamed ``.csv`` is refused and a CSV renamed ``.xlsx`` is
read as CSV.
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

from . import errors

CSV = "csv"
XLSX = "xlsx"
XLS = "xls"
ODS = "ods"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Entry names that only office documents start with: a damaged zip that shows one of them was
# meant to be a workbook, so it is "unreadable" rather than "not a spreadsheet".
_OFFICE_ENTRY_PREFIXES = (b"[Content_Types].xml", b"_rels/", b"docProps/", b"xl/", b"mimetype")

# Known binary formats, named in the message so the vendor sees what was uploaded.
_MAGICS: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "a PDF document", "un documento PDF"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "un'immagine PNG"),
    (b"\xff\xd8\xff", "a JPEG image", "un'immagine JPEG"),
    (b"GIF87a", "a GIF image", "un'immagine GIF"),
    (b"GIF89a", "a GIF image", "un'immagine GIF"),
    (b"\x1f\x8b", "a gzip archive", "un archivio gzip"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "un archivio 7-Zip"),
    (b"Rar!\x1a\x07", "a RAR archive", "un archivio RAR"),
    (b"{\\rtf", "an RTF document", "un documento RTF"),
    (b"\x7fELF", "a program", "un programma"),
    (b"MZ", "a program", "un programma"),
)


def _utf16le(name: str) -> bytes:
    return name.encode("utf-16-le")


def sniff_kind(handle: BinaryIO, head: bytes) -> str:
    """Return ``csv``, ``xlsx``, ``xls`` or ``ods``, or raise FileRejected.

    ``head`` is the file's first bytes; ``handle`` is the open file, used to look inside zip
    and OLE containers. A ``csv`` answer only means "not a known binary container": the text
    checks (encoding, binary junk) follow in the CSV reader.
    """
    if head.startswith(_ZIP_MAGICS):
        return _sniff_zip(handle, head)
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(handle)
    for magic, what_en, what_it in _MAGICS:
        if head.startswith(magic):
            if magic == b"MZ" and b"\x00" not in head[:64]:
                continue  # a text file that happens to start with "MZ"
            raise errors.type_unsupported(what_en, what_it)
    lowered = head[:256].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<?xml", b"<!doctype", b"<html")):
        raise errors.type_unsupported("an XML or HTML document", "un documento XML o HTML")
    return CSV


def _sniff_zip(handle: BinaryIO, head: bytes) -> str:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return XLSX
            if "xl/workbook.bin" in names:
                raise errors.type_unsupported(
                    "an Excel binary workbook (.xlsb); save it as .xlsx",
                    "una cartella di lavoro binaria di Excel (.xlsb); salvala come .xlsx",
                )
            if "mimetype" in names and archive.read("mimetype").strip() == _ODS_MIMETYPE:
                return ODS
            if "[Content_Types].xml" in names or "mimetype" in names:
                raise errors.type_unsupported(
                    "an office document that is not a spreadsheet",
                    "un documento d'ufficio che non è un foglio di calcolo",
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        # The first local entry's name (after a 30-byte header) tells a damaged workbook from
        # any other damaged archive.
        first_name = head[30:80]
        if head.startswith(b"PK\x03\x04") and first_name.startswith(_OFFICE_ENTRY_PREFIXES):
            raise errors.unreadable(
                "the spreadsheet is damaged (its zip structure is broken)",
                "il foglio di calcolo è danneggiato (la struttura zip è corrotta)",
            ) from exc
        raise errors.type_unsupported(
            "a damaged zip archive", "un archivio zip danneggiato"
        ) from exc
    raise errors.type_unsupported("a zip archive", "un archivio zip")


def _sniff_ole(handle: BinaryIO) -> str:
    """Tell an .xls workbook from an encrypted OOXML workbook or another OLE document.

    OLE (compound file) directory entries store stream names in UTF-16LE; scanning for them
    avoids parsing the container. Password-protected .xlsx files are OLE containers holding
    ``EncryptionInfo`` and ``EncryptedPackage`` streams.
    """
    needles = {
        "encrypted": _utf16le("EncryptedPackage"),
        "workbook": _utf16le("Workbook"),
        "book": _utf16le("Book\x00"),
        "word": _utf16le("WordDocument"),
        "powerpoint": _utf16le("PowerPoint Document"),
    }
    found: set[str] = set()
    handle.seek(0)
    overlap = b""
    while True:
        block = handle.read(1 << 20)
        if not block:
            break
        window = overlap + block
        for key, needle in needles.items():
            if key not in found and needle in window:
                found.add(key)
        overlap = window[-64:]
    if "encrypted" in found:
        raise errors.encrypted()
    if "workbook" in found or "book" in found:
        return XLS
    if "word" in found:
        raise errors.type_unsupported("a Word document", "un documento Word")
    if "powerpoint" in found:
        raise errors.type_unsupported("a PowerPoint presentation", "una presentazione PowerPoint")
    raise errors.type_unsupported("an OLE compound document", "un documento composto OLE")
