"""Every row code of ruleset 1, with rows it rejects (or warns about) and rows it lets through."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from gateway.objections import ObjectionIndex

from .builders import PHONE_E164, buyer_profile, judge, row, rpo_index

WEB_PROOF = {"consent_ip": "93.41.1.2", "proof_ref": "SMS-1"}

# (code, changes that trigger it, changes that do not)
CASES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("PHONE_MISSING", {"phone": ""}, {}),
    ("PHONE_INVALID", {"phone": "12345"}, {"phone": "0039 333-123.4567"}),
    ("PHONE_INVALID", {"phone": "+39 333"}, {"phone": "3331234567"}),
    ("PHONE_NOT_ITALIAN", {"phone": "+44 20 7946 0958"}, {"phone": "+39 06 6988 1234"}),
    ("PHONE_TYPE_NOT_ALLOWED", {"phone": "800 123 456"}, {"phone": "02 1234 5678"}),
    ("PHONE_TYPE_NOT_ALLOWED", {"phone": "899 123 456"}, {"phone": "+39 347 765 4321"}),
    ("EMAIL_INVALID", {"email": "mario.rossi@"}, {"email": "mario.rossi+news@example.co.uk"}),
    ("EMAIL_INVALID", {"email": "mario rossi@example.com"}, {"email": ""}),
    ("EMAIL_INVALID", {"email": "a..b@example.com"}, {"email": "A.B@Example.IT"}),
    ("EMAIL_INVALID", {"email": "ab@example"}, {"email": "o'brien@example.org"}),
    (
        "FISCAL_CODE_INVALID",
        {"fiscal_code": "RSSMRA85T10A562T"},
        {"fiscal_code": "RSSMRA85T10A562S"},
    ),
    (
        "FISCAL_CODE_INVALID",
        {"fiscal_code": "RSSMRA85T10A56NS"},
        {"fiscal_code": "RSSMRA85T10A56NH"},
    ),
    (
        "FISCAL_CODE_INVALID",
        {"fiscal_code": "RSSMRA85T10A5RNT"},
        {"fiscal_code": "rssmra85t10a5rns"},
    ),
    ("FISCAL_CODE_INVALID", {"fiscal_code": "12345678901"}, {"fiscal_code": "12345678903"}),
    ("FISCAL_CODE_INVALID", {"fiscal_code": "RSSMRA85"}, {"fiscal_code": "BNCLRA90A41H501F"}),
    ("POSTAL_CODE_INVALID", {"postal_code": "187"}, {"postal_code": "00187"}),
    ("POSTAL_CODE_INVALID", {"postal_code": "001877"}, {"postal_code": ""}),
    ("CONSENT_SOURCE_MISSING", {"consent_source": ""}, {}),
    ("CONSENT_SOURCE_UNDECLARED", {"consent_source": "volantino"}, {"consent_source": "fiera"}),
    (
        "CONSENT_SOURCE_UNDECLARED",
        {"consent_source": "https://liste.example.evil.example/form", **WEB_PROOF},
        {"consent_source": "https://www.Liste.Example:443/form?x=1", **WEB_PROOF},
    ),
    (
        "CONSENT_SOURCE_UNDECLARED",
        {"consent_source": "https://evil-liste.example/", **WEB_PROOF},
        {"consent_source": "http://a.b.liste.example", **WEB_PROOF},
    ),
    (
        "CONSENT_SOURCE_UNDECLARED",
        {"consent_source": "https://liste.example@evil.example/", **WEB_PROOF},
        {"consent_source": "web-form", **WEB_PROOF},
    ),
    (
        "CONSENT_SOURCE_UNDECLARED",
        {"consent_source": "ftp://liste.example/form", **WEB_PROOF},
        {"consent_source": "https://liste.example", **WEB_PROOF},
    ),
    ("CONSENT_TIMESTAMP_MISSING", {"consent_timestamp": ""}, {}),
    (
        "CONSENT_TIMESTAMP_INVALID",
        {"consent_timestamp": "2024-02-30T10:00:00"},
        {"consent_timestamp": "2024-02-29T10:00:00"},
    ),
    (
        "CONSENT_TIMESTAMP_INVALID",
        {"consent_timestamp": "ieri"},
        {"consent_timestamp": "01/03/2024 10:00"},
    ),
    (
        "CONSENT_TIMESTAMP_INVALID",
        {"consent_timestamp": "2024/03/01"},
        {"consent_timestamp": "01/03/2024"},
    ),
    (
        "CONSENT_TIMESTAMP_INVALID",
        {"consent_timestamp": "1/3/2024 10:00"},
        {"consent_timestamp": "2024-03-01T10:00:00.123+01:00"},
    ),
    (
        "CONSENT_TIMESTAMP_FUTURE",
        {"consent_timestamp": "2025-07-01T10:00:00"},
        {"consent_timestamp": "2025-06-16T09:00:00"},
    ),
    ("INFORMATIVA_MISSING", {"informativa_version": ""}, {}),
    ("INFORMATIVA_UNKNOWN", {"informativa_version": "v9"}, {"informativa_version": "v1"}),
    ("INFORMATIVA_UNKNOWN", {"informativa_version": "V1"}, {}),
    (
        "INFORMATIVA_NOT_IN_EFFECT",
        {"informativa_version": "v0"},
        {"informativa_version": "v0", "consent_timestamp": "2019-06-01T10:00:00"},
    ),
    ("INFORMATIVA_NOT_IN_EFFECT", {"consent_timestamp": "2019-06-01T10:00:00"}, {}),
    ("THIRD_PARTY_CONSENT_MISSING", {"consent_third_party": "no"}, {"consent_third_party": "SÌ"}),
    ("THIRD_PARTY_CONSENT_MISSING", {"consent_third_party": ""}, {"consent_third_party": "x"}),
    ("THIRD_PARTY_CONSENT_MISSING", {"consent_third_party": "0"}, {"consent_third_party": "1"}),
    (
        "THIRD_PARTY_CONSENT_MISSING",
        {"consent_third_party": "forse"},
        {"consent_third_party": "True"},
    ),
    ("THIRD_PARTY_CONSENT_MISSING", {"consent_third_party": "n"}, {"consent_third_party": "Y"}),
    ("THIRD_PARTY_CONSENT_MISSING", {"consent_third_party": "false"}, {"consent_third_party": "s"}),
    ("SECTOR_NOT_COVERED", {"informativa_version": "tlc"}, {"informativa_version": "v1"}),
    ("CASCADING_TRANSFER", {"collected_by": "IT98765432105"}, {"collected_by": "it12345678903"}),
    ("CASCADING_TRANSFER", {"collected_by": "12345678903"}, {"collected_by": "IT 1234 5678 903"}),
    ("CONSENT_IP_INVALID", {"consent_ip": "256.1.1.1"}, {"consent_ip": "93.41.1.2"}),
    ("CONSENT_IP_INVALID", {"consent_ip": "01.2.3.4"}, {"consent_ip": "2001:db8::1"}),
    ("CONSENT_IP_INVALID", {"consent_ip": "2001:db8::g"}, {"consent_ip": "::ffff:10.0.0.1"}),
    (
        "DOUBLE_OPTIN_INVALID",
        {"double_optin_at": "2024-03-01T09:59:59"},
        {"double_optin_at": "2024-03-01T10:00:00"},
    ),
    (
        "DOUBLE_OPTIN_INVALID",
        {"double_optin_at": "presto"},
        {"double_optin_at": "02/03/2024 08:00"},
    ),
    ("CONSENT_PROOF_MISSING", {"proof_ref": ""}, {}),
    (
        "CONSENT_PROOF_MISSING",
        {"consent_source": "web-form"},
        {"consent_source": "web-form", "consent_ip": "93.41.1.2"},
    ),
    (
        "CONSENT_PROOF_MISSING",
        {"consent_source": "https://liste.example/form"},
        {"consent_source": "https://liste.example/form", "consent_ip": "2001:db8::1"},
    ),
    (
        "CONSENT_PROOF_MISSING",
        {"consent_source": "web-form", "consent_ip": "999.1.1.1"},
        {"proof_ref": "", "double_optin_at": "2024-03-01T10:05:00"},
    ),
    (
        "CONSENT_PROOF_MISSING",
        {"proof_ref": "", "double_optin_at": "2024-02-01T10:05:00"},
        {"consent_source": "web-form", "proof_ref": "", "double_optin_at": "2024-03-02"},
    ),
    # An undeclared URL is still a web source: a proof reference alone is not enough.
    (
        "CONSENT_PROOF_MISSING",
        {"consent_source": "https://altro.example/form"},
        {"consent_source": "altro-id"},
    ),
]


def _ids(case: tuple[str, dict[str, str], dict[str, str]]) -> str:
    return case[0]


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_code_rejects_and_passes(tmp_path, case):
    code, bad, good = case
    rejected = judge(tmp_path, [row(**bad)])
    assert code in rejected.codes(), rejected.report
    assert rejected.report[2]["status"] == "rejected"
    passed = judge(tmp_path, [row(**good)])
    assert code not in passed.codes() + passed.warnings(), passed.report


def test_a_base_row_is_accepted_without_codes(tmp_path):
    result = judge(tmp_path, [row()])
    assert result.report == {}
    assert result.outcome.decision == "certified"
    assert result.accepted.get_column("phone").to_list() == [PHONE_E164]


def test_phone_types_follow_the_policy(tmp_path):
    toll_free_only = buyer_profile(phone_types=["toll_free"])
    result = judge(tmp_path, [row(phone="800 123 456"), row()], buyer=toll_free_only)
    assert "PHONE_TYPE_NOT_ALLOWED" not in result.codes(2)
    assert "PHONE_TYPE_NOT_ALLOWED" in result.codes(3)


def test_policy_without_proof_requirement_accepts_undocumented_consent(tmp_path):
    result = judge(tmp_path, [row(proof_ref="")], buyer=buyer_profile(require_proof=False))
    assert result.report == {}


def test_rpo_not_checked_rejects_offline(tmp_path):
    result = judge(tmp_path, [row()], rpo=rpo_index({"+393330000000": False}))
    assert result.codes() == ["RPO_NOT_CHECKED"]
    assert result.outcome.decision == "rejected"


@pytest.mark.parametrize(
    ("registered_at", "code"),
    [
        (None, "RPO_REGISTERED"),  # registered, date unknown
        (datetime(2024, 5, 1, tzinfo=UTC), "RPO_REGISTERED"),  # after the consent
        (datetime(2023, 5, 1, tzinfo=UTC), "RPO_REGISTERED_CONSENT_AFTER"),  # before it
    ],
)
def test_rpo_registration_against_consent(tmp_path, registered_at, code):
    when = None if registered_at is None else int(registered_at.timestamp())
    result = judge(tmp_path, [row()], rpo=rpo_index({PHONE_E164: when}))
    if code == "RPO_REGISTERED":
        assert result.codes() == [code]
        assert result.report[2]["status"] == "rejected"
    else:
        assert result.codes() == []
        assert result.warnings() == [code]
        assert result.report[2]["status"] == "accepted"
        assert result.outcome.decision == "certified"


def test_registered_without_readable_consent_is_rpo_registered(tmp_path):
    registered = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp())
    result = judge(tmp_path, [row(consent_timestamp="")], rpo=rpo_index({PHONE_E164: registered}))
    assert result.codes() == ["CONSENT_TIMESTAMP_MISSING", "RPO_REGISTERED"]


def test_objection_recorded_rejects(tmp_path):
    objections = ObjectionIndex(np.array([393331234567], dtype=np.int64))
    result = judge(tmp_path, [row(), row(phone="+39 347 765 4321")], objections=objections)
    assert result.codes(2) == ["OBJECTION_RECORDED"]
    assert 3 not in result.report
