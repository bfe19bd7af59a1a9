"""Objections: append-only records by scope, and lookups for one buyer at one time."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from gateway.cli import main
from gateway.errors import BadRequest
from gateway.objections import ObjectionIndex, ObjectionLedger, parse_objections
from gateway.rpo import ImportRejected
from gateway.storage import LocalObjectStore

NOW = datetime(2025, 6, 16, 7, 0, tzinfo=UTC)
A, B, C, FOREIGN = "+393331234567", "+393331234568", "+393331234569", "+442079460958"


@pytest.fixture
def store(tmp_path):
    return LocalObjectStore(tmp_path / "store")


def _objected(index: ObjectionIndex, *numbers: str | None) -> list[bool]:
    return index.lookup(pl.Series(numbers, dtype=pl.Utf8)).to_list()


def test_scopes_global_and_per_buyer(store):
    ledger = ObjectionLedger(store)
    ledger.record([("333 123 4567", None)], "global", actor="admin", now=NOW)
    ledger.record([("0039 333 1234568", None)], "buyer-1", actor="admin", now=NOW)
    ledger.record([(C, None)], "buyer-2", actor="admin", now=NOW)
    assert _objected(ledger.index("buyer-1"), A, B, C, None) == [True, True, False, False]
    assert _objected(ledger.index("buyer-2"), A, B, C) == [True, False, True]
    assert _objected(ledger.index(None), A, B, C) == [True, False, False]


def test_objections_apply_from_their_recording_time(store):
    ledger = ObjectionLedger(store)
    frame = pl.DataFrame({"phone": [A, B], "recorded_at": [NOW, NOW + timedelta(seconds=1)]})
    ledger.record(frame, "buyer-1", actor="admin", now=NOW)
    assert _objected(ledger.index("buyer-1", NOW), A, B) == [True, False]
    assert _objected(ledger.index("buyer-1", NOW + timedelta(seconds=1)), A, B) == [True, True]
    assert _objected(ledger.index("buyer-1"), A, B) == [True, True]


def test_imports_are_append_only(store):
    ledger = ObjectionLedger(store)
    first = ledger.import_csv(
        io.BytesIO(f"phone\n{A}\n{FOREIGN}\n".encode()), "global", actor="admin", now=NOW
    )
    before = {key: store.get(key).data for key in store.list("objections/")}
    second = ledger.record_number(B, "global", actor="admin", now=NOW + timedelta(hours=1))
    after = {key: store.get(key).data for key in store.list("objections/")}
    assert {k: after[k] for k in before} == before  # nothing rewritten
    assert len(after) == len(before) + 2  # a new .bin and its .json
    assert [m["id"] for m in ledger.imports("global")] == [first["id"], second["id"]]
    assert first["entries"] == 2 and first["scope"] == "global"
    assert len(first["source_sha256"]) == 64
    assert _objected(ledger.index("anyone"), A, B, FOREIGN) == [True, True, True]


def test_csv_parser_and_its_errors(tmp_path):
    path = tmp_path / "objections.csv"
    path.write_text(f"phone,recorded_at\n{A},2025-06-01\n333 1234568,\n")
    frame = parse_objections(path, default_recorded_at=NOW)
    assert frame.get_column("key").to_list() == [393331234567, 393331234568]
    june_first = datetime(2025, 5, 31, 22, 0, tzinfo=UTC)  # 2025-06-01 00:00 in Rome
    assert frame.get_column("recorded_at_us").to_list() == [
        int(june_first.timestamp() * 1_000_000),
        int(NOW.timestamp() * 1_000_000),
    ]
    path.write_text(f"{A}\nnope\n{B},ieri\n")
    with pytest.raises(ImportRejected) as caught:
        parse_objections(path)
    assert [line["line"] for line in caught.value.errors["lines"]] == [2, 3]


def test_invalid_numbers_and_scopes_are_refused(store):
    ledger = ObjectionLedger(store)
    with pytest.raises(ImportRejected):
        ledger.record([(A, None), ("123", None)], "global", actor="admin")
    with pytest.raises(BadRequest):
        ledger.record_number(A, "../escape", actor="admin")
    assert list(store.list("objections/")) == []


def test_index_from_file_for_offline_checks(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(f"{A}\n{B},{(NOW + timedelta(days=1)).isoformat()}\n")
    assert _objected(ObjectionIndex.from_file(path, NOW), A, B) == [True, False]
    assert _objected(ObjectionIndex.from_file(path), A, B) == [True, True]
    assert _objected(ObjectionIndex.empty(), A) == [False]


def test_commands(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GATEWAY_STORAGE_URL", store.url)
    path = tmp_path / "o.csv"
    path.write_text(f"phone\n{A}\n")
    assert main(["objections", "import", str(path), "--buyer", "buyer-1"]) == 0
    assert main(["objections", "add", B, "--global", "--recorded-at", "2025-06-01"]) == 0
    assert "1 number(s) recorded, scope buyer-1" in capsys.readouterr().out
    ledger = ObjectionLedger(store)
    assert _objected(ledger.index("buyer-1"), A, B) == [True, True]
    assert _objected(ledger.index("buyer-2"), A, B) == [False, True]
    with pytest.raises(SystemExit):
        main(["objections", "import", str(path)])  # a scope is required
