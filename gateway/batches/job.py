"""The batch job: claim a batch, judge every row, write the artefacts, record the decision.

The job is one function of a batch id and reads everything it needs from the store, so any
worker can run it and a crashed run is simply run again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .. import audit
from ..accounts import isoformat, utcnow
from ..errors import GatewayError, NotFound
from ..storage import ObjectStore
from . import manifest as manifests

if TYPE_CHECKING:
    from ..runtime import Runtime

log = logging.getLogger(__name__)

SYSTEM_ACTOR = {"role": "system", "via": "batch-job"}
# How often progress (and the lease) is written while a batch is judged.
PROGRESS_SECONDS = 1.0


def claim(rt: Runtime, batch_id: str) -> dict[str, Any] | None:
    """Move a batch to ``validating`` under this worker's lease, or return None if not ours."""
    claimed = False

    def take(m: dict[str, Any]) -> None:
        nonlocal claimed
        claimed = False
        state = m["state"]
        if state == "validating" and not manifests.lease_expired(m):
            return
        if state not in ("received", "validating", "awaiting_rpo"):
            return
        m["state"] = "validating"
        m["lease"] = manifests.new_lease(rt.config.lease_seconds)
        m["attempts"] = int(m.get("attempts") or 0) + 1
        m["progress"] = {"rows_done": 0, "rows_total": None}
        claimed = True

    try:
        manifest = manifests.update(rt.store, batch_id, take, retries=1)
    except (manifests.StaleManifest, NotFound):
        return None
    return manifest if claimed else None


def run_batch(rt: Runtime, batch_id: str) -> None:
    """Run the job for one batch; every outcome ends in a recorded state."""
    manifest = claim(rt, batch_id)
    if manifest is None:
        return
    audit.record(rt.store, "batch.validating", actor=SYSTEM_ACTOR, target=batch_id,
                 details={"attempt": manifest["attempts"]})
    try:
        _judge(rt, manifest)
    except manifests.StaleManifest:
        log.warning("batch %s was taken over by another worker", batch_id)
    except Exception as exc:
        log.exception("batch %s failed", batch_id)
        _fail(rt, batch_id, exc, manifest["lease"]["token"])


def _fail(rt: Runtime, batch_id: str, exc: BaseException, token: str) -> None:
    error = {
        "type": type(exc).__name__,
        "message": str(exc)[:500],
        "trace": traceback.format_exception_only(type(exc), exc)[-1].strip()[:500],
        "at": isoformat(utcnow()),
    }

    def to_failed(m: dict[str, Any]) -> None:
        if not manifests.holds_lease(m, token):
            raise manifests.StaleManifest(batch_id)
        m["state"] = "failed"
        m["lease"] = None
        m["error"] = error

    with contextlib.suppress(manifests.StaleManifest, GatewayError):
        manifests.update(rt.store, batch_id, to_failed)
        audit.record(rt.store, "batch.failed", actor=SYSTEM_ACTOR, target=batch_id,
                     details={"error": error["type"]})


class Progress:
    """Writes progress and renews the lease at most once a second, in a background thread.

    The judging thread never waits on the store for progress. A write that finds the lease
    lost (``StaleManifest``) is raised in the judging thread by its next call, or by
    ``close``, so the job stops.
    """

    def __init__(self, rt: Runtime, batch_id: str, token: str) -> None:
        self.rt = rt
        self.batch_id = batch_id
        self.token = token
        self.rows_done = 0
        self._last = 0.0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="progress")
        self._writing: Future[None] | None = None

    def __call__(self, rows_done: int) -> None:
        self.rows_done = rows_done
        if self._writing is not None and self._writing.done():
            self._settle()
        now = time.monotonic()
        if self._writing is None and now - self._last >= PROGRESS_SECONDS:
            self._last = now
            self._writing = self._pool.submit(self.write)

    def _settle(self) -> None:
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.result()

    def close(self, *, raise_error: bool = True) -> None:
        """Wait for the write under way (raising its error, if asked) and stop the thread."""
        try:
            if raise_error:
                self._settle()
        finally:
            self._pool.shutdown(wait=True)
            self._writing = None

    def write(self, rows_total: int | None = None) -> None:
        def step(m: dict[str, Any]) -> None:
            if m["state"] != "validating" or not manifests.holds_lease(m, self.token):
                raise manifests.StaleManifest(self.batch_id)
            m["progress"] = {"rows_done": self.rows_done, "rows_total": rows_total}
            m["lease"] = manifests.new_lease(self.rt.config.lease_seconds, self.token)

        manifests.update(self.rt.store, self.batch_id, step)


