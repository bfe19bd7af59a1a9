"""``gateway objections``: record objections from a CSV file or one number at a time."""

from __future__ import annotations

import argparse
from typing import Any

from ..cli import load_store
from ..errors import BadRequest
from ..rules.timestamps import parse_timestamp
from .ledger import GLOBAL, ObjectionLedger


def register(subparsers: Any, admin_subparsers: Any) -> None:
    """Add ``gateway objections import`` and ``gateway objections add``."""
    parser = subparsers.add_parser("objections", help="record objections (global or per buyer)")
    sub = parser.add_subparsers(dest="objections_command", metavar="OBJECTIONS_COMMAND")

    imp = sub.add_parser(
        "import",
        help="import a CSV phone[,recorded_at]",
        description="Lines without recorded_at are recorded now. Prints the import id.",
    )
    imp.add_argument("file")
    _scope_arguments(imp)
    imp.set_defaults(handler=_import)

    add = sub.add_parser("add", help="record one number's objection")
    add.add_argument("phone")
    add.add_argument("--recorded-at", help="when the objection was made (default: now)")
    _scope_arguments(add)
    add.set_defaults(handler=_add)


def _scope_arguments(parser: argparse.ArgumentParser) -> None:
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument(
        "--global", dest="is_global", action="store_true", help="the owner objected to every buyer"
    )
    scope.add_argument("--buyer", metavar="ORG_ID", help="the owner objected to this buyer")
    parser.add_argument("--actor", default="cli", help="who records (kept in the metadata)")


def _scope(args: argparse.Namespace) -> str:
    return GLOBAL if args.is_global else args.buyer


def _import(args: argparse.Namespace) -> int:
    meta = ObjectionLedger(load_store()).import_csv(args.file, _scope(args), actor=args.actor)
    print(f"{meta['id']}  {meta['entries']} number(s) recorded, scope {meta['scope']}")
    return 0


def _add(args: argparse.Namespace) -> int:
    recorded_at = None
    if args.recorded_at:
        try:
            recorded_at = parse_timestamp(args.recorded_at)
        except ValueError as exc:
            raise BadRequest(f"--recorded-at: {exc}") from None
    meta = ObjectionLedger(load_store()).record_number(
        args.phone, _scope(args), actor=args.actor, recorded_at=recorded_at
    )
    print(f"{meta['id']}  1 number recorded, scope {meta['scope']}")
    return 0
