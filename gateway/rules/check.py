"""The offline pre-check: ruleset 1 on a local file, with local profiles and RPO files.

Nothing is stored or signed. RPO_NOT_CHECKED rejects (there is no waiting offline), and a
file-level rejection is a rejected batch whose reason is the file code.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl

from ..ingest import FileRejected, open_table
from ..objections import ObjectionIndex
from ..profiles import validate_buyer_profile, validate_vendor_profile
from ..rpo import RpoIndex
from .catalogue import ruleset_info
from .engine import evaluate
from .timestamps import to_utc

PathLike = str | os.PathLike[str]


def check_file(
    path: PathLike,
    vendor: dict[str, Any],
    buyer: dict[str, Any],
    rpo_files: Sequence[tuple[PathLike, datetime]] = (),
    objections_file: PathLike | None = None,
    now: datetime | None = None,
    *,
    chunk_rows: int = 65536,
) -> dict[str, Any]:
    """Check a file and return the check document.

    ``{"ruleset", "decision", "batch_reasons", "counts": {"total", "accepted", "rejected",
    "by_code"}, "rows": [{"row", "status", "codes", "warnings"}]}``, rows listing every
    rejected or warned row. Profiles are validated (``ValidationFailed``); RPO and objection
    files that cannot be used raise ``ImportRejected``.
    """
    vendor = validate_vendor_profile(vendor)
    buyer = validate_buyer_profile(buyer)
    moment = to_utc(now) if now is not None else datetime.now(UTC)
    rpo = RpoIndex.from_files(rpo_files)
    objections = (
        ObjectionIndex.from_file(objections_file, moment) if objections_file is not None else None
    )
    rows: list[dict[str, Any]] = []

    def keep(frame: pl.DataFrame) -> None:
        rows.extend(
            frame.select(pl.col("_row").alias("row"), "status", "codes", "warnings").to_dicts()
        )

    try:
        table = open_table(path, filename=os.path.basename(os.fspath(path)))
        with table:
            outcome = evaluate(
                table,
                vendor=vendor,
                buyer=buyer,
                rpo=rpo,
                objections=objections,
                now=moment,
                mode="offline",
                chunk_rows=chunk_rows,
                on_report=keep,
            )
    except FileRejected as exc:
        return {
            "ruleset": ruleset_info(),
            "decision": "rejected",
            "batch_reasons": [exc.error],
            "counts": {"total": 0, "accepted": 0, "rejected": 0, "by_code": {}},
            "rows": [],
        }
    counts = outcome.counts
    return {
        "ruleset": outcome.ruleset,
        "decision": outcome.decision,
        "batch_reasons": outcome.batch_reasons,
        "counts": {
            "total": counts["total"],
            "accepted": counts["accepted"],
            "rejected": counts["rejected"],
            "by_code": dict(counts["by_code"]),
        },
        "rows": rows,
    }
