"""Batch manifests: the one record of a batch's state, moved only by compare-and-swap."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..accounts import isoformat, utcnow
from ..accounts.service import is_valid_id
from ..errors import Conflict, NotFound
from ..storage import ObjectNotFound, ObjectStore, PreconditionFailed

STATES = ("received", "validating", "awaiting_rpo", "certified", "rejected", "failed")
FINAL_STATES = ("certified", "rejected")
# States a worker may still have to act on; each has a listing index so that sweeps never
# scan every batch.
OPEN_STATES = ("received", "validating", "awaiting_rpo", "failed")

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("validating", "failed"),
    "validating": ("validating", "awaiting_rpo", "certified", "rejected", "failed"),
    "awaiting_rpo": ("validating", "failed"),
    "failed": ("received",),
    "certified": (),
    "rejected": (),
}


class StaleManifest(Exception):
    """The manifest changed under us; the caller lost a race."""


def manifest_key(batch_id: str) -> str:
    """Return the store key of a batch's manifest."""
    return f"batches/{batch_id}/manifest.json"


def state_index_key(state: str, batch_id: str) -> str:
    """Return the key marking a batch as being in an open state."""
    return f"index/states/{state}/{batch_id}"


def worker_identity() -> str:
    """Return this process's lease-owner name: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def load(store: ObjectStore, batch_id: str) -> tuple[dict[str, Any], str]:
    """Return a manifest and its ETag, or raise ``NotFound`` (``BATCH_NOT_FOUND``)."""
    if not is_valid_id(batch_id):
        raise batch_not_found()
    try:
        obj = store.get(manifest_key(batch_id))
    except ObjectNotFound:
        raise batch_not_found() from None
    return obj.json(), obj.etag


def batch_not_found() -> NotFound:
    """Return the error for an unknown or invisible batch (the same for both: ids must not leak)."""
    return NotFound("Batch not found.", error="BATCH_NOT_FOUND", message_it="Lotto non trovato.")


def update(
    store: ObjectStore,
    batch_id: str,
    change: Callable[[dict[str, Any]], dict[str, Any] | None],
    *,
    etag: str | None = None,
    retries: int = 10,
) -> dict[str, Any]:
    """Apply ``change`` to a manifest with compare-and-swap.

    ``change`` mutates the manifest in place (or returns a new one) and may raise to refuse.
    With an explicit ``etag`` a lost race raises ``StaleManifest`` at once (the caller's view
    is outdated); without one the change is re-applied to the fresh manifest.
    """
    for _ in range(retries):
        manifest, current_etag = load(store, batch_id)
        if etag is not None and etag != current_etag:
            raise StaleManifest(batch_id)
        before = manifest["state"]
        result = change(manifest)
        if result is not None:
            manifest = result
        after = manifest["state"]
        if after != before and after not in TRANSITIONS[before]:
            raise Conflict(
                f"A batch in state {before!r} cannot move to {after!r}.",
                error="BATCH_STATE_CONFLICT",
                message_it=f"Un lotto nello stato {before!r} non può passare a {after!r}.",
            )
        now = isoformat(utcnow())
        manifest["updated_at"] = now
        if after != before:
            manifest.setdefault("history", []).append({"state": after, "at": now})
        try:
            store.put_json(manifest_key(batch_id), manifest, if_match=current_etag)
        except PreconditionFailed:
            if etag is not None:
                raise StaleManifest(batch_id) from None
            continue
        if after != before:
            _move_state_index(store, batch_id, before, after)
        return manifest
    raise StaleManifest(batch_id)


def _move_state_index(store: ObjectStore, batch_id: str, before: str, after: str) -> None:
    # The index only speeds up sweeps; the manifest stays the truth, so a crash between these
    # writes leaves at worst a stale marker that sweeps check and drop.
    if after in OPEN_STATES:
        store.put(state_index_key(after, batch_id), b"")
    if before in OPEN_STATES:
        store.delete(state_index_key(before, batch_id))


def lease_expired(manifest: dict[str, Any], now: datetime | None = None) -> bool:
    """Tell whether a validating batch's lease has run out (or its owner died on this host)."""
    lease = manifest.get("lease")
    if not lease:
        return True
    now = now or utcnow()
    if datetime.fromisoformat(lease["expires_at"]) <= now:
        return True
    host, _, pid = lease["owner"].rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return False


def new_lease(seconds: int, token: str | None = None) -> dict[str, str]:
    """Return a lease owned by this process for ``seconds``.

    The token names one claim: two workers in the same process never mistake each other's
    lease for their own.
    """
    return {
        "owner": worker_identity(),
        "token": token or secrets.token_hex(8),
        "expires_at": isoformat(utcnow() + timedelta(seconds=seconds)),
    }


def holds_lease(manifest: dict[str, Any], token: str) -> bool:
    """Tell whether ``token`` is the batch's current lease."""
    return (manifest.get("lease") or {}).get("token") == token
