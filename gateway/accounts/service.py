"""Organisations and API keys, stored as JSON objects; secrets only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import NotFound, Unauthorized, ValidationFailed
from ..storage import ObjectNotFound, ObjectStore, PreconditionFailed

ROLES = ("vendor", "buyer", "admin")
# Every identifier the gateway issues fits this; anything else names nothing.
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,79}")
KEY_PREFIX = "gk"


def utcnow() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)


def isoformat(moment: datetime) -> str:
    """Format a UTC time the way every stored document does (seconds, ``Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_valid_id(value: object) -> bool:
    """Tell whether ``value`` has the shape of an identifier the gateway issues."""
    return isinstance(value, str) and _ID_RE.fullmatch(value) is not None


def new_id(prefix: str) -> str:
    """Return a random, URL-safe identifier with a readable prefix."""
    return f"{prefix}_{secrets.token_hex(8)}"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an organisation, its role, and the credential used."""

    org_id: str
    role: str
    key_id: str | None = None
    user_id: str | None = None

    def actor(self) -> dict[str, Any]:
        """Describe the caller for audit events."""
        out: dict[str, Any] = {"org_id": self.org_id, "role": self.role}
        if self.key_id:
            out["key_id"] = self.key_id
        if self.user_id:
            out["user_id"] = self.user_id
        return out


def _org_key(org_id: str) -> str:
    return f"accounts/orgs/{org_id}.json"


def create_org(
    store: ObjectStore, *, role: str, name: str, org_id: str | None = None
) -> dict[str, Any]:
    """Create an organisation; with an explicit ``org_id`` an existing one is returned as is."""
    problems = {}
    if role not in ROLES:
        problems["role"] = [f"must be one of {', '.join(ROLES)}"]
    if not name or not name.strip():
        problems["name"] = ["must not be empty"]
    if problems:
        raise ValidationFailed(errors=problems)
    org = {
        "id": org_id or new_id("org"),
        "role": role,
        "name": name.strip(),
        "created_at": isoformat(utcnow()),
        "profile": None,
    }
    try:
        store.put_json(_org_key(org["id"]), org, if_none_match=True)
    except PreconditionFailed:
        if org_id is None:
            raise
        return get_org(store, org_id)
    return org


def get_org(store: ObjectStore, org_id: str) -> dict[str, Any]:
    """Return an organisation or raise ``NotFound`` (``ORG_NOT_FOUND``)."""
    if not is_valid_id(org_id):
        raise NotFound("Organisation not found.", error="ORG_NOT_FOUND",
                       message_it="Organizzazione non trovata.")
    try:
        return store.get_json(_org_key(org_id))
    except ObjectNotFound:
        raise NotFound("Organisation not found.", error="ORG_NOT_FOUND",
                       message_it="Organizzazione non trovata.") from None


def list_orgs(store: ObjectStore, role: str | None = None) -> list[dict[str, Any]]:
    """Return every organisation, optionally of one role, sorted by name."""
    orgs = [store.get_json(k) for k in store.list("accounts/orgs/") if k.endswith(".json")]
    if role:
        orgs = [o for o in orgs if o["role"] == role]
    return sorted(orgs, key=lambda o: (o["name"].lower(), o["id"]))


def update_org(store: ObjectStore, org_id: str, **changes: Any) -> dict[str, Any]:
    """Apply changes to an organisation with compare-and-swap, retrying on a lost race."""
    for _ in range(20):
        try:
            current = store.get(_org_key(org_id))
        except ObjectNotFound:
            raise NotFound("Organisation not found.", error="ORG_NOT_FOUND",
                           message_it="Organizzazione non trovata.") from None
        org = current.json()
        org.update(changes)
        org["updated_at"] = isoformat(utcnow())
        try:
            store.put_json(_org_key(org_id), org, if_match=current.etag)
        except PreconditionFailed:
            continue
        return org
    raise PreconditionFailed(_org_key(org_id))


def _hash_secret(token: str) -> str:
    # API keys carry 256 random bits, so a plain SHA-256 is enough: unlike a password it
    # cannot be guessed, and hashing keeps a leaked store from yielding usable keys.
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(store: ObjectStore, org_id: str, *, label: str = "") -> tuple[str, dict[str, Any]]:
    """Issue an API key for an organisation; return the token (shown once) and its record."""
    org = get_org(store, org_id)
    key_id = secrets.token_hex(6)
    token = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    record = {
        "id": key_id,
        "org_id": org["id"],
        "role": org["role"],
        "label": label,
        "sha256": _hash_secret(token),
        "created_at": isoformat(utcnow()),
        "revoked_at": None,
    }
    store.put_json(f"accounts/keys/{key_id}.json", record, if_none_match=True)
    return token, record


def list_keys(store: ObjectStore, org_id: str | None = None) -> list[dict[str, Any]]:
    """Return key records (never secrets), optionally for one organisation."""
    keys = [store.get_json(k) for k in store.list("accounts/keys/") if k.endswith(".json")]
    return [k for k in keys if org_id is None or k["org_id"] == org_id]


def revoke_key(store: ObjectStore, key_id: str) -> dict[str, Any]:
    """Mark a key revoked; it stops working at once."""
    try:
        current = store.get(f"accounts/keys/{key_id}.json")
    except (ObjectNotFound, ValueError):
        raise NotFound("API key not found.", error="KEY_NOT_FOUND",
                       message_it="Chiave API non trovata.") from None
    record = current.json()
    record["revoked_at"] = record.get("revoked_at") or isoformat(utcnow())
    store.put_json(f"accounts/keys/{key_id}.json", record, if_match=current.etag)
    return record


def authenticate_key(store: ObjectStore, token: str | None) -> Principal:
    """Resolve a bearer token to its organisation or raise ``Unauthorized``."""
    if not token:
        raise Unauthorized(error="AUTH_REQUIRED")
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1].isalnum():
        raise Unauthorized(error="AUTH_INVALID")
    try:
        record = store.get_json(f"accounts/keys/{parts[1]}.json")
    except ObjectNotFound:
        raise Unauthorized(error="AUTH_INVALID") from None
    if not hmac.compare_digest(record["sha256"], _hash_secret(token)) or record.get("revoked_at"):
        raise Unauthorized(error="AUTH_INVALID")
    org = get_org(store, record["org_id"])
    return Principal(org_id=org["id"], role=org["role"], key_id=record["id"])
