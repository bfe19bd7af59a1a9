"""Signing backends: the local key file and AWS KMS (moto)."""

from __future__ import annotations

import hashlib
import stat

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from joserfc.jwk import ECKey

from gateway.certificates import (
    KmsSigner,
    LocalSigner,
    SignerMisconfigured,
    SignerUnavailable,
    jwks,
    make_signer,
)
from gateway.config import Config


def check_es256(jwk: dict, data: bytes, raw: bytes) -> None:
    """Verify a raw r||s signature with the public JWK, through joserfc's key import."""
    assert len(raw) == 64
    public = ECKey.import_key(jwk).get_op_key("verify")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, data, ec.ECDSA(hashes.SHA256()))


def test_local_key_is_created_on_first_use_with_private_modes(key_dir):
    signer = LocalSigner(key_dir)
    assert not key_dir.exists()  # nothing happens before the key is needed

    kid = signer.kid

    key_file = key_dir / f"{kid}.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert b"PRIVATE KEY" in key_file.read_bytes()


def test_local_key_is_loaded_again_by_a_new_process(key_dir):
    first = LocalSigner(key_dir)
    signature = first.sign(b"payload")

    again = LocalSigner(key_dir)
    assert again.kid == first.kid
    check_es256(again.public_jwk(), b"payload", signature)


def test_kid_is_the_rfc7638_thumbprint(local_signer):
    jwk = local_signer.public_jwk()

    assert local_signer.kid == jwk["kid"] == ECKey.import_key(jwk).thumbprint()
    assert jwk["alg"] == "ES256" and jwk["crv"] == "P-256"
    assert "d" not in jwk


def test_local_signature_is_raw_r_s_es256(local_signer):
    check_es256(local_signer.public_jwk(), b"header.payload", local_signer.sign(b"header.payload"))


def test_rotation_makes_a_new_key_current_and_keeps_the_old_one(key_dir):
    signer = LocalSigner(key_dir)
    old = signer.kid

    new = signer.rotate()

    assert new != old
    assert signer.kid == new
    assert LocalSigner(key_dir).kid == new
    assert signer.kids() == sorted([old, new])
    assert stat.S_IMODE((key_dir / f"{new}.pem").stat().st_mode) == 0o600


def test_a_signer_publishes_its_key_before_its_first_signature(key_dir, store):
    signer = LocalSigner(key_dir, registry=store)
    assert jwks(store) == {"keys": []}

    signer.sign(b"x")

    assert jwks(store)["keys"] == [signer.public_jwk()]


def test_kms_signature_verifies_with_the_public_key_kms_returns(kms_signer, kms_client, kms_key_id):
    data = b"eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ"
    raw = kms_signer.sign(data)

    check_es256(kms_signer.public_jwk(), data, raw)
    # The JWK matches the key KMS holds, not just any key.
    der_public = kms_client.get_public_key(KeyId=kms_key_id)["PublicKey"]
    public = serialization.load_der_public_key(der_public)
    assert ECKey.import_key(public).thumbprint() == kms_signer.kid


def test_kms_registry_record_names_the_key(kms_signer, store, kms_client, kms_key_id):
    kms_signer.registry = store
    kms_signer.sign(b"x")

    record = store.get_json(f"keys/signing/{kms_signer.kid}.json")
    assert record["backend"] == "kms"
    # KMS answers with the key's ARN; moto with its bare id.
    arn = kms_client.describe_key(KeyId=kms_key_id)["KeyMetadata"]["Arn"]
    assert record["kms_key_id"] in (arn, kms_key_id)


def test_unknown_kms_key_is_a_gateway_error(kms_client):
    signer = KmsSigner("0d3c1a1e-0000-4000-8000-000000000000", client=kms_client)

    with pytest.raises(SignerUnavailable) as caught:
        signer.sign(b"x")
    assert caught.value.error == "SIGNER_UNAVAILABLE"
    assert "NotFoundException" in caught.value.message


@pytest.mark.parametrize(
    ("spec", "usage"), [("ECC_NIST_P384", "SIGN_VERIFY"), ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")]
)
def test_kms_key_that_cannot_sign_es256_is_refused(kms_client, spec, usage):
    key_id = kms_client.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]

    with pytest.raises(SignerUnavailable):
        KmsSigner(key_id, client=kms_client).public_jwk()


class DigestAwareKms:
    """A KMS stand-in that follows the documented Sign contract for both message types.

    moto 5.2.5 hashes the message even when MessageType is DIGEST, so the long-message path is
    checked against this instead.
    """

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.calls: list[tuple[str, int]] = []

    def get_public_key(self, KeyId):
        return {
            "KeyId": f"arn:aws:kms:eu-south-1:111122223333:key/{KeyId}",
            "KeySpec": "ECC_NIST_P256",
            "KeyUsage": "SIGN_VERIFY",
            "SigningAlgorithms": ["ECDSA_SHA_256"],
            "PublicKey": self.key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        }

    def sign(self, KeyId, Message, MessageType, SigningAlgorithm):
        assert SigningAlgorithm == "ECDSA_SHA_256"
        self.calls.append((MessageType, len(Message)))
        if MessageType == "DIGEST":
            algorithm = ec.ECDSA(Prehashed(hashes.SHA256()))
        else:
            assert len(Message) <= 4096, "KMS refuses RAW messages over 4096 bytes"
            algorithm = ec.ECDSA(hashes.SHA256())
        return {"KeyId": KeyId, "Signature": self.key.sign(Message, algorithm)}


def test_kms_messages_over_4096_bytes_are_signed_as_their_digest():
    client = DigestAwareKms()
    signer = KmsSigner("k1", client=client)
    short, long = b"a" * 4096, b"b" * 5000

    check_es256(signer.public_jwk(), short, signer.sign(short))
    check_es256(signer.public_jwk(), long, signer.sign(long))
    assert client.calls == [("RAW", 4096), ("DIGEST", 32)]


def test_a_kms_signature_over_other_bytes_is_never_returned():
    client = DigestAwareKms()
    real_sign = client.sign

    def sign_something_else(**params):
        params["Message"] = hashlib.sha256(b"other").digest()
        params["MessageType"] = "DIGEST"
        return real_sign(**params)

    client.sign = sign_something_else
    with pytest.raises(SignerUnavailable, match="does not verify"):
        KmsSigner("k1", client=client).sign(b"data")


def test_make_signer_follows_the_configuration(tmp_path, store, kms_client, kms_key_id):
    local = make_signer(Config(signer="local", signing_key_dir=str(tmp_path / "k")), store)
    assert isinstance(local, LocalSigner) and local.registry is store

    kms = make_signer(Config(signer=f"kms:{kms_key_id}"), store, kms_client=kms_client)
    assert isinstance(kms, KmsSigner) and kms.key_id == kms_key_id
    # Without an injected client the gateway builds its own, which moto serves here too.
    assert make_signer(Config(signer=f"kms: {kms_key_id}"), store).kid == kms.kid

    for wrong in ("hsm", "kms:", ""):
        with pytest.raises(SignerMisconfigured):
            make_signer(Config(signer=wrong), store)


def test_check_es256_rejects_a_signature_of_other_data(local_signer):
    # The helper the tests above rely on must be able to fail.
    with pytest.raises(InvalidSignature):
        check_es256(local_signer.public_jwk(), b"one", local_signer.sign(b"two"))
