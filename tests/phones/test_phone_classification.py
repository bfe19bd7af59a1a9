"""Notable phone values and what the classifier says about them."""

from __future__ import annotations

import polars as pl
import pytest

import gateway.phones.classify as classify_module
from gateway.phones import PHONE_STATUSES, PHONE_TYPES, classify_phone_reference, classify_phones
from gateway.phones.classify import fast_path_mask

MOBILE = ("valid", "+393471234567", "mobile")
ROME = ("valid", "+390612345678", "fixed_line")
INVALID = ("invalid", None, None)
MISSING = ("missing", None, None)

NOTABLE = [
    # The usual ways of writing an Italian mobile or landline number.
    ("+39 347 123 4567", MOBILE),
    ("0039 347-1234567", MOBILE),
    ("3471234567", MOBILE),
    ("347/1234567", MOBILE),
    ("cell. 347.123.45.67", MOBILE),
    ("Tel: 347 1234567", MOBILE),
    ("tel:+39-347-123-4567", MOBILE),
    ("\t3471234567\t", MOBILE),
    ("(06) 1234 5678", ROME),
    ("06.12345678", ROME),
    ("+39 (0) 6 1234 5678", ROME),
    ("+39 0 6 1234 5678", ROME),
    ("0039 06 12345678", ROME),
    # Italian numbers keep their leading zero; without it a landline is not a number.
    ("6 1234 5678", INVALID),
    # A bare 39 in front is the calling code only when the rest fits the plan better.
    ("393471234567", MOBILE),
    ("39 06 12345678", ROME),
    ("3934712345", ("valid", "+393934712345", "mobile")),
    ("3906123456789", ("valid", "+3906123456789", "fixed_line")),
    # International prefix forms.
    ("00393471234567", MOBILE),
    ("000393471234567", INVALID),
    ("0039 0039 3471234567", INVALID),
    ("+0039 347 1234567", MOBILE),
    ("+039 347 1234567", INVALID),
    ("++39 347 1234567", MOBILE),
    # Other number types, from the metadata's examples.
    ("800 123 456", ("valid", "+39800123456", "toll_free")),
    ("803123", ("valid", "+39803123", "toll_free")),
    ("899 123 456", ("valid", "+39899123456", "premium_rate")),
    ("848 123 456", ("valid", "+39848123456", "shared_cost")),
    ("178 1234567", ("valid", "+391781234567", "personal_number")),
    ("199 123456", ("valid", "+39199123456", "personal_number")),
    ("55 1234 5678", ("valid", "+395512345678", "voip")),
    ("331 0123 4501", ("valid", "+3933101234501", "voicemail")),
    # Vatican City shares +39 and counts as Italian.
    ("06698123456", ("valid", "+3906698123456", "fixed_line")),
    ("+39 06 698 12345", ("valid", "+390669812345", "fixed_line")),
    # Foreign numbers are valid but not Italian.
    ("+41 44 668 18 00", ("not_italian", "+41446681800", None)),
    ("0041 44 668 18 00", ("not_italian", "+41446681800", None)),
    ("+44 20 7946 0958", ("not_italian", "+442079460958", None)),
    # Letters: three or more are read as a keypad; fewer are dropped.
    ("347-CALL-ME", ("valid", "+39347225563", "mobile")),
    ("347 1234567 (casa)", INVALID),
    ("347 123 (casa)", ("valid", "+393471232272", "mobile")),
    # Extensions are not part of the number.
    ("3471234567 ext. 12", MOBILE),
    ("3471234567 #12", MOBILE),
    ("+39 347 1234567 int. 23", ("valid", "+393471234567", "mobile")),
    ("3471234567;ext=12", MOBILE),
    ("347 1234567,,12", MOBILE),
    ("0612345678 - 503#", ROME),
    ("06 1234567 x 5", ("valid", "+39061234567", "fixed_line")),
    # A second number after "/x" is cut off, even when it is too long to be an extension.
    ("3471234567/x23034567890", MOBILE),
    ("+39 347 1234567 / x2303", MOBILE),
    # Spreadsheet artefacts.
    ("3471234567.0", ("valid", "+3934712345670", "voicemail")),
    ("3.47123E+09", INVALID),
    # Other scripts' digits are digits.
    ("３４７１２３４５６７", MOBILE),
    ("+39 ３４７ １２３ ４５６７", MOBILE),
    # RFC 3966.
    ("tel:3471234567;phone-context=+39", MOBILE),
    # Punctuation the library does not accept inside a number.
    ("347\t1234567", INVALID),
    ("347+1234567", INVALID),
    ("347*1234567", MOBILE),
    # Too short, too long, nothing.
    ("12", INVALID),
    ("34712", INVALID),
    ("06 12", INVALID),
    ("347123456789012345", INVALID),
    ("+39", INVALID),
    ("0039", INVALID),
    ("n/a", INVALID),
    ("-", INVALID),
    ("#12", INVALID),
    # The library refuses text longer than 250 characters before looking at it.
    (" " * 241 + "3471234567", INVALID),
    (" " * 240 + "3471234567", MOBILE),
    # Missing: null or only whitespace, in Python's sense of whitespace.
    (None, MISSING),
    ("", MISSING),
    ("   ", MISSING),
    ("\u00a0", MISSING),
    ("\u2028", MISSING),
    ("\x1c", MISSING),
]


