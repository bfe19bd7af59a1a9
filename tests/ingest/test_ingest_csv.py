"""CSV uploads: encodings, delimiters, quoting, row numbers, malformed records, chunking."""

from __future__ import annotations

import codecs

import polars as pl
import pytest

from gateway.ingest import FileRejected, open_table
from tests.ingest.ingest_samples import HEADER, csv_text, good_row, read_all, write

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "cp1252": lambda text: text.encode("cp1252"),
}
REPORTED = {"utf-16-le": "utf-16", "utf-16-be": "utf-16"}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_encoding_and_delimiter_matrix(tmp_path, encoding, delimiter, newline):
    rows = [HEADER, good_row(1), good_row(2), good_row(3)]
    rows[2][2] = f"Rossi{delimiter} detto “Ciccio”" if encoding != "cp1252" else "Rossi; Forlì"
    text = csv_text(rows, delimiter=delimiter, newline=newline)
    path = write(tmp_path, "list.csv", ENCODINGS[encoding](text))

    frame, table = read_all(path)

    assert table.format == "csv"
    assert table.encoding == REPORTED.get(encoding, encoding)
    assert table.delimiter == delimiter
    assert table.columns == HEADER
    assert frame.columns == [*HEADER, "_row", "_malformed"]
    assert frame["_row"].to_list() == [2, 3, 4]
    assert not frame["_malformed"].any()
    assert frame["first_name"].to_list() == ["Niccolò"] * 3
    assert frame["consent_third_party"].to_list() == ["sì"] * 3
    assert frame["last_name"][1] == rows[2][2]
    assert frame["phone"].to_list() == ["+39 347 1000001", "+39 347 1000002", "+39 347 1000003"]


def test_chunk_dtypes_follow_the_contract(tmp_path):
    path = write(tmp_path, "list.csv", csv_text([HEADER, good_row(1)]))
    frame, _ = read_all(path)
    assert frame.schema == pl.Schema(
        {**dict.fromkeys(HEADER, pl.Utf8), "_row": pl.Int64, "_malformed": pl.Boolean}
    )


def test_quoted_delimiters_doubled_quotes_and_newlines_keep_spreadsheet_row_numbers(tmp_path):
    text = (
        "phone;first_name;consent_source;consent_timestamp;informativa_version;"
        "consent_third_party\r\n"
        '3471234567;"Anna; Maria";web;2024-01-01;v1;si\r\n'
        '3471234568;"Luca ""il grande""";"riga uno\r\nriga due";2024-01-01;v1;si\r\n'
        '3471234569;"a\nb\nc";web;2024-01-01;v1;si\r\n'
        "3471234570;Sara;web;2024-01-01;v1;si\r\n"
    )
    frame, table = read_all(write(tmp_path, "list.csv", text))
    assert table.delimiter == ";"
    assert frame["first_name"].to_list() == ["Anna; Maria", 'Luca "il grande"', "a\nb\nc", "Sara"]
    assert frame["consent_source"][1] == "riga uno\r\nriga due"
    # A quoted line break does not start a new row: rows follow records, not lines.
    assert frame["_row"].to_list() == [2, 3, 4, 5]


def test_blank_lines_count_as_rows_but_are_not_yielded(tmp_path):
    lines = [
        "",
        ",".join(HEADER),
        ",".join(good_row(1)),
        "",
        "   ",
        ",,,,,,,",
        ",".join(good_row(2)),
        "",
        "",
    ]
    frame, _ = read_all(write(tmp_path, "list.csv", "\n".join(lines)))
    # The header sits on row 2 after a leading blank line.
    assert frame["_row"].to_list() == [3, 7]
    assert not frame["_malformed"].any()


def test_values_are_stripped_and_empty_cells_are_null(tmp_path):
    text = csv_text(
        [
            HEADER,
            [" 3471234567 ", "\tAnna\t", "\xa0Rossi\xa0", "", "   ", "web", "v1", '""'],
            ["3471234568", " Luca", "Bianchi ", " x@example.it", "web ", " 2024", "v1", "si"],
        ]
    )
    frame, _ = read_all(write(tmp_path, "list.csv", text))
    assert frame.row(0) == ("3471234567", "Anna", "Rossi", None, None, "web", "v1", '""', 2, False)
    assert frame.row(1) == (
        "3471234568",
        "Luca",
        "Bianchi",
        "x@example.it",
        "web",
        "2024",
        "v1",
        "si",
        3,
        False,
    )


