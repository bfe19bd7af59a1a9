"""Judging one batch: read it, run ruleset 1, write the artefacts and sign the decision.

The rules engine judges in a pipeline of threads (see ``rules.engine.evaluate``: reading,
classifying phone numbers, judging); here two more threads write the certified list and the
report rows of the chunks already judged. polars, numpy and hashlib release the interpreter
lock for their heavy work, so the threads overlap on a machine with a few cores.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from ..accounts import get_org, isoformat, utcnow
from ..artefacts import CertifiedListWriter, HashingWriter, ReportCsvWriter
from ..certificates import build_statement, sign_statement
from ..ingest import FileRejected, open_table
from ..objections import ObjectionLedger
from ..profiles import validate_buyer_profile
from ..rpo import RpoLedger
from ..rules import (
    RULESET_VERSION,
    evaluate,
    render_report_rows,
    ruleset_config_hash,
    write_rendered_report_json,
)
from ..storage import ObjectWriter
from .job import local_copy

if TYPE_CHECKING:
    from ..runtime import Runtime
    from .job import Progress

# Chunks judged but not yet written: beyond this, judging waits for the writer, so a slow
# store holds the batch back instead of filling memory.
_WRITES_PENDING = 2


def artefact_key(batch_id: str, name: str) -> str:
    """Return the store key of one of a batch's artefacts."""
    return f"batches/{batch_id}/{name}"


class ReportSpool:
    """Keeps the report's rows, rendered as JSON, on local disk until the totals are known."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list[Path] = []

    def add(self, frame: pl.DataFrame) -> None:
        """Render a chunk of report rows and keep them."""
        piece = render_report_rows(frame)
        if piece:
            path = self.folder / f"report-{len(self.files):06d}.json"
            path.write_bytes(piece)
            self.files.append(path)

    def pieces(self) -> Iterator[bytes]:
        """The rendered chunks, in order."""
        for path in self.files:
            yield path.read_bytes()


class BackgroundWrites:
    """Runs writes in one background thread, in the order they were submitted.

    A failed write is raised in the submitting thread, by the next ``submit`` or by ``wait``.
    """

    def __init__(self, name: str, pending: int = _WRITES_PENDING) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"write-{name}")
        self._pending: deque[Future[None]] = deque()
        self._limit = pending

    def submit(self, write: Callable[[pl.DataFrame], None], frame: pl.DataFrame) -> None:
        """Queue ``write(frame)``, first waiting while too many writes are queued."""
        while len(self._pending) >= self._limit:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(write, frame))

    def then(self, call: Callable[[], Any]) -> Future[Any]:
        """Queue ``call()`` to run after the writes queued so far; return its future."""
        future = self._pool.submit(call)
        self._pending.append(future)
        return future

    def wait(self) -> None:
        """Wait for every queued write."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """Drop queued writes, wait for the running one and stop the thread."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()


