"""The gateway's one error hierarchy.

Every failure a client can see is a :class:`GatewayError` carrying an HTTP status, a stable
machine-readable ``error`` code and a message in English and Italian. The API turns it into its
JSON error shape; the portal renders the same error as a page; the CLI prints it.
"""

from __future__ import annotations

from typing import Any


class GatewayError(Exception):
    """Base of every error the gateway reports to a client."""

    status: int = 400
    error: str = "BAD_REQUEST"
    message: str = "The request could not be processed."
    message_it: str = "Non è stato possibile elaborare la richiesta."

    def __init__(
        self,
        message: str | None = None,
        *,
        error: str | None = None,
        status: int | None = None,
        message_it: str | None = None,
        errors: dict[str, Any] | list[Any] | None = None,
    ) -> None:
        if message is not None:
            self.message = message
            # A custom English message without its Italian twin falls back to English
            # rather than showing the generic class text.
            self.message_it = message_it or message
        elif message_it is not None:
            self.message_it = message_it
        if error is not None:
            self.error = error
        if status is not None:
            self.status = status
        self.errors = errors
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """Return the API's JSON error shape."""
        from http import HTTPStatus

        body: dict[str, Any] = {
            "code": self.status,
            "status": HTTPStatus(self.status).phrase,
            "message": self.message,
            "message_it": self.message_it,
            "error": self.error,
        }
        if self.errors:
            body["errors"] = self.errors
        return body


class BadRequest(GatewayError):
    """The request is malformed."""

    status = 400
    error = "BAD_REQUEST"


class Unauthorized(GatewayError):
    """No credentials, or credentials that match nothing."""

    status = 401
    error = "UNAUTHORIZED"
    message = "A valid API key is required (Authorization: Bearer <key>)."
    message_it = "Serve una chiave API valida (Authorization: Bearer <chiave>)."


class Forbidden(GatewayError):
    """The caller is known but its role may not do this."""

    status = 403
    error = "FORBIDDEN"
    message = "Your organisation's role does not allow this action."
    message_it = "Il ruolo della tua organizzazione non consente questa azione."


class NotFound(GatewayError):
    """The resource does not exist or is not visible to the caller."""

    status = 404
    error = "NOT_FOUND"
    message = "Not found."
    message_it = "Risorsa non trovata."


class Conflict(GatewayError):
    """The resource is not in a state that allows this action."""

    status = 409
    error = "CONFLICT"
    message = "The resource is not in a state that allows this action."
    message_it = "La risorsa non è in uno stato che consente questa azione."


class Gone(GatewayError):
    """The resource existed but may no longer be served."""

    status = 410
    error = "GONE"
    message = "This resource is no longer available."
    message_it = "Questa risorsa non è più disponibile."


class PayloadTooLarge(GatewayError):
    """The request body is over the configured limit."""

    status = 413
    error = "FILE_TOO_LARGE"
    message = "The file is larger than the upload limit."
    message_it = "Il file supera il limite di dimensione consentito."


class ValidationFailed(GatewayError):
    """The request parsed but its content is invalid; ``errors`` names every problem."""

    status = 422
    error = "VALIDATION_FAILED"
    message = "Some fields are invalid."
    message_it = "Alcuni campi non sono validi."


class TooManyRequests(GatewayError):
    """The caller is being throttled."""

    status = 429
    error = "TOO_MANY_REQUESTS"
    message = "Too many attempts; try again later."
    message_it = "Troppi tentativi; riprova più tardi."
