"""Bearer-key authentication for the API."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, g, request

from ..accounts import Principal, authenticate_key
from ..errors import Forbidden


def runtime():
    """Return the app's Runtime."""
    return current_app.extensions["gateway"]


def client_ip() -> str | None:
    """The caller's address as the WSGI server saw it."""
    return request.remote_addr


def current_principal(roles: Iterable[str] | None = None) -> Principal:
    """Authenticate the request's bearer key (once per request) and check its role."""
    principal = g.get("principal")
    if principal is None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        principal = authenticate_key(runtime().store, token or None)
        g.principal = principal
    if roles is not None:
        allowed = tuple(roles)
        if principal.role not in allowed:
            raise Forbidden(
                f"This action needs a {' or '.join(allowed)} key; yours is {principal.role}.",
                error=f"ROLE_NOT_{allowed[0].upper()}" if len(allowed) == 1 else "ROLE_FORBIDDEN",
                message_it=(
                    f"Questa azione richiede una chiave {' o '.join(allowed)}; "
                    f"la tua è {principal.role}."
                ),
            )
    return principal
