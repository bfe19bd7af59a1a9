"""One JSON error shape for the whole API: ``{code, status, message, error, errors}``."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from ..errors import GatewayError

# Stable codes for the framework's own errors.
_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "FILE_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_FAILED",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
}


def error_body(status: int, error: str, message: str, errors: Any = None) -> dict[str, Any]:
    """Build the API's error document."""
    body: dict[str, Any] = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": message,
        "error": error,
    }
    if errors:
        body["errors"] = errors
    return body


def wants_json() -> bool:
    """API paths always answer JSON; the portal renders pages."""
    return request.path.startswith(("/api/", "/.well-known/", "/healthz"))


def register_error_handlers(app: Flask) -> None:
    """Turn every GatewayError and HTTP error under the API into the JSON shape."""

    @app.errorhandler(GatewayError)
    def _gateway_error(exc: GatewayError):
        body = exc.to_dict()
        response = jsonify(body)
        response.status_code = exc.status
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="gateway"'
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not wants_json():
            return exc
        status = exc.code or 500
        errors = None
        data = getattr(exc, "data", None)
        if isinstance(data, dict):
            errors = data.get("messages") or data.get("errors")
        message = exc.description or HTTPStatus(status).phrase
        code = _HTTP_CODES.get(status, HTTPStatus(status).name)
        if status == 422 and errors:
            message = "Some request fields are invalid."
        response = jsonify(error_body(status, code, message, errors))
        response.status_code = status
        return response
