"""The ``gateway`` command line (also ``python -m gateway``).

Each concern adds its own sub-commands from a ``commands`` module exposing
``register(subparsers)``; every sub-command is a function ``(args) -> exit status``.
Commands act on the store that ``GATEWAY_STORAGE_URL`` names, so they work beside a running
server.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .config import Config
from .errors import GatewayError
from .storage import ObjectStore, open_store

# Sub-packages that contribute commands; a missing module is skipped so that a partial
# checkout still runs the rest.
COMMAND_MODULES = (
    "gateway.server.commands",
    "gateway.accounts.commands",
    "gateway.accounts.profile_commands",
    "gateway.rules.commands",
    "gateway.rpo.commands",
    "gateway.objections.commands",
    "gateway.certificates.commands",
    "gateway.demo",
)


def load_store(config: Config | None = None) -> ObjectStore:
    """Open the configured object store (for commands)."""
    config = config or Config.from_env()
    return open_store(config.storage_url)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every registered sub-command."""
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    admin = sub.add_parser("admin", help="administration: organisations, keys, profiles")
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ADMIN_COMMAND")
    parser.set_defaults(admin_subparsers=admin_sub)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(sub, admin_sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except GatewayError as exc:
        print(f"error: {exc.error}: {exc.message}", file=sys.stderr)
        if exc.errors:
            print(exc.errors, file=sys.stderr)
        return 2
