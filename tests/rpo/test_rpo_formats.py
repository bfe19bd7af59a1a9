"""RPO import formats A and B: forms accepted, and imports refused with their line numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.rpo import DATE_UNKNOWN, NOT_REGISTERED, ImportRejected, parse_format_a, parse_format_b


def _entries(entries) -> dict[int, int]:
    return dict(zip(entries.keys.tolist(), entries.registered_at.tolist(), strict=True))


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).astimezone(UTC).timestamp())


def test_format_a_with_header_and_every_value_form(tmp_path):
    path = tmp_path / "esito.csv"
    path.write_text(
        "\ufefftelefono;iscritto;data_iscrizione\n"
        "+39 333 1234567;sì;2024-03-01\n"
        "3331234568;no;\n"
        "\n"
        "0039 02 1234 5678;1;01/02/2024 10:30\n"
        "347-1234567;x;\n"
        "3481234567;;\n"
        "3491234567;NO;2024-01-01\n"
        '"+39 350 1234567";Y;2024-03-01T10:00:00.4+01:00\n',
        encoding="utf-8",
    )
    entries = parse_format_a(path)
    assert _entries(entries) == {
        393331234567: _epoch("2024-03-01T23:59:59+01:00"),  # a date alone: end of that day
        393331234568: NOT_REGISTERED,
        390212345678: _epoch("2024-02-01T10:30:00+01:00"),
        393471234567: DATE_UNKNOWN,
        393481234567: NOT_REGISTERED,  # empty means no
        393491234567: NOT_REGISTERED,  # a date on a number not registered is ignored
        393501234567: _epoch("2024-03-01T10:00:01+01:00"),  # rounded up to the second
    }
    assert entries.registered == 4
    assert list(entries.keys) == sorted(entries.keys)


def test_format_a_without_header_tab_separated(tmp_path):
    path = tmp_path / "esito.tsv"
    path.write_text("3331234567\ttrue\n3331234568\tfalse\n")
    assert _entries(parse_format_a(path)) == {
        393331234567: DATE_UNKNOWN,
        393331234568: NOT_REGISTERED,
    }


def test_format_a_duplicates_keep_the_most_cautious_answer(tmp_path):
    path = tmp_path / "esito.csv"
    path.write_text(
        "3331234567,no\n+393331234567,si,2024-01-01T10:00:00Z\n333 1234567,si,2023-01-01\n"
        "3331234568,si,2024-01-01\n3331234568,si\n"
    )
    assert _entries(parse_format_a(path)) == {
        393331234567: _epoch("2024-01-01T10:00:00+00:00"),
        393331234568: DATE_UNKNOWN,
    }


def test_format_a_unusable_lines_are_listed(tmp_path):
    path = tmp_path / "esito.csv"
    path.write_text(
        "phone,registered,registered_at\n"
        "3331234567,si,\n"
        "not a number,si,\n"
        "\n"
        "3331234568,forse,\n"
        "+44 20 7946 0958,no,\n"
        "3331234569,si,ieri\n"
        "3331234570,si,2024-01-01,extra\n"
    )
    with pytest.raises(ImportRejected) as caught:
        parse_format_a(path)
    error = caught.value
    assert error.status == 422
    assert error.errors["count"] == 5
    assert [(p["line"], p["problem"]) for p in error.errors["lines"]] == [
        (3, "not a valid Italian phone number"),
        (5, "registered is not a yes/no value"),
        (6, "not a valid Italian phone number"),
        (7, "registered_at is not a date"),
        (8, "more than three fields"),
    ]
    assert "lines 3, 5, 6, 7, 8" in error.message


@pytest.mark.parametrize(
    "content",
    [b"", b"phone,registered\n", b"3331234567\n3331234568\n", b"\xff\xfe3\x003\x00\n"],
)
def test_format_a_refuses_empty_single_column_and_non_utf8(tmp_path, content):
    path = tmp_path / "esito.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRejected):
        parse_format_a(path)


def test_format_b_numbers_missing_from_contactable_are_registered(tmp_path):
    sent = tmp_path / "sent.csv"
    sent.write_text("numero\n+39 333 1234567\n3331234568\n02 12345678\n3331234568\n")
    back = tmp_path / "back.csv"
    back.write_text("+393331234568;Rossi\n")
    assert _entries(parse_format_b(sent, back)) == {
        393331234567: DATE_UNKNOWN,
        393331234568: NOT_REGISTERED,
        390212345678: DATE_UNKNOWN,
    }


def test_format_b_refuses_foreign_contactable_numbers_and_bad_lines(tmp_path):
    sent = tmp_path / "sent.csv"
    sent.write_text("3331234567\n")
    back = tmp_path / "back.csv"
    back.write_text("3331234567\n3339999999\n")
    with pytest.raises(ImportRejected) as caught:
        parse_format_b(sent, back)
    assert caught.value.errors["numbers"] == ["+393339999999"]
    sent.write_text("3331234567\nabc123\n")
    with pytest.raises(ImportRejected) as caught:
        parse_format_b(sent, back)
    assert caught.value.errors["lines"] == [
        {"line": 2, "problem": "not a valid Italian phone number"}
    ]
