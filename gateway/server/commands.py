"""``gateway serve``."""

from __future__ import annotations

import argparse
from typing import Any

from ..config import Config


def register(sub: Any, admin: Any) -> None:
    """Add ``serve``."""
    p = sub.add_parser("serve", help="run the service (waitress)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8)
    p.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    from . import serve

    config = Config.from_env()
    print(f"gateway serving on http://{args.host}:{args.port} (store: {config.storage_url})",
          flush=True)
    serve(config, host=args.host, port=args.port, threads=args.threads)
    return 0
