"""The format is judged by the bytes, never by the file name."""

from __future__ import annotations

import io
import random
import zipfile

import openpyxl
import pytest

from gateway.ingest import FileRejected, open_table
from tests.ingest.ingest_samples import HEADER, csv_text, encrypted_workbook, good_row, write

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _refusal(path) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        open_table(str(path))
    assert caught.value.status == 422
    assert caught.value.message and caught.value.message_it
    return caught.value


@pytest.mark.parametrize(
    ("name", "content", "detected"),
    [
        ("list.csv", PDF, "a PDF document"),
        ("list.csv", PNG + bytes(200), "a PNG image"),
        ("list.xlsx", _zip({"notes.txt": b"hello", "photo.jpg": b"\xff\xd8\xff"}), "a zip archive"),
        (
            "list.xlsx",
            _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
            "an office document that is not a spreadsheet",
        ),
        ("list.csv", b"\x1f\x8b\x08\x00" + bytes(50), "a gzip archive"),
        ("list.csv", b"<!DOCTYPE html><html><body>phone</body></html>", "an XML or HTML document"),
    ],
    ids=["pdf-as-csv", "png-as-csv", "zip-as-xlsx", "docx-as-xlsx", "gzip", "html"],
)
def test_known_non_list_formats_are_unsupported(tmp_path, name, content, detected):
    exc = _refusal(write(tmp_path, name, content))
    assert exc.error == "FILE_TYPE_UNSUPPORTED"
    assert exc.errors == {"detected": detected}
    assert detected in exc.message


def test_binary_junk_is_unsupported(tmp_path):
    junk = random.Random(7).randbytes(5000)
    exc = _refusal(write(tmp_path, "list.csv", junk))
    assert exc.error == "FILE_TYPE_UNSUPPORTED"


def test_text_with_many_control_bytes_is_unsupported(tmp_path):
    data = (",".join(HEADER) + "\n").encode() + bytes(range(1, 9)) * 100
    exc = _refusal(write(tmp_path, "list.csv", data))
    assert exc.error == "FILE_TYPE_UNSUPPORTED"


def test_a_csv_named_xlsx_is_read_as_csv(tmp_path):
    path = write(tmp_path, "list.xlsx", csv_text([HEADER, good_row(1)], delimiter=";"))
    with open_table(str(path), filename="list.xlsx") as table:
        assert table.format == "csv"
        assert table.filename == "list.xlsx"
        assert next(table.iter_chunks())["phone"].to_list() == ["+39 347 1000001"]


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(good_row(1))
    path = tmp_path / "list.csv"
    workbook.save(path)
    with open_table(str(path)) as table:
        assert table.format == "xlsx"
        assert table.encoding is None and table.delimiter is None


def test_a_password_protected_workbook_is_unreadable(tmp_path):
    exc = _refusal(write(tmp_path, "list.xlsx", encrypted_workbook()))
    assert exc.error == "FILE_UNREADABLE"
    assert "password" in exc.message
    assert "password" in exc.message_it


def test_a_truncated_workbook_is_unreadable(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    for i in range(200):
        workbook.active.append(good_row(i))
    whole = tmp_path / "whole.xlsx"
    workbook.save(whole)
    data = whole.read_bytes()
    exc = _refusal(write(tmp_path, "list.xlsx", data[: len(data) // 2]))
    assert exc.error == "FILE_UNREADABLE"


def test_a_workbook_with_broken_xml_is_unreadable(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(good_row(1))
    whole = tmp_path / "whole.xlsx"
    workbook.save(whole)
    out = io.BytesIO()
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data[:300] + b"<<<"
            target.writestr(name, data)
    exc = _refusal(write(tmp_path, "list.xlsx", out.getvalue()))
    assert exc.error == "FILE_UNREADABLE"


def test_a_word_document_in_an_ole_container_is_unsupported(tmp_path):
    data = encrypted_workbook().replace(
        "EncryptedPackage".encode("utf-16-le"), "WordDocument\x00\x00\x00\x00".encode("utf-16-le")
    )
    exc = _refusal(write(tmp_path, "list.xls", data))
    assert exc.error == "FILE_TYPE_UNSUPPORTED"
