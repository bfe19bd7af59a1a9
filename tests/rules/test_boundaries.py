"""The boundaries domain.md states, each tested on both sides."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from gateway.rpo import RpoIndex

from .builders import NOW, PHONE_E164, buyer_profile, judge, row, rpo_index, vendor_profile


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


@pytest.mark.parametrize(
    ("age", "covered"),
    [
        (timedelta(days=15), False),  # exactly 15 days old: no longer valid
        (timedelta(days=15) - timedelta(seconds=1), True),
        (timedelta(0), True),  # consulted at the processing time itself
        (-timedelta(seconds=1), False),  # a consultation from the future is not used
    ],
)
def test_rpo_consultation_validity_is_fifteen_days(tmp_path, age, covered):
    rpo = rpo_index({PHONE_E164: False}, consulted_at=NOW - age)
    result = judge(tmp_path, [row()], rpo=rpo)
    assert ("RPO_NOT_CHECKED" in result.codes()) is not covered
    if covered:
        assert result.outcome.valid_until == NOW - age + timedelta(days=15)


@pytest.mark.parametrize(
    ("registered_at", "rejected"),
    [
        ("2024-03-01T10:00:00+01:00", True),  # the same instant as the consent
        ("2024-03-01T09:59:59+01:00", False),  # one second earlier
        ("2024-03-01T10:00:01+01:00", True),
    ],
)
def test_consent_equal_to_registration_is_rejected(tmp_path, registered_at, rejected):
    rpo = rpo_index({PHONE_E164: _epoch(registered_at)})
    result = judge(tmp_path, [row(consent_timestamp="2024-03-01T10:00:00")], rpo=rpo)
    assert ("RPO_REGISTERED" in result.codes()) is rejected
    assert ("RPO_REGISTERED_CONSENT_AFTER" in result.warnings()) is not rejected


def test_date_only_consent_is_midnight_in_rome(tmp_path):
    # 2024-03-01 00:00 in Rome is 2024-02-29 23:00 UTC.
    at_midnight = rpo_index({PHONE_E164: _epoch("2024-02-29T23:00:00+00:00")})
    second_before = rpo_index({PHONE_E164: _epoch("2024-02-29T22:59:59+00:00")})
    for text in ("2024-03-01", "01/03/2024"):
        assert (
            "RPO_REGISTERED"
            in judge(tmp_path, [row(consent_timestamp=text)], rpo=at_midnight).codes()
        )
        assert judge(tmp_path, [row(consent_timestamp=text)], rpo=second_before).warnings() == [
            "RPO_REGISTERED_CONSENT_AFTER"
        ]


@pytest.mark.parametrize(
    ("consent", "rejected"),
    [
        ("2024-03-01T23:59:59", True),  # still the registration day
        ("2024-03-02T00:00:00", False),  # the next day
    ],
)
def test_date_only_registration_means_end_of_day(tmp_path, consent, rejected):
    esito = tmp_path / "esito.csv"
    esito.write_text(f"phone,registered,registered_at\n{PHONE_E164},si,2024-03-01\n")
    rpo = RpoIndex.from_files([(esito, NOW - timedelta(days=1))])
    result = judge(tmp_path, [row(consent_timestamp=consent)], rpo=rpo)
    assert ("RPO_REGISTERED" in result.codes()) is rejected


@pytest.mark.parametrize(
    ("consent", "rejected"),
    [
        ("2024-03-01T10:00:00", True),  # naive: 10:00 in Rome, 09:00 UTC, before 09:30 UTC
        ("2024-03-01T10:00:00Z", False),  # 10:00 UTC, after the registration
        ("2024-03-01T10:00:00+01:00", True),
        ("2024-03-01T10:31:00+01:00", False),
        ("01/03/2024 10:29", True),
        ("01/03/2024 10:31:00", False),
    ],
)
def test_naive_times_are_rome_and_offsets_are_honoured(tmp_path, consent, rejected):
    rpo = rpo_index({PHONE_E164: _epoch("2024-03-01T09:30:00+00:00")})
    result = judge(tmp_path, [row(consent_timestamp=consent)], rpo=rpo)
    assert ("RPO_REGISTERED" in result.codes()) is rejected


@pytest.mark.parametrize(
    ("offset", "future"),
    [
        (timedelta(minutes=5), False),  # exactly five minutes ahead: tolerated
        (timedelta(minutes=5, seconds=1), True),
        (timedelta(minutes=5, microseconds=1), True),
    ],
)
def test_five_minute_future_tolerance(tmp_path, offset, future):
    consent = (NOW + offset).isoformat()
    result = judge(tmp_path, [row(consent_timestamp=consent)])
    assert ("CONSENT_TIMESTAMP_FUTURE" in result.codes()) is future


@pytest.mark.parametrize(
    ("version", "consent", "in_effect"),
    [
        ("v0", "2019-12-31T23:59:59", True),
        ("v0", "2020-01-01T00:00:00", False),  # effective_until is exclusive
        ("v1", "2020-01-01T00:00:00", True),  # effective_from is inclusive
        ("v1", "2019-12-31T23:59:59", False),
        ("v0", "2019-12-31T23:00:00Z", False),  # = 2020-01-01 00:00 in Rome
        ("v0", "2019-12-31T22:59:59Z", True),
    ],
)
def test_informativa_effective_interval(tmp_path, version, consent, in_effect):
    result = judge(tmp_path, [row(informativa_version=version, consent_timestamp=consent)])
    assert ("INFORMATIVA_NOT_IN_EFFECT" in result.codes()) is not in_effect


def test_effective_dates_with_time_and_offset(tmp_path):
    vendor = vendor_profile()
    vendor["informative"][0]["effective_from"] = "2024-03-01T10:00:00+01:00"
    before = judge(tmp_path, [row(consent_timestamp="2024-03-01T09:59:59")], vendor=vendor)
    at = judge(tmp_path, [row(consent_timestamp="2024-03-01T10:00:00")], vendor=vendor)
    assert "INFORMATIVA_NOT_IN_EFFECT" in before.codes()
    assert "INFORMATIVA_NOT_IN_EFFECT" not in at.codes()


def _pre_gdpr_vendor() -> dict:
    vendor = vendor_profile()
    vendor["informative"][1]["effective_until"] = None
    return vendor


@pytest.mark.parametrize(
    ("consent", "pre_gdpr"),
    [
        ("2018-05-25T00:00:00", False),  # 25 May 2018, 00:00 in Rome
        ("2018-05-24T23:59:59", True),
        ("2018-05-24T22:00:00Z", False),  # the same instant in UTC
        ("2018-05-24T21:59:59Z", True),
        ("2018-05-25", False),
        ("24/05/2018", True),
    ],
)
def test_pre_gdpr_boundary_and_policy(tmp_path, consent, pre_gdpr):
    rows = [row(informativa_version="v0", consent_timestamp=consent)]
    warned = judge(tmp_path, rows, vendor=_pre_gdpr_vendor())
    assert ("CONSENT_PRE_GDPR" in warned.warnings()) is pre_gdpr
    assert "CONSENT_PRE_GDPR" not in warned.codes()
    strict = judge(
        tmp_path, rows, vendor=_pre_gdpr_vendor(), buyer=buyer_profile(reject_pre_gdpr=True)
    )
    assert ("CONSENT_PRE_GDPR" in strict.codes()) is pre_gdpr
    assert "CONSENT_PRE_GDPR" not in strict.warnings()
    if pre_gdpr:
        assert warned.report[2]["status"] == "accepted"
        assert strict.report[2]["status"] == "rejected"


@pytest.mark.parametrize(
    ("age", "too_old"),
    [
        (timedelta(days=30), False),  # exactly the limit
        (timedelta(days=30, seconds=1), True),
        (timedelta(days=29), False),
    ],
)
def test_max_consent_age_boundary(tmp_path, age, too_old):
    consent = (NOW - age).isoformat()
    result = judge(
        tmp_path, [row(consent_timestamp=consent)], buyer=buyer_profile(max_consent_age_days=30)
    )
    assert ("CONSENT_TOO_OLD" in result.codes()) is too_old


def test_no_age_limit_by_default(tmp_path):
    old = row(informativa_version="v0", consent_timestamp="2016-06-01T10:00:00")
    assert "CONSENT_TOO_OLD" not in judge(tmp_path, [old]).codes()


def _rows(total: int, rejected: int) -> list[dict[str, str]]:
    rows = []
    for i in range(total):
        rows.append(row(phone=f"+39 347 {1000000 + i}", email="x@" if i < rejected else ""))
    return rows


@pytest.mark.parametrize(
    ("total", "rejected", "limit", "certified"),
    [
        (10, 1, 0.10, True),  # exactly at the limit
        (10, 2, 0.10, False),
        (100, 29, 0.29, True),  # 0.29 * 100 is 28.999... in floating point
        (100, 30, 0.29, False),
        (4, 0, 0.0, True),
        (4, 1, 0.0, False),
    ],
)
def test_max_rejected_ratio_boundary(tmp_path, total, rejected, limit, certified):
    result = judge(tmp_path, _rows(total, rejected), buyer=buyer_profile(max_rejected_ratio=limit))
    assert result.outcome.counts["rejected"] == rejected
    assert result.outcome.decision == ("certified" if certified else "rejected")
    expected = [] if certified else ["BATCH_REJECTION_RATIO_EXCEEDED"]
    assert result.outcome.batch_reasons == expected
