"""What buyers (and vendors) download: certified lists, reports and signed decisions."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

import polars as pl

from .. import audit
from ..accounts import Principal, utcnow
from ..artefacts import write_report_xlsx, write_table_xlsx
from ..batches import manifest as manifests
from ..batches.service import list_batches, visible_batch
from ..errors import BadRequest, Conflict, Gone, NotFound
from ..storage import ObjectStore, PreconditionFailed

LIST_PREFIX = "c_"
BATCH_PREFIX = "b_"
CSV_CHUNK_ROWS = 50_000


def list_id_of(batch_id: str) -> str:
    """The certified list of batch ``b_x`` is ``c_x``."""
    return LIST_PREFIX + batch_id.removeprefix(BATCH_PREFIX)


def batch_id_of(list_id: str) -> str:
    """Return the batch a certified-list id belongs to."""
    if not list_id.startswith(LIST_PREFIX):
        raise list_not_found()
    return BATCH_PREFIX + list_id.removeprefix(LIST_PREFIX)


def list_not_found() -> NotFound:
    """The error for an unknown or invisible certified list."""
    return NotFound("Certified list not found.", error="CERTIFIED_LIST_NOT_FOUND",
                    message_it="Lista certificata non trovata.")


def certified_view(batch: dict[str, Any]) -> dict[str, Any]:
    """The buyer's view of a certified batch."""
    return {
        "id": list_id_of(batch["id"]),
        "batch_id": batch["id"],
        "vendor_id": batch["vendor_id"],
        "buyer_id": batch["buyer_id"],
        "filename": batch.get("filename"),
        "issued_at": (batch.get("certificate") or {}).get("issued_at"),
        "valid_until": batch.get("valid_until"),
        "accepted": (batch.get("counts") or {}).get("accepted"),
        "counts": batch.get("counts"),
    }


def is_valid(batch: dict[str, Any], now: datetime | None = None) -> bool:
    """Tell whether a certified batch's certificate is still within its validity."""
    until = batch.get("valid_until")
    return bool(until) and (now or utcnow()) < datetime.fromisoformat(until)


