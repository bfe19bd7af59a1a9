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


def test_each_row_shows_exactly_the_columns_its_codes_are_about():
    from gateway.rules import CODES

    codes = sorted(c for c in CODES if CODES[c].kind in ("reject", "warning"))
    columns = sorted({f for c in codes for f in CODES[c].fields})
    rows = 300
    frame = pl.DataFrame(
        {
            "_row": list(range(2, rows + 2)),
            "status": ["rejected"] * rows,
            # Every row its own mix of codes, several mixes in one frame.
            "codes": [[codes[(i * 7 + k) % len(codes)] for k in range(i % 4)] for i in range(rows)],
            "warnings": [["CONSENT_PRE_GDPR"] if i % 5 == 0 else [] for i in range(rows)],
            **{name: [f"{name}-{i}" for i in range(rows)] for name in columns},
        },
        schema_overrides={"codes": pl.List(pl.Utf8), "warnings": pl.List(pl.Utf8)},
    )
    document = _write(HEADER, [frame.head(120), frame.slice(120)])
    assert len(document["rows"]) == rows
    for i, got in enumerate(document["rows"]):
        named = set(frame["codes"][i].to_list()) | set(frame["warnings"][i].to_list())
        wanted = [name for name in columns if any(name in CODES[c].fields for c in named)]
        assert sorted(got["values"]) == wanted
        assert all(got["values"][name] == f"{name}-{i}" for name in wanted)


def test_rows_rendered_while_judging_give_the_same_document():
    from gateway.rules import render_report_rows, write_rendered_report_json

    frame = pl.DataFrame(
        {
            "_row": [2, 3],
            "status": ["rejected", "accepted"],
            "codes": [["EMAIL_INVALID"], []],
            "warnings": [[], ["CONSENT_PRE_GDPR"]],
            "email": ["bad@", "ok@example.it"],
            "consent_timestamp": ["2024-01-01", "2017-01-01"],
        },
        schema_overrides={"codes": pl.List(pl.Utf8), "warnings": pl.List(pl.Utf8)},
    )
    frames = [frame, frame.clear(), frame]
    direct = io.BytesIO()
    assert write_report_json(direct, HEADER, frames) == 4
    rendered = io.BytesIO()
    write_rendered_report_json(rendered, HEADER, [render_report_rows(f) for f in frames])
    assert rendered.getvalue() == direct.getvalue()
    empty = io.BytesIO()
    write_rendered_report_json(empty, HEADER, [render_report_rows(frame.clear())])
    assert json.loads(empty.getvalue())["rows"] == []


def test_values_that_need_escaping_read_back_exactly():
    awkward = ['a "quoted" word', "back\\slash", "tab\there", "two\nlines", "bell\x07", "è ü €"]
    rows = 40
    values = [awkward[i % len(awkward)] if i % 3 else f"plain {i}" for i in range(rows)]
    values[5] = None
    frame = pl.DataFrame(
        {
            "_row": list(range(2, rows + 2)),
            "status": ["rejected"] * rows,
            "codes": [["EMAIL_INVALID"]] * rows,
            "warnings": [[]] * rows,
            "email": values,
        },
        schema_overrides={"codes": pl.List(pl.Utf8), "warnings": pl.List(pl.Utf8)},
    )
    document = _write(HEADER, [frame])
    assert [r["values"]["email"] for r in document["rows"]] == values
