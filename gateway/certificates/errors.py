"""Errors raised while building, signing or checking certificates."""

from __future__ import annotations

from ..errors import GatewayError


class CertificateError(GatewayError):
    """Base of the certificate errors."""

    status = 500
    error = "CERTIFICATE_ERROR"
    message = "The certificate could not be produced."
    message_it = "Non è stato possibile produrre il certificato."


class StatementInvalid(CertificateError):
    """A statement does not match the certificate schema; ``errors`` lists why."""

    status = 500
    error = "STATEMENT_INVALID"
    message = "The certificate content does not match its schema."
    message_it = "Il contenuto del certificato non rispetta il suo schema."


class SignerUnavailable(CertificateError):
    """The signing backend failed or its key cannot sign ES256."""

    status = 503
    error = "SIGNER_UNAVAILABLE"
    message = "The signing service is unavailable; the decision was not signed."
    message_it = "Il servizio di firma non è disponibile; la decisione non è stata firmata."


class SignerMisconfigured(CertificateError):
    """``GATEWAY_SIGNER`` names no known backend."""

    status = 500
    error = "SIGNER_MISCONFIGURED"
    message = "GATEWAY_SIGNER must be 'local' or 'kms:<key-id>'."
    message_it = "GATEWAY_SIGNER deve essere 'local' oppure 'kms:<id-chiave>'."


class JwksUnusable(CertificateError):
    """A key set given for verification is not a JWKS."""

    status = 400
    error = "JWKS_UNUSABLE"
    message = "The key set is not a JSON Web Key Set ({'keys': [...]})."
    message_it = "L'insieme di chiavi non è un JSON Web Key Set ({'keys': [...]})."
