"""The public keys of every signing key ever used, kept in the object store.

Each key is one object, ``keys/signing/{kid}.json``, written once and never changed:
``{"kid", "backend", "created_at", "jwk"}`` (plus ``kms_key_id`` for KMS keys). ``jwks`` turns
them into the key set published at ``/.well-known/jwks.json``; nothing is ever removed, so a
certificate stays verifiable after its key is rotated out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..storage import ObjectNotFound, ObjectStore, PreconditionFailed
from .statement import format_timestamp

if TYPE_CHECKING:
    from .signers import Signer

PREFIX = "keys/signing/"


def key_object(kid: str) -> str:
    """Return the store key of a signing key's record."""
    return f"{PREFIX}{kid}.json"


def publish_key(store: ObjectStore, signer: Signer) -> bool:
    """Record the signer's public key unless it is already there; tell whether it was added."""
    kid = signer.kid
    key = key_object(kid)
    if store.exists(key):
        return False
    record: dict[str, Any] = {
        "kid": kid,
        "backend": signer.backend,
        "created_at": format_timestamp(datetime.now(UTC)),
        "jwk": signer.public_jwk(),
        **signer.registry_details(),
    }
    try:
        store.put_json(key, record, if_none_match=True)
    except PreconditionFailed:
        # Another process published the same key first; its record is as good as ours.
        return False
    return True


def signing_keys(store: ObjectStore) -> list[dict[str, Any]]:
    """Return every published key record, oldest first."""
    records = []
    for key in store.list(PREFIX):
        if not key.endswith(".json"):
            continue
        try:
            records.append(store.get_json(key))
        except ObjectNotFound:
            continue  # listed, then deleted by hand: nothing to publish
    return sorted(records, key=lambda r: (r.get("created_at", ""), r.get("kid", "")))


def jwks(store: ObjectStore) -> dict[str, list[dict[str, Any]]]:
    """Return the JSON Web Key Set of every key ever published (``{"keys": [...]}``)."""
    return {"keys": [record["jwk"] for record in signing_keys(store)]}
