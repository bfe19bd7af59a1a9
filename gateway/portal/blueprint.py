"""The portal's blueprint and what every page shares: who is signed in, language, CSRF, headers.

Every page requires a signed-in user unless its endpoint is listed in ``PUBLIC_ENDPOINTS``;
every POST must carry the session's CSRF token (``csrf_token`` form field or ``X-CSRF-Token``
header) unless the view checks it itself (``CSRF_IN_VIEW``, for the streaming upload).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from ..accounts import Principal
from ..accounts.users import ThrottlePolicy, get_user
from ..errors import Forbidden, GatewayError, Unauthorized
from . import i18n
from .sessions import end_session, load_session

blp = Blueprint(
    "portal",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

SESSION_COOKIE = "gw_session"
CSRF_COOKIE = "gw_csrf"
LANG_COOKIE = "gw_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

PUBLIC_ENDPOINTS = frozenset(
    {"portal.sign_in", "portal.language", "portal.static", "portal.not_found"}
)
CSRF_IN_VIEW = frozenset({"portal.upload"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


class CsrfRefused(GatewayError):
    """A form arrived without the token of the session that rendered it."""

    status = 403
    error = "CSRF_TOKEN_INVALID"
    message = (
        "This form is not valid any more (it expired or did not come from this site). "
        "Go back, reload the page and send it again."
    )
    message_it = (
        "Questo modulo non è più valido (è scaduto o non proviene da questo sito). "
        "Torna indietro, ricarica la pagina e invialo di nuovo."
    )


def runtime() -> Any:
    """The application's Runtime."""
    return current_app.extensions["gateway"]


def store() -> Any:
    """The application's object store."""
    return runtime().store


def client_ip() -> str | None:
    """The caller's address as the WSGI server saw it."""
    return request.remote_addr


def throttle_policy() -> ThrottlePolicy:
    """The sign-in throttle: ``PORTAL_SIGN_IN_THROTTLE`` in the app config, else the default."""
    policy = current_app.config.get("PORTAL_SIGN_IN_THROTTLE")
    return policy if isinstance(policy, ThrottlePolicy) else ThrottlePolicy()


def principal() -> Principal:
    """The signed-in user's principal (views behind the sign-in check only)."""
    if g.get("principal") is None:
        raise Unauthorized(
            "Sign in to continue.", error="SIGN_IN_REQUIRED", message_it="Accedi per continuare."
        )
    return g.principal


def wants_json() -> bool:
    """Tell whether the page's script (not the browser) made this request."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def home_for(role: str | None) -> str:
    """The first page of a role."""
    if role == "vendor":
        return url_for("portal.batches")
    if role == "buyer":
        return url_for("portal.lists")
    if role == "admin":
        return url_for("portal.admin_orgs")
    return url_for("portal.sign_in")


def requires(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let only signed-in users of these roles reach a view (others get a 403 page)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = principal()
            if who.role not in roles:
                raise Forbidden(
                    f"This page is for {' or '.join(roles)} organisations; yours is {who.role}.",
                    error=f"ROLE_NOT_{roles[0].upper()}" if len(roles) == 1 else "ROLE_FORBIDDEN",
                    message_it=(
                        "Questa pagina è riservata alle organizzazioni "
                        f"{' o '.join(i18n.role_name(r, 'it') for r in roles)}; "
                        f"la tua è {i18n.role_name(who.role, 'it')}."
                    ),
                )
            return view(*args, **kwargs)

        return wrapper

    return decorate


def render(template: str, *, http_status: int = 200, **context: Any) -> Response:
    """Render a portal template as a response."""
    response = current_app.make_response(render_template(f"portal/{template}", **context))
    response.status_code = http_status
    return response


def csrf_token() -> str:
    """The token forms of this page must send back."""
    if g.get("portal_session") is not None:
        return g.portal_session["csrf"]
    token = g.get("anonymous_csrf")
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or ""
        if len(token) < 32 or len(token) > 128:
            token = secrets.token_urlsafe(32)
            g.new_anonymous_csrf = token
        g.anonymous_csrf = token
    return token


def check_csrf(submitted: str | None) -> None:
    """Refuse the request unless ``submitted`` is this session's CSRF token."""
    expected = csrf_token()
    if (
        g.get("new_anonymous_csrf") is not None
        or not submitted
        or not hmac.compare_digest(submitted.encode(), expected.encode())
    ):
        raise CsrfRefused()