@pytest.mark.parametrize(("value", "expected"), NOTABLE)
def test_notable_value(value, expected):
    result = classify_phones(pl.Series("phone", [value], dtype=pl.Utf8))
    assert result.row(0) == expected
    assert classify_phone_reference(value) == expected


def test_a_column_of_notable_values_is_classified_row_by_row():
    values = [value for value, _ in NOTABLE]
    result = classify_phones(pl.Series("phone", values, dtype=pl.Utf8))
    assert list(result.iter_rows()) == [expected for _, expected in NOTABLE]


def test_result_has_the_documented_columns_and_height():
    result = classify_phones(pl.Series(["3471234567", None, "x"], dtype=pl.Utf8))
    assert result.schema == pl.Schema(
        {"phone_status": pl.Utf8, "phone_e164": pl.Utf8, "phone_type": pl.Utf8}
    )
    assert result.height == 3
    assert set(result.get_column("phone_status")) <= set(PHONE_STATUSES)


def test_statuses_and_types_use_the_documented_names():
    result = classify_phones(pl.Series([value for value, _ in NOTABLE], dtype=pl.Utf8))
    assert set(result.get_column("phone_status")) == set(PHONE_STATUSES)
    assert set(result.get_column("phone_type").drop_nulls()) <= set(PHONE_TYPES)
    assert PHONE_TYPES == (
        "fixed_line",
        "mobile",
        "fixed_line_or_mobile",
        "toll_free",
        "premium_rate",
        "shared_cost",
        "voip",
        "personal_number",
        "pager",
        "uan",
        "voicemail",
        "unknown",
    )


def test_empty_and_all_null_columns():
    assert classify_phones(pl.Series([], dtype=pl.Utf8)).height == 0
    result = classify_phones(pl.Series([None, None]))
    assert list(result.iter_rows()) == [MISSING, MISSING]


def test_non_string_columns_are_refused():
    with pytest.raises(TypeError):
        classify_phones(pl.Series([3471234567]))


def test_common_shapes_take_the_vectorised_path():
    common = [
        "3471234567",
        "+39 347 123 4567",
        "+393471234567",
        "0039 347 1234567",
        "347-1234567",
        "(06) 1234 5678",
        "06.12345678",
        "Tel: 347 1234567",
        "347 1234567 (casa)",
        "3471234567 int. 12",
        "",
        "n/a",
    ]
    assert fast_path_mask(pl.Series(common, dtype=pl.Utf8)).all()


def test_foreign_and_exotic_values_go_to_the_reference():
    exotic = [
        "+41 44 668 18 00",
        "0041 44 668 18 00",
        "３４７１２３４５６７",
        "tel:3471234567;phone-context=+39",
        " " * 241 + "3471234567",
    ]
    assert not fast_path_mask(pl.Series(exotic, dtype=pl.Utf8)).any()


def test_without_a_usable_plan_every_value_goes_to_the_reference(monkeypatch):
    monkeypatch.setattr(classify_module, "PLAN", None)
    values = [value for value, _ in NOTABLE]
    result = classify_phones(pl.Series("phone", values, dtype=pl.Utf8))
    assert list(result.iter_rows()) == [expected for _, expected in NOTABLE]


def test_without_the_parsing_patterns_only_simple_shapes_are_vectorised(monkeypatch):
    monkeypatch.setattr(classify_module, "PATTERNS", None)
    values = [value for value, _ in NOTABLE]
    result = classify_phones(pl.Series("phone", values, dtype=pl.Utf8))
    assert list(result.iter_rows()) == [expected for _, expected in NOTABLE]
    mask = fast_path_mask(pl.Series(["3471234567", "347-CALL-ME"], dtype=pl.Utf8))
    assert mask.to_list() == [True, False]
