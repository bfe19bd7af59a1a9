"""Signed decisions: checked by an independent JOSE library and by verify_decision."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from joserfc import jws as joserfc_jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from gateway.certificates import (
    JwksUnusable,
    LocalSigner,
    VerdictCode,
    jwks,
    sign_statement,
    verify_decision,
)
from gateway.certificates.jws import b64url_decode, b64url_encode, encode_json, signing_input
from gateway.certificates.sign import protected_header
from gateway.storage import LocalObjectStore


def independent_check(token: str, keyset: dict) -> dict:
    """Verify with joserfc against the published key set and return the payload."""
    result = joserfc_jws.deserialize_compact(token, KeySet.import_key_set(keyset), ["ES256"])
    return json.loads(result.payload)


def flip_char(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.fixture
def signed(local_signer, store, make_statement):
    return sign_statement(local_signer, store, make_statement())


@pytest.fixture(params=["local", "kms"])
def any_signer(request):
    return request.getfixturevalue(f"{request.param}_signer")


def test_decision_verifies_with_an_independent_jose_library(any_signer, store, make_statement):
    statement = make_statement()
    token = sign_statement(any_signer, store, statement)

    assert independent_check(token, jwks(store)) == statement
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header == {
        "alg": "ES256",
        "kid": any_signer.kid,
        "typ": "application/vnd.in-toto+json",
    }


def test_decision_verifies_offline(any_signer, store, make_statement, files, times):
    token = sign_statement(any_signer, store, make_statement())

    verdict = verify_decision(
        token,
        jwks=jwks(store),
        file_bytes_or_stream=files["certified.csv"],
        now=times["issued_at"],
    )

    assert verdict.ok and verdict.code == VerdictCode.VALID
    assert verdict.decision == "certified"
    assert verdict.kid == any_signer.kid
    assert verdict.matched_subject == "certified.csv"
    assert "b-20250303-0001" in verdict.message and "2025-03-16T08:00:00Z" in verdict.message
    assert "lista certificata" in verdict.message_it


@pytest.mark.parametrize(("name", "role"), [("report.json", "report"), ("upload", "upload")])
def test_the_verdict_says_which_file_was_given(signed, store, files, times, name, role):
    stream = io.BytesIO(files[name])
    verdict = verify_decision(
        signed, jwks=jwks(store), file_bytes_or_stream=stream, now=times["issued_at"]
    )

    assert verdict.ok and verdict.matched_subject == name
    assert role in verdict.message


def test_rejection_notice_is_valid_with_no_time_window(local_signer, store, make_statement, times):
    token = sign_statement(local_signer, store, make_statement("rejected"))

    verdict = verify_decision(token, jwks=jwks(store), now=times["issued_at"] + timedelta(days=900))

    assert verdict.ok and verdict.code == VerdictCode.VALID
    assert verdict.decision == "rejected"
    assert "rejection notice" in verdict.message and "rifiuto" in verdict.message_it


def test_one_flipped_byte_in_the_payload_breaks_the_signature(signed, store, times):
    header, payload, signature = signed.split(".")
    body = bytearray(b64url_decode(payload))
    body[body.index(b'"accepted":1') + len('"accepted":')] = ord("9")
    forged = f"{header}.{b64url_encode(bytes(body))}.{signature}"

    verdict = verify_decision(forged, jwks=jwks(store), now=times["issued_at"])

    assert not verdict.ok and verdict.code == VerdictCode.SIGNATURE_INVALID
    assert verdict.statement is None  # nothing of an unverified payload is handed out
    with pytest.raises(BadSignatureError):
        independent_check(forged, jwks(store))


def test_one_flipped_byte_in_the_signature_is_detected(signed, store, times):
    header, payload, signature = signed.split(".")
    raw = bytearray(b64url_decode(signature))
    raw[10] ^= 0x01
    forged = f"{header}.{payload}.{b64url_encode(bytes(raw))}"

    verdict = verify_decision(forged, jwks=jwks(store), now=times["issued_at"])

    assert verdict.code == VerdictCode.SIGNATURE_INVALID
    assert "altered" in verdict.message
    with pytest.raises(BadSignatureError):
        independent_check(forged, jwks(store))


def test_a_flipped_character_in_the_compact_text_is_detected(signed, store, times):
    middle_of_payload = len(signed.split(".")[0]) + 1 + 40

    verdict = verify_decision(
        flip_char(signed, middle_of_payload), jwks=jwks(store), now=times["issued_at"]
    )

    assert not verdict.ok and verdict.code == VerdictCode.SIGNATURE_INVALID


def test_one_flipped_byte_in_the_file_is_detected(signed, store, files, times):
    altered = bytearray(files["certified.csv"])
    altered[-3] ^= 0x01

    verdict = verify_decision(
        signed, jwks=jwks(store), file_bytes_or_stream=bytes(altered), now=times["issued_at"]
    )

    assert not verdict.ok and verdict.code == VerdictCode.FILE_DIGEST_MISMATCH
    assert "authentic" in verdict.message and "none of the files" in verdict.message
    assert verdict.statement is not None


def test_unknown_key_is_reported_as_such(store, key_dir, tmp_path, make_statement, times):
    published = LocalSigner(key_dir, registry=store)
    published.sign(b"publish")
    stranger = LocalSigner(tmp_path / "other-keys")
    token = sign_statement(stranger, LocalObjectStore(tmp_path / "elsewhere"), make_statement())

    verdict = verify_decision(token, jwks=jwks(store), now=times["issued_at"])

    assert verdict.code == VerdictCode.KEY_UNKNOWN
    assert stranger.kid in verdict.message


def test_a_key_set_entry_under_a_borrowed_kid_is_not_trusted(signed, store, tmp_path, times):
    impostor = LocalSigner(tmp_path / "impostor").public_jwk()
    real_kid = json.loads(b64url_decode(signed.split(".")[0]))["kid"]
    impostor["kid"] = real_kid

    verdict = verify_decision(signed, jwks={"keys": [impostor]}, now=times["issued_at"])

    assert verdict.code == VerdictCode.KEY_UNKNOWN


def test_expired_certificate(signed, store, times):
    at_limit = verify_decision(signed, jwks=jwks(store), now=times["valid_until"])
    just_before = verify_decision(
        signed, jwks=jwks(store), now=times["valid_until"] - timedelta(seconds=1)
    )

    assert just_before.ok
    assert not at_limit.ok and at_limit.code == VerdictCode.CERTIFICATE_EXPIRED
    assert "expired" in at_limit.message and "scaduto" in at_limit.message_it
    assert at_limit.statement is not None


def test_checking_a_time_before_issue_is_not_valid(signed, store, times):
    verdict = verify_decision(signed, jwks=jwks(store), now=times["issued_at"] - timedelta(days=1))

    assert verdict.code == VerdictCode.CERTIFICATE_NOT_YET_VALID


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "Certificato n. 12 del 3 marzo",
        "a.b",
        "a.b.c.d.e",
        "!!!.???.***",
        "e30.e30",
        '{"payload": "eyJ4IjoxfQ", "signatures": []}',
    ],
)
def test_a_string_that_is_not_a_jws(store, text):
    verdict = verify_decision(text, jwks=jwks(store))

    assert not verdict.ok and verdict.code == VerdictCode.NOT_A_JWS
    assert "not a signed decision" in verdict.message
    assert "non è una decisione firmata" in verdict.message_it


def test_other_algorithms_are_refused(signed, store, times):
    _, payload, signature = signed.split(".")
    header = b64url_encode(json.dumps({"alg": "none", "kid": "x"}).encode())

    verdict = verify_decision(f"{header}.{payload}.{signature}", jwks=jwks(store))

    assert verdict.code == VerdictCode.ALGORITHM_UNSUPPORTED


def test_a_good_signature_over_something_else_is_not_a_certificate(local_signer, store, times):
    # The gateway's key signed something that is not a certification statement.
    data = signing_input(protected_header(local_signer.kid), encode_json({"hello": "world"}))
    local_signer.registry = store
    token = f"{data.decode()}.{b64url_encode(local_signer.sign(data))}"

    verdict = verify_decision(token, jwks=jwks(store), now=times["issued_at"])

    assert verdict.code == VerdictCode.PAYLOAD_INVALID


def test_rotation_keeps_old_certificates_verifiable(key_dir, store, make_statement, times):
    signer = LocalSigner(key_dir, registry=store)
    before = sign_statement(signer, store, make_statement())

    new_kid = signer.rotate()
    after = sign_statement(LocalSigner(key_dir, registry=store), store, make_statement())

    keyset = jwks(store)
    assert len(keyset["keys"]) == 2
    for token in (before, after):
        assert verify_decision(token, jwks=keyset, now=times["issued_at"]).ok
        independent_check(token, keyset)
    assert json.loads(b64url_decode(after.split(".")[0]))["kid"] == new_kid


def test_publishing_is_create_if_absent(local_signer, store, make_statement):
    sign_statement(local_signer, store, make_statement())
    record_key = f"keys/signing/{local_signer.kid}.json"
    first = store.get(record_key)

    sign_statement(local_signer, store, make_statement())

    assert store.get(record_key).data == first.data
    assert list(store.list("keys/signing/")) == [record_key]


def test_a_key_set_that_is_not_one_is_an_error(signed):
    with pytest.raises(JwksUnusable):
        verify_decision(signed, jwks={"kty": "EC"})