def test_quoted_empty_field_is_null(tmp_path):
    text = ",".join(HEADER) + '\n"3471234567","","",,"web","2024","v1","si"\n'
    frame, _ = read_all(write(tmp_path, "list.csv", text))
    assert frame["first_name"][0] is None
    assert frame["last_name"][0] is None


def test_malformed_records_are_filled_and_flagged_never_fatal(tmp_path):
    text = (
        ",".join(HEADER)
        + "\n"
        + ",".join(good_row(1))
        + "\n3471234568,Anna,Rossi\n"
        + ",".join(good_row(3))
        + ",extra,fields\n"
        + ",".join(good_row(4))
        + ",\n"
        + ",".join(good_row(5))
        + "\n"
    )
    frame, _ = read_all(write(tmp_path, "list.csv", text))
    assert frame["_row"].to_list() == [2, 3, 4, 5, 6]
    assert frame["_malformed"].to_list() == [False, True, True, True, False]
    short = frame.row(1, named=True)
    assert (short["phone"], short["first_name"], short["last_name"]) == (
        "3471234568",
        "Anna",
        "Rossi",
    )
    assert short["email"] is None and short["consent_third_party"] is None
    assert frame["consent_third_party"][2] == "sì"


def test_a_short_record_and_a_long_last_record_do_not_hide_each_other(tmp_path):
    # One field missing here and one empty field too many on the unterminated last line:
    # the delimiter totals match, yet both records are malformed.
    text = ",".join(HEADER) + "\n3471234567,Anna,Rossi,a@b.it,web,2024,v1\n"
    text += ",".join(good_row(2)) + ","
    frame, _ = read_all(write(tmp_path, "list.csv", text))
    assert frame["_malformed"].to_list() == [True, True]


def test_quotes_inside_unquoted_fields_are_literal_text(tmp_path):
    text = (
        ",".join(HEADER)
        + "\n"
        + '3471234567,Anna,Monitor 24" LED,a@b.it,web,2024,v1,si\n'
        + '3471234568,"Lu"ca,x, "quoted",web,2024,v1,si\n'
        + ",".join(good_row(3))
        + "\n"
    )
    frame, _ = read_all(write(tmp_path, "list.csv", text))
    assert frame["last_name"][0] == 'Monitor 24" LED'
    # A quote after a space is text too; a quoted field continues up to the delimiter.
    assert frame["first_name"][1] == "Luca"
    assert frame["email"][1] == '"quoted"'
    assert frame["_malformed"].to_list() == [False, False, False]
    assert frame["_row"].to_list() == [2, 3, 4]


def test_a_lone_carriage_return_is_text_and_old_mac_files_use_it_as_line_break(tmp_path):
    text = ",".join(HEADER) + "\n" + "3471234567,An\rna,Rossi,a@b.it,web,2024,v1,si\n"
    frame, _ = read_all(write(tmp_path, "list.csv", text))
    assert frame["first_name"].to_list() == ["An\rna"]

    mac = ",".join(HEADER) + "\r" + ",".join(good_row(1)) + "\r" + ",".join(good_row(2)) + "\r"
    frame, _ = read_all(write(tmp_path, "mac.csv", mac))
    assert frame["_row"].to_list() == [2, 3]
    assert frame["email"].to_list() == ["n1@example.it", "n2@example.it"]


def test_extra_columns_keep_their_header_text(tmp_path):
    rows = [
        ["Telefono", "Nota Interna", *HEADER[1:]],
        ["3471234567", "cliente VIP", *good_row(1)[1:]],
    ]
    frame, table = read_all(write(tmp_path, "list.csv", csv_text(rows, delimiter=";")))
    assert table.columns == ["phone", "Nota Interna", *HEADER[1:]]
    assert table.source_columns == ["Telefono", "Nota Interna", *HEADER[1:]]
    assert frame["Nota Interna"].to_list() == ["cliente VIP"]


