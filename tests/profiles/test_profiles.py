"""Vendor and buyer profile validation: defaults, and every problem listed at once."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from gateway.errors import ValidationFailed
from gateway.profiles import (
    allowed_phone_types,
    load_schema,
    validate_buyer_profile,
    validate_vendor_profile,
)

VENDOR = {
    "vendor_id": "v1",
    "legal_entity_id": "IT12345678903",
    "name": "Liste Esempio S.r.l.",
    "informative": [
        {
            "version": "2024-01",
            "effective_from": "2024-01-01",
            "effective_until": None,
            "sha256": "a" * 64,
            "url": "https://liste.example/privacy",
            "third_party_sectors": ["energia"],
        }
    ],
    "sources": [
        {"id": "web", "kind": "web", "domains": ["liste.example"]},
        {"id": "fiera", "kind": "event"},
    ],
}
BUYER = {"buyer_id": "b1", "name": "Energia S.p.A.", "roc_number": "12345", "sector": "energia"}


def _problems(validate, doc) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        validate(doc)
    assert caught.value.status == 422
    return {p["path"]: p["message"] for p in caught.value.errors}


def test_valid_profiles_pass_and_buyer_defaults_are_applied():
    assert validate_vendor_profile(VENDOR) == VENDOR
    buyer = validate_buyer_profile(BUYER)
    assert buyer["policy"] == {
        "max_rejected_ratio": 0.10,
        "require_proof": True,
        "max_consent_age_days": None,
        "reject_pre_gdpr": False,
        "phone_types": ["mobile", "fixed_line"],
    }
    partial = validate_buyer_profile({**BUYER, "policy": {"reject_pre_gdpr": True}})
    assert partial["policy"]["reject_pre_gdpr"] is True
    assert partial["policy"]["max_rejected_ratio"] == 0.10
    assert "policy" not in BUYER  # the input is not modified


def test_every_vendor_problem_is_listed():
    doc = copy.deepcopy(VENDOR)
    del doc["legal_entity_id"]
    doc["name"] = ""
    doc["extra"] = 1
    doc["informative"][0].update(effective_from="2024-02-30", sha256="xyz", url="ftp://x")
    doc["informative"].append(
        {
            **VENDOR["informative"][0],
            "effective_from": "2024-05-01",
            "effective_until": "2024-04-01",
        }
    )
    doc["sources"] = [
        {"id": "web", "kind": "web"},
        {"id": "web", "kind": "paper", "domains": ["a.example"]},
        {"id": "x", "kind": "billboard"},
    ]
    problems = _problems(validate_vendor_profile, doc)
    assert set(problems) == {
        "/legal_entity_id",
        "/name",
        "/extra",
        "/informative/0/effective_from",
        "/informative/0/sha256",
        "/informative/0/url",
        "/informative/1/version",
        "/informative/1/effective_until",
        "/sources/0/domains",
        "/sources/1/id",
        "/sources/1/domains",
        "/sources/2/kind",
    }
    assert problems["/legal_entity_id"] == "is required but missing"
    assert problems["/informative/1/version"] == "is listed twice"
    assert problems["/informative/1/effective_until"] == "must be later than effective_from"
    assert problems["/informative/0/effective_from"] == "is not a real date and time"


def test_every_buyer_problem_is_listed():
    doc = {
        "buyer_id": "b1",
        "name": 5,
        "sector": "",
        "policy": {
            "max_rejected_ratio": 1.5,
            "require_proof": "yes",
            "max_consent_age_days": 0,
            "reject_pre_gdpr": None,
            "phone_types": ["mobile", "fax", "mobile"],
            "typo": 1,
        },
    }
    problems = _problems(validate_buyer_profile, doc)
    assert set(problems) == {
        "/name",
        "/roc_number",
        "/sector",
        "/policy/max_rejected_ratio",
        "/policy/require_proof",
        "/policy/max_consent_age_days",
        "/policy/reject_pre_gdpr",
        "/policy/phone_types",
        "/policy/phone_types/1",
        "/policy/typo",
    }


def test_not_an_object():
    assert _problems(validate_buyer_profile, ["b1"]) == {"": "['b1'] is not of type 'object'"}


def test_fixed_line_or_mobile_satisfies_mobile_or_fixed_line():
    assert "fixed_line_or_mobile" in allowed_phone_types({"phone_types": ["mobile"]})
    assert "fixed_line_or_mobile" in allowed_phone_types({"phone_types": ["fixed_line"]})
    assert "fixed_line_or_mobile" not in allowed_phone_types({"phone_types": ["voip"]})
    assert allowed_phone_types({"phone_types": ["voip"]}) == {"voip"}


def test_schemas_are_valid_draft_2020_12():
    for name in ("vendor_profile.schema.json", "buyer_profile.schema.json", "report.schema.json"):
        jsonschema.Draft202012Validator.check_schema(load_schema(name))
