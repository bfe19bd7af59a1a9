"""Errors as pages: every failure in a portal view becomes a page in the user's language that
shows the stable error code (or, for the page's own scripts, a small JSON document)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import jsonify
from werkzeug.exceptions import HTTPException

from ..errors import GatewayError
from . import i18n
from .blueprint import blp, render, wants_json

# Stable codes for the framework's own errors (the same names the API uses).
HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "PAGE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "FILE_TOO_LARGE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
}


def error_response(status: int, code: str, message: str, errors: Any = None) -> Any:
    """Answer an error: JSON for the page's scripts, a page for people."""
    if wants_json():
        body = {"status": status, "error": code, "message": message}
        if errors:
            body["errors"] = errors
        response = jsonify(body)
        response.status_code = status
    else:
        response = render(
            "error.html",
            http_status=status,
            status=status,
            code=code,
            message=message,
            errors=errors,
            title=i18n.status_title(status, i18n.current_language()),
        )
    if status == 429 and isinstance(errors, dict) and errors.get("retry_after_seconds"):
        response.headers["Retry-After"] = str(errors["retry_after_seconds"])
    return response


@blp.errorhandler(GatewayError)
def _gateway_error(exc: GatewayError) -> Any:
    lang = i18n.current_language()
    message = exc.message_it if lang == "it" else exc.message
    return error_response(exc.status, exc.error, message, exc.errors)


@blp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Any:
    status = exc.code or 500
    code = HTTP_CODES.get(status) or HTTPStatus(status).name
    return error_response(status, code, i18n.http_message(status, i18n.current_language()))