def test_trailing_empty_header_cells_from_spreadsheet_exports_are_ignored(tmp_path):
    rows = [[*HEADER, "", ""], [*good_row(1), "", ""], [*HEADER[:0], *good_row(2), "", ""]]
    frame, table = read_all(write(tmp_path, "list.csv", csv_text(rows, delimiter=";")))
    assert table.columns == HEADER
    assert frame["_malformed"].to_list() == [False, False]


def test_missing_required_columns_are_refused_at_open(tmp_path):
    path = write(tmp_path, "list.csv", "telefono;nome\n3471234567;Anna\n")
    with pytest.raises(FileRejected) as caught:
        open_table(str(path))
    assert caught.value.error == "HEADER_MISSING_COLUMNS"
    assert caught.value.errors["missing"] == [
        "consent_source",
        "consent_timestamp",
        "informativa_version",
        "consent_third_party",
    ]


def test_duplicate_header_is_refused_at_open(tmp_path):
    header = ["telefono", "cellulare", *HEADER[1:]]
    path = write(tmp_path, "list.csv", csv_text([header, ["1", *good_row(1)]]))
    with pytest.raises(FileRejected) as caught:
        open_table(str(path))
    assert caught.value.error == "HEADER_DUPLICATE_COLUMN"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b",".join(h.encode() for h in HEADER) + b"\r\n",
        (",".join(HEADER) + "\n\n ,,\n\n").encode(),
    ],
    ids=["zero-bytes", "header-only", "header-and-blank-lines"],
)
def test_a_file_without_data_rows_is_refused_at_open(tmp_path, content):
    path = write(tmp_path, "list.csv", content)
    with pytest.raises(FileRejected) as caught:
        open_table(str(path))
    assert caught.value.error == "FILE_EMPTY"
    assert caught.value.status == 422
    assert caught.value.message_it


def test_a_file_over_the_limit_is_refused(tmp_path):
    path = write(tmp_path, "list.csv", csv_text([HEADER, good_row(1)]))
    size = path.stat().st_size
    with open_table(str(path), max_bytes=size) as table:
        assert table.format == "csv"
    with pytest.raises(FileRejected) as caught:
        open_table(str(path), max_bytes=size - 1)
    assert caught.value.error == "FILE_TOO_LARGE"
    assert caught.value.errors == {"size": size, "limit": size - 1}


def test_utf16_without_byte_order_mark_is_an_encoding_error(tmp_path):
    text = csv_text([HEADER, good_row(1)])
    path = write(tmp_path, "list.csv", text.encode("utf-16-le"))
    with pytest.raises(FileRejected) as caught:
        open_table(str(path))
    assert caught.value.error == "FILE_ENCODING_INVALID"
    assert "UTF-16" in caught.value.message


def test_bytes_invalid_in_utf8_and_windows_1252_are_an_encoding_error(tmp_path):
    data = csv_text([HEADER, good_row(1)]).encode("cp1252").replace(b"s\xec", b"s\x81")
    with pytest.raises(FileRejected) as caught:
        open_table(str(write(tmp_path, "list.csv", data)))
    assert caught.value.error == "FILE_ENCODING_INVALID"


def test_windows_1252_found_after_a_long_ascii_head(tmp_path):
    ascii_rows = [
        [f"34712{i:05d}", "Anna", "Rossi", "a@b.it", "web", "2024", "v1", "si"]
        for i in range(10_000)
    ]
    text = csv_text(
        [HEADER, *ascii_rows, ["3470000000", "Niccolò", "Forlì", "", "web", "2024", "v1", "sì"]]
    )
    assert len(text) > 400 * 1024  # beyond what open_table reads ahead
    path = write(tmp_path, "list.csv", text.encode("cp1252"))
    with open_table(str(path)) as table:
        assert table.encoding == "utf-8"  # the head alone is plain ASCII
        frame = pl.concat(table.iter_chunks(1000))
        assert table.encoding == "cp1252"
    assert frame.height == 10_001
    assert frame.row(-1)[:3] == ("3470000000", "Niccolò", "Forlì")


