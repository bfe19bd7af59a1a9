"""Signing in and out, the language switch, the home redirect and the not-found page."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, request, url_for

from ... import audit
from ...accounts.users import principal_of
from ...accounts.users import sign_in as check_sign_in
from ...errors import NotFound, Unauthorized
from .. import i18n
from ..blueprint import (
    LANG_COOKIE,
    SESSION_COOKIE,
    blp,
    client_ip,
    home_for,
    render,
    safe_next,
    set_cookie,
    store,
    throttle_policy,
)
from ..sessions import SESSION_LIFETIME, end_session, start_session

ONE_YEAR = 365 * 24 * 3600


@blp.get("/")
def home() -> Any:
    """Send a signed-in user to the first page of its role."""
    return redirect(home_for(g.principal.role), code=303)


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    """The sign-in form; on success a new session and a redirect to where the user was going."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.get("principal") is not None:
            return redirect(target or home_for(g.principal.role), code=303)
        return render("sign_in.html", next=target, email="")

    email = request.form.get("email", "")
    try:
        user = check_sign_in(
            store(),
            email,
            request.form.get("password", ""),
            ip=client_ip(),
            policy=throttle_policy(),
        )
    except Unauthorized as exc:
        audit.record(
            store(),
            "portal.sign_in_failed",
            actor={"role": "anonymous"},
            ip=client_ip(),
            details={"email": email.strip().lower()[:254]},
        )
        return render("sign_in.html", http_status=401, next=target, email=email, error=exc)
    who = principal_of(store(), user)
    if g.get("session_token"):
        end_session(store(), g.session_token)
    token, _ = start_session(store(), who)
    audit.record(store(), "portal.sign_in", actor=who.actor(), target=user["id"], ip=client_ip())
    response = redirect(target or home_for(who.role), code=303)
    set_cookie(response, SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()))
    return response


@blp.post("/sign-out")
def sign_out() -> Any:
    """End the session and go back to the sign-in page."""
    end_session(store(), g.get("session_token"))
    audit.record(store(), "portal.sign_out", actor=g.principal.actor(), ip=client_ip())
    response = redirect(url_for("portal.sign_in"), code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@blp.get("/language/<code>")
def language(code: str) -> Any:
    """Switch the portal's language and remember the choice in a cookie."""
    if code not in i18n.LANGUAGES:
        raise NotFound(
            error="LANGUAGE_UNSUPPORTED",
            message="This language is not available.",
            message_it="Questa lingua non è disponibile.",
        )
    response = redirect(safe_next(request.args.get("next")) or url_for("portal.home"), code=303)
    set_cookie(response, LANG_COOKIE, code, max_age=ONE_YEAR)
    return response


@blp.route("/<page:path>", methods=["GET", "POST"])
def not_found(path: str) -> Any:
    """Every other path outside the API: a not-found page in the user's language."""
    raise NotFound("Page not found.", error="PAGE_NOT_FOUND", message_it="Pagina non trovata.")
