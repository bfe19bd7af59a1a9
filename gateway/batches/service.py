"""Batch intake, lookup, listing and retry: plain functions over the object store."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import audit
from ..accounts import Principal, get_org, isoformat, utcnow
from ..errors import Conflict, Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from ..storage import ObjectNotFound, ObjectStore, ObjectWriter, PreconditionFailed
from . import manifest as manifests

# Newest-first listings come from keys that sort in reverse time order.
_MAX_MILLIS = 10**13
_SAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)

PUBLIC_FIELDS = (
    "id", "state", "vendor_id", "buyer_id", "filename", "sha256", "size", "progress", "counts",
    "reasons", "created_at", "updated_at", "error", "decision", "valid_until", "artefacts",
    "file_error",
)


def new_batch_id() -> str:
    """Return a fresh batch id."""
    return "b_" + secrets.token_hex(10)


def _reverse_time_key(created_at_ms: int, batch_id: str) -> str:
    return f"{_MAX_MILLIS - created_at_ms:013d}-{batch_id}"


def clean_filename(name: str | None) -> str:
    """Keep a vendor's file name readable but harmless (no paths, no control characters)."""
    base = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    base = _SAFE_NAME.sub("_", base).strip(" .") or "upload"
    return base[:200]


class UploadSink:
    """Receives an upload's bytes as they arrive: hashes, counts and streams them to the store.

    Nothing becomes visible until :meth:`commit`; a body over the limit raises
    ``PayloadTooLarge`` and leaves nothing behind.
    """

    def __init__(self, store: ObjectStore, *, max_bytes: int, filename: str | None = None):
        self.batch_id = new_batch_id()
        self.key = f"batches/{self.batch_id}/upload"
        self.max_bytes = max_bytes
        self.filename = clean_filename(filename)
        self.size = 0
        self._digest = hashlib.sha256()
        self._writer: ObjectWriter = store.writer(self.key, if_none_match=True)
        self._closed = False

    def write(self, data: bytes) -> int:
        """Append a piece of the upload."""
        self.size += len(data)
        if self.size > self.max_bytes:
            self.abort()
            raise PayloadTooLarge(
                f"The file is larger than the upload limit of {self.max_bytes} bytes.",
                message_it=f"Il file supera il limite di {self.max_bytes} byte.",
            )
        self._digest.update(data)
        self._writer.write(data)
        return len(data)

    # werkzeug's multipart parser treats the sink as a file it may seek and read back.
    def seek(self, offset: int, whence: int = 0) -> int:
        return self.size

    def tell(self) -> int:
        return self.size

    def read(self, size: int = -1) -> bytes:
        return b""

    def close(self) -> None:
        return None

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def commit(self) -> None:
        """Make the upload visible under its batch."""
        if not self._closed:
            self._closed = True
            self._writer.commit()

    def abort(self) -> None:
        """Drop everything received."""
        if not self._closed:
            self._closed = True
            self._writer.abort()


@dataclass
class IntakeResult:
    """The batch an upload became, and whether it was created now or already existed."""

    batch: dict[str, Any]
    created: bool


def accept_upload(
    store: ObjectStore,
    sink: UploadSink,
    *,
    principal: Principal,
    buyer_id: str | None,
    ip: str | None,
    enqueue: Callable[[str], None],
) -> IntakeResult:
    """Turn a fully received upload into a batch (or find the identical one) and queue it."""
    if principal.role != "vendor":
        sink.abort()
        raise Forbidden("Only vendor organisations can upload batches.", error="ROLE_NOT_VENDOR",
                        message_it="Solo le organizzazioni fornitrici possono caricare lotti.")
    if not buyer_id:
        sink.abort()
        raise ValidationFailed("The buyer_id field is required.", error="BUYER_ID_MISSING",
                               message_it="Il campo buyer_id è obbligatorio.",
                               errors={"buyer_id": ["Missing data for required field."]})
    try:
        buyer = get_org(store, buyer_id)
    except NotFound:
        buyer = None
    if buyer is None or buyer["role"] != "buyer":
        sink.abort()
        raise ValidationFailed("buyer_id does not name a buyer organisation.",
                               error="BUYER_UNKNOWN",
                               message_it="buyer_id non corrisponde a nessun committente.",
                               errors={"buyer_id": ["Unknown buyer organisation."]})
    vendor_org = get_org(store, principal.org_id)
    for org, code, en, it in (
        (vendor_org, "VENDOR_PROFILE_MISSING",
         "Your organisation has no vendor profile yet (privacy notices and sources); "
         "set it with PUT /api/v1/profile before uploading.",
         "La tua organizzazione non ha ancora un profilo fornitore (informative e fonti); "
         "impostalo con PUT /api/v1/profile prima di caricare."),
        (buyer, "BUYER_PROFILE_MISSING",
         "The buyer has no profile yet (sector, ROC number, policy); ask the gateway operator.",
         "Il committente non ha ancora un profilo (settore, numero ROC, policy); "
         "contatta il gestore del gateway."),
    ):
        if not org.get("profile"):
            sink.abort()
            raise ValidationFailed(en, error=code, message_it=it)
    if sink.size == 0:
        sink.abort()
        raise ValidationFailed("The file is empty.", error="FILE_EMPTY",
                               message_it="Il file è vuoto.",
                               errors={"file": ["The file is empty."]})

    sink.commit()
    claim_key = f"index/digests/{principal.org_id}/{buyer_id}/{sink.sha256}"
    existing = _claim_digest(store, claim_key, sink.batch_id)
    if existing is not None:
        store.delete(sink.key)
        batch, _ = manifests.load(store, existing)
        return IntakeResult(batch, created=False)

    now = utcnow()
    created_at = isoformat(now)
    batch = {
        "id": sink.batch_id,
        "state": "received",
        "vendor_id": principal.org_id,
        "buyer_id": buyer_id,
        "filename": sink.filename,
        "sha256": sink.sha256,
        "size": sink.size,
        "progress": {"rows_done": 0, "rows_total": None},
        "counts": None,
        "reasons": [],
        "error": None,
        "decision": None,
        "valid_until": None,
        "artefacts": {"upload": sink.key},
        "attempts": 0,
        "created_at": created_at,
        "updated_at": created_at,
        "history": [{"state": "received", "at": created_at}],
    }
    store.put_json(manifests.manifest_key(sink.batch_id), batch, if_none_match=True)
    order = _reverse_time_key(int(now.timestamp() * 1000), sink.batch_id)
    store.put(f"index/vendors/{principal.org_id}/{order}", b"")
    store.put(f"index/buyers/{buyer_id}/{order}", b"")
    store.put(manifests.state_index_key("received", sink.batch_id), b"")
    audit.record(store, "batch.upload", actor=principal.actor(), target=sink.batch_id, ip=ip,
                 details={"buyer_id": buyer_id, "sha256": sink.sha256, "size": sink.size,
                          "filename": sink.filename})
    enqueue(sink.batch_id)
    return IntakeResult(batch, created=True)


