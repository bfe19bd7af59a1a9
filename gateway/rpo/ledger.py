"""RPO consultations kept in the object store.

Layout, one folder per consultation::

    rpo/consultations/{id}/meta.json    id, consulted_at, format, entries, registered, ...
    rpo/consultations/{id}/index.bin    the lookup index (see gateway.rpo.index)
    rpo/consultations/{id}/esito.csv    format A, as imported
    rpo/consultations/{id}/sent.csv     format B, as imported
    rpo/consultations/{id}/contactable.csv

``meta.json`` is written last and only if absent, so a consultation is either complete or
invisible. Consultations are never rewritten.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import BadRequest
from ..rules.catalogue import RPO_VALIDITY_DAYS
from ..rules.timestamps import to_utc
from ..storage import ObjectStore, StorageError
from .index import Consultation, RpoIndex, index_bytes, open_index, write_index
from .parse import Entries, parse_format_a, parse_format_b

PREFIX = "rpo/consultations/"
# A consultation time this far ahead of the import is a mistake (clock or time zone).
FUTURE_TOLERANCE = timedelta(minutes=5)
_COPY = 1 << 20

Source = BinaryIO | str | os.PathLike[str]


def isoformat(moment: datetime) -> str:
    """UTC ISO 8601 with ``Z`` (microseconds only when not zero)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def spool(source: Source, target: str | os.PathLike[str]) -> str:
    """Copy a binary stream (or the file a path names) to ``target``; return its SHA-256."""
    digest = hashlib.sha256()
    with open(target, "wb") as out:
        if isinstance(source, str | os.PathLike):
            stream: BinaryIO = open(source, "rb")  # noqa: SIM115 - closed below
            close = True
        else:
            stream, close = source, False
        try:
            while block := stream.read(_COPY):
                digest.update(block)
                out.write(block)
        finally:
            if close:
                stream.close()
    return digest.hexdigest()


class RpoLedger:
    """Imports RPO consultations into the store and builds lookup indexes from them."""

    def __init__(self, store: ObjectStore, *, cache_dir: str | os.PathLike[str] | None = None):
        self.store = store
        self.cache_dir = Path(cache_dir or Path(tempfile.gettempdir()) / "gateway-rpo-index")

    def import_format_a(
        self,
        stream: Source,
        consulted_at: datetime,
        *,
        actor: str | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Import an esito in format A; return the consultation's metadata."""
        consulted = self._check_time(consulted_at, now)
        with tempfile.TemporaryDirectory(prefix="gateway-rpo-") as tmp:
            path = Path(tmp) / "esito.csv"
            sha = spool(stream, path)
            entries = parse_format_a(path)
            return self._save(entries, consulted, "A", [("esito.csv", path, sha)], actor)

    def import_format_b(
        self,
        sent: Source,
        contactable: Source,
        consulted_at: datetime,
        *,
        actor: str | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Import a sent list and its contactable list (format B); return the metadata."""
        consulted = self._check_time(consulted_at, now)
        with tempfile.TemporaryDirectory(prefix="gateway-rpo-") as tmp:
            sent_path = Path(tmp) / "sent.csv"
            back_path = Path(tmp) / "contactable.csv"
            sent_sha = spool(sent, sent_path)
            back_sha = spool(contactable, back_path)
            entries = parse_format_b(sent_path, back_path)
            files = [("sent.csv", sent_path, sent_sha), ("contactable.csv", back_path, back_sha)]
            return self._save(entries, consulted, "B", files, actor)

    def consultations(self) -> list[dict[str, Any]]:
        """Metadata of every consultation, newest ``consulted_at`` first."""
        metas = [
            self.store.get_json(key)
            for key in self.store.list(PREFIX)
            if key.endswith("/meta.json")
        ]
        metas.sort(key=lambda m: (m["consulted_at_epoch"], m["id"]), reverse=True)
        return metas

    def index(self, now: datetime) -> RpoIndex:
        """An index of the consultations valid at ``now`` (younger than 15 days)."""
        now = to_utc(now)
        items = []
        for meta in self.consultations():
            consulted = datetime.fromtimestamp(meta["consulted_at_epoch"], UTC)
            if not consulted <= now < consulted + timedelta(days=RPO_VALIDITY_DAYS):
                continue
            path = self._index_path(meta)
            items.append(Consultation(meta["id"], consulted, open_index(path)))
        return RpoIndex(items)

    def _check_time(self, consulted_at: datetime, now: datetime | None) -> datetime:
        try:
            consulted = to_utc(consulted_at)
        except ValueError:
            raise BadRequest(
                "consulted_at needs a time zone (or use a form without offset on the command "
                "line, read as Europe/Rome).",
                message_it="consulted_at deve indicare il fuso orario.",
            ) from None
        current = to_utc(now) if now is not None else datetime.now(UTC)
        if consulted > current + FUTURE_TOLERANCE:
            raise BadRequest(
                f"consulted_at {isoformat(consulted)} is in the future.",
                message_it=f"consulted_at {isoformat(consulted)} è nel futuro.",
            )
        return consulted

    def _save(
        self,
        entries: Entries,
        consulted: datetime,
        fmt: str,
        files: list[tuple[str, Path, str]],
        actor: str | None,
    ) -> dict[str, Any]:
        cid = f"{consulted:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
        folder = f"{PREFIX}{cid}/"
        for name, path, _sha in files:
            with open(path, "rb") as fh:
                self.store.copy_from(folder + name, fh, if_none_match=True)
        with self.store.writer(folder + "index.bin", if_none_match=True) as out:
            size = write_index(out, entries)
        meta = {
            "id": cid,
            "consulted_at": isoformat(consulted),
            # Whole seconds since the epoch, so listings sort without parsing.
            "consulted_at_epoch": int(consulted.timestamp()),
            "format": fmt,
            "entries": len(entries),
            "registered": entries.registered,
            "imported_at": isoformat(datetime.now(UTC)),
            "actor": actor,
            "source_sha256": files[0][2],
            "sources": [{"file": name, "sha256": sha} for name, _path, sha in files],
            "index": {"key": folder + "index.bin", "bytes": size},
        }
        self.store.put_json(folder + "meta.json", meta, if_none_match=True)
        return meta

    def _index_path(self, meta: dict[str, Any]) -> str:
        """A local file holding a consultation's index: the store's own, or a cached copy."""
        key = meta["index"]["key"]
        local = self.store.local_path(key)
        if local is not None and os.path.exists(local):
            return local
        # Index files never change once written, so a cached copy of the right size is good.
        cached = self.cache_dir / f"{meta['id']}.bin"
        if cached.exists() and cached.stat().st_size == meta["index"]["bytes"]:
            return str(cached)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".download-")
        try:
            with os.fdopen(fd, "wb") as out, self.store.open(key) as source:
                shutil.copyfileobj(source, out, _COPY)
            if os.path.getsize(tmp) != index_bytes(meta["entries"]):
                raise StorageError(f"{key}: size differs from its metadata")
            os.replace(tmp, cached)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return str(cached)
