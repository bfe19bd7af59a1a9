"""``gateway check``: the offline pre-check of a contact list.

Exit status: 0 certified, 1 rejected (including a file-level rejection), 2 unusable arguments,
profiles, RPO or objection files (the problem is named on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from typing import Any

from ..errors import GatewayError
from .catalogue import CODES
from .timestamps import parse_timestamp

EXIT_CERTIFIED = 0
EXIT_REJECTED = 1
EXIT_UNUSABLE = 2
_ROWS_SHOWN = 20


def register(subparsers: Any, admin_subparsers: Any) -> None:
    """Add ``gateway check``."""
    parser = subparsers.add_parser(
        "check",
        help="check a contact list offline against ruleset 1 (nothing is stored or signed)",
        description="Check FILE (CSV or XLSX) against a vendor and a buyer profile. Exit status "
        "0 when the batch would be certified, 1 when rejected, 2 when the arguments, profiles "
        "or RPO/objection files cannot be used.",
    )
    parser.add_argument("file", help="the contact list (CSV or XLSX)")
    parser.add_argument("--vendor", required=True, help="vendor profile (JSON)")
    parser.add_argument("--buyer", required=True, help="buyer profile (JSON)")
    parser.add_argument(
        "--rpo",
        action="append",
        default=[],
        metavar="FILE",
        help="RPO consultation in format A (phone,registered[,registered_at]); repeatable, "
        "each followed by its --rpo-consulted-at",
    )
    parser.add_argument(
        "--rpo-consulted-at",
        action="append",
        default=[],
        metavar="TIME",
        help="when the matching --rpo consultation was made (ISO 8601; no offset: Europe/Rome)",
    )
    parser.add_argument("--objections", metavar="FILE", help="objections CSV phone[,recorded_at]")
    parser.add_argument(
        "--now", metavar="TIME", help="processing time (default: now; no offset: Europe/Rome)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=run_check)


def _fail(message: str) -> int:
    print(f"gateway check: {message}", file=sys.stderr)
    return EXIT_UNUSABLE


def _load_json(path: str, what: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise _Unusable(f"{what} {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Unusable(f"{what} {path}: not valid JSON ({exc})") from None


def _time(value: str, option: str) -> datetime:
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise _Unusable(f"{option}: {exc}") from None


class _Unusable(Exception):
    """An argument problem to report on stderr with exit status 2."""


def run_check(args: argparse.Namespace) -> int:
    """Handler of ``gateway check``."""
    from .check import check_file

    try:
        if len(args.rpo) != len(args.rpo_consulted_at):
            raise _Unusable(
                "every --rpo FILE needs its own --rpo-consulted-at TIME "
                f"({len(args.rpo)} files, {len(args.rpo_consulted_at)} times)"
            )
        for path in [args.file, *args.rpo, *([args.objections] if args.objections else [])]:
            if not os.path.isfile(path):
                raise _Unusable(f"{path}: no such file")
        vendor = _load_json(args.vendor, "vendor profile")
        buyer = _load_json(args.buyer, "buyer profile")
        rpo_files = [
            (path, _time(at, "--rpo-consulted-at"))
            for path, at in zip(args.rpo, args.rpo_consulted_at, strict=True)
        ]
        now = _time(args.now, "--now") if args.now else None
    except _Unusable as exc:
        return _fail(str(exc))
    try:
        result = check_file(args.file, vendor, buyer, rpo_files, args.objections, now)
    except GatewayError as exc:
        details = ""
        if isinstance(exc.errors, list):
            details = "".join(
                f"\n  {e.get('path', '')}: {e.get('message', '')}"
                if isinstance(e, dict)
                else f"\n  {e}"
                for e in exc.errors
            )
        elif isinstance(exc.errors, dict) and isinstance(exc.errors.get("lines"), list):
            details = "".join(f"\n  line {e['line']}: {e['problem']}" for e in exc.errors["lines"])
        return _fail(f"{exc.message}{details}")
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_summary(result))
    return EXIT_CERTIFIED if result["decision"] == "certified" else EXIT_REJECTED


def render_summary(result: dict[str, Any]) -> str:
    """A readable summary of a check document."""
    counts = result["counts"]
    warned = sum(1 for row in result["rows"] if row["warnings"])
    lines = [f"Decision: {result['decision'].upper()}"]
    for reason in result["batch_reasons"]:
        code = CODES.get(reason)
        lines.append(f"  {reason}: {code.message_en if code else ''}".rstrip())
    lines.append(
        f"Rows: {counts['total']} total, {counts['accepted']} accepted, "
        f"{counts['rejected']} rejected, {warned} with warnings"
    )
    if counts["by_code"]:
        lines.append("By code:")
        width = max(len(code) for code in counts["by_code"])
        for code, n in counts["by_code"].items():
            entry = CODES[code]
            note = " (warning)" if entry.kind == "warning" and not _rejecting(result, code) else ""
            lines.append(f"  {code:<{width}}  {n:>7}  {entry.message_en}{note}")
    shown = result["rows"][:_ROWS_SHOWN]
    if shown:
        lines.append(f"Rows (first {len(shown)} of {len(result['rows'])}):")
        for row in shown:
            codes = ", ".join(row["codes"]) or "-"
            warnings = f"; warnings: {', '.join(row['warnings'])}" if row["warnings"] else ""
            lines.append(f"  row {row['row']}: {row['status']}: {codes}{warnings}")
        if len(result["rows"]) > len(shown):
            lines.append("  ... use --json for every row")
    lines.append(
        f"Ruleset {result['ruleset']['version']} (configuration "
        f"{result['ruleset']['config_sha256'][:16]}...)"
    )
    return "\n".join(lines) + "\n"


def _rejecting(result: dict[str, Any], code: str) -> bool:
    return any(code in row["codes"] for row in result["rows"])
