"""The code catalogue and the fingerprint of the rule configuration."""

from __future__ import annotations

import hashlib
import json

from gateway.rules import (
    BATCH_CODES,
    CANONICAL_COLUMNS,
    CODES,
    FILE_CODES,
    ROW_CODE_ORDER,
    RULESET_VERSION,
    catalogue,
    ruleset_config,
    ruleset_config_hash,
)


def test_every_code_has_kind_fields_and_both_messages():
    for code, entry in CODES.items():
        assert entry.code == code
        assert entry.kind in ("reject", "warning", "file", "batch")
        assert set(entry.fields) <= set(CANONICAL_COLUMNS), code
        assert entry.message_en.strip() and entry.message_it.strip(), code
        assert entry.message_en != entry.message_it


def test_kinds_and_groups():
    assert [c for c in ROW_CODE_ORDER if CODES[c].kind == "warning"] == [
        "CONSENT_PRE_GDPR",
        "RPO_REGISTERED_CONSENT_AFTER",
    ]
    assert set(FILE_CODES) == {
        "FILE_TYPE_UNSUPPORTED",
        "FILE_UNREADABLE",
        "FILE_ENCODING_INVALID",
        "FILE_TOO_LARGE",
        "FILE_EMPTY",
        "HEADER_MISSING_COLUMNS",
        "HEADER_DUPLICATE_COLUMN",
    }
    assert all(CODES[c].kind == "file" for c in FILE_CODES)
    assert "BATCH_REJECTION_RATIO_EXCEEDED" in BATCH_CODES
    assert all(CODES[c].kind == "batch" for c in BATCH_CODES)
    assert CODES["PHONE_INVALID"].fields == ("phone",)
    assert CODES["INFORMATIVA_NOT_IN_EFFECT"].fields == ("informativa_version", "consent_timestamp")
    assert "Garante" in (CODES["THIRD_PARTY_CONSENT_MISSING"].legal_ground or "")


def test_ingest_and_rules_agree_on_columns_and_file_codes():
    from gateway.ingest import CANONICAL_COLUMNS as INGEST_COLUMNS
    from gateway.ingest import FILE_LEVEL_CODES

    assert tuple(INGEST_COLUMNS) == tuple(CANONICAL_COLUMNS)
    assert set(FILE_LEVEL_CODES) == set(FILE_CODES)


def test_config_hash_is_sha256_of_canonical_json():
    canonical = json.dumps(
        ruleset_config(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert ruleset_config_hash() == hashlib.sha256(canonical.encode()).hexdigest()
    assert RULESET_VERSION == "1"
    config = ruleset_config()
    assert [c["code"] for c in config["codes"]][: len(ROW_CODE_ORDER)] == list(ROW_CODE_ORDER)
    assert config["constants"]["rpo_validity_days"] == 15
    assert config["constants"]["future_tolerance_seconds"] == 300
    assert config["constants"]["gdpr_date"] == "2018-05-25T00:00:00+02:00"


def test_config_hash_changes_with_a_constant(monkeypatch):
    before = ruleset_config_hash()
    monkeypatch.setattr(catalogue, "RPO_VALIDITY_DAYS", 30)
    assert ruleset_config_hash() != before