def judge_batch(rt: Runtime, manifest: dict[str, Any], *, progress: Progress) -> dict[str, Any]:
    """Judge a claimed batch and return its outcome (state, counts, artefacts, certificate)."""
    store = rt.store
    batch_id = manifest["id"]
    now = utcnow()
    vendor_org = get_org(store, manifest["vendor_id"])
    buyer_org = get_org(store, manifest["buyer_id"])
    vendor = vendor_org.get("profile") or {}
    # Policy defaults apply to profiles stored before a default existed, too.
    buyer = validate_buyer_profile(buyer_org.get("profile") or {})

    work = Path(tempfile.mkdtemp(prefix=f"gateway-{batch_id}-"))
    try:
        with local_copy(store, manifest["artefacts"]["upload"]) as path:
            spool = ReportSpool(work)
            certified_out = store.writer(artefact_key(batch_id, "certified.csv"))
            hashed = HashingWriter(certified_out)
            certified = CertifiedListWriter(hashed)
            report_out = store.writer(artefact_key(batch_id, "report.csv"))
            report_csv = ReportCsvWriter(report_out)
            unchecked: list[pl.Series] = []
            # The certified list and the report are written by a thread each: they share
            # nothing, and the last chunks' writes then finish side by side.
            certified_writes = BackgroundWrites("certified")
            report_writes = BackgroundWrites("report")

            def report(frame: pl.DataFrame) -> None:
                spool.add(frame)
                report_csv.write(frame)

            def on_accepted(frame: pl.DataFrame) -> None:
                certified_writes.submit(certified.write, frame)

            def on_report(frame: pl.DataFrame) -> None:
                report_writes.submit(report, frame)

            try:
                try:
                    table = open_table(
                        path, filename=manifest["filename"], max_bytes=rt.config.max_upload_bytes
                    )
                    with table:
                        certified.set_columns(table.columns)
                        outcome = evaluate(
                            table,
                            vendor=vendor,
                            buyer=buyer,
                            rpo=RpoLedger(store).index(now),
                            objections=ObjectionLedger(store).index(manifest["buyer_id"], now),
                            now=now,
                            mode="service",
                            chunk_rows=rt.config.chunk_rows,
                            on_accepted=on_accepted,
                            on_report=on_report,
                            on_unchecked=unchecked.append,
                            on_progress=progress,
                        ).to_dict()
                except FileRejected as exc:
                    # The report keeps the rows of the chunks judged before the problem showed.
                    outcome = _file_rejection(exc)
                report_writes.wait()
                sealed_list: tuple[Future[Any], HashingWriter] | None = None
                if outcome["decision"] == "certified":
                    # The certified list is made durable while the report is sealed; the
                    # decision is signed only once it is.
                    sealed_list = (certified_writes.then(certified_out.commit), hashed)
                else:
                    certified_writes.wait()
                    certified_out.abort()
                if outcome["decision"] == "awaiting_rpo":
                    report_out.abort()
                    return _await_rpo(rt, batch_id, outcome, unchecked, now)
                return _seal(
                    rt,
                    manifest,
                    vendor_org,
                    buyer_org,
                    outcome,
                    spool,
                    (report_out, report_csv),
                    now,
                    certified=sealed_list,
                )
            except BaseException:
                certified_writes.close()
                report_writes.close()
                certified_out.abort()
                report_out.abort()
                raise
            finally:
                certified_writes.close()
                report_writes.close()
                report_out.abort()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _file_rejection(exc: FileRejected) -> dict[str, Any]:
    reason: dict[str, Any] = {"code": exc.error}
    if exc.error == "HEADER_MISSING_COLUMNS" and isinstance(exc.errors, dict):
        reason["columns"] = list(exc.errors.get("missing", []))
    return {
        "decision": "rejected",
        "batch_reasons": [exc.error],
        "reason_details": [reason],
        "counts": {"total": 0, "accepted": 0, "rejected": 0, "warned": 0, "by_code": {}},
        "rpo_consultations": [],
        "informative": [],
        "ruleset": {"version": RULESET_VERSION, "config_sha256": ruleset_config_hash()},
        "valid_until": None,
        "file_error": {
            "error": exc.error,
            "message": exc.message,
            "message_it": exc.message_it,
            "errors": exc.errors,
        },
    }


def _await_rpo(
    rt: Runtime, batch_id: str, outcome: dict[str, Any], unchecked: list[pl.Series], now: datetime
) -> dict[str, Any]:
    numbers = (
        pl.concat(unchecked).unique().sort() if unchecked else pl.Series("phone", [], dtype=pl.Utf8)
    )
    key = artefact_key(batch_id, "rpo-request.csv")
    with rt.store.writer(key) as out:
        out.write(b"phone\n")
        out.write(("\n".join(numbers.to_list()) + "\n").encode() if len(numbers) else b"")
    return {
        "state": "awaiting_rpo",
        "counts": outcome["counts"],
        "reasons": ["RPO_NOT_CHECKED"],
        "progress": {
            "rows_done": outcome["counts"]["total"],
            "rows_total": outcome["counts"]["total"],
        },
        "artefacts": {"rpo_request": key},
        "rpo": {"checked_at": isoformat(now), "numbers_missing": len(numbers)},
    }