def submitted_csrf(form: Any = None) -> str | None:
    """The token a request carries in its header or in a form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    source = request.form if form is None else form
    return source.get(CSRF_FIELD)


def set_cookie(response: Response, name: str, value: str, *, max_age: int | None) -> None:
    """Set one of the portal's cookies with the house flags."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=runtime().config.cookie_secure,
        path="/",
    )


@blp.before_app_request
def _choose_language() -> None:
    # Before every request of the app (not only the portal's), so that error pages rendered
    # for unknown paths know the language too.
    lang = request.cookies.get(LANG_COOKIE)
    g.lang = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


@blp.before_request
def _load_user() -> Any:
    g.principal = None
    g.user = None
    g.portal_session = None
    if request.endpoint == "portal.static":
        return None  # stylesheet and script: the same for everyone, no session needed
    token = request.cookies.get(SESSION_COOKIE)
    record = load_session(store(), token)
    if record is not None:
        try:
            user = get_user(store(), record["user_id"])
        except GatewayError:
            user = None
        if user is None or user.get("disabled") or user["org_id"] != record["org_id"]:
            end_session(store(), token)
        else:
            g.portal_session = record
            g.session_token = token
            g.user = {k: v for k, v in user.items() if k != "password_hash"}
            g.principal = Principal(
                org_id=record["org_id"], role=record["role"], user_id=user["id"]
            )

    if request.endpoint not in PUBLIC_ENDPOINTS and g.principal is None:
        if wants_json() or request.method != "GET":
            raise Unauthorized(
                "Your session has ended; sign in again.",
                error="SIGN_IN_REQUIRED",
                message_it="La sessione è terminata; accedi di nuovo.",
            )
        target = request.full_path.rstrip("?")
        query = "" if target == "/" else "?" + urlencode({"next": target})
        return redirect(url_for("portal.sign_in") + query, code=303)

    if request.method == "POST" and request.endpoint not in CSRF_IN_VIEW:
        check_csrf(submitted_csrf())
    return None


@blp.after_request
def _secure_response(response: Response) -> Response:
    if g.get("new_anonymous_csrf"):
        set_cookie(response, CSRF_COOKIE, g.new_anonymous_csrf, max_age=None)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "portal.static":
        # Pages show one organisation's data: never keep them in shared or back-button caches.
        headers["Cache-Control"] = "no-store"
    headers.add("Vary", "Cookie")
    return response


@blp.context_processor
def _template_helpers() -> dict[str, Any]:
    lang = g.get("lang", i18n.DEFAULT_LANGUAGE)
    return {
        "_": lambda key, **values: i18n.translate(key, lang, **values),
        "lang": lang,
        "other_lang": "en" if lang == "it" else "it",
        "current_user": g.get("user"),
        "who": g.get("principal"),
        "csrf_token": csrf_token,
        "fmt_time": lambda value: i18n.format_time(value, lang),
        "fmt_int": lambda value: i18n.format_number(value, lang),
        "fmt_bytes": lambda value: i18n.format_bytes(value, lang),
        "fmt_left": lambda value, plus_days=0: i18n.format_time_left(
            value, lang, plus_days=plus_days
        ),
        "detail_text": lambda items: "; ".join(
            i18n.detail(item, lang) for item in ([items] if isinstance(items, str) else items)
        ),
        "state_label": lambda state: i18n.state_label(state, lang),
        "role_name": lambda role: i18n.role_name(role, lang),
        "code_message": lambda code: i18n.code_message(code, lang),
        "code_kind": i18n.code_kind,
        "message_of": lambda item: i18n.pick(item, lang),
        "home_url": home_for((g.get("principal") or Principal("", "")).role or None),
        "request_path": request.full_path.rstrip("?"),
    }


__all__ = [
    "CSRF_FIELD",
    "LANG_COOKIE",
    "SESSION_COOKIE",
    "CsrfRefused",
    "blp",
    "check_csrf",
    "client_ip",
    "csrf_token",
    "home_for",
    "principal",
    "render",
    "requires",
    "runtime",
    "safe_next",
    "set_cookie",
    "store",
    "submitted_csrf",
    "wants_json",
]
