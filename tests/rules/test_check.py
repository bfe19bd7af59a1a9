"""``gateway check`` and ``check_file``: the JSON document, the summary and exit statuses."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.rules import CODES, ROW_CODE_ORDER, check_file
from gateway.rules.sample import NOW as SAMPLE_NOW
from gateway.rules.sample import RPO_CONSULTED_AT, generate

from .builders import NOW, PHONE_E164, buyer_profile, row, vendor_profile, write_rows

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "docs" / "sample"


@pytest.fixture
def files(tmp_path):
    vendor = tmp_path / "vendor.json"
    vendor.write_text(json.dumps(vendor_profile()))
    buyer = tmp_path / "buyer.json"
    buyer.write_text(json.dumps(buyer_profile()))
    rpo = tmp_path / "rpo.csv"
    rpo.write_text(f"phone,registered\n{PHONE_E164},no\n+393477654321,no\n")
    return {"vendor": vendor, "buyer": buyer, "rpo": rpo, "dir": tmp_path}


def _args(files, batch, *extra):
    consulted = (NOW - timedelta(days=2)).isoformat()
    return [
        "check",
        str(batch),
        "--vendor",
        str(files["vendor"]),
        "--buyer",
        str(files["buyer"]),
        "--rpo",
        str(files["rpo"]),
        "--rpo-consulted-at",
        consulted,
        "--now",
        NOW.isoformat(),
        *extra,
    ]


def _run(capsys, argv):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_document_of_a_certified_batch(files, capsys):
    batch = write_rows(files["dir"] / "batch.csv", [row(), row(phone="+39 347 7654321")])
    status, out, err = _run(capsys, _args(files, batch, "--json"))
    assert status == 0, err
    document = json.loads(out)
    assert list(document) == ["ruleset", "decision", "batch_reasons", "counts", "rows"]
    assert document["decision"] == "certified"
    assert document["batch_reasons"] == []
    assert document["counts"] == {"total": 2, "accepted": 2, "rejected": 0, "by_code": {}}
    assert document["rows"] == []
    assert set(document["ruleset"]) == {"version", "config_sha256"}


def test_json_document_of_a_rejected_batch(files, capsys):
    batch = write_rows(
        files["dir"] / "batch.csv", [row(), row(phone="+39 347 7654321", email="x@")]
    )
    status, out, _ = _run(capsys, _args(files, batch, "--json"))
    assert status == 1
    document = json.loads(out)
    assert document["decision"] == "rejected"
    assert document["batch_reasons"] == ["BATCH_REJECTION_RATIO_EXCEEDED"]
    assert document["counts"]["by_code"] == {"EMAIL_INVALID": 1}
    assert document["rows"] == [
        {"row": 3, "status": "rejected", "codes": ["EMAIL_INVALID"], "warnings": []}
    ]
    assert out.count("\n") == 1  # exactly one JSON document


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"phone,email\n+39 333 1234567,a@example.com\n", "HEADER_MISSING_COLUMNS"),
        (
            b"phone,consent_source,consent_timestamp,informativa_version,consent_third_party\n",
            "FILE_EMPTY",
        ),
        (b"%PDF-1.7\n\x00\x01\x02binary", "FILE_TYPE_UNSUPPORTED"),
    ],
)
def test_file_level_rejection_is_exit_one(files, capsys, content, reason):
    batch = files["dir"] / "batch.csv"
    batch.write_bytes(content)
    status, out, _ = _run(capsys, _args(files, batch, "--json"))
    assert status == 1
    document = json.loads(out)
    assert document["decision"] == "rejected"
    assert document["batch_reasons"] == [reason]
    assert document["counts"] == {"total": 0, "accepted": 0, "rejected": 0, "by_code": {}}


def test_readable_summary(files, capsys):
    batch = write_rows(files["dir"] / "batch.csv", [row(), row(phone="12345")])
    status, out, _ = _run(capsys, _args(files, batch))
    assert status == 1
    assert "Decision: REJECTED" in out
    assert "PHONE_INVALID" in out and CODES["PHONE_INVALID"].message_en in out
    assert "row 3: rejected: PHONE_INVALID" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda f, a: a.__setitem__(a.index("--vendor") + 1, str(f["dir"] / "none.json")),
            "vendor profile",
        ),
        (lambda f, a: f["vendor"].write_text("{not json"), "not valid JSON"),
        (lambda f, a: f["vendor"].write_text(json.dumps({"vendor_id": "v"})), "/informative"),
        (
            lambda f, a: f["buyer"].write_text(
                json.dumps({**buyer_profile(), "policy": {"max_rejected_ratio": 2}})
            ),
            "/policy/max_rejected_ratio",
        ),
        (
            lambda f, a: (
                a.remove(a[a.index("--rpo-consulted-at") + 1]) or a.remove("--rpo-consulted-at")
            ),
            "--rpo-consulted-at",
        ),
        (lambda f, a: a.__setitem__(a.index("--now") + 1, "tomorrow"), "--now"),
        (lambda f, a: f["rpo"].write_text("phone,registered\nabc,si\n"), "line 2"),
    ],
)
def test_unusable_arguments_are_exit_two(files, capsys, change, message):
    batch = write_rows(files["dir"] / "batch.csv", [row()])
    argv = _args(files, batch, "--json")
    change(files, argv)
    status, out, err = _run(capsys, argv)
    assert status == 2
    assert out == ""
    assert message in err


def test_check_file_without_rpo_rejects_every_number(tmp_path):
    batch = write_rows(tmp_path / "batch.csv", [row()])
    result = check_file(batch, vendor_profile(), buyer_profile(), now=NOW)
    assert result["rows"] == [
        {"row": 2, "status": "rejected", "codes": ["RPO_NOT_CHECKED"], "warnings": []}
    ]


def test_objections_file_applies_by_recording_time(tmp_path):
    batch = write_rows(tmp_path / "batch.csv", [row(), row(phone="+39 347 7654321")])
    rpo = tmp_path / "rpo.csv"
    rpo.write_text(f"{PHONE_E164},no\n+393477654321,no\n")
    objections = tmp_path / "objections.csv"
    objections.write_text(
        f"phone,recorded_at\n{PHONE_E164},\n347 7654321,{(NOW + timedelta(hours=1)).isoformat()}\n"
    )
    result = check_file(
        batch,
        vendor_profile(),
        buyer_profile(max_rejected_ratio=1),
        [(rpo, NOW - timedelta(days=1))],
        objections,
        NOW,
    )
    assert [r["row"] for r in result["rows"]] == [2]
    assert result["rows"][0]["codes"] == ["OBJECTION_RECORDED"]


def test_sample_files_are_the_generated_ones():
    for name, text in generate().items():
        assert (SAMPLE / name).read_bytes().decode("utf-8") == text, name


def test_sample_walkthrough_is_certified_and_shows_every_row_code(capsys):
    argv = [
        "check",
        str(SAMPLE / "sample.csv"),
        "--vendor",
        str(SAMPLE / "vendor.json"),
        "--buyer",
        str(SAMPLE / "buyer.json"),
        "--rpo",
        str(SAMPLE / "rpo.csv"),
        "--rpo-consulted-at",
        RPO_CONSULTED_AT,
        "--objections",
        str(SAMPLE / "objections.csv"),
        "--now",
        SAMPLE_NOW,
        "--json",
    ]
    status, out, _ = _run(capsys, argv)
    document = json.loads(out)
    assert status == 0
    assert document["decision"] == "certified"
    assert set(document["counts"]["by_code"]) == set(ROW_CODE_ORDER)
    assert document["counts"]["total"] == 403