def _seal(
    rt: Runtime,
    manifest: dict[str, Any],
    vendor_org: dict[str, Any],
    buyer_org: dict[str, Any],
    outcome: dict[str, Any],
    spool: ReportSpool,
    report_csv: tuple[ObjectWriter, ReportCsvWriter],
    now: datetime,
    *,
    certified: tuple[Future[Any], HashingWriter] | None,
) -> dict[str, Any]:
    """Write the report, sign the decision, and describe the final state.

    ``certified`` is the commit of the certified list under way and the writer that hashed
    it, for a certified batch: the decision is signed only after that commit succeeded.
    """
    store = rt.store
    batch_id = manifest["id"]
    decision = outcome["decision"]
    header = {
        "batch_id": batch_id,
        "ruleset": outcome["ruleset"],
        "decision": decision,
        "batch_reasons": outcome["batch_reasons"],
        "counts": outcome["counts"],
    }
    report_key = artefact_key(batch_id, "report.json")
    with store.writer(report_key) as out:
        hashed_report = HashingWriter(out)
        write_rendered_report_json(hashed_report, header, spool.pieces())
    csv_key = artefact_key(batch_id, "report.csv")
    csv_out, csv_rows = report_csv
    csv_rows.finish()
    csv_out.commit()

    certified_sha256 = None
    if certified is not None:
        commit, hashed_list = certified
        commit.result()
        certified_sha256 = hashed_list.sha256
    vendor = vendor_org.get("profile") or {}
    buyer = buyer_org.get("profile") or {}
    valid_until = outcome.get("valid_until") if decision == "certified" else None
    if isinstance(valid_until, str):
        valid_until = datetime.fromisoformat(valid_until)
    statement = build_statement(
        decision=decision,
        batch_id=batch_id,
        vendor_id=vendor_org["id"],
        vendor_legal_entity_id=vendor.get("legal_entity_id", ""),
        vendor_name=vendor.get("name") or vendor_org["name"],
        buyer_id=buyer_org["id"],
        buyer_name=buyer.get("name") or buyer_org["name"],
        buyer_roc_number=buyer.get("roc_number", ""),
        issued_at=now,
        upload_sha256=manifest["sha256"],
        report_sha256=hashed_report.sha256,
        certified_sha256=certified_sha256,
        valid_until=valid_until,
        ruleset_version=outcome["ruleset"]["version"],
        ruleset_config_sha256=outcome["ruleset"]["config_sha256"],
        counts=outcome["counts"],
        rpo_consultations=outcome.get("rpo_consultations", []),
        informative=outcome.get("informative", []),
        batch_reasons=outcome.get("reason_details") or outcome["batch_reasons"],
    )
    jws = sign_statement(rt.signer, store, statement)
    decision_key = artefact_key(batch_id, "decision.jws")
    store.put(decision_key, jws.encode())
    artefacts = {"report_json": report_key, "report_csv": csv_key, "decision": decision_key}
    if certified_sha256 is not None:
        artefacts["certified_csv"] = artefact_key(batch_id, "certified.csv")
    total = outcome["counts"]["total"]
    result: dict[str, Any] = {
        "state": decision,
        "decision": decision,
        "counts": outcome["counts"],
        "reasons": outcome["batch_reasons"],
        "valid_until": isoformat(valid_until) if valid_until else None,
        "progress": {"rows_done": total, "rows_total": total},
        "artefacts": artefacts,
        "certificate": {
            "issued_at": statement["predicate"]["issued_at"],
            "kid": rt.signer.kid,
            "sha256": {s["name"]: s["digest"]["sha256"] for s in statement["subject"]},
        },
    }
    if "file_error" in outcome:
        result["file_error"] = outcome["file_error"]
    return result