def list_certified(
    store: ObjectStore, principal: Principal, *, vendor_id: str | None = None,
    valid_only: bool = False, limit: int = 50, after: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Certified lists addressed to the calling buyer, newest first, with a next-page cursor."""
    items: list[dict[str, Any]] = []
    cursor = after
    now = utcnow()
    while len(items) < limit:
        page, cursor = list_batches(store, principal, limit=limit - len(items), after=cursor,
                                    state="certified")
        for batch in page:
            if vendor_id and batch["vendor_id"] != vendor_id:
                continue
            if valid_only and not is_valid(batch, now):
                continue
            items.append(certified_view(batch))
        if cursor is None:
            break
    return items, cursor


def get_certified(store: ObjectStore, principal: Principal, list_id: str) -> dict[str, Any]:
    """Return a certified batch visible to the caller, or ``CERTIFIED_LIST_NOT_FOUND``."""
    try:
        batch = visible_batch(store, principal, batch_id_of(list_id))
    except NotFound:
        raise list_not_found() from None
    if batch["state"] != "certified":
        raise list_not_found()
    return batch


@dataclass
class Download:
    """An artefact ready to stream."""

    stream: BinaryIO
    content_type: str
    filename: str
    size: int | None

    def chunks(self, size: int = 256 * 1024) -> Iterator[bytes]:
        """Yield the bytes, closing the stream at the end."""
        try:
            while chunk := self.stream.read(size):
                yield chunk
        finally:
            self.stream.close()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jws": "application/jose",
}


def _open(store: ObjectStore, key: str, content_type: str, filename: str) -> Download:
    return Download(store.open(key), content_type, filename, store.size(key))


def open_certified_list(store: ObjectStore, principal: Principal, list_id: str, fmt: str, *,
                        ip: str | None) -> Download:
    """Open a certified list for download; refused once its certificate has expired."""
    batch = get_certified(store, principal, list_id)
    if not is_valid(batch):
        raise Gone("The certificate of this list has expired: the RPO consultation it relied "
                   "on is more than 15 days old. Ask the vendor for a fresh certification.",
                   error="CERTIFICATE_EXPIRED",
                   message_it="Il certificato di questa lista è scaduto: la consultazione RPO "
                              "su cui si basava ha più di 15 giorni. Chiedi al fornitore una "
                              "nuova certificazione.")
    key = batch["artefacts"]["certified_csv"]
    name = f"{list_id}-certified"
    if fmt == "csv":
        download = _open(store, key, CONTENT_TYPES["csv"], name + ".csv")
    elif fmt == "xlsx":
        xlsx_key = manifests.manifest_key(batch["id"]).replace("manifest.json", "certified.xlsx")
        _render_once(store, xlsx_key, lambda path: write_table_xlsx(
            path, _csv_frames(store, key), sheet="Lista certificata"))
        download = _open(store, xlsx_key, CONTENT_TYPES["xlsx"], name + ".xlsx")
    else:
        raise _bad_format(fmt, ("csv", "xlsx"))
    audit.record(store, "download.certified_list", actor=principal.actor(), target=batch["id"],
                 ip=ip, details={"format": fmt})
    return download


def open_decision(store: ObjectStore, principal: Principal, batch: dict[str, Any], *,
                  ip: str | None) -> Download:
    """Open a batch's signed decision (certificate or rejection notice)."""
    key = (batch.get("artefacts") or {}).get("decision")
    if not key:
        raise _not_decided(batch)
    audit.record(store, "download.decision", actor=principal.actor(), target=batch["id"], ip=ip)
    return _open(store, key, CONTENT_TYPES["jws"], f"{batch['id']}-decision.jws")


def read_decision(store: ObjectStore, batch: dict[str, Any]) -> str:
    """Return a batch's JWS text."""
    key = (batch.get("artefacts") or {}).get("decision")
    if not key:
        raise _not_decided(batch)
    return store.get(key).data.decode()


def open_report(store: ObjectStore, principal: Principal, batch: dict[str, Any], fmt: str, *,
                ip: str | None) -> Download:
    """Open a batch's report as JSON, CSV or a styled XLSX workbook."""
    artefacts = batch.get("artefacts") or {}
    if "report_json" not in artefacts:
        raise _not_decided(batch)
    name = f"{batch['id']}-report"
    if fmt == "json":
        download = _open(store, artefacts["report_json"], CONTENT_TYPES["json"], name + ".json")
    elif fmt == "csv":
        download = _open(store, artefacts["report_csv"], CONTENT_TYPES["csv"], name + ".csv")
    elif fmt == "xlsx":
        from ..rules import CODES

        xlsx_key = artefacts["report_json"].replace("report.json", "report.xlsx")

        def render(path: str) -> None:
            header = _report_header(store, artefacts["report_json"])
            write_report_xlsx(path, header, _csv_frames(store, artefacts["report_csv"]), CODES)

        _render_once(store, xlsx_key, render)
        download = _open(store, xlsx_key, CONTENT_TYPES["xlsx"], name + ".xlsx")
    else:
        raise _bad_format(fmt, ("json", "csv", "xlsx"))
    audit.record(store, "download.report", actor=principal.actor(), target=batch["id"], ip=ip,
                 details={"format": fmt})
    return download


def open_rpo_request(store: ObjectStore, principal: Principal, batch: dict[str, Any], *,
                     ip: str | None) -> Download:
    """Open the list of numbers a waiting batch needs an RPO consultation for."""
    key = (batch.get("artefacts") or {}).get("rpo_request")
    if batch["state"] != "awaiting_rpo" or not key:
        raise Conflict("This batch is not waiting for an RPO consultation.",
                       error="BATCH_NOT_AWAITING_RPO",
                       message_it="Questo lotto non è in attesa di una consultazione RPO.")
    audit.record(store, "download.rpo_request", actor=principal.actor(), target=batch["id"],
                 ip=ip)
    return _open(store, key, CONTENT_TYPES["csv"], f"{batch['id']}-rpo-request.csv")


def _not_decided(batch: dict[str, Any]) -> Conflict:
    return Conflict(f"This batch has no decision yet (state: {batch['state']}).",
                    error="BATCH_NOT_DECIDED",
                    message_it=f"Questo lotto non ha ancora un esito (stato: {batch['state']}).")


def _bad_format(fmt: str, allowed: tuple[str, ...]) -> BadRequest:
    return BadRequest(f"Unknown format {fmt!r}; use one of: {', '.join(allowed)}.",
                      error="FORMAT_UNSUPPORTED",
                      message_it=f"Formato {fmt!r} non previsto; usa: {', '.join(allowed)}.",
                      errors={"format": [f"Must be one of: {', '.join(allowed)}."]})


def _report_header(store: ObjectStore, key: str) -> dict[str, Any]:
    # The header fields come first in the report document; the rows may be long, so read
    # only until the "rows" array starts.
    with store.open(key) as src:
        head = src.read(256 * 1024).decode("utf-8", "replace")
    cut = head.find('"rows"')
    text = head[:cut].rstrip().rstrip(",") + "}" if cut > 0 else head
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(store.get(key).data)


def _csv_frames(store: ObjectStore, key: str) -> Iterator[pl.DataFrame]:
    with store.open(key) as src, tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        while chunk := src.read(1024 * 1024):
            tmp.write(chunk)
        tmp.flush()
        yield from pl.scan_csv(tmp.name, infer_schema=False).collect_batches(
            chunk_size=CSV_CHUNK_ROWS)


def _render_once(store: ObjectStore, key: str, render: Any) -> None:
    """Render a derived artefact the first time it is asked for, then keep it."""
    if store.exists(key):
        return
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        render(path)
        with open(path, "rb") as src, contextlib.suppress(PreconditionFailed):
            store.copy_from(key, src, if_none_match=True)
    finally:
        os.unlink(path)
