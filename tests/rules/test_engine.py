"""The engine as the batch job sees it: order of codes, chunks, callbacks and the outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from gateway.errors import ValidationFailed
from gateway.ingest import open_table
from gateway.rpo import RpoIndex
from gateway.rules import CANONICAL_COLUMNS, ROW_CODE_ORDER, evaluate, ruleset_config_hash

from .builders import (
    CONSULTED_AT,
    NOW,
    PHONE_E164,
    buyer_profile,
    consultation,
    judge,
    judge_file,
    row,
    rpo_index,
    vendor_profile,
    write_rows,
)

# The rejection codes of domain.md's table, in its order.
DOMAIN_ORDER = [
    "ROW_MALFORMED",
    "PHONE_MISSING",
    "PHONE_INVALID",
    "PHONE_NOT_ITALIAN",
    "PHONE_TYPE_NOT_ALLOWED",
    "PHONE_DUPLICATE",
    "EMAIL_INVALID",
    "FISCAL_CODE_INVALID",
    "POSTAL_CODE_INVALID",
    "CONSENT_SOURCE_MISSING",
    "CONSENT_SOURCE_UNDECLARED",
    "CONSENT_TIMESTAMP_MISSING",
    "CONSENT_TIMESTAMP_INVALID",
    "CONSENT_TIMESTAMP_FUTURE",
    "INFORMATIVA_MISSING",
    "INFORMATIVA_UNKNOWN",
    "INFORMATIVA_NOT_IN_EFFECT",
    "THIRD_PARTY_CONSENT_MISSING",
    "SECTOR_NOT_COVERED",
    "CASCADING_TRANSFER",
    "CONSENT_IP_INVALID",
    "DOUBLE_OPTIN_INVALID",
    "CONSENT_PROOF_MISSING",
    "CONSENT_TOO_OLD",
    "CONSENT_PRE_GDPR",
    "RPO_NOT_CHECKED",
    "RPO_REGISTERED",
    "RPO_REGISTERED_CONSENT_AFTER",
    "OBJECTION_RECORDED",
]


def test_every_applicable_code_is_reported_in_table_order(tmp_path):
    bad = row(
        email="nope",
        fiscal_code="XXXXXX00X00X000X",
        postal_code="1",
        consent_source="https://altro.example/x",
        consent_timestamp="2017-01-01T10:00:00",
        informativa_version="tlc",
        consent_third_party="no",
        collected_by="someone-else",
        consent_ip="1.2.3.999",
        double_optin_at="2016-01-01",
        proof_ref="",
    )
    result = judge(
        tmp_path,
        [bad],
        rpo=rpo_index({PHONE_E164: None}),
        buyer=buyer_profile(max_consent_age_days=365, reject_pre_gdpr=True),
    )
    codes = result.codes()
    assert codes == [
        "EMAIL_INVALID",
        "FISCAL_CODE_INVALID",
        "POSTAL_CODE_INVALID",
        "CONSENT_SOURCE_UNDECLARED",
        "THIRD_PARTY_CONSENT_MISSING",
        "SECTOR_NOT_COVERED",
        "CASCADING_TRANSFER",
        "CONSENT_IP_INVALID",
        "DOUBLE_OPTIN_INVALID",
        "CONSENT_PROOF_MISSING",
        "CONSENT_TOO_OLD",
        "CONSENT_PRE_GDPR",
        "RPO_REGISTERED",
    ]
    assert codes == sorted(codes, key=DOMAIN_ORDER.index)
    assert list(ROW_CODE_ORDER) == DOMAIN_ORDER


def test_duplicates_across_chunk_boundaries(tmp_path):
    numbers = [
        "+39 347 1000001",
        "347 1000002",
        "+39 347 1000003",
        "0039 347 1000001",
        "3471000004",
        "+393471000002",
        "347 100 0005",
        "+39 347 1000005",
        "347-1000001",
    ]
    rows = [row(phone=n) for n in numbers]
    result = judge(tmp_path, rows, chunk_rows=3)
    duplicates = sorted(
        r for r, item in result.report.items() if "PHONE_DUPLICATE" in item["codes"]
    )
    # Rows are numbered from 2 (the header is row 1); first occurrences are not duplicates.
    assert duplicates == [5, 7, 9, 10]
    assert result.accepted.get_column("_row").to_list() == [2, 3, 4, 6, 8]


def test_duplicates_count_invalid_other_rows_and_foreign_numbers(tmp_path):
    rows = [
        row(phone="+44 20 7946 0958"),
        row(phone="+442079460958"),
        row(email="bad@"),  # valid number, otherwise rejected: still the first occurrence
        row(),
        row(phone="12345"),
        row(phone="12345"),  # invalid numbers are never duplicates
    ]
    result = judge(tmp_path, rows)
    assert result.codes(3) == ["PHONE_NOT_ITALIAN", "PHONE_DUPLICATE"]
    assert result.codes(4) == ["EMAIL_INVALID"]
    assert result.codes(5) == ["PHONE_DUPLICATE"]
    assert result.codes(7) == ["PHONE_INVALID"]


def test_malformed_row_reports_only_row_malformed(tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text(
        "phone,consent_source,consent_timestamp,informativa_version,consent_third_party,"
        "proof_ref\n"
        "+39 333 1234567,fiera,2024-03-01T10:00:00,v1,si,PRV-1,extra,fields\n"
        "+39 333 1234567,fiera,2024-03-01T10:00:00,v1,si,PRV-1\n"
        "nonsense\n"
    )
    result = judge_file(path, rpo=rpo_index({PHONE_E164: False}))
    assert result.codes(2) == ["ROW_MALFORMED"]
    # The malformed row's number does not count: row 3 is not a duplicate.
    assert 3 not in result.report
    assert result.codes(4) == ["ROW_MALFORMED"]
    assert result.outcome.counts["by_code"] == {"ROW_MALFORMED": 2}


def test_service_mode_waits_for_rpo_and_lists_numbers(tmp_path):
    rows = [
        row(),
        row(phone="+39 347 7654321"),
        row(phone="347 7654321"),  # duplicate of an unchecked number
        row(phone="+39 348 1111111", email="bad@"),  # rejected anyway: not worth checking
    ]
    rpo = rpo_index({PHONE_E164: False})
    result = judge(
        tmp_path, rows, rpo=rpo, mode="service", buyer=buyer_profile(max_rejected_ratio=0.5)
    )
    assert result.outcome.decision == "awaiting_rpo"
    assert result.outcome.batch_reasons == ["RPO_NOT_CHECKED"]
    assert result.unchecked == ["+393477654321"]
    assert result.outcome.unchecked_numbers == 1
    assert result.codes(3) == ["RPO_NOT_CHECKED"]
    offline = judge(
        tmp_path, rows, rpo=rpo, mode="offline", buyer=buyer_profile(max_rejected_ratio=0.5)
    )
    assert offline.outcome.decision == "rejected"
    assert offline.unchecked == []


def test_service_mode_covered_batch_is_decided(tmp_path):
    result = judge(tmp_path, [row()], mode="service")
    assert result.outcome.decision == "certified"
    assert result.unchecked == []


def test_service_mode_does_not_wait_when_rejection_is_certain(tmp_path):
    rows = [row(), row(phone="+39 347 7654321"), row(phone="12345"), row(phone="1234")]
    result = judge(tmp_path, rows, rpo=rpo_index({PHONE_E164: False}), mode="service")
    # Even if the unchecked number passed, 2 of 4 rows would be rejected (limit 10%).
    assert result.outcome.decision == "rejected"
    assert result.outcome.batch_reasons == ["BATCH_REJECTION_RATIO_EXCEEDED"]
    assert result.unchecked == []


def test_outcome_lists_consultations_informative_and_validity(tmp_path):
    older = consultation(
        {PHONE_E164: False, "+393477654321": False}, CONSULTED_AT - timedelta(days=3), "old"
    )
    newer = consultation({PHONE_E164: False}, CONSULTED_AT, "new")
    from gateway.rpo import RpoIndex

    rows = [row(), row(phone="+39 347 7654321", informativa_version="tlc")]
    result = judge(tmp_path, rows, rpo=RpoIndex([older, newer]))
    outcome = result.outcome
    assert [c["id"] for c in outcome.rpo_consultations] == ["old", "new"]
    assert outcome.valid_until == CONSULTED_AT - timedelta(days=3) + timedelta(days=15)
    # Only accepted rows' notices are stated (row 3 is rejected: SECTOR_NOT_COVERED).
    assert outcome.informative == [{"version": "v1", "sha256": "a" * 64}]
    assert outcome.ruleset == {"version": "1", "config_sha256": ruleset_config_hash()}
    data = outcome.to_dict()
    assert data["valid_until"] == "2025-06-27T07:00:00Z"
    assert data["rpo_consultations"][1] == {"id": "new", "consulted_at": "2025-06-15T07:00:00Z"}
    assert data["counts"] == {
        "total": 2,
        "accepted": 1,
        "rejected": 1,
        "warned": 0,
        "by_code": {"SECTOR_NOT_COVERED": 1},
    }


def test_newest_consultation_answers(tmp_path):
    from gateway.rpo import RpoIndex

    registered = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    older = consultation({PHONE_E164: False}, CONSULTED_AT - timedelta(days=2), "old")
    newer = consultation({PHONE_E164: registered}, CONSULTED_AT, "new")
    result = judge(tmp_path, [row()], rpo=RpoIndex([newer, older]))
    assert result.codes() == ["RPO_REGISTERED"]
    assert [c["id"] for c in result.outcome.rpo_consultations] == ["new"]


def test_accepted_rows_carry_file_columns_with_e164_phone(tmp_path):
    rows = [row(first_name="Anna", note="cliente storico"), row(phone="bad", note="x")]
    result = judge(tmp_path, rows, buyer=buyer_profile(max_rejected_ratio=0.5))
    accepted = result.accepted
    assert accepted.columns == [*rows[0].keys(), "_row"]
    assert accepted.row(0, named=True)["phone"] == PHONE_E164
    assert accepted.row(0, named=True)["note"] == "cliente storico"
    assert accepted.row(0, named=True)["consent_timestamp"] == "2024-03-01T10:00:00"
    assert accepted.get_column("_row").to_list() == [2]


def test_report_frames_hold_canonical_inputs(tmp_path):
    result = judge(tmp_path, [row(email="bad@", note="extra")])
    frame = result.report_frames[0]
    assert frame.columns == ["_row", "status", "codes", "warnings", *CANONICAL_COLUMNS]
    assert frame.schema["_row"] == pl.Int64
    assert frame.schema["codes"] == pl.List(pl.Utf8)
    assert frame.row(0, named=True)["email"] == "bad@"
    assert frame.row(0, named=True)["phone"] == "+39 333 1234567"


def test_no_accepted_row_rejects_the_batch(tmp_path):
    result = judge(tmp_path, [row(phone="123")], buyer=buyer_profile(max_rejected_ratio=1.0))
    assert result.outcome.decision == "rejected"
    assert result.outcome.batch_reasons == ["BATCH_NO_ACCEPTED_ROWS"]
    both = judge(tmp_path, [row(phone="123")])
    assert both.outcome.batch_reasons == [
        "BATCH_REJECTION_RATIO_EXCEEDED",
        "BATCH_NO_ACCEPTED_ROWS",
    ]


def test_counts_warned_rows(tmp_path):
    registered = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp())
    result = judge(tmp_path, [row()], rpo=rpo_index({PHONE_E164: registered}))
    assert result.outcome.counts["warned"] == 1
    assert result.outcome.counts["accepted"] == 1
    assert result.outcome.counts["by_code"] == {"RPO_REGISTERED_CONSENT_AFTER": 1}


def test_progress_and_chunking(tmp_path):
    from gateway.ingest import open_table

    from .builders import covering, write_rows

    rows = [row(phone=f"+39 347 {2000000 + i}") for i in range(7)]
    path = write_rows(tmp_path / "b.csv", rows)
    progress: list[int] = []
    with open_table(path) as table:
        outcome = evaluate(
            table,
            vendor=vendor_profile(),
            buyer=buyer_profile(),
            rpo=covering(rows),
            objections=None,
            now=NOW,
            mode="offline",
            chunk_rows=3,
            on_progress=progress.append,
        )
    # Chunks hold at most three rows; progress counts rows judged so far.
    steps = [b - a for a, b in zip([0, *progress], progress, strict=False)]
    assert progress[-1] == 7
    assert all(0 < step <= 3 for step in steps)
    assert outcome.decision == "certified"


def test_invalid_profiles_and_arguments_are_refused(tmp_path):
    with pytest.raises(ValidationFailed):
        judge(tmp_path, [row()], vendor={"vendor_id": "x"})
    with pytest.raises(ValueError, match="timezone"):
        judge(tmp_path, [row()], now=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="mode"):
        judge(tmp_path, [row()], mode="later")


def test_a_failing_callback_stops_every_pipeline_thread(tmp_path):
    import threading

    path = write_rows(tmp_path / "batch.csv", [row(phone=f"+39347{i:07d}") for i in range(300)])

    def fail(frame: pl.DataFrame) -> None:
        raise RuntimeError("store unavailable")

    with open_table(path) as table, pytest.raises(RuntimeError) as caught:
        evaluate(
            table,
            vendor=vendor_profile(),
            buyer=buyer_profile(),
            rpo=RpoIndex.empty(),
            objections=None,
            now=NOW,
            mode="offline",
            chunk_rows=50,
            on_accepted=fail,
            on_report=fail,
        )
    # Stopped before the error left evaluate, not when its traceback is dropped.
    assert caught.traceback
    assert not [t for t in threading.enumerate() if t.name in ("read-ahead", "rules_0")]
