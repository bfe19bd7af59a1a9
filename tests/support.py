"""Helpers shared by the tests: organisations with keys, and valid profiles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Org:
    id: str
    role: str
    key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def make_org(store, role: str, name: str) -> Org:
    from gateway.accounts import create_key, create_org

    org = create_org(store, role=role, name=name)
    token, _ = create_key(store, org["id"])
    return Org(org["id"], role, token)


VENDOR_PROFILE = {
    "vendor_id": "placeholder",
    "legal_entity_id": "IT01234567890",
    "name": "Liste Rapide Srl",
    "informative": [
        {
            "version": "2023-01",
            "effective_from": "2023-01-01T00:00:00+01:00",
            "effective_until": "2025-01-01T00:00:00+01:00",
            "sha256": "a" * 64,
            "url": "https://listerapide.example/privacy/2023-01",
            "third_party_sectors": ["energy", "telecom"],
        },
        {
            "version": "2025-01",
            "effective_from": "2025-01-01T00:00:00+01:00",
            "sha256": "b" * 64,
            "url": "https://listerapide.example/privacy/2025-01",
            "third_party_sectors": ["energy", "telecom", "insurance"],
        },
    ],
    "sources": [
        {"id": "web-main", "kind": "web", "domains": ["listerapide.example"]},
        {"id": "fiera-milano", "kind": "event"},
    ],
}

BUYER_PROFILE = {
    "buyer_id": "placeholder",
    "name": "Call Center Nord Srl",
    "roc_number": "12345",
    "sector": "energy",
    "policy": {"max_rejected_ratio": 0.10, "require_proof": True},
}


def set_profile(store, org: Org, profile: dict) -> None:
    from gateway.accounts import update_org

    doc = dict(profile)
    key = "vendor_id" if org.role == "vendor" else "buyer_id"
    doc[key] = org.id
    update_org(store, org.id, profile=doc)


