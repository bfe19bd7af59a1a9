"""The statement a decision signs, and the schema that keeps personal data out of it."""

from __future__ import annotations

import copy
from datetime import datetime

import jsonschema
import pytest

from gateway.certificates import (
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    StatementInvalid,
    build_statement,
    certificate_schema,
    validate_statement,
)


def test_certificate_names_three_files_and_states_its_validity(make_statement, files):
    statement = make_statement()

    assert statement["_type"] == STATEMENT_TYPE == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == PREDICATE_TYPE
    assert [s["name"] for s in statement["subject"]] == ["certified.csv", "report.json", "upload"]
    predicate = statement["predicate"]
    assert predicate["decision"] == "certified"
    assert predicate["issued_at"] == "2025-03-03T09:30:00Z"
    assert predicate["valid_until"] == "2025-03-16T08:00:00Z"
    assert predicate["buyer"] == {
        "id": "org-buyer-1",
        "name": "Chiamate Veloci S.p.A.",
        "roc_number": "31245",
    }
    assert predicate["ruleset"]["version"] == "1"
    assert predicate["rpo_consultations"] == [
        {"id": "rpo-7", "consulted_at": "2025-03-01T08:00:00Z"}
    ]
    assert predicate["counts"]["by_code"] == {"PHONE_INVALID": 1}


def test_rejection_notice_has_no_certified_list_and_no_validity(make_statement):
    statement = make_statement("rejected")

    assert [s["name"] for s in statement["subject"]] == ["report.json", "upload"]
    assert "valid_until" not in statement["predicate"]
    assert statement["predicate"]["batch_reasons"] == [{"code": "BATCH_REJECTION_RATIO_EXCEEDED"}]


def test_times_are_written_in_utc_and_never_rounded_up(make_values):
    rome_time = datetime.fromisoformat("2025-03-16T09:00:00.999+01:00")
    statement = build_statement(**make_values(valid_until=rome_time))

    assert statement["predicate"]["valid_until"] == "2025-03-16T08:00:00Z"


def test_a_time_without_offset_is_refused(make_values):
    with pytest.raises(ValueError, match="offset"):
        build_statement(**make_values(issued_at=datetime(2025, 3, 3, 9, 30)))


@pytest.mark.parametrize(
    ("decision", "changes"),
    [
        ("certified", {"valid_until": None}),
        ("certified", {"certified_sha256": None}),
        ("rejected", {"valid_until": datetime.fromisoformat("2025-04-01T00:00:00+00:00")}),
        ("pending", {}),
    ],
)
def test_decision_and_its_parts_must_agree(make_values, decision, changes):
    values = make_values("rejected" if decision == "pending" else decision, **changes)
    values["decision"] = decision
    with pytest.raises(ValueError):
        build_statement(**values)


def test_a_phone_number_field_cannot_be_added_to_the_predicate(make_statement):
    statement = make_statement()
    statement["predicate"]["phone"] = "+393331234567"

    with pytest.raises(StatementInvalid) as caught:
        validate_statement(statement)
    assert caught.value.error == "STATEMENT_INVALID"
    assert any("phone" in line for line in caught.value.errors)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.update(contacts=[{"phone": "+393331234567"}]),
        lambda s: s["predicate"]["vendor"].update(phone="+393331234567"),
        lambda s: s["predicate"]["buyer"].update(email="mario.rossi@example.it"),
        lambda s: s["subject"][0].update(first_name="Mario"),
        lambda s: s["subject"][0]["digest"].update(phone="3331234567"),
        lambda s: s["predicate"]["counts"].update(sample_rows=["3331234567"]),
        lambda s: s["predicate"]["counts"]["by_code"].update({"3331234567": 1}),
        lambda s: s["predicate"]["rpo_consultations"][0].update(numbers=["3331234567"]),
        lambda s: s["predicate"]["informative"][0].update(signed_by="Mario Rossi"),
        lambda s: s["predicate"]["ruleset"].update(row="3331234567"),
    ],
)
def test_schema_has_no_room_for_personal_data(make_statement, tamper):
    statement = make_statement()
    tamper(statement)

    with pytest.raises(StatementInvalid):
        validate_statement(statement)


def test_a_batch_reason_may_name_canonical_columns_but_not_raw_headers(make_values):
    missing = {"code": "HEADER_MISSING_COLUMNS", "columns": ["consent_source", "phone"]}
    statement = build_statement(**make_values("rejected", batch_reasons=[missing]))
    assert statement["predicate"]["batch_reasons"] == [missing]

    # A file without a header row would put its first data row where the header names go.
    data_as_header = {"code": "HEADER_MISSING_COLUMNS", "columns": ["3331234567", "Mario"]}
    with pytest.raises(StatementInvalid):
        build_statement(**make_values("rejected", batch_reasons=[data_as_header]))
    with pytest.raises(StatementInvalid):
        build_statement(
            **make_values("rejected", batch_reasons=[{"code": "FILE_EMPTY", "detail": "Mario"}])
        )


def test_a_certificate_must_name_its_certified_list(make_statement):
    statement = make_statement()
    statement["subject"] = statement["subject"][1:]

    with pytest.raises(StatementInvalid):
        validate_statement(statement)


def test_a_rejection_notice_cannot_name_a_certified_list(make_statement):
    statement = make_statement("rejected")
    certified = copy.deepcopy(statement["subject"][0])
    certified["name"] = "certified.csv"
    statement["subject"].insert(0, certified)

    with pytest.raises(StatementInvalid):
        validate_statement(statement)


def test_schema_file_is_a_valid_2020_12_schema():
    schema = certificate_schema()

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
