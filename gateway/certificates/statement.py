"""The certificate payload: an in-toto Statement v1 with the gateway's certification predicate."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from .errors import StatementInvalid

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
# An identifier, not a page to fetch: in-toto only asks that predicate types be URIs.
PREDICATE_TYPE = "https://contact-list-gateway.example/certification/v1"

CERTIFIED = "certified"
REJECTED = "rejected"

SUBJECT_CERTIFIED = "certified.csv"
SUBJECT_UPLOAD = "upload"
REPORT_SUBJECTS = ("report.json", "report.csv", "report.xlsx")

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "certificate.schema.json"

# What a subject name means to a person reading a verdict, in English and Italian.
SUBJECT_ROLES: dict[str, tuple[str, str]] = {
    SUBJECT_CERTIFIED: ("the certified list", "la lista certificata"),
    SUBJECT_UPLOAD: ("the original upload", "il file caricato in origine"),
    **{name: ("the report", "il report") for name in REPORT_SUBJECTS},
}


@functools.cache
def certificate_schema() -> dict[str, Any]:
    """Return the JSON Schema of the statement (``schemas/certificate.schema.json``)."""
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        certificate_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def statement_errors(statement: Any) -> list[str]:
    """Return every way ``statement`` breaks the schema, as ``path: message`` lines."""
    errors = sorted(_validator().iter_errors(statement), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message}" for e in errors]


def validate_statement(statement: Any) -> None:
    """Raise ``StatementInvalid`` (listing the problems) unless the statement fits the schema."""
    problems = statement_errors(statement)
    if problems:
        raise StatementInvalid(errors=problems)


def format_timestamp(value: datetime | str) -> str:
    """Return an aware time (or ISO 8601 text with an offset) as UTC ``YYYY-MM-DDTHH:MM:SSZ``.

    Fractions of a second are dropped, never rounded up, so a validity limit is never extended.
    """
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time {value!r} has no UTC offset")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str) -> datetime:
    """Read a statement timestamp back as an aware UTC datetime."""
    return datetime.fromisoformat(value).astimezone(UTC)


def build_statement(
    *,
    decision: str,
    batch_id: str,
    vendor_id: str,
    vendor_legal_entity_id: str,
    vendor_name: str,
    buyer_id: str,
    buyer_name: str,
    buyer_roc_number: str,
    issued_at: datetime,
    upload_sha256: str,
    report_sha256: str,
    ruleset_version: str | int,
    ruleset_config_sha256: str,
    counts: Mapping[str, Any],
    certified_sha256: str | None = None,
    valid_until: datetime | None = None,
    rpo_consultations: Iterable[Mapping[str, Any]] = (),
    informative: Iterable[Mapping[str, Any]] = (),
    batch_reasons: Iterable[str | Mapping[str, Any]] = (),
    report_name: str = "report.json",
) -> dict[str, Any]:
    """Build the statement of a decision from plain values and check it against the schema.

    ``decision`` is ``"certified"`` (then ``certified_sha256`` and ``valid_until`` are required)
    or ``"rejected"`` (then both must be absent). ``counts`` holds ``total``, ``accepted``,
    ``rejected``, ``warned`` and ``by_code`` (code to number of rows). ``rpo_consultations``
    items hold ``id`` and ``consulted_at`` (aware datetime or ISO text), ``informative`` items
    ``version`` and ``sha256``. A batch reason is a code, or a mapping with ``code`` and optionally
    ``columns`` (canonical column names), ``ratio`` and ``limit``. Times must carry an offset and
    are written in UTC to the second. Raises ``StatementInvalid`` when the result breaks the
    schema, ``ValueError`` for a naive time or a certified/rejected mismatch.
    """
    if decision == CERTIFIED:
        if certified_sha256 is None or valid_until is None:
            raise ValueError("a certificate needs certified_sha256 and valid_until")
    elif decision == REJECTED:
        if certified_sha256 is not None or valid_until is not None:
            raise ValueError("a rejection notice has no certified list and no validity limit")
    else:
        raise ValueError(f"decision must be {CERTIFIED!r} or {REJECTED!r}, not {decision!r}")

    subject = []
    if certified_sha256 is not None:
        subject.append(_subject(SUBJECT_CERTIFIED, certified_sha256))
    subject.append(_subject(report_name, report_sha256))
    subject.append(_subject(SUBJECT_UPLOAD, upload_sha256))

    predicate: dict[str, Any] = {
        "decision": decision,
        "batch_id": batch_id,
        "vendor": {"id": vendor_id, "legal_entity_id": vendor_legal_entity_id, "name": vendor_name},
        "buyer": {"id": buyer_id, "name": buyer_name, "roc_number": buyer_roc_number},
        "issued_at": format_timestamp(issued_at),
        "ruleset": {"version": str(ruleset_version), "config_sha256": ruleset_config_sha256},
        "rpo_consultations": [
            {"id": c["id"], "consulted_at": format_timestamp(c["consulted_at"])}
            for c in rpo_consultations
        ],
        "informative": [{"version": i["version"], "sha256": i["sha256"]} for i in informative],
        # Copied as given, not filtered: a stray key must fail the schema, not vanish.
        "counts": {**counts, "by_code": dict(counts.get("by_code", {}))},
        "batch_reasons": [
            {"code": reason} if isinstance(reason, str) else dict(reason)
            for reason in batch_reasons
        ],
    }
    if valid_until is not None:
        predicate["valid_until"] = format_timestamp(valid_until)

    statement = {
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }
    validate_statement(statement)
    return statement


def _subject(name: str, sha256: str) -> dict[str, Any]:
    return {"name": name, "digest": {"sha256": sha256}}
