"""``gateway demo``: seed one organisation of each role, idempotently, and print API keys.

It also seeds one portal user per role (fixed demo emails) and prints their passwords: a re-run
gives every demo user a freshly generated password.
"""

from __future__ import annotations

import argparse
import json
import secrets
from pathlib import Path
from typing import Any

from . import audit
from .accounts import create_key, create_org, get_org, update_org
from .accounts.users import create_user, find_user, set_password
from .cli import load_store
from .storage import ObjectStore

DEMO_ORGS = (
    ("org_demo_vendor", "vendor", "Demo Liste Srl"),
    ("org_demo_buyer", "buyer", "Demo Call Center Spa"),
    ("org_demo_admin", "admin", "Gateway operations"),
)
DEMO_USERS = (
    ("vendor", "org_demo_vendor", "vendor@demo.example", "Demo vendor"),
    ("buyer", "org_demo_buyer", "buyer@demo.example", "Demo buyer"),
    ("admin", "org_demo_admin", "admin@demo.example", "Demo administrator"),
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


def seed_users(store: ObjectStore) -> dict[str, dict[str, str]]:
    """Give each demo organisation its portal user with a fresh password; return credentials.

    Run after :func:`seed`. An existing demo user keeps its id and gets a new password.
    """
    out: dict[str, dict[str, str]] = {}
    actor = {"role": "admin", "via": "demo"}
    for role, org_id, email, name in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        user = find_user(store, email)
        if user is None:
            user = create_user(store, org_id=org_id, email=email, password=password, name=name)
            audit.record(store, "user.create", actor=actor, target=user["id"],
                         details={"org_id": org_id, "email": email})
        else:
            set_password(store, user["id"], password)
            audit.record(store, "user.set_password", actor=actor, target=user["id"])
        out[role] = {"org_id": org_id, "email": email, "password": password}
    return out


def _sample_profile(role: str, org_id: str) -> dict[str, Any] | None:
    name = {"vendor": "vendor.json", "buyer": "buyer.json"}.get(role)
    if name is None or not (SAMPLE_DIR / name).exists():
        return None
    profile = json.loads((SAMPLE_DIR / name).read_text())
    profile[f"{role}_id"] = org_id
    return profile


def _demo(args: argparse.Namespace) -> int:
    store = load_store()
    seeded = seed(store)
    users = seed_users(store)
    for role, credentials in users.items():
        seeded[role]["user"] = {"email": credentials["email"],
                                "password": credentials["password"]}
    if args.json:
        print(json.dumps(seeded))
        return 0
    print("Demo organisations (API keys are shown once; a re-run issues fresh ones):")
    for role, info in seeded.items():
        print(f"  {role:<7} {info['org_id']:<17} {info['name']}")
        print(f"          key: {info['key']}")
    print("Demo portal users (sign in at the server's address; a re-run sets new passwords):")
    for role, credentials in users.items():
        print(f"  {role:<7} {credentials['email']:<20} password: {credentials['password']}")
    return 0
