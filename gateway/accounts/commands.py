"""``gateway admin create-org``, ``create-key``, ``list-orgs``, ``revoke-key``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .. import audit
from ..cli import load_store
from .service import ROLES, create_key, create_org, list_orgs, revoke_key

_CLI_ACTOR = {"role": "admin", "via": "cli"}


def register(sub: Any, admin: Any) -> None:
    """Add the account commands to the ``admin`` group."""
    p = admin.add_parser("create-org", help="create an organisation")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--name", required=True)
    p.add_argument("--json", action="store_true", help="print the organisation as JSON")
    p.set_defaults(handler=_create_org)

    p = admin.add_parser("create-key", help="issue an API key (printed once)")
    p.add_argument("--org", required=True, help="organisation id")
    p.add_argument("--label", default="")
    p.add_argument("--json", action="store_true", help='print {"key": ...}')
    p.set_defaults(handler=_create_key)

    p = admin.add_parser("list-orgs", help="list organisations")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list_orgs)

    p = admin.add_parser("revoke-key", help="revoke an API key by its id")
    p.add_argument("key_id")
    p.set_defaults(handler=_revoke_key)


def _create_org(args: argparse.Namespace) -> int:
    store = load_store()
    org = create_org(store, role=args.role, name=args.name)
    audit.record(store, "org.create", actor=_CLI_ACTOR, target=org["id"],
                 details={"role": org["role"], "name": org["name"]})
    if args.json:
        print(json.dumps(org))
    else:
        print(f"created {org['role']} organisation {org['name']!r}: {org['id']}")
    return 0


def _create_key(args: argparse.Namespace) -> int:
    store = load_store()
    token, record = create_key(store, args.org, label=args.label)
    audit.record(store, "key.create", actor=_CLI_ACTOR, target=record["id"],
                 details={"org_id": record["org_id"]})
    if args.json:
        print(json.dumps({"key": token, "id": record["id"], "org_id": record["org_id"]}))
    else:
        print(f"API key for {record['org_id']} (shown once, store it safely):\n{token}")
    return 0


def _list_orgs(args: argparse.Namespace) -> int:
    orgs = list_orgs(load_store())
    if args.json:
        print(json.dumps(orgs))
    else:
        for org in orgs:
            print(f"{org['id']}\t{org['role']}\t{org['name']}")
    return 0


def _revoke_key(args: argparse.Namespace) -> int:
    store = load_store()
    record = revoke_key(store, args.key_id)
    audit.record(store, "key.revoke", actor=_CLI_ACTOR, target=record["id"])
    print(f"revoked key {record['id']} of {record['org_id']}")
    return 0