def test_utf8_accents_followed_by_windows_1252_bytes_are_refused_while_reading(tmp_path):
    head = [good_row(i) for i in range(6000)]
    tail = csv_text([good_row(9999)]).encode("cp1252")
    data = csv_text([HEADER, *head]).encode("utf-8") + tail
    with open_table(str(write(tmp_path, "list.csv", data))) as table:
        assert table.encoding == "utf-8"
        with pytest.raises(FileRejected) as caught:
            for _ in table.iter_chunks(500):
                pass
    assert caught.value.error == "FILE_ENCODING_INVALID"
    assert "mixes" in caught.value.message


def test_an_unclosed_quote_turns_the_rest_into_one_malformed_row(tmp_path):
    text = (
        ",".join(HEADER)
        + "\n"
        + ",".join(good_row(1))
        + '\n3471234568,"Anna,Rossi\n'
        + ",".join(good_row(3))
        + "\n"
    )
    frame, _ = read_all(write(tmp_path, "list.csv", text))
    assert frame["_row"].to_list() == [2, 3]
    assert frame["_malformed"].to_list() == [False, True]


def test_a_quoted_field_that_never_closes_in_a_large_file_is_refused(tmp_path):
    body = ",".join(good_row(1)) + "\n"
    text = ",".join(HEADER) + "\n" + body * 10 + '3471234568,"never closed\n' + body * 200_000
    path = write(tmp_path, "list.csv", text)
    with open_table(str(path)) as table, pytest.raises(FileRejected) as caught:
        for _ in table.iter_chunks():
            pass
    assert caught.value.error == "FILE_UNREADABLE"
    assert caught.value.errors["row"] == 12


def _mixed_file(records: int) -> str:
    """A file exercising every reading path: quotes, quoted line breaks, blank lines, stray
    quotes, short and long records."""
    rows = [",".join(HEADER)]
    for i in range(records):
        kind = i % 97
        if kind == 5:
            rows.append(
                f'3471{i:06d},"Anna\nMaria","Rossi, ""detta"" Ciccio",a@b.it,web,2024,v1,si'
            )
        elif kind == 11:
            rows.append(f"3471{i:06d},Anna,Rossi")
        elif kind == 17:
            rows.append(",".join(good_row(i)) + ",x,y")
        elif kind == 23:
            rows.append("")
        elif kind == 29:
            rows.append(f'3471{i:06d},An"na,Rossi,a@b.it,web,2024,v1,si')
        elif kind == 31:
            rows.append(f"3471{i:06d}, Anna ,Rossi\t,a@b.it,web,2024,v1,si\r")
        else:
            rows.append(",".join(good_row(i)))
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16-le"])
def test_chunk_size_does_not_change_the_result(tmp_path, encoding):
    text = _mixed_file(6_000)
    path = write(tmp_path, "list.csv", ENCODINGS[encoding](text))
    whole, _ = read_all(path, rows=1_000_000)
    assert whole.height > 5_900
    for rows in (11, 1000):
        with open_table(str(path)) as table:
            chunks = list(table.iter_chunks(rows))
        assert all(0 < chunk.height <= rows for chunk in chunks)
        assert pl.concat(chunks).equals(whole)
    assert whole["_row"].is_sorted()
    assert whole["_malformed"].sum() == sum(1 for i in range(6_000) if i % 97 in (11, 17))
    rows_of_kind_5 = whole.filter(pl.col("first_name") == "Anna\nMaria")
    assert rows_of_kind_5["last_name"].unique().to_list() == ['Rossi, "detta" Ciccio']


def test_iterating_twice_reads_the_same_rows(tmp_path):
    path = write(tmp_path, "list.csv", _mixed_file(500))
    with open_table(str(path)) as table:
        first = pl.concat(table.iter_chunks(100))
        second = pl.concat(table.iter_chunks(64))
    assert first.equals(second)
