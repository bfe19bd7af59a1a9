"""Offline verification of a signed decision against a published key set.

Needs nothing but the decision, the JWKS and, optionally, the file to check; no network and no
access to the gateway. Every outcome is a :class:`Verdict` with a stable code and a sentence in
English and Italian.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from . import jws
from .errors import JwksUnusable
from .statement import (
    CERTIFIED,
    SUBJECT_ROLES,
    format_timestamp,
    parse_timestamp,
    statement_errors,
)

# The same tolerance the rules give consent times: clocks on two machines may disagree a little.
CLOCK_SKEW = timedelta(minutes=5)
_CHUNK = 1024 * 1024


class VerdictCode(StrEnum):
    """The stable outcome codes of a verification."""

    VALID = "VALID"
    NOT_A_JWS = "NOT_A_JWS"
    ALGORITHM_UNSUPPORTED = "ALGORITHM_UNSUPPORTED"
    HEADER_UNSUPPORTED = "HEADER_UNSUPPORTED"
    KEY_UNKNOWN = "KEY_UNKNOWN"
    SIGNATURE_INVALID = "SIGNATURE_INVALID"
    PAYLOAD_INVALID = "PAYLOAD_INVALID"
    FILE_DIGEST_MISMATCH = "FILE_DIGEST_MISMATCH"
    CERTIFICATE_NOT_YET_VALID = "CERTIFICATE_NOT_YET_VALID"
    CERTIFICATE_EXPIRED = "CERTIFICATE_EXPIRED"


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one decision.

    ``statement`` is the decoded payload whenever the signature verified (even if the verdict
    is negative for another reason); ``matched_subject`` names the subject the given file is.
    """

    ok: bool
    code: VerdictCode
    message: str
    message_it: str
    statement: dict[str, Any] | None = None
    kid: str | None = None
    matched_subject: str | None = None

    @property
    def decision(self) -> str | None:
        """``"certified"`` or ``"rejected"`` once the statement is known, else None."""
        if self.statement is None:
            return None
        return self.statement.get("predicate", {}).get("decision")

    def to_dict(self) -> dict[str, Any]:
        """Return the verdict as JSON-ready data."""
        return {
            "ok": self.ok,
            "code": str(self.code),
            "message": self.message,
            "message_it": self.message_it,
            "decision": self.decision,
            "kid": self.kid,
            "matched_subject": self.matched_subject,
            "statement": self.statement,
        }


