"""RPO consultations in the object store: import, listing, validity window and lookups."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import boto3
import numpy as np
import polars as pl
import pytest
from moto import mock_aws

from gateway.cli import main
from gateway.errors import BadRequest
from gateway.rpo import RpoIndex, RpoLedger
from gateway.storage import LocalObjectStore, S3ObjectStore

CONSULTED = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
ESITO = b"phone,registered,registered_at\n3331234567,si,2024-03-01\n3331234568,no,\n"


@pytest.fixture
def store(tmp_path):
    return LocalObjectStore(tmp_path / "store")


def _lookup(index: RpoIndex, *numbers: str | None) -> list[dict]:
    return index.lookup(pl.Series(numbers, dtype=pl.Utf8)).to_dicts()


def test_import_format_a_stores_meta_index_and_original(store):
    ledger = RpoLedger(store)
    meta = ledger.import_format_a(io.BytesIO(ESITO), CONSULTED, actor="admin")
    folder = f"rpo/consultations/{meta['id']}/"
    assert meta["consulted_at"] == "2025-06-01T08:00:00Z"
    assert meta["format"] == "A"
    assert meta["entries"] == 2
    assert meta["registered"] == 1
    assert meta["actor"] == "admin"
    assert len(meta["source_sha256"]) == 64
    assert store.get(folder + "esito.csv").data == ESITO
    assert store.get_json(folder + "meta.json") == meta
    # 16 bytes of header, then 16 bytes per entry.
    assert store.size(folder + "index.bin") == 16 + 16 * 2
    assert ledger.consultations() == [meta]


def test_import_format_b_and_newest_consultation_answers(store):
    ledger = RpoLedger(store)
    ledger.import_format_a(io.BytesIO(ESITO), CONSULTED)
    meta = ledger.import_format_b(
        io.BytesIO(b"3331234567\n3331234569\n"),
        io.BytesIO(b"3331234567\n"),
        CONSULTED + timedelta(days=1),
    )
    assert meta["format"] == "B"
    assert [s["file"] for s in meta["sources"]] == ["sent.csv", "contactable.csv"]
    assert next(m["id"] for m in ledger.consultations()) == meta["id"]
    index = ledger.index(CONSULTED + timedelta(days=2))
    rows = _lookup(
        index,
        "+393331234567",
        "+393331234568",
        "+393331234569",
        "+393330000000",
        None,
        "3331234567",
    )
    assert [r["covered"] for r in rows] == [True, True, True, False, False, False]
    assert [r["registered"] for r in rows] == [False, False, True, False, False, False]
    assert rows[0]["consultation_id"] == meta["id"]  # the newer consultation answers
    assert rows[1]["consultation_id"] != meta["id"]
    assert rows[2]["registered_at"] is None  # format B: date unknown


def test_registration_date_of_format_a(store):
    ledger = RpoLedger(store)
    ledger.import_format_a(io.BytesIO(ESITO), CONSULTED)
    row = _lookup(ledger.index(CONSULTED), "+393331234567")[0]
    assert row["registered"] is True
    assert row["registered_at"] == datetime(2024, 3, 1, 22, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "valid"),
    [
        (CONSULTED, True),
        (CONSULTED + timedelta(days=15) - timedelta(microseconds=1), True),
        (CONSULTED + timedelta(days=15), False),
        (CONSULTED - timedelta(seconds=1), False),
    ],
)
def test_index_holds_consultations_younger_than_fifteen_days(store, now, valid):
    ledger = RpoLedger(store)
    ledger.import_format_a(io.BytesIO(ESITO), CONSULTED)
    index = ledger.index(now)
    assert (len(index.consultations) == 1) is valid
    assert _lookup(index, "+393331234568")[0]["covered"] is valid


def test_consultation_time_must_be_aware_and_not_future(store):
    ledger = RpoLedger(store)
    with pytest.raises(BadRequest):
        ledger.import_format_a(io.BytesIO(ESITO), datetime(2025, 6, 1))
    with pytest.raises(BadRequest, match="future"):
        ledger.import_format_a(io.BytesIO(ESITO), CONSULTED, now=CONSULTED - timedelta(hours=1))
    assert ledger.consultations() == []
    assert list(store.list("rpo/")) == []


def test_a_refused_import_leaves_nothing(store):
    ledger = RpoLedger(store)
    with pytest.raises(Exception, match="line"):
        ledger.import_format_a(io.BytesIO(b"phone,registered\nxyz,si\n"), CONSULTED)
    assert list(store.list("rpo/")) == []


def test_s3_store_lookups_use_a_downloaded_copy(tmp_path):
    with mock_aws():
        client = boto3.client("s3", region_name="eu-south-1")
        client.create_bucket(
            Bucket="gateway-rpo", CreateBucketConfiguration={"LocationConstraint": "eu-south-1"}
        )
        store = S3ObjectStore("gateway-rpo", "p", client=client)
        ledger = RpoLedger(store, cache_dir=tmp_path / "cache")
        meta = ledger.import_format_a(io.BytesIO(ESITO), CONSULTED)
        index = ledger.index(CONSULTED + timedelta(days=1))
        assert _lookup(index, "+393331234567")[0]["registered"] is True
        assert (tmp_path / "cache" / f"{meta['id']}.bin").stat().st_size == 48
        # A second index reuses the cached copy.
        assert (
            len(RpoLedger(store, cache_dir=tmp_path / "cache").index(CONSULTED).consultations) == 1
        )


def test_lookups_agree_with_a_dictionary(tmp_path):
    rng = np.random.default_rng(3)
    numbers = rng.choice(np.arange(3_200_000_000, 3_200_400_000), 120_000, replace=False)
    registered = rng.random(len(numbers)) < 0.2
    lines = ["phone,registered"] + [
        f"+39{n},{'si' if r else 'no'}" for n, r in zip(numbers, registered, strict=True)
    ]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines))
    index = RpoIndex.from_files([(path, CONSULTED)])
    queries = rng.integers(3_200_000_000, 3_200_400_000, 50_000)
    answer = index.lookup(pl.Series([f"+39{q}" for q in queries]))
    expected = dict(zip(numbers.tolist(), registered.tolist(), strict=True))
    assert answer.get_column("covered").to_list() == [q in expected for q in queries.tolist()]
    assert answer.get_column("registered").to_list() == [
        expected.get(q, False) for q in queries.tolist()
    ]


def test_commands_import_and_list(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GATEWAY_STORAGE_URL", store.url)
    esito = tmp_path / "esito.csv"
    esito.write_bytes(ESITO)
    assert main(["rpo", "import", str(esito), "--consulted-at", "2025-06-01T10:00:00"]) == 0
    first = capsys.readouterr().out.strip()
    sent, back = tmp_path / "sent.csv", tmp_path / "back.csv"
    sent.write_text("3331234567\n3331234569\n")
    back.write_text("3331234569\n")
    assert (
        main(
            [
                "rpo",
                "import",
                "--sent",
                str(sent),
                "--contactable",
                str(back),
                "--consulted-at",
                "2025-06-02T10:00:00+02:00",
            ]
        )
        == 0
    )
    second = capsys.readouterr().out.strip()
    metas = RpoLedger(store).consultations()
    assert [m["id"] for m in metas] == [second, first]
    assert metas[1]["consulted_at"] == "2025-06-01T08:00:00Z"  # naive: Europe/Rome
    assert main(["rpo", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith(second) and "format B" in listing[0]
    assert (
        main(["rpo", "import", str(esito), "--sent", str(sent), "--consulted-at", "2025-06-01"])
        == 2
    )
    assert main(["rpo", "import", str(esito), "--consulted-at", "soon"]) == 2
