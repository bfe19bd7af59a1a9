"""Objections kept in the object store, append-only.

Every import is a new pair of objects, never rewritten::

    objections/global/{YYYYmmddTHHMMSSffffffZ}-{id}.bin       scope: everyone
    objections/buyers/{buyer_id}/{YYYYmmddTHHMMSSffffffZ}-{id}.bin
    ... and a .json beside each (id, scope, actor, entries, recorded_at range, imported_at,
    source_sha256)

A ``.bin`` holds ``OBJLST01``, the entry count (little-endian int64), the keys in ascending
order and their ``recorded_at`` (int64 microseconds since the epoch, UTC). The ``.bin`` is
written before its ``.json``; readers list the ``.json`` objects.
"""

from __future__ import annotations

import os
import re
import secrets
import struct
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, BinaryIO

import numpy as np
import polars as pl

from ..errors import BadRequest
from ..rpo.errors import rejected_lines
from ..rpo.ledger import spool
from ..rules.timestamps import epoch_us, to_utc
from ..storage import ObjectStore
from .index import ObjectionIndex
from .parse import WHAT, number_keys, parse_objections

PREFIX = "objections/"
MAGIC = b"OBJLST01"
GLOBAL = "global"
_BUYER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def _folder(scope: str) -> str:
    if scope == GLOBAL:
        return f"{PREFIX}global/"
    if not _BUYER_ID.match(scope):
        raise BadRequest(
            f"invalid objection scope {scope!r}: use 'global' or a buyer organisation id",
            message_it=f"ambito di opposizione non valido {scope!r}",
        )
    return f"{PREFIX}buyers/{scope}/"


def _isoformat(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ObjectionLedger:
    """Records objections (to one buyer or to everyone) and builds lookup indexes."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def record(
        self,
        numbers_with_times: pl.DataFrame | Iterable[tuple[str, datetime | None]],
        scope: str = GLOBAL,
        *,
        actor: str,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Record objections; return the import's metadata.

        ``numbers_with_times`` is a frame with ``phone`` (any form) and optionally
        ``recorded_at`` (aware datetimes), or pairs ``(phone, recorded_at or None)``. A missing
        time is ``now`` (default: the current time). Invalid numbers reject the whole call.
        """
        current = to_utc(now) if now is not None else datetime.now(UTC)
        if isinstance(numbers_with_times, pl.DataFrame):
            frame = numbers_with_times
            phones = frame.get_column("phone").cast(pl.Utf8)
            if "recorded_at" in frame.columns:
                times = frame.get_column("recorded_at").dt.epoch("us")
            else:
                times = pl.repeat(None, frame.height, dtype=pl.Int64, eager=True)
        else:
            pairs = list(numbers_with_times)
            phones = pl.Series("phone", [p for p, _ in pairs], dtype=pl.Utf8)
            times = pl.Series(
                "t", [epoch_us(t) if t is not None else None for _, t in pairs], dtype=pl.Int64
            )
        keys, usable = number_keys(phones)
        if not usable.all():
            bad = (usable.not_().arg_true() + 1).to_list()
            raise rejected_lines(
                WHAT[0],
                WHAT[1],
                [{"line": n, "problem": "not a valid phone number"} for n in bad[:100]],
                len(bad),
            )
        entries = pl.DataFrame({"key": keys, "recorded_at_us": times.fill_null(epoch_us(current))})
        return self._save(entries, scope, actor, current, source_sha256=None)

    def record_number(
        self,
        phone: str,
        scope: str = GLOBAL,
        *,
        actor: str,
        recorded_at: datetime | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Record one number's objection."""
        return self.record([(phone, recorded_at)], scope, actor=actor, now=now)

    def import_csv(
        self,
        source: BinaryIO | str | os.PathLike[str],
        scope: str = GLOBAL,
        *,
        actor: str,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Import a CSV ``phone[,recorded_at]`` (missing times: ``now``); return the metadata."""
        current = to_utc(now) if now is not None else datetime.now(UTC)
        _folder(scope)
        with tempfile.TemporaryDirectory(prefix="gateway-objections-") as tmp:
            path = os.path.join(tmp, "objections.csv")
            sha256 = spool(source, path)
            entries = parse_objections(path, default_recorded_at=current)
        return self._save(entries, scope, actor, current, source_sha256=sha256)

    def imports(self, scope: str = GLOBAL) -> list[dict[str, Any]]:
        """Metadata of a scope's imports, oldest first."""
        folder = _folder(scope)
        return [
            self.store.get_json(key)
            for key in self.store.list(folder)
            if key.endswith(".json") and "/" not in key[len(folder) :]
        ]

    def index(self, buyer_id: str | None, now: datetime | None = None) -> ObjectionIndex:
        """Objections that apply to ``buyer_id`` (its own and global) recorded by ``now``.

        With ``now`` None every recorded objection applies.
        """
        scopes = [GLOBAL] if buyer_id is None else [GLOBAL, buyer_id]
        keys: list[np.ndarray] = []
        limit = epoch_us(now) if now is not None else None
        for scope in scopes:
            for meta in self.imports(scope):
                data = self.store.get(meta["key"]).data
                stored_keys, recorded = _decode(data)
                if limit is not None:
                    stored_keys = stored_keys[recorded <= limit]
                keys.append(stored_keys)
        if not keys:
            return ObjectionIndex.empty()
        return ObjectionIndex(np.concatenate(keys))

    def _save(
        self,
        entries: pl.DataFrame,
        scope: str,
        actor: str,
        current: datetime,
        *,
        source_sha256: str | None,
    ) -> dict[str, Any]:
        folder = _folder(scope)
        # A number listed twice keeps its earliest objection.
        merged = entries.group_by("key").agg(pl.col("recorded_at_us").min()).sort("key")
        keys = merged.get_column("key").to_numpy().astype("<i8")
        recorded = merged.get_column("recorded_at_us").to_numpy().astype("<i8")
        oid = secrets.token_hex(6)
        stem = f"{folder}{current:%Y%m%dT%H%M%S%fZ}-{oid}"
        payload = MAGIC + struct.pack("<q", len(keys)) + keys.tobytes() + recorded.tobytes()
        self.store.put(stem + ".bin", payload, if_none_match=True)
        real = recorded[recorded != np.iinfo(np.int64).min]
        meta = {
            "id": oid,
            "scope": scope,
            "actor": actor,
            "entries": len(keys),
            "imported_at": _isoformat(current),
            "recorded_from": _isoformat(_from_us(int(real.min()))) if len(real) else None,
            "recorded_until": _isoformat(_from_us(int(real.max()))) if len(real) else None,
            "source_sha256": source_sha256,
            "key": stem + ".bin",
        }
        self.store.put_json(stem + ".json", meta, if_none_match=True)
        return meta


def _from_us(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, UTC)


def _decode(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    if data[:8] != MAGIC:
        raise ValueError("not an objection list")
    (n,) = struct.unpack("<q", data[8:16])
    keys = np.frombuffer(data, dtype="<i8", count=n, offset=16)
    recorded = np.frombuffer(data, dtype="<i8", count=n, offset=16 + 8 * n)
    return keys.astype(np.int64), recorded.astype(np.int64)
