"""The vendor-profile form: flat form fields to a profile document and problems back to fields.

Rows are named ``informative-<i>-<field>`` and ``sources-<i>-<field>``; rows left entirely
blank are dropped, so the document's indexes (and the validator's error paths) follow the
rows as they are shown again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import i18n

INFORMATIVA_FIELDS = (
    "version",
    "effective_from",
    "effective_until",
    "sha256",
    "url",
    "third_party_sectors",
)
SOURCE_FIELDS = ("id", "kind", "domains")
SOURCE_KINDS = ("web", "paper", "phone", "event", "other")
_ROW_FIELD = re.compile(r"^(informative|sources)-(\d{1,3})-([a-z0-9_]+)$")
_DOMAIN_SPLIT = re.compile(r"[,;\s]+")
_SECTOR_SPLIT = re.compile(r"[,;]")

# Messages of the profile validator that the portal can say in both languages.
_KNOWN_MESSAGES = {
    "is required but missing": "profile.problem.required",
    "is not a known field": "profile.problem.unknown",
    "is listed twice": "profile.problem.twice",
    "must be later than effective_from": "profile.problem.until_before_from",
    "is only for web sources": "profile.problem.domains_not_web",
    "is not a real date and time": "profile.problem.not_a_date",
    "must be an ISO 8601 date or date and time": "profile.problem.instant",
    "must be an ISO 8601 date or date and time, or null": "profile.problem.instant",
}
# What a field expects, said when the validator's own message is a generic schema message.
_FIELD_HINTS = {
    "name": "profile.hint.text",
    "legal_entity_id": "profile.hint.text",
    "version": "profile.hint.text",
    "effective_from": "profile.problem.instant",
    "effective_until": "profile.problem.instant",
    "sha256": "profile.hint.sha256",
    "url": "profile.hint.url",
    "third_party_sectors": "profile.hint.sectors",
    "id": "profile.hint.text",
    "kind": "profile.hint.kind",
    "domains": "profile.hint.domains",
    "informative": "profile.hint.informative",
    "sources": "profile.hint.sources",
}


def _split(pattern: re.Pattern[str], text: str) -> list[str]:
    return [part.strip() for part in pattern.split(text) if part.strip()]


def rows_from_profile(profile: Mapping[str, Any] | None) -> dict[str, Any]:
    """Turn a stored profile into the form's values (lists shown comma-separated)."""
    profile = profile or {}
    informative = []
    for item in profile.get("informative") or []:
        row = {f: item.get(f) or "" for f in INFORMATIVA_FIELDS}
        row["third_party_sectors"] = ", ".join(item.get("third_party_sectors") or [])
        informative.append(row)
    sources = []
    for item in profile.get("sources") or []:
        sources.append(
            {
                "id": item.get("id", ""),
                "kind": item.get("kind", ""),
                "domains": ", ".join(item.get("domains") or []),
            }
        )
    return {
        "name": profile.get("name", ""),
        "legal_entity_id": profile.get("legal_entity_id", ""),
        "informative": informative,
        "sources": sources,
    }


def rows_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """Read the submitted form into the same shape as :func:`rows_from_profile`."""
    grouped: dict[str, dict[int, dict[str, str]]] = {"informative": {}, "sources": {}}
    for name, value in form.items():
        match = _ROW_FIELD.match(name)
        if match is None:
            continue
        section, index, field = match.group(1), int(match.group(2)), match.group(3)
        allowed = INFORMATIVA_FIELDS if section == "informative" else SOURCE_FIELDS
        if field in allowed:
            grouped[section].setdefault(index, {})[field] = value.strip()
    values: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "legal_entity_id": form.get("legal_entity_id", "").strip(),
    }
    for section, fields in (("informative", INFORMATIVA_FIELDS), ("sources", SOURCE_FIELDS)):
        rows = []
        for index in sorted(grouped[section]):
            row = {f: grouped[section][index].get(f, "") for f in fields}
            # A source's kind has a default in the select; only the other fields tell whether
            # the vendor filled the row in.
            filled = [v for f, v in row.items() if v and not (section == "sources" and f == "kind")]
            if filled:
                rows.append(row)
        values[section] = rows
    return values


def profile_from_rows(values: Mapping[str, Any], vendor_id: str) -> dict[str, Any]:
    """Build the profile document the validator checks from the form's values."""
    informative = []
    for row in values["informative"]:
        item: dict[str, Any] = {
            "version": row["version"],
            "effective_from": row["effective_from"],
            "sha256": row["sha256"].lower(),
            "url": row["url"],
            "third_party_sectors": _split(_SECTOR_SPLIT, row["third_party_sectors"]),
        }
        if row["effective_until"]:
            item["effective_until"] = row["effective_until"]
        informative.append(item)
    sources = []
    for row in values["sources"]:
        source: dict[str, Any] = {"id": row["id"], "kind": row["kind"]}
        if row["domains"]:
            source["domains"] = [d.lower() for d in _split(_DOMAIN_SPLIT, row["domains"])]
        sources.append(source)
    return {
        "vendor_id": vendor_id,
        "legal_entity_id": values["legal_entity_id"],
        "name": values["name"],
        "informative": informative,
        "sources": sources,
    }


def field_problems(errors: Any, lang: str) -> dict[str, list[str]]:
    """Map the validator's ``[{path, message}]`` to form field names with localized messages.

    Problems with the whole document, a section or a row land on ``""``, the section name or
    ``<section>-<i>``; the page shows each next to the matching place.
    """
    out: dict[str, list[str]] = {}
    for problem in errors or []:
        if not isinstance(problem, Mapping):
            continue
        parts = [p for p in str(problem.get("path", "")).split("/") if p]
        if parts == ["vendor_id"]:
            parts = []  # set by the portal, never typed: report it with the whole form
        field = parts[-1] if parts and not parts[-1].isdigit() else (parts[0] if parts else "")
        if len(parts) >= 3 and parts[1].isdigit():
            name = f"{parts[0]}-{parts[1]}-{parts[2]}"
            field = parts[2]
        elif len(parts) == 2 and parts[1].isdigit():
            name = f"{parts[0]}-{parts[1]}"
        elif parts:
            name = parts[0]
        else:
            name = ""
        key = _KNOWN_MESSAGES.get(str(problem.get("message", "")))
        if key is None:
            key = _FIELD_HINTS.get(field, "profile.problem.invalid")
        message = i18n.translate(key, lang)
        if message not in out.setdefault(name, []):
            out[name].append(message)
    return out
