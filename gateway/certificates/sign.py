"""Turning a statement into a signed decision (JWS compact serialisation, ES256)."""

from __future__ import annotations

from typing import Any

from ..storage import ObjectStore
from . import jws
from .errors import SignerUnavailable
from .registry import publish_key
from .signers import Signer, verify_signature
from .statement import validate_statement


def protected_header(kid: str) -> dict[str, str]:
    """Return the JWS header of every decision the gateway signs."""
    return {"alg": jws.ALGORITHM, "kid": kid, "typ": jws.MEDIA_TYPE}


def sign_statement(signer: Signer, store: ObjectStore, statement: dict[str, Any]) -> str:
    """Check a statement against the schema, sign it and return the compact JWS.

    The signer's public key is published in ``store`` first, so the decision is verifiable
    from the moment it exists. Raises ``StatementInvalid`` or ``SignerUnavailable``.
    """
    validate_statement(statement)
    publish_key(store, signer)
    jwk = signer.public_jwk()
    data = jws.signing_input(protected_header(jwk["kid"]), jws.encode_json(statement))
    signature = signer.sign(data)
    # The header names the key read above; should the signer have switched keys meanwhile
    # (a rotation in this process), the decision would be unverifiable, so refuse it.
    if not verify_signature(jwk, data, signature):
        raise SignerUnavailable(
            f"The signing key changed while signing with {jwk['kid']}; nothing was signed.",
            message_it=f"La chiave di firma è cambiata durante la firma con {jwk['kid']}; "
            "non è stato firmato nulla.",
        )
    return f"{data.decode('ascii')}.{jws.b64url_encode(signature)}"
