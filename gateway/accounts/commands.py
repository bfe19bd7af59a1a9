"""``gateway admin create-org``, ``create-key``, ``list-orgs``, ``revoke-key``, ``create-user``,
``list-users``, ``set-password``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .. import audit
from ..cli import load_store
from .service import ROLES, create_key, create_org, list_orgs, revoke_key
from .users import create_user, find_user, list_users, set_password, user_not_found

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

    p = admin.add_parser("create-user", help="create a portal user of an organisation")
    p.add_argument("--org", required=True, help="organisation id")
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="")
    p.add_argument("--password-stdin", action="store_true", required=True,
                   help="read the password from the first line of standard input")
    p.add_argument("--json", action="store_true", help="print the user as JSON")
    p.set_defaults(handler=_create_user)

    p = admin.add_parser("list-users", help="list portal users")
    p.add_argument("--org", help="only this organisation's users")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list_users)

    p = admin.add_parser("set-password", help="replace a portal user's password")
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true", required=True,
                   help="read the password from the first line of standard input")
    p.set_defaults(handler=_set_password)


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


def _read_password() -> str:
    # Only the line ending is dropped: spaces are a legitimate part of a passphrase.
    return sys.stdin.readline().rstrip("\r\n")


def _create_user(args: argparse.Namespace) -> int:
    store = load_store()
    user = create_user(store, org_id=args.org, email=args.email, password=_read_password(),
                       name=args.name)
    audit.record(store, "user.create", actor=_CLI_ACTOR, target=user["id"],
                 details={"org_id": user["org_id"], "email": user["email"]})
    if args.json:
        print(json.dumps(user))
    else:
        print(f"created user {user['email']} of {user['org_id']}: {user['id']}")
    return 0


def _list_users(args: argparse.Namespace) -> int:
    users = list_users(load_store(), args.org)
    if args.json:
        print(json.dumps(users))
    else:
        for user in users:
            print(f"{user['id']}\t{user['org_id']}\t{user['email']}\t{user['name']}")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    store = load_store()
    user = find_user(store, args.email)
    if user is None:
        raise user_not_found()
    set_password(store, user["id"], _read_password())
    audit.record(store, "user.set_password", actor=_CLI_ACTOR, target=user["id"])
    print(f"password of {user['email']} replaced")
    return 0
