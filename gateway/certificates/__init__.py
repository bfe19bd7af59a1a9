"""Certificates: the decision payload, its signing backends, the published keys, verification.

A decision (certificate or rejection notice) is a JWS in compact form, ES256, whose payload is
an in-toto Statement v1 (see ``schemas/certificate.schema.json``). Build it with
``build_statement``, sign it with ``sign_statement`` and a ``Signer`` from ``make_signer``,
publish keys with ``jwks`` and check a decision offline with ``verify_decision``.
"""

from __future__ import annotations

from .errors import (
    CertificateError,
    JwksUnusable,
    SignerMisconfigured,
    SignerUnavailable,
    StatementInvalid,
)
from .jws import MEDIA_TYPE
from .registry import jwks, publish_key, signing_keys
from .sign import sign_statement
from .signers import KmsSigner, LocalSigner, Signer, make_signer
from .statement import (
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    build_statement,
    certificate_schema,
    validate_statement,
)
from .verify import Verdict, VerdictCode, verify_decision

__all__ = [
    "MEDIA_TYPE",
    "PREDICATE_TYPE",
    "STATEMENT_TYPE",
    "CertificateError",
    "JwksUnusable",
    "KmsSigner",
    "LocalSigner",
    "Signer",
    "SignerMisconfigured",
    "SignerUnavailable",
    "StatementInvalid",
    "Verdict",
    "VerdictCode",
    "build_statement",
    "certificate_schema",
    "jwks",
    "make_signer",
    "publish_key",
    "sign_statement",
    "signing_keys",
    "validate_statement",
    "verify_decision",
]