@contextlib.contextmanager
def local_copy(store: ObjectStore, key: str) -> Iterator[str]:
    """Yield a filesystem path holding the object (the store's own file when it has one)."""
    path = store.local_path(key)
    if path is not None and os.path.exists(path):
        yield path
        return
    fd, tmp = tempfile.mkstemp(prefix="gateway-batch-")
    try:
        with os.fdopen(fd, "wb") as out, store.open(key) as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
        yield tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _judge(rt: Runtime, manifest: dict[str, Any]) -> None:
    from .judge import judge_batch

    token = manifest["lease"]["token"]
    progress = Progress(rt, manifest["id"], token)
    try:
        outcome = judge_batch(rt, manifest, progress=progress)
    except BaseException:
        progress.close(raise_error=False)
        raise
    progress.close()
    finish(rt, manifest["id"], outcome, token)


def finish(rt: Runtime, batch_id: str, outcome: dict[str, Any], token: str) -> dict[str, Any]:
    """Record a judged batch's final (or waiting) state, if this claim still holds the lease."""

    def done(m: dict[str, Any]) -> None:
        if not manifests.holds_lease(m, token):
            raise manifests.StaleManifest(batch_id)
        m["state"] = outcome["state"]
        m["lease"] = None
        m["error"] = None
        m["counts"] = outcome.get("counts")
        m["reasons"] = outcome.get("reasons", [])
        m["decision"] = outcome.get("decision")
        m["valid_until"] = outcome.get("valid_until")
        m["progress"] = outcome.get("progress", m.get("progress"))
        m["artefacts"] = {**(m.get("artefacts") or {}), **outcome.get("artefacts", {})}
        for extra in ("rpo", "certificate", "file_error"):
            if extra in outcome:
                m[extra] = outcome[extra]

    manifest = manifests.update(rt.store, batch_id, done)
    audit.record(rt.store, f"batch.{outcome['state']}", actor=SYSTEM_ACTOR, target=batch_id,
                 details={"reasons": outcome.get("reasons", [])})
    return manifest


def find_leftover_work(rt: Runtime) -> list[str]:
    """Batches to run again: received, abandoned validating, or awaiting a fresh RPO import."""
    found: list[str] = []
    store = rt.store
    # Read the consultations once per sweep, and only when some batch waits for them.
    waiting = next(iter(store.list("index/states/awaiting_rpo/")), None) is not None
    newest_rpo_import = _newest_rpo_import(rt) if waiting else None
    for state in ("received", "validating", "awaiting_rpo"):
        for key in store.list(f"index/states/{state}/"):
            batch_id = key.rsplit("/", 1)[-1]
            try:
                manifest, _ = manifests.load(store, batch_id)
            except NotFound:
                store.delete(key)
                continue
            if manifest["state"] != state:
                store.delete(key)  # a stale marker from an interrupted index move
                continue
            if state == "received" and not _older_than(manifest, seconds=5):
                continue  # just uploaded: its own submission will run it
            if state == "validating" and not manifests.lease_expired(manifest):
                continue
            if state == "awaiting_rpo" and not _rpo_changed_since(manifest, newest_rpo_import):
                continue
            found.append(batch_id)
    return found


def _older_than(manifest: dict[str, Any], *, seconds: int) -> bool:
    updated = datetime.fromisoformat(manifest["updated_at"])
    return utcnow() - updated > timedelta(seconds=seconds)


def _newest_rpo_import(rt: Runtime) -> datetime | None:
    """When the most recent RPO consultation was imported, or None if there is none."""
    newest = None
    for key in rt.store.list("rpo/consultations/"):
        if key.endswith("/meta.json"):
            imported = rt.store.get_json(key).get("imported_at")
            if imported:
                moment = datetime.fromisoformat(imported)
                newest = moment if newest is None else max(newest, moment)
    return newest


def _rpo_changed_since(manifest: dict[str, Any], newest_import: datetime | None) -> bool:
    """Tell whether an RPO consultation was imported after the batch started waiting."""
    waiting_since = datetime.fromisoformat(
        (manifest.get("rpo") or {}).get("checked_at") or manifest["updated_at"]
    )
    return newest_import is not None and newest_import > waiting_since
