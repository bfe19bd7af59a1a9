"""Builders for upload files used by the ingest tests (everything is generated, nothing stored)."""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from pathlib import Path

import polars as pl

from gateway.ingest import open_table

HEADER = [
    "phone",
    "first_name",
    "last_name",
    "email",
    "consent_source",
    "consent_timestamp",
    "informativa_version",
    "consent_third_party",
]
WHITESPACE = " \t\n\r\x0b\x0c\xa0"


def good_row(index: int) -> list[str]:
    """A plausible record; ``index`` makes it unique."""
    return [
        f"+39 347 {1000000 + index}",
        "Niccolò",
        "D'Angelo",
        f"n{index}@example.it",
        "https://www.example.it/form",
        "2024-03-05T10:11:12+01:00",
        "v2",
        "sì",
    ]


def csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    """Write rows the way a spreadsheet exports them (quoting only when needed)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return out.getvalue()


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def read_all(path: Path, rows: int = 65536) -> tuple[pl.DataFrame, object]:
    """Open a file and return every chunk concatenated, with the table."""
    with open_table(str(path)) as table:
        chunks = list(table.iter_chunks(rows))
    frame = pl.concat(chunks) if chunks else pl.DataFrame()
    return frame, table


def reference_rows(text: str, delimiter: str) -> tuple[list[str], list[tuple]]:
    """What the reader must yield, computed with the csv module and the documented rules.

    Records end at line feeds outside quotes; the first record is the header; a record whose
    fields are all empty (after stripping) is a blank row, skipped but counted; values are
    stripped and empty ones become None; ``_malformed`` flags another field count.
    """
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    records = list(csv.reader(lines, delimiter=delimiter))
    header, body = records[0], records[1:]
    width = len(header)
    expected = []
    for number, record in enumerate(body, start=2):
        values = [cell.strip(WHITESPACE) or None for cell in record]
        if all(v is None for v in values) and len(record) <= width:
            continue
        values = (values + [None] * width)[:width]
        expected.append((*values, number, len(record) != width))
    return header, expected


def encrypted_workbook() -> bytes:
    """A password-protected .xlsx as Office writes it: an OLE compound file whose streams are
    EncryptionInfo and EncryptedPackage (here empty; the container structure is what counts)."""
    free, end_of_chain, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 0x1000, end_of_chain, 0, end_of_chain, 0)
    struct.pack_into("<I", header, 76, 0)
    for slot in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * slot, free)
    fat = bytearray(struct.pack("<128I", *([fat_sector, end_of_chain] + [free] * 126)))

    def entry(name: str, kind: int, left: int, right: int, child: int) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\x00").encode("utf-16-le")
        raw[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, left, right, child)
        struct.pack_into("<IQ", raw, 116, end_of_chain, 0)
        return bytes(raw)

    directory = (
        entry("Root Entry", 5, no_stream, no_stream, 1)
        + entry("EncryptionInfo", 2, no_stream, 2, no_stream)
        + entry("EncryptedPackage", 2, no_stream, no_stream, no_stream)
        + entry("", 0, no_stream, no_stream, no_stream)
    )
    return bytes(header) + bytes(fat) + directory


def ods_workbook(rows: list[list[tuple[str, str]]]) -> bytes:
    """A minimal OpenDocument spreadsheet; each cell is (value-type, value)."""
    cells_xml = []
    for row in rows:
        cells = []
        for kind, value in row:
            if kind == "string":
                cells.append(
                    f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
                    "</table:table-cell>"
                )
            elif kind == "float":
                cells.append(
                    f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>"
                )
            elif kind == "date":
                cells.append(
                    f'<table:table-cell office:value-type="date" office:date-value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>"
                )
            else:
                cells.append("<table:table-cell/>")
        cells_xml.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Foglio1">'
        + "".join(cells_xml)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return out.getvalue()
