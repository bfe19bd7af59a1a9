"""Commands: ``gateway verify`` and the signing-key admin commands.

``verify`` exits 0 for a valid decision, 1 for an invalid or expired one, and 2 when its input
cannot be used (a missing file, an unreadable key set, a bad time).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..cli import load_store
from ..config import Config
from ..storage import StorageError
from .registry import jwks, signing_keys
from .signers import KMS_PREFIX, LocalSigner, make_signer
from .verify import Verdict, verify_decision

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNUSABLE = 2

ROME = ZoneInfo("Europe/Rome")
JWKS_TIMEOUT_SECONDS = 15
# A key set is a few hundred bytes per key; anything far larger is not one.
JWKS_MAX_BYTES = 1024 * 1024


class _Unusable(Exception):
    """An input of ``verify`` cannot be used; the message says which and why."""


def register(subparsers: Any, admin_subparsers: Any) -> None:
    """Add ``verify``, ``admin rotate-signing-key`` and ``admin signing-keys``."""
    verify = subparsers.add_parser(
        "verify",
        help="check a certificate or rejection notice offline",
        description="Check a signed decision (certificate or rejection notice) offline: its "
        "signature against the gateway's published keys, optionally that a file is one it "
        "names, and that a certificate is still valid. Exit status: 0 valid, 1 invalid or "
        "expired, 2 unusable input.",
    )
    verify.add_argument("decision", metavar="DECISION.jws", help="the decision file ('-': stdin)")
    verify.add_argument(
        "--file", metavar="LIST.csv", help="a file the decision should name (list, report, upload)"
    )
    verify.add_argument(
        "--jwks",
        metavar="FILE_OR_URL",
        help="the key set: a JSON file or an http(s) URL such as "
        "https://<gateway>/.well-known/jwks.json (default: the keys in the configured store)",
    )
    verify.add_argument(
        "--now",
        metavar="TIME",
        help="check validity at this ISO 8601 time instead of now (no offset: Europe/Rome)",
    )
    verify.add_argument("--json", action="store_true", help="print the verdict as JSON")
    verify.set_defaults(handler=verify_command)

    rotate = admin_subparsers.add_parser(
        "rotate-signing-key",
        help="create a new local signing key and make it current",
        description="Create a new local signing key, make it current and publish its public "
        "key; old keys stay published so earlier certificates remain verifiable. Prints the "
        "new kid. Processes already running keep their key until restarted.",
    )
    rotate.set_defaults(handler=rotate_signing_key_command)

    keys = admin_subparsers.add_parser(
        "signing-keys", help="list every published signing key (kid, created_at, backend)"
    )
    keys.add_argument("--json", action="store_true", help="print the records as JSON")
    keys.set_defaults(handler=signing_keys_command)


def verify_command(args: argparse.Namespace) -> int:
    """Verify a decision and print the verdict; return 0, 1 or 2."""
    try:
        decision = _read_decision(args.decision)
        keyset = _load_jwks(args.jwks) if args.jwks else _store_jwks()
        now = _parse_now(args.now) if args.now else None
        if args.file:
            try:
                with open(args.file, "rb") as content:
                    verdict = verify_decision(
                        decision, jwks=keyset, file_bytes_or_stream=content, now=now
                    )
            except OSError as exc:
                raise _Unusable(f"cannot read {args.file}: {exc.strerror or exc}") from None
        else:
            verdict = verify_decision(decision, jwks=keyset, now=now)
    except _Unusable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE

    if args.json:
        print(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_verdict(verdict)
    return EXIT_VALID if verdict.ok else EXIT_INVALID


def rotate_signing_key_command(args: argparse.Namespace) -> int:
    """Rotate the local signing key and print the new kid; explain KMS rotation instead."""
    config = Config.from_env()
    if config.signer.strip().startswith(KMS_PREFIX):
        print(
            "The signer is an AWS KMS key: KMS cannot rotate asymmetric keys in place. To "
            "rotate, create a new KMS key (KeySpec ECC_NIST_P256, KeyUsage SIGN_VERIFY), set "
            "GATEWAY_SIGNER=kms:<new-key-id> and restart the service; keep the old key, whose "
            "public key stays published so earlier certificates remain verifiable.",
            file=sys.stderr,
        )
        return 2
    signer = make_signer(config, load_store(config))
    assert isinstance(signer, LocalSigner)
    kid = signer.rotate()
    print(
        f"New signing key {kid} is current and published; earlier keys stay published.",
        file=sys.stderr,
    )
    print(kid)
    return 0


def signing_keys_command(args: argparse.Namespace) -> int:
    """List every published signing key."""
    records = signing_keys(load_store())
    if args.json:
        print(
            json.dumps(
                [{k: r.get(k) for k in ("kid", "created_at", "backend")} for r in records],
                indent=2,
            )
        )
        return 0
    if not records:
        print("No signing key has been published yet.")
        return 0
    width = max(len(r.get("kid", "")) for r in records)
    print(f"{'KID':<{width}}  {'CREATED_AT':<20}  BACKEND")
    for r in records:
        print(f"{r.get('kid', ''):<{width}}  {r.get('created_at', ''):<20}  {r.get('backend', '')}")
    return 0


def _print_verdict(verdict: Verdict) -> None:
    print(f"{verdict.code}: {verdict.message}")
    print(f"{verdict.code}: {verdict.message_it}")
    if verdict.statement is None or not isinstance(verdict.statement.get("predicate"), dict):
        return
    predicate = verdict.statement["predicate"]
    vendor, buyer = predicate.get("vendor", {}), predicate.get("buyer", {})
    print(f"  decision: {predicate.get('decision')}   batch: {predicate.get('batch_id')}")
    print(f"  vendor: {vendor.get('name')} ({vendor.get('legal_entity_id')})")
    print(f"  buyer: {buyer.get('name')} (ROC {buyer.get('roc_number')})")
    print(f"  issued at: {predicate.get('issued_at')}")
    if predicate.get("valid_until"):
        print(f"  valid until: {predicate['valid_until']}")
    for subject in verdict.statement.get("subject", []):
        print(f"  {subject.get('name')}: sha256 {subject.get('digest', {}).get('sha256')}")


def _read_decision(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        return Path(path).read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise _Unusable(f"cannot read {path}: {exc.strerror or exc}") from None


def _load_jwks(source: str) -> dict[str, Any]:
    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=JWKS_TIMEOUT_SECONDS) as response:
                raw = response.read(JWKS_MAX_BYTES + 1)
        else:
            raw = Path(source).read_bytes()
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise _Unusable(f"cannot read the key set {source}: {exc}") from None
    if len(raw) > JWKS_MAX_BYTES:
        raise _Unusable(f"the key set {source} is too large to be one")
    try:
        keyset = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _Unusable(f"the key set {source} is not JSON") from None
    if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list):
        raise _Unusable(f"{source} is not a JSON Web Key Set ({{'keys': [...]}})")
    return keyset


def _store_jwks() -> dict[str, Any]:
    try:
        return jwks(load_store())
    except (StorageError, OSError, ValueError) as exc:
        raise _Unusable(f"cannot read the published keys from the store: {exc}") from None


def _parse_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _Unusable(f"--now {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ROME)
    return moment
