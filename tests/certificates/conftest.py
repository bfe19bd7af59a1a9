"""Fixtures for the certificate tests: a store, signers (local and moto KMS), statements."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto import mock_aws

from gateway.aws import make_client
from gateway.certificates import KmsSigner, LocalSigner, build_statement
from gateway.storage import LocalObjectStore

ISSUED_AT = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
CONSULTED_AT = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
VALID_UNTIL = CONSULTED_AT + timedelta(days=15)

CERTIFIED_LIST = b"phone,consent_source\n+393331234567,web-form\n"
REPORT = b'{"rows": []}'
UPLOAD = b"telefono;fonte\n3331234567;web-form\n333 123\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def statement_values(decision: str = "certified", **changes: Any) -> dict[str, Any]:
    """Keyword arguments of build_statement for a realistic batch."""
    values: dict[str, Any] = {
        "decision": decision,
        "batch_id": "b-20250303-0001",
        "vendor_id": "org-vendor-1",
        "vendor_legal_entity_id": "IT01234567890",
        "vendor_name": "Liste Lombarde S.r.l.",
        "buyer_id": "org-buyer-1",
        "buyer_name": "Chiamate Veloci S.p.A.",
        "buyer_roc_number": "31245",
        "issued_at": ISSUED_AT,
        "upload_sha256": sha256(UPLOAD),
        "report_sha256": sha256(REPORT),
        "ruleset_version": 1,
        "ruleset_config_sha256": sha256(b"ruleset 1 configuration"),
        "rpo_consultations": [{"id": "rpo-7", "consulted_at": CONSULTED_AT}],
        "informative": [{"version": "2024-01", "sha256": sha256(b"informativa text")}],
        "counts": {
            "total": 2,
            "accepted": 1,
            "rejected": 1,
            "warned": 0,
            "by_code": {"PHONE_INVALID": 1},
        },
        "batch_reasons": [],
    }
    if decision == "certified":
        values["certified_sha256"] = sha256(CERTIFIED_LIST)
        values["valid_until"] = VALID_UNTIL
    else:
        values["counts"] = {
            "total": 2,
            "accepted": 0,
            "rejected": 2,
            "warned": 0,
            "by_code": {"PHONE_INVALID": 2},
        }
        values["batch_reasons"] = ["BATCH_REJECTION_RATIO_EXCEEDED"]
    values.update(changes)
    return values


@pytest.fixture
def files() -> dict[str, bytes]:
    """The three files a decision names, by subject name."""
    return {"certified.csv": CERTIFIED_LIST, "report.json": REPORT, "upload": UPLOAD}


@pytest.fixture
def times() -> dict[str, datetime]:
    return {"issued_at": ISSUED_AT, "consulted_at": CONSULTED_AT, "valid_until": VALID_UNTIL}


@pytest.fixture
def make_values() -> Callable[..., dict[str, Any]]:
    """Return build_statement's keyword arguments, with changes."""
    return statement_values


@pytest.fixture
def make_statement() -> Callable[..., dict[str, Any]]:
    def make(decision: str = "certified", **changes: Any) -> dict[str, Any]:
        return build_statement(**statement_values(decision, **changes))

    return make


@pytest.fixture
def store(tmp_path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "store")


@pytest.fixture
def key_dir(tmp_path):
    return tmp_path / "keys"


@pytest.fixture
def local_signer(key_dir) -> LocalSigner:
    return LocalSigner(key_dir)


@pytest.fixture
def aws(monkeypatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-south-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def kms_client(aws) -> Any:
    return make_client("kms")


@pytest.fixture
def kms_key_id(kms_client) -> str:
    created = kms_client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    return created["KeyMetadata"]["KeyId"]


@pytest.fixture
def kms_signer(kms_client, kms_key_id) -> KmsSigner:
    return KmsSigner(kms_key_id, client=kms_client)
