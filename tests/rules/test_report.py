"""The streamed JSON report, checked against schemas/report.schema.json."""

from __future__ import annotations

import io
import json

import jsonschema
import polars as pl

from gateway.profiles import load_schema
from gateway.rules import write_report_json

from .builders import judge, row

HEADER = {
    "batch_id": "b_1",
    "ruleset": {"version": "1", "config_sha256": "0" * 64},
    "decision": "rejected",
    "batch_reasons": ["BATCH_REJECTION_RATIO_EXCEEDED"],
    "counts": {"total": 3, "accepted": 1, "rejected": 2, "warned": 0, "by_code": {}},
}


def _write(header, frames) -> dict:
    out = io.BytesIO()
    write_report_json(out, header, frames)
    document = json.loads(out.getvalue())
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(document)
    return document


def test_report_rows_show_offending_values(tmp_path):
    rows = [
        row(email="bad@", first_name="Anna"),
        row(phone="+39 347 7654321"),
        row(phone="12345", consent_timestamp="2024-02-30", note="x"),
    ]
    result = judge(
        tmp_path,
        rows,
        buyer={
            "buyer_id": "b",
            "name": "B",
            "roc_number": "1",
            "sector": "energia",
            "policy": {"max_rejected_ratio": 1.0},
        },
    )
    document = _write(HEADER, result.report_frames)
    assert document["batch_id"] == "b_1"
    assert list(document)[-1] == "rows"
    by_row = {r["row"]: r for r in document["rows"]}
    assert set(by_row) == {2, 4}
    assert by_row[2]["values"] == {"email": "bad@"}
    assert by_row[4]["codes"] == ["PHONE_INVALID", "CONSENT_TIMESTAMP_INVALID"]
    assert by_row[4]["values"] == {"phone": "12345", "consent_timestamp": "2024-02-30"}


def test_empty_values_are_null_and_warnings_show_values():
    frame = pl.DataFrame(
        {
            "_row": [7, 9],
            "status": ["rejected", "accepted"],
            "codes": [["PHONE_MISSING"], []],
            "warnings": [[], ["CONSENT_PRE_GDPR"]],
            "phone": [None, "+39 347 1"],
            "consent_timestamp": ["x", '2017-01-01 "quoted" è'],
        },
        schema_overrides={"codes": pl.List(pl.Utf8), "warnings": pl.List(pl.Utf8)},
    )
    document = _write(HEADER, [frame, frame.clear(), frame])
    assert len(document["rows"]) == 4
    assert document["rows"][0]["values"] == {"phone": None}
    assert document["rows"][1]["values"] == {"consent_timestamp": '2017-01-01 "quoted" è'}


def test_report_without_rows():
    document = _write({**HEADER, "decision": "certified", "batch_reasons": []}, [])
    assert document["rows"] == []
    assert "batch_id" in document
    without_id = _write({k: v for k, v in HEADER.items() if k != "batch_id"}, iter([]))
    assert "batch_id" not in without_id
