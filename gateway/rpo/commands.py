"""``gateway rpo``: import RPO consultations and list them."""

from __future__ import annotations

import argparse
from typing import Any

from ..cli import load_store
from ..errors import BadRequest
from ..rules.timestamps import parse_timestamp
from .ledger import RpoLedger


def register(subparsers: Any, admin_subparsers: Any) -> None:
    """Add ``gateway rpo import`` and ``gateway rpo list``."""
    rpo = subparsers.add_parser("rpo", help="RPO consultations: import and list")
    sub = rpo.add_subparsers(dest="rpo_command", metavar="RPO_COMMAND")

    imp = sub.add_parser(
        "import",
        help="import a consultation (format A: FILE; format B: --sent and --contactable)",
        description="Format A: FILE is a CSV phone,registered[,registered_at]. Format B: "
        "--sent is the list sent to the RPO, --contactable the list that came back. "
        "Prints the consultation id.",
    )
    imp.add_argument("file", nargs="?", help="format A file")
    imp.add_argument("--sent", help="format B: the list of numbers sent")
    imp.add_argument("--contactable", help="format B: the contactable numbers returned")
    imp.add_argument(
        "--consulted-at",
        required=True,
        help="when the RPO was consulted (ISO 8601; without offset: Europe/Rome)",
    )
    imp.add_argument("--actor", default="cli", help="who imports (recorded in the metadata)")
    imp.set_defaults(handler=_import)

    lst = sub.add_parser("list", help="list imported consultations, newest first")
    lst.set_defaults(handler=_list)


def _import(args: argparse.Namespace) -> int:
    try:
        consulted_at = parse_timestamp(args.consulted_at)
    except ValueError as exc:
        raise BadRequest(f"--consulted-at: {exc}") from None
    format_b = args.sent is not None or args.contactable is not None
    if format_b and (args.file or args.sent is None or args.contactable is None):
        raise BadRequest("format B needs --sent and --contactable, and no FILE")
    if not format_b and not args.file:
        raise BadRequest("give FILE (format A) or --sent and --contactable (format B)")
    ledger = RpoLedger(load_store())
    if format_b:
        meta = ledger.import_format_b(args.sent, args.contactable, consulted_at, actor=args.actor)
    else:
        meta = ledger.import_format_a(args.file, consulted_at, actor=args.actor)
    print(meta["id"])
    return 0


def _list(args: argparse.Namespace) -> int:
    for meta in RpoLedger(load_store()).consultations():
        print(
            f"{meta['id']}  consulted {meta['consulted_at']}  format {meta['format']}  "
            f"{meta['entries']} numbers, {meta['registered']} registered"
        )
    return 0
