"""Validation of vendor and buyer profiles against the JSON Schemas in ``schemas/``."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from ..errors import ValidationFailed
from ..rules.catalogue import POLICY_DEFAULTS
from ..rules.timestamps import parse_timestamp

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
VENDOR_SCHEMA = "vendor_profile.schema.json"
BUYER_SCHEMA = "buyer_profile.schema.json"

_INSTANT_PATTERN = json.loads((SCHEMA_DIR / VENDOR_SCHEMA).read_text(encoding="utf-8"))["$defs"][
    "instant"
]["pattern"]

# A policy that accepts mobile or fixed-line numbers also accepts numbers libphonenumber cannot
# tell apart between the two (``fixed_line_or_mobile``): either reading is acceptable to it.
_EITHER_TYPE = "fixed_line_or_mobile"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Return a schema from the repository's ``schemas/`` folder, parsed."""
    with open(SCHEMA_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema(name))


def validate_vendor_profile(doc: Any) -> dict[str, Any]:
    """Return a copy of a vendor profile, or raise ``ValidationFailed`` listing every problem."""
    problems = _schema_problems(VENDOR_SCHEMA, doc)
    if isinstance(doc, dict):
        problems.extend(_vendor_consistency(doc))
    _raise_if_any(problems, "vendor profile", "profilo fornitore")
    return copy.deepcopy(doc)


def validate_buyer_profile(doc: Any) -> dict[str, Any]:
    """Return a buyer profile with policy defaults applied, or raise ``ValidationFailed``."""
    problems = _schema_problems(BUYER_SCHEMA, doc)
    _raise_if_any(problems, "buyer profile", "profilo committente")
    profile = copy.deepcopy(doc)
    policy = copy.deepcopy(POLICY_DEFAULTS)
    policy.update(profile.get("policy") or {})
    profile["policy"] = policy
    return profile


def allowed_phone_types(policy: dict[str, Any]) -> frozenset[str]:
    """The phone types a buyer policy accepts, ``fixed_line_or_mobile`` included when implied."""
    allowed = set(policy.get("phone_types") or POLICY_DEFAULTS["phone_types"])
    if allowed & {"mobile", "fixed_line"}:
        allowed.add(_EITHER_TYPE)
    return frozenset(allowed)


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _schema_problems(schema: str, doc: Any) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    for error in _validator(schema).iter_errors(doc):
        path = list(error.absolute_path)
        message = error.message
        if error.validator == "required":
            # Point at the missing member rather than at its parent.
            missing = [name for name in error.validator_value if name not in error.instance]
            for name in missing:
                problems.append(
                    {"path": _pointer([*path, name]), "message": "is required but missing"}
                )
            continue
        if error.validator == "additionalProperties":
            allowed = set(error.schema.get("properties", {}))
            for name in sorted(set(error.instance) - allowed):
                problems.append(
                    {"path": _pointer([*path, name]), "message": "is not a known field"}
                )
            continue
        if error.validator == "oneOf" and path and path[-1] == "effective_until":
            message = "must be an ISO 8601 date or date and time, or null"
        elif error.validator == "pattern" and path and path[-1] == "effective_from":
            message = "must be an ISO 8601 date or date and time"
        problems.append({"path": _pointer(path), "message": message})
    return problems


def _vendor_consistency(doc: dict[str, Any]) -> list[dict[str, str]]:
    """Checks a JSON Schema cannot express: unique ids, real dates, date order."""
    problems: list[dict[str, str]] = []
    informative = doc.get("informative")
    if isinstance(informative, list):
        seen: set[str] = set()
        for i, item in enumerate(informative):
            if not isinstance(item, dict):
                continue
            version = item.get("version")
            if isinstance(version, str):
                if version.strip() in seen:
                    problems.append(
                        {"path": f"/informative/{i}/version", "message": "is listed twice"}
                    )
                seen.add(version.strip())
            start = _instant(item, "effective_from", f"/informative/{i}", problems)
            end = _instant(item, "effective_until", f"/informative/{i}", problems)
            if start is not None and end is not None and end <= start:
                problems.append(
                    {
                        "path": f"/informative/{i}/effective_until",
                        "message": "must be later than effective_from",
                    }
                )
    sources = doc.get("sources")
    if isinstance(sources, list):
        seen = set()
        for i, item in enumerate(sources):
            if not isinstance(item, dict):
                continue
            source_id = item.get("id")
            if isinstance(source_id, str):
                if source_id.strip() in seen:
                    problems.append({"path": f"/sources/{i}/id", "message": "is listed twice"})
                seen.add(source_id.strip())
            if "domains" in item and item.get("kind") != "web":
                problems.append(
                    {"path": f"/sources/{i}/domains", "message": "is only for web sources"}
                )
    return problems


def _instant(
    item: dict[str, Any], name: str, base: str, problems: list[dict[str, str]]
) -> datetime | None:
    value = item.get(name)
    if not isinstance(value, str) or not re.match(_INSTANT_PATTERN, value):
        return None  # absent, or already reported by the schema
    try:
        return parse_timestamp(value)
    except ValueError:
        problems.append({"path": f"{base}/{name}", "message": "is not a real date and time"})
        return None


def _raise_if_any(problems: list[dict[str, str]], what_en: str, what_it: str) -> None:
    if not problems:
        return
    unique = {(p["path"], p["message"]): p for p in problems}
    ordered = sorted(unique.values(), key=lambda p: (p["path"], p["message"]))
    raise ValidationFailed(
        f"The {what_en} is invalid: {len(ordered)} problem(s).",
        message_it=f"Il {what_it} non è valido: {len(ordered)} problema/i.",
        errors=ordered,
    )
