"""Append-only audit events: who did what, when, from which address.

Each event is its own object under ``audit/{yyyy}/{mm}/{dd}/``, created with
create-if-absent, so events are never rewritten and concurrent writers never collide.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from .storage import ObjectStore


def record(
    store: ObjectStore,
    action: str,
    *,
    actor: Mapping[str, Any],
    target: str | None = None,
    ip: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write one audit event and return it."""
    now = datetime.now(UTC)
    event_id = secrets.token_hex(6)
    event = {
        "id": event_id,
        "at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "action": action,
        "actor": dict(actor),
        "target": target,
        "ip": ip,
        "details": dict(details or {}),
    }
    key = f"audit/{now:%Y/%m/%d}/{now:%H%M%S%f}-{event_id}.json"
    store.put_json(key, event, if_none_match=True)
    return event


def events(store: ObjectStore, *, day: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Yield audit events in time order, for one UTC day or all of them."""
    prefix = f"audit/{day:%Y/%m/%d}/" if day else "audit/"
    for key in store.list(prefix):
        yield store.get_json(key)