def verify_decision(
    jws_text: str | bytes,
    *,
    jwks: Mapping[str, Any],
    file_bytes_or_stream: bytes | BinaryIO | None = None,
    now: datetime | None = None,
) -> Verdict:
    """Check a decision: form, ES256, known key, signature, statement, file digest, validity.

    ``jwks`` is a JSON Web Key Set (``{"keys": [...]}``); ``file_bytes_or_stream``, when given,
    must be one of the files the decision names; ``now`` (aware, default: the current time) is
    the moment the certificate must be valid at. Raises ``JwksUnusable`` when ``jwks`` is not
    a key set; every other problem is a negative verdict.
    """
    keys = _keys(jwks)
    when = datetime.now(UTC) if now is None else now
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("now must carry a UTC offset")

    parsed = _parse(jws_text)
    if isinstance(parsed, Verdict):
        return parsed
    header, payload, signature, signed = parsed

    alg = header.get("alg")
    if alg != jws.ALGORITHM:
        return _verdict(
            VerdictCode.ALGORITHM_UNSUPPORTED,
            f"The decision is signed with algorithm {alg!r}; only ES256 is accepted.",
            f"La decisione è firmata con l'algoritmo {alg!r}; è accettato solo ES256.",
        )
    problem = _header_problem(header)
    if problem:
        return _verdict(
            VerdictCode.HEADER_UNSUPPORTED,
            f"The decision's header is not one the gateway issues ({problem}).",
            f"L'intestazione della decisione non è tra quelle emesse dal gateway ({problem}).",
        )

    kid = header.get("kid")
    public_key = _find_key(keys, kid) if isinstance(kid, str) else None
    if public_key is None:
        return _verdict(
            VerdictCode.KEY_UNKNOWN,
            f"The decision was signed with key {kid!r}, which is not among the gateway's "
            "published keys.",
            f"La decisione è firmata con la chiave {kid!r}, che non è tra le chiavi pubblicate "
            "dal gateway.",
        )

    try:
        public_key.verify(jws.raw_to_der(signature), signed, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return _verdict(
            VerdictCode.SIGNATURE_INVALID,
            "The signature does not match: the decision was altered or was not signed by the "
            "gateway.",
            "La firma non corrisponde: la decisione è stata alterata o non è stata firmata dal "
            "gateway.",
            kid=kid,
        )

    try:
        statement = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _verdict(
            VerdictCode.PAYLOAD_INVALID,
            "The signature is good but the content is not JSON.",
            "La firma è corretta ma il contenuto non è JSON.",
            kid=kid,
        )
    problems = statement_errors(statement)
    if problems:
        return _verdict(
            VerdictCode.PAYLOAD_INVALID,
            "The signature is good but the content is not a gateway certification statement "
            f"({problems[0]}).",
            "La firma è corretta ma il contenuto non è una dichiarazione di certificazione del "
            f"gateway ({problems[0]}).",
            statement=statement if isinstance(statement, dict) else None,
            kid=kid,
        )

    predicate = statement["predicate"]
    batch = predicate["batch_id"]
    matched = None
    if file_bytes_or_stream is not None:
        digest = _sha256(file_bytes_or_stream)
        matched = next(
            (s["name"] for s in statement["subject"] if s["digest"]["sha256"] == digest), None
        )
        if matched is None:
            return _verdict(
                VerdictCode.FILE_DIGEST_MISMATCH,
                f"The decision for batch {batch} is authentic, but the file is none of the files "
                f"it names (the file's SHA-256 is {digest}).",
                f"La decisione per il lotto {batch} è autentica, ma il file non è nessuno dei file "
                f"che indica (lo SHA-256 del file è {digest}).",
                statement=statement,
                kid=kid,
            )

    if predicate["decision"] == CERTIFIED:
        issued_at = parse_timestamp(predicate["issued_at"])
        valid_until = parse_timestamp(predicate["valid_until"])
        if when < issued_at - CLOCK_SKEW:
            return _verdict(
                VerdictCode.CERTIFICATE_NOT_YET_VALID,
                f"The certificate for batch {batch} is authentic but was issued at "
                f"{predicate['issued_at']}, after the time checked ({format_timestamp(when)}).",
                f"Il certificato per il lotto {batch} è autentico ma è stato emesso il "
                f"{predicate['issued_at']}, dopo il momento verificato ({format_timestamp(when)}).",
                statement=statement,
                kid=kid,
                matched_subject=matched,
            )
        if when >= valid_until:
            return _verdict(
                VerdictCode.CERTIFICATE_EXPIRED,
                f"The certificate for batch {batch} is authentic but expired at "
                f"{predicate['valid_until']}.",
                f"Il certificato per il lotto {batch} è autentico ma è scaduto il "
                f"{predicate['valid_until']}.",
                statement=statement,
                kid=kid,
                matched_subject=matched,
            )
        message = (
            f"Valid certificate for batch {batch}, signed by the gateway with key {kid}; "
            f"valid until {predicate['valid_until']}."
        )
        message_it = (
            f"Certificato valido per il lotto {batch}, firmato dal gateway con la chiave {kid}; "
            f"valido fino al {predicate['valid_until']}."
        )
    else:
        message = (
            f"Valid rejection notice for batch {batch}, signed by the gateway with key {kid}: "
            "the batch was not certified."
        )
        message_it = (
            f"Avviso di rifiuto valido per il lotto {batch}, firmato dal gateway con la chiave "
            f"{kid}: il lotto non è stato certificato."
        )
    if matched is not None:
        role, role_it = SUBJECT_ROLES[matched]
        message += f" The file is one the decision names: {role} ({matched})."
        message_it += f" Il file è tra quelli indicati nella decisione: {role_it} ({matched})."
    return Verdict(True, VerdictCode.VALID, message, message_it, statement, kid, matched)


def _verdict(
    code: VerdictCode,
    message: str,
    message_it: str,
    *,
    statement: dict[str, Any] | None = None,
    kid: str | None = None,
    matched_subject: str | None = None,
) -> Verdict:
    return Verdict(False, code, message, message_it, statement, kid, matched_subject)


def _not_a_jws(detail: str) -> Verdict:
    return _verdict(
        VerdictCode.NOT_A_JWS,
        "This is not a signed decision: expected a JWS in compact form (three base64url parts "
        f"joined by dots; {detail}).",
        "Questa non è una decisione firmata: era atteso un JWS in forma compatta (tre parti "
        f"base64url unite da punti; {detail}).",
    )


def _parse(jws_text: str | bytes) -> tuple[dict[str, Any], bytes, bytes, bytes] | Verdict:
    if isinstance(jws_text, bytes):
        try:
            jws_text = jws_text.decode("ascii")
        except UnicodeDecodeError:
            return _not_a_jws("the text is not ASCII")
    if not isinstance(jws_text, str):
        return _not_a_jws("no text given")
    text = jws_text.strip()
    parts = text.split(".")
    if len(parts) != 3:
        return _not_a_jws(f"found {len(parts)} part(s)")
    try:
        header_bytes, payload, signature = (jws.b64url_decode(p) for p in parts)
    except ValueError:
        return _not_a_jws("a part is not base64url")
    if not payload:
        return _not_a_jws("the payload is empty")
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _not_a_jws("the header is not JSON")
    if not isinstance(header, dict):
        return _not_a_jws("the header is not a JSON object")
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    return header, payload, signature, signed


def _header_problem(header: dict[str, Any]) -> str | None:
    if "crit" in header:
        return "critical extensions are not supported"
    if header.get("b64", True) is not True:
        return "unencoded payloads are not supported"
    if header.get("typ") != jws.MEDIA_TYPE:
        return f"typ is {header.get('typ')!r}, not {jws.MEDIA_TYPE!r}"
    return None


def _keys(jwks: Mapping[str, Any]) -> list[Any]:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise JwksUnusable()
    return keys


def _find_key(keys: list[Any], kid: str) -> ec.EllipticCurvePublicKey | None:
    for jwk in keys:
        if not isinstance(jwk, dict) or jwk.get("kid", kid) != kid:
            continue
        try:
            # The kid is the key's own thumbprint: a key set entry labelled with someone
            # else's kid is not that key.
            if jws.jwk_thumbprint(jwk) != kid:
                continue
            return jws.public_key_from_jwk(jwk)
        except (KeyError, TypeError, ValueError):
            continue
    return None


def _sha256(content: bytes | BinaryIO) -> str:
    if isinstance(content, bytes | bytearray | memoryview):
        return hashlib.sha256(content).hexdigest()
    digest = hashlib.sha256()
    while chunk := content.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()
