"""The JOSE pieces a certificate needs: base64url, ES256 signatures, P-256 JWKs, thumbprints.

Written on ``cryptography`` alone so that the verifier shares no code with the JOSE library the
tests use as an independent check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

ALGORITHM = "ES256"
# The payload is an in-toto Statement; RFC 8725 asks for explicit typing so that a certificate
# cannot be mistaken for any other token signed with the same key.
MEDIA_TYPE = "application/vnd.in-toto+json"
COORDINATE_BYTES = 32
SIGNATURE_BYTES = 2 * COORDINATE_BYTES


def b64url_encode(data: bytes) -> str:
    """Encode bytes as unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url strictly; raise ``ValueError`` on anything else.

    Non-canonical encodings (stray bits in the last character) are refused, so that every
    certificate has exactly one textual form.
    """
    if not isinstance(text, str) or "=" in text:
        raise ValueError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
    if b64url_encode(data) != text:
        raise ValueError("not canonical base64url")
    return data


def der_to_raw(der: bytes) -> bytes:
    """Turn a DER ECDSA signature into the fixed 64-byte ``r || s`` form JWS uses."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(COORDINATE_BYTES, "big") + s.to_bytes(COORDINATE_BYTES, "big")


def raw_to_der(raw: bytes) -> bytes:
    """Turn a 64-byte ``r || s`` signature into DER; raise ``ValueError`` on another length."""
    if len(raw) != SIGNATURE_BYTES:
        raise ValueError(f"an ES256 signature has {SIGNATURE_BYTES} bytes, not {len(raw)}")
    r = int.from_bytes(raw[:COORDINATE_BYTES], "big")
    s = int.from_bytes(raw[COORDINATE_BYTES:], "big")
    return encode_dss_signature(r, s)


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """Return the RFC 7638 SHA-256 thumbprint of an EC public JWK, base64url."""
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """Return the public JWK of a P-256 key, with ``kid`` (its thumbprint), ``alg`` and ``use``."""
    if not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"ES256 needs a P-256 key, not {key.curve.name}")
    numbers = key.public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(numbers.x.to_bytes(COORDINATE_BYTES, "big")),
        "y": b64url_encode(numbers.y.to_bytes(COORDINATE_BYTES, "big")),
    }
    return {**jwk, "kid": jwk_thumbprint(jwk), "alg": ALGORITHM, "use": "sig"}


def public_key_from_jwk(jwk: dict[str, Any]) -> ec.EllipticCurvePublicKey:
    """Load a P-256 public key from its JWK; raise ``ValueError`` if it is not one."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("not a P-256 EC key")
    x = b64url_decode(jwk.get("x", ""))
    y = b64url_decode(jwk.get("y", ""))
    if len(x) != COORDINATE_BYTES or len(y) != COORDINATE_BYTES:
        raise ValueError("P-256 coordinates have 32 bytes")
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
    )
    return numbers.public_key()  # raises ValueError for a point off the curve


def encode_json(value: Any) -> bytes:
    """Serialise JSON compactly and deterministically, as signed payloads and headers are."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def signing_input(header: dict[str, Any], payload: bytes) -> bytes:
    """Return ``BASE64URL(header) '.' BASE64URL(payload)``, the bytes an ES256 key signs."""
    return f"{b64url_encode(encode_json(header))}.{b64url_encode(payload)}".encode("ascii")
