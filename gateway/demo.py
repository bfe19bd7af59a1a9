"""``gateway demo``: seed one organisation of each role, idempotently, and print API keys."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from . import audit
from .accounts import create_key, create_org, get_org, update_org
from .cli import load_store
from .storage import ObjectStore

DEMO_ORGS = (
    ("org_demo_vendor", "vendor", "Demo Liste Srl"),
    ("org_demo_buyer", "buyer", "Demo Call Center Spa"),
    ("org_demo_admin", "admin", "Gateway operations"),
)
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "docs" / "sample"


def register(sub: Any, admin: Any) -> None:
    """Add ``demo``."""
    p = sub.add_parser("demo", help="seed demo organisations and print their API keys")
    p.add_argument("--json", action="store_true", help="print the keys as JSON")
    p.set_defaults(handler=_demo)


def seed(store: ObjectStore) -> dict[str, dict[str, Any]]:
    """Create the demo organisations if missing, give them sample profiles, issue fresh keys."""
    out: dict[str, dict[str, Any]] = {}
    for org_id, role, name in DEMO_ORGS:
        org = create_org(store, role=role, name=name, org_id=org_id)
        profile = _sample_profile(role, org_id)
        if profile is not None and not get_org(store, org_id).get("profile"):
            update_org(store, org_id, profile=profile)
        token, record = create_key(store, org["id"], label="demo")
        audit.record(store, "key.create", actor={"role": "admin", "via": "demo"},
                     target=record["id"], details={"org_id": org_id})
        out[role] = {"org_id": org_id, "name": org["name"], "key": token}
    return out


def _sample_profile(role: str, org_id: str) -> dict[str, Any] | None:
    name = {"vendor": "vendor.json", "buyer": "buyer.json"}.get(role)
    if name is None or not (SAMPLE_DIR / name).exists():
        return None
    profile = json.loads((SAMPLE_DIR / name).read_text())
    profile[f"{role}_id"] = org_id
    return profile


def _demo(args: argparse.Namespace) -> int:
    seeded = seed(load_store())
    if args.json:
        print(json.dumps(seeded))
        return 0
    print("Demo organisations (API keys are shown once; a re-run issues fresh ones):")
    for role, info in seeded.items():
        print(f"  {role:<7} {info['org_id']:<17} {info['name']}")
        print(f"          key: {info['key']}")
    return 0
