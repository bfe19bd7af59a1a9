"""Portal sign-in sessions, kept in the object store so that every process recognises them.

The browser holds only a random token; the store holds ``accounts/sessions/{sha256(token)}.json``
with the user, its organisation and role, the session's CSRF token and its expiry. Signing out
deletes the record, so a copied cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from ..accounts import Principal, isoformat, utcnow
from ..storage import ObjectNotFound, ObjectStore

SESSIONS_PREFIX = "accounts/sessions/"
SESSION_LIFETIME = timedelta(hours=12)


def _session_key(token: str) -> str:
    # Only the token's hash names the object: a listing of the store reveals no usable cookie.
    return SESSIONS_PREFIX + hashlib.sha256(token.encode()).hexdigest() + ".json"


def start_session(
    store: ObjectStore, principal: Principal, *, now: datetime | None = None
) -> tuple[str, dict[str, Any]]:
    """Open a session for a signed-in user; return the cookie token and the record."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    record = {
        "user_id": principal.user_id,
        "org_id": principal.org_id,
        "role": principal.role,
        "csrf": secrets.token_urlsafe(32),
        "created_at": isoformat(now),
        "expires_at": isoformat(now + SESSION_LIFETIME),
    }
    store.put_json(_session_key(token), record, if_none_match=True)
    return token, record


def load_session(
    store: ObjectStore, token: str | None, *, now: datetime | None = None
) -> dict[str, Any] | None:
    """Return the live session a cookie token names, or None (expired ones are removed)."""
    if not token or len(token) > 128:
        return None
    key = _session_key(token)
    try:
        record = store.get_json(key)
    except ObjectNotFound:
        return None
    if datetime.fromisoformat(record["expires_at"]) <= (now or utcnow()):
        store.delete(key)
        return None
    return record


def end_session(store: ObjectStore, token: str | None) -> None:
    """Forget a session (signing out); an unknown token is not an error."""
    if token and len(token) <= 128:
        store.delete(_session_key(token))
