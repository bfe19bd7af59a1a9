"""Spreadsheet uploads: cell values as text, sheet row numbers, empty sheets."""

from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl
import pytest

from gateway.ingest import FileRejected, open_table
from tests.ingest.ingest_samples import HEADER, good_row, ods_workbook, read_all, write

COLUMNS = ["telefono", "nome", "fonte", "data_consenso", "informativa", "consenso_terzi"]
COLUMNS += ["data_doppio_optin", "cap", "punteggio", "attivo"]


def _save(tmp_path, rows, name="list.xlsx", at="A1"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    first_col = openpyxl.utils.column_index_from_string(at.rstrip("0123456789"))
    first_row = int(at.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.cell(row=first_row + r, column=first_col + c, value=value)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_native_cells_become_the_text_a_vendor_sees(tmp_path):
    rows = [
        COLUMNS,
        [
            3471234567,
            "  Anna ",
            "web",
            dt.datetime(2024, 3, 5, 10, 11, 12),
            "v1",
            True,
            dt.date(2024, 3, 6),
            20121,
            1.5,
            False,
        ],
        [
            3471234568.0,
            "Niccolò",
            "web",
            dt.datetime(2024, 3, 5, 23, 59, 59, 600000),
            "v1",
            "sì",
            None,
            184,
            0.1,
            None,
        ],
    ]
    frame, table = read_all(_save(tmp_path, rows))
    assert table.format == "xlsx"
    assert table.columns[:6] == [
        "phone",
        "first_name",
        "consent_source",
        "consent_timestamp",
        "informativa_version",
        "consent_third_party",
    ]
    assert frame.schema["phone"] == pl.Utf8
    assert frame["phone"].to_list() == ["3471234567", "3471234568"]
    assert frame["first_name"].to_list() == ["Anna", "Niccolò"]
    # Date-time cells are the wall-clock value, rounded to the second the sheet shows.
    assert frame["consent_timestamp"].to_list() == ["2024-03-05T10:11:12", "2024-03-06T00:00:00"]
    assert frame["double_optin_at"].to_list() == ["2024-03-06T00:00:00", None]
    assert frame["consent_third_party"].to_list() == ["true", "sì"]
    assert frame["postal_code"].to_list() == ["20121", "184"]
    assert frame["punteggio"].to_list() == ["1.5", "0.1"]
    assert frame["attivo"].to_list() == ["false", None]
    assert frame["_row"].to_list() == [2, 3]
    assert frame["_malformed"].to_list() == [False, False]


def test_a_whole_column_of_numbers_or_dates_converts_the_same_as_mixed_ones(tmp_path):
    stamps = [dt.datetime(2024, 1, 1, 8, 0, 0) + dt.timedelta(seconds=37 * i) for i in range(50)]
    rows = [COLUMNS[:6]]
    rows += [[3470000000 + i, "Anna", "web", stamps[i], "v1", "si"] for i in range(50)]
    frame, _ = read_all(_save(tmp_path, rows))
    assert frame["phone"][7] == "3470000007"
    assert frame["consent_timestamp"].to_list() == [s.isoformat() for s in stamps]


def test_header_below_the_top_and_blank_rows_keep_sheet_row_numbers(tmp_path):
    rows = [
        COLUMNS[:6],
        [3471234567, "Anna", "web", "2024-01-01", "v1", "si"],
        [None] * 6,
        ["  ", None, None, None, None, None],
        [3471234568, "Luca", "web", "2024-01-01", "v1", "si"],
    ]
    frame, _ = read_all(_save(tmp_path, rows, at="B3"))
    assert frame["_row"].to_list() == [4, 7]
    assert frame["first_name"].to_list() == ["Anna", "Luca"]


def test_the_first_visible_sheet_is_read(tmp_path):
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    hidden.title = "istruzioni"
    hidden.append(["read me first"])
    hidden.sheet_state = "hidden"
    data = workbook.create_sheet("lista")
    data.append(HEADER)
    data.append(good_row(1))
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    frame, table = read_all(path)
    assert table.columns == HEADER
    assert frame["email"].to_list() == ["n1@example.it"]


def test_an_ods_sheet_is_read_like_xlsx(tmp_path):
    header = [("string", name) for name in COLUMNS[:6]]
    row = [
        ("float", "3471234567"),
        ("string", "Anna"),
        ("string", "web"),
        ("date", "2024-03-05T10:11:12"),
        ("string", "v1"),
        ("string", "si"),
    ]
    frame, table = read_all(write(tmp_path, "list.ods", ods_workbook([header, row])))
    assert table.format == "ods"
    assert frame.row(0) == (
        "3471234567",
        "Anna",
        "web",
        "2024-03-05T10:11:12",
        "v1",
        "si",
        2,
        False,
    )


@pytest.mark.parametrize("rows", [[COLUMNS[:6]], [COLUMNS[:6], [None] * 6, ["", " "]], []])
def test_a_sheet_without_data_rows_is_empty(tmp_path, rows):
    path = _save(tmp_path, rows)
    with pytest.raises(FileRejected) as caught:
        open_table(str(path))
    assert caught.value.error == "FILE_EMPTY"


def test_a_sheet_missing_required_columns_names_them(tmp_path):
    path = _save(tmp_path, [["telefono", "nome"], [3471234567, "Anna"]])
    with pytest.raises(FileRejected) as caught:
        open_table(str(path))
    assert caught.value.error == "HEADER_MISSING_COLUMNS"
    assert "consent_source" in caught.value.message


def test_chunk_size_does_not_change_a_sheet(tmp_path):
    rows = [COLUMNS[:6]]
    for i in range(300):
        blank = i % 17 == 0
        rows.append([None] * 6 if blank else [3470000000 + i, f"n{i}", "web", "2024", "v1", "si"])
    path = _save(tmp_path, rows)
    whole, _ = read_all(path)
    assert whole.height == 300 - len(range(0, 300, 17))
    with open_table(str(path)) as table:
        chunks = list(table.iter_chunks(7))
        again = pl.concat(table.iter_chunks(50))
    assert all(0 < chunk.height <= 7 for chunk in chunks)
    assert pl.concat(chunks).equals(whole)
    assert again.equals(whole)
