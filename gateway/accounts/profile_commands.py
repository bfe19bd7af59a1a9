"""``gateway admin set-profile ORG_ID PROFILE.json`` and ``show-profile``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .. import audit
from ..cli import load_store
from ..errors import ValidationFailed
from .profiles import set_profile
from .service import get_org


def register(sub: Any, admin: Any) -> None:
    """Add the profile commands to the ``admin`` group."""
    p = admin.add_parser("set-profile", help="set an organisation's profile from a JSON file")
    p.add_argument("org_id")
    p.add_argument("profile", help="JSON file (- for standard input)")
    p.set_defaults(handler=_set_profile)
    p = admin.add_parser("show-profile", help="print an organisation's profile")
    p.add_argument("org_id")
    p.set_defaults(handler=_show_profile)


def _set_profile(args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.read() if args.profile == "-" else open(args.profile).read()  # noqa: SIM115
        doc = json.loads(text)
    except OSError as exc:
        print(f"error: cannot read {args.profile}: {exc.strerror}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as exc:
        print(f"error: {args.profile} is not valid JSON: {exc}", file=sys.stderr)
        return 2
    if not isinstance(doc, dict):
        print(f"error: {args.profile} must hold a JSON object", file=sys.stderr)
        return 2
    store = load_store()
    try:
        set_profile(store, args.org_id, doc)
    except ValidationFailed as exc:
        print(f"error: {exc.error}: {exc.message}", file=sys.stderr)
        for problem in exc.errors or []:
            if isinstance(problem, dict):
                print(f"  {problem.get('path') or '/'}: {problem.get('message')}",
                      file=sys.stderr)
            else:
                print(f"  {problem}", file=sys.stderr)
        return 2
    audit.record(store, "profile.update", actor={"role": "admin", "via": "cli"},
                 target=args.org_id)
    print(f"profile of {args.org_id} updated")
    return 0


def _show_profile(args: argparse.Namespace) -> int:
    org = get_org(load_store(), args.org_id)
    print(json.dumps(org.get("profile"), indent=2, ensure_ascii=False))
    return 0
