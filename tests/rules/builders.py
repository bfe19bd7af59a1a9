"""Small builders for rule tests: profiles, rows written to a CSV, and an RPO index."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from gateway.ingest import open_table
from gateway.phones import classify_phones
from gateway.rpo import DATE_UNKNOWN, NOT_REGISTERED, Consultation, Entries, RpoIndex
from gateway.rules import evaluate

# 16 June 2025, 09:00 in Rome.
NOW = datetime(2025, 6, 16, 7, 0, tzinfo=UTC)
CONSULTED_AT = NOW - timedelta(days=1)
PHONE = "+39 333 1234567"
PHONE_E164 = "+393331234567"

BASE_ROW = {
    "phone": PHONE,
    "consent_source": "fiera",
    "consent_timestamp": "2024-03-01T10:00:00",
    "informativa_version": "v1",
    "consent_third_party": "si",
    "proof_ref": "PRV-1",
}


def vendor_profile(**changes: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "vendor_id": "vendor-1",
        "legal_entity_id": "IT 12345678903",
        "name": "Liste Esempio S.r.l.",
        "informative": [
            {
                "version": "v1",
                "effective_from": "2020-01-01",
                "sha256": "a" * 64,
                "url": "https://liste.example/privacy/v1",
                "third_party_sectors": ["Energia", "telecomunicazioni"],
            },
            {
                "version": "v0",
                "effective_from": "2016-01-01",
                "effective_until": "2020-01-01",
                "sha256": "b" * 64,
                "url": "https://liste.example/privacy/v0",
                "third_party_sectors": ["energia"],
            },
            {
                "version": "tlc",
                "effective_from": "2016-01-01",
                "sha256": "c" * 64,
                "url": "https://liste.example/privacy/tlc",
                "third_party_sectors": ["telecomunicazioni"],
            },
        ],
        "sources": [
            {"id": "web-form", "kind": "web", "domains": ["liste.example"]},
            {"id": "fiera", "kind": "event"},
        ],
    }
    profile.update(changes)
    return profile


def buyer_profile(**policy: Any) -> dict[str, Any]:
    return {
        "buyer_id": "buyer-1",
        "name": "Energia Esempio S.p.A.",
        "roc_number": "12345",
        "sector": "energia",
        "policy": policy,
    }


def row(**changes: str) -> dict[str, str]:
    """The base row (accepted by every rule), with changes."""
    return {**BASE_ROW, **changes}


def rpo_index(
    numbers: dict[str, int | bool | None], consulted_at: datetime = CONSULTED_AT, cid: str = "c1"
) -> RpoIndex:
    """An index with one consultation: E.164 -> False (not registered), None (registered, date
    unknown) or epoch seconds of the registration."""
    return RpoIndex([consultation(numbers, consulted_at, cid)])


def consultation(
    numbers: dict[str, int | bool | None], consulted_at: datetime, cid: str
) -> Consultation:
    keys = np.array([int(n.lstrip("+")) for n in numbers], dtype=np.int64)
    values = np.array(
        [
            NOT_REGISTERED if v is False else DATE_UNKNOWN if v is None else int(v)
            for v in numbers.values()
        ],
        dtype=np.int64,
    )
    order = np.argsort(keys)
    return Consultation(cid, consulted_at, Entries(keys[order], values[order]))


def covering(rows: list[dict[str, str]]) -> RpoIndex:
    """An index in which every valid Italian number of the rows is covered, not registered."""
    phones = pl.Series([r.get("phone") for r in rows], dtype=pl.Utf8)
    classified = classify_phones(phones).filter(pl.col("phone_status") == "valid")
    return rpo_index(dict.fromkeys(classified.get_column("phone_e164").to_list(), False))


def write_rows(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    names = columns or list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        for item in rows:
            writer.writerow([item.get(n, "") for n in names])
    return path


@dataclass
class Judged:
    outcome: Any
    report: dict[int, dict[str, Any]]
    accepted: pl.DataFrame
    unchecked: list[str] = field(default_factory=list)
    report_frames: list[pl.DataFrame] = field(default_factory=list)

    def codes(self, row_number: int = 2) -> list[str]:
        return self.report.get(row_number, {}).get("codes", [])

    def warnings(self, row_number: int = 2) -> list[str]:
        return self.report.get(row_number, {}).get("warnings", [])


def judge_file(
    path: Path,
    *,
    vendor: dict[str, Any] | None = None,
    buyer: dict[str, Any] | None = None,
    rpo: RpoIndex | None = None,
    objections: Any = None,
    now: datetime = NOW,
    mode: str = "offline",
    chunk_rows: int = 65536,
) -> Judged:
    frames: list[pl.DataFrame] = []
    accepted: list[pl.DataFrame] = []
    unchecked: list[pl.Series] = []
    with open_table(path) as table:
        outcome = evaluate(
            table,
            vendor=vendor or vendor_profile(),
            buyer=buyer or buyer_profile(),
            rpo=rpo if rpo is not None else RpoIndex.empty(),
            objections=objections,
            now=now,
            mode=mode,  # type: ignore[arg-type]
            chunk_rows=chunk_rows,
            on_accepted=accepted.append,
            on_report=frames.append,
            on_unchecked=unchecked.append,
        )
    report = {}
    for frame in frames:
        for item in frame.select("_row", "status", "codes", "warnings").to_dicts():
            report[item["_row"]] = item
    return Judged(
        outcome,
        report,
        pl.concat(accepted) if accepted else pl.DataFrame(),
        [n for s in unchecked for n in s.to_list()],
        frames,
    )


def judge(
    tmp_path: Path,
    rows: list[dict[str, str]],
    *,
    rpo: RpoIndex | None = None,
    columns: list[str] | None = None,
    **kwargs: Any,
) -> Judged:
    """Write rows to a CSV and judge them; by default every valid number is covered by the RPO."""
    path = write_rows(tmp_path / "batch.csv", rows, columns)
    return judge_file(path, rpo=rpo if rpo is not None else covering(rows), **kwargs)
