"""Header mapping: canonical names, Italian aliases, and header-level rejections."""

from __future__ import annotations

import pytest

from gateway.ingest import CANONICAL_COLUMNS, REQUIRED_COLUMNS, FileRejected, canonical_column
from gateway.ingest.columns import map_header


def test_canonical_columns_follow_the_domain_table():
    assert CANONICAL_COLUMNS == (
        "phone",
        "first_name",
        "last_name",
        "email",
        "fiscal_code",
        "address",
        "postal_code",
        "city",
        "province",
        "consent_source",
        "consent_timestamp",
        "informativa_version",
        "consent_third_party",
        "consent_ip",
        "double_optin_at",
        "proof_ref",
        "collected_by",
    )
    assert REQUIRED_COLUMNS == (
        "phone",
        "consent_source",
        "consent_timestamp",
        "informativa_version",
        "consent_third_party",
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("phone", "phone"),
        ("  PHONE ", "phone"),
        ("Telefono", "phone"),
        ("Cellulare", "phone"),
        ("Numero Telefono", "phone"),
        ("numero-telefono", "phone"),
        ("TEL", "phone"),
        ("E-mail", "email"),
        ("e mail", "email"),
        ("Posta elettronica", "email"),
        ("Città", "city"),
        ("CITTA", "city"),
        ("Comune", "city"),
        ("CF", "fiscal_code"),
        ("Codice Fiscale", "fiscal_code"),
        ("CAP", "postal_code"),
        ("Prov", "province"),
        ("Fonte consenso", "consent_source"),
        ("Data Consenso", "consent_timestamp"),
        ("timestamp-consenso", "consent_timestamp"),
        ("Versione informativa", "informativa_version"),
        ("Consenso cessione terzi", "consent_third_party"),
        ("IP", "consent_ip"),
        ("Double Opt-In", "double_optin_at"),
        ("data doppio optin", "double_optin_at"),
        ("Rif. prova", None),
        ("rif prova", "proof_ref"),
        ("Raccolto da", "collected_by"),
        ("Titolare raccolta", "collected_by"),
        ("\ufeffphone", "phone"),
        ("note", None),
        ("telefono2", None),
    ],
)
def test_header_aliases_accents_case_and_separators(header, expected):
    assert canonical_column(header) == expected


def test_map_header_keeps_extras_unchanged_and_drops_empty_cells():
    cells = [
        "Telefono",
        "Nota Interna",
        "fonte",
        "data_consenso",
        "",
        "informativa",
        "cessione terzi",
        " ",
    ]
    mapped = map_header(cells)
    assert mapped.columns == (
        "phone",
        "Nota Interna",
        "consent_source",
        "consent_timestamp",
        "informativa_version",
        "consent_third_party",
    )
    assert mapped.source_columns == (
        "Telefono",
        "Nota Interna",
        "fonte",
        "data_consenso",
        "informativa",
        "cessione terzi",
    )
    assert mapped.positions == (0, 1, 2, 3, 5, 6)


def test_missing_required_columns_are_named_in_both_languages():
    with pytest.raises(FileRejected) as caught:
        map_header(["telefono", "nome", "data_consenso"])
    exc = caught.value
    assert exc.status == 422
    assert exc.error == "HEADER_MISSING_COLUMNS"
    assert exc.errors == {
        "missing": ["consent_source", "informativa_version", "consent_third_party"]
    }
    for text in (exc.message, exc.message_it):
        assert "consent_source (fonte_consenso)" in text
        assert "consent_third_party (consenso_terzi)" in text
    assert "mancano" in exc.message_it


def test_two_headers_for_one_column_are_a_duplicate():
    with pytest.raises(FileRejected) as caught:
        map_header(["telefono", "cellulare", "fonte", "data_consenso", "informativa", "terzi"])
    exc = caught.value
    assert exc.error == "HEADER_DUPLICATE_COLUMN"
    assert exc.errors == {"column": "phone", "headers": ["telefono", "cellulare"]}
    assert "'telefono'" in exc.message and "'cellulare'" in exc.message


def test_identical_extra_headers_are_a_duplicate():
    cells = ["phone", "note", "consent_source", "consent_timestamp", "informativa_version"]
    cells += ["consent_third_party", "note"]
    with pytest.raises(FileRejected) as caught:
        map_header(cells)
    assert caught.value.error == "HEADER_DUPLICATE_COLUMN"
    assert caught.value.errors["column"] == "note"


def test_an_extra_header_may_not_take_a_reserved_name():
    cells = ["phone", "consent_source", "consent_timestamp", "informativa_version"]
    cells += ["consent_third_party", "_row"]
    with pytest.raises(FileRejected) as caught:
        map_header(cells)
    assert caught.value.error == "HEADER_DUPLICATE_COLUMN"