def _claim_digest(store: ObjectStore, claim_key: str, batch_id: str) -> str | None:
    """Claim an upload digest for a new batch; return the batch that already owns it, if any."""
    for _ in range(5):
        try:
            store.put_json(claim_key, {"batch_id": batch_id}, if_none_match=True)
            return None
        except PreconditionFailed:
            pass
        try:
            claimed = store.get(claim_key)
        except ObjectNotFound:
            continue
        owner = claimed.json()["batch_id"]
        if store.exists(manifests.manifest_key(owner)):
            return owner
        # The owner died between claiming and writing its manifest: take the claim over.
        try:
            store.put_json(claim_key, {"batch_id": batch_id}, if_match=claimed.etag)
            return None
        except PreconditionFailed:
            continue
    raise Conflict("The same upload is being processed concurrently; retry.",
                   error="UPLOAD_CONFLICT",
                   message_it="Lo stesso file è in elaborazione in parallelo; riprova.")


def visible_batch(store: ObjectStore, principal: Principal, batch_id: str) -> dict[str, Any]:
    """Return a batch the caller may see; anything else is ``BATCH_NOT_FOUND`` (ids never leak)."""
    batch, _ = manifests.load(store, batch_id)
    if principal.role == "admin":
        return batch
    if principal.role == "vendor" and batch["vendor_id"] == principal.org_id:
        return batch
    if principal.role == "buyer" and batch["buyer_id"] == principal.org_id:
        return batch
    raise manifests.batch_not_found()


def public_view(batch: dict[str, Any]) -> dict[str, Any]:
    """Return the fields a client sees (no leases, no internal keys)."""
    out = {k: batch.get(k) for k in PUBLIC_FIELDS}
    out["artefacts"] = sorted(k for k in (batch.get("artefacts") or {}) if k != "upload")
    return out


def list_batches(
    store: ObjectStore, principal: Principal, *, limit: int = 50, after: str | None = None,
    state: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """List the caller's batches newest first; return a page and the cursor of the next one."""
    if principal.role == "vendor":
        prefix = f"index/vendors/{principal.org_id}/"
    elif principal.role == "buyer":
        prefix = f"index/buyers/{principal.org_id}/"
    else:
        prefix = None
    items: list[dict[str, Any]] = []
    cursor = None
    if prefix is None:
        keys = _all_batch_keys(store)
        if after:
            keys = [k for k in keys if k > after]
    else:
        keys = store.list(prefix, start_after=prefix + after if after else None)
    for key in keys:
        entry = key.rsplit("/", 1)[-1]
        batch_id = entry.split("-", 1)[1]
        try:
            batch, _ = manifests.load(store, batch_id)
        except NotFound:
            continue
        if state and batch["state"] != state:
            continue
        items.append(batch)
        if len(items) == limit:
            cursor = entry
            break
    return items, cursor


def _all_batch_keys(store: ObjectStore) -> list[str]:
    # Admins see everything: merge every vendor's index (each batch is in exactly one).
    keys = [k.rsplit("/", 1)[-1] for k in store.list("index/vendors/")]
    return sorted(keys)


def retry_batch(
    store: ObjectStore, principal: Principal, batch_id: str, *, ip: str | None,
    enqueue: Callable[[str], None],
) -> dict[str, Any]:
    """Send a failed batch back to ``received`` (admins only) and queue it again."""
    if principal.role != "admin":
        raise Forbidden("Only administrators can retry batches.", error="ROLE_NOT_ADMIN",
                        message_it="Solo gli amministratori possono rilanciare un lotto.")

    def to_received(m: dict[str, Any]) -> None:
        if m["state"] != "failed":
            raise Conflict(f"Only failed batches can be retried (this one is {m['state']}).",
                           error="BATCH_NOT_FAILED",
                           message_it="Si possono rilanciare solo i lotti in errore.")
        m["state"] = "received"
        m["lease"] = None

    batch = manifests.update(store, batch_id, to_received)
    audit.record(store, "batch.retry", actor=principal.actor(), target=batch_id, ip=ip)
    enqueue(batch_id)
    return batch
