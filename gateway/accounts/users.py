"""Portal users: people who sign in for an organisation, with argon2id password hashes.

A user is ``accounts/users/{user_id}.json``; ``accounts/user-emails/{sha256(email)}.json``
maps a normalised email to its user and, being created with create-if-absent, keeps emails
unique across processes. Plain passwords are never stored or logged.

Failed sign-ins are throttled per email and per client address. The counters are objects under
``throttle/sign-in/`` moved by compare-and-swap, so every process serving the portal sees the
same counts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import Conflict, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from ..storage import ObjectNotFound, ObjectStore, PreconditionFailed
from .service import Principal, get_org, is_valid_id, isoformat, new_id, utcnow

USERS_PREFIX = "accounts/users/"
EMAILS_PREFIX = "accounts/user-emails/"
THROTTLE_PREFIX = "throttle/sign-in/"

MIN_PASSWORD_LENGTH = 10
# argon2 hashes any length, but a megabyte "password" is a denial-of-service attempt.
MAX_PASSWORD_LENGTH = 512

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# argon2-cffi's defaults are the RFC 9106 low-memory profile of argon2id.
_HASHER = PasswordHasher()
# Verified against when the email is unknown, so that a wrong email costs as much time as a
# wrong password and response times do not reveal which emails exist.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-used-only-for-timing")


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed sign-ins are tolerated, per email and per address, within a window."""

    max_per_email: int = 5
    max_per_address: int = 20
    window_seconds: int = 15 * 60


def normalise_email(email: str | None) -> str:
    """Return the canonical form of an email (trimmed, lower case)."""
    return (email or "").strip().lower()


def _email_key(email: str) -> str:
    return EMAILS_PREFIX + hashlib.sha256(email.encode()).hexdigest() + ".json"


def _user_key(user_id: str) -> str:
    return f"{USERS_PREFIX}{user_id}.json"


def user_not_found() -> NotFound:
    """The error for an unknown user."""
    return NotFound("User not found.", error="USER_NOT_FOUND", message_it="Utente non trovato.")


def password_problems(password: str | None) -> list[str]:
    """Return why a new password is unacceptable (empty when it is fine)."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        return [f"must be at least {MIN_PASSWORD_LENGTH} characters long"]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"must be at most {MAX_PASSWORD_LENGTH} characters long"]
    return []


def public_user(user: dict[str, Any]) -> dict[str, Any]:
    """Return a user record without its password hash."""
    return {k: v for k, v in user.items() if k != "password_hash"}


def create_user(
    store: ObjectStore, *, org_id: str, email: str, password: str, name: str = ""
) -> dict[str, Any]:
    """Create a user of an organisation and return it (without the hash).

    Raises ``ValidationFailed`` for a bad email or password, ``ORG_NOT_FOUND`` for an unknown
    organisation and ``Conflict`` (``EMAIL_TAKEN``) when the email already has a user.
    """
    email = normalise_email(email)
    problems: dict[str, list[str]] = {}
    if not _EMAIL.match(email) or len(email) > 254:
        problems["email"] = ["must be a valid email address"]
    if password_problems(password):
        problems["password"] = password_problems(password)
    if problems:
        raise ValidationFailed(
            "The user's email or password is not acceptable.",
            error="USER_INVALID",
            message_it="L'email o la password dell'utente non sono accettabili.",
            errors=problems,
        )
    org = get_org(store, org_id)
    now = isoformat(utcnow())
    user = {
        "id": new_id("u"),
        "org_id": org["id"],
        "email": email,
        "name": (name or "").strip(),
        "password_hash": _HASHER.hash(password),
        "created_at": now,
        "updated_at": now,
        "password_changed_at": now,
        "disabled": False,
    }
    _claim_email(store, email, user["id"])
    store.put_json(_user_key(user["id"]), user, if_none_match=True)
    return public_user(user)


def _claim_email(store: ObjectStore, email: str, user_id: str) -> None:
    key = _email_key(email)
    for _ in range(5):
        try:
            store.put_json(key, {"email": email, "user_id": user_id}, if_none_match=True)
            return
        except PreconditionFailed:
            pass
        try:
            claimed = store.get(key)
        except ObjectNotFound:
            continue
        if store.exists(_user_key(claimed.json()["user_id"])):
            raise Conflict(
                "A user with this email already exists.",
                error="EMAIL_TAKEN",
                message_it="Esiste già un utente con questa email.",
                errors={"email": ["is already in use"]},
            )
        # The claimant died before writing its user: the email is free again.
        try:
            store.put_json(key, {"email": email, "user_id": user_id}, if_match=claimed.etag)
            return
        except PreconditionFailed:
            continue
    raise Conflict(
        "The same email is being registered concurrently; retry.",
        error="EMAIL_TAKEN",
        message_it="La stessa email è in registrazione in parallelo; riprova.",
    )


def get_user(store: ObjectStore, user_id: str) -> dict[str, Any]:
    """Return a user record (with its hash: for services only) or raise ``USER_NOT_FOUND``."""
    if not is_valid_id(user_id):
        raise user_not_found()
    try:
        return store.get_json(_user_key(user_id))
    except ObjectNotFound:
        raise user_not_found() from None


def find_user(store: ObjectStore, email: str | None) -> dict[str, Any] | None:
    """Return the user with this email (with its hash), or None."""
    email = normalise_email(email)
    if not email:
        return None
    try:
        user_id = store.get_json(_email_key(email))["user_id"]
        user = store.get_json(_user_key(user_id))
    except ObjectNotFound:
        return None
    return user if user.get("email") == email else None


def list_users(store: ObjectStore, org_id: str | None = None) -> list[dict[str, Any]]:
    """Return users (without hashes), optionally of one organisation, sorted by email."""
    users = []
    for key in store.list(USERS_PREFIX):
        if not key.endswith(".json"):
            continue
        try:
            user = store.get_json(key)
        except ObjectNotFound:
            continue
        if org_id is None or user["org_id"] == org_id:
            users.append(public_user(user))
    return sorted(users, key=lambda u: u["email"])


def set_password(store: ObjectStore, user_id: str, password: str) -> dict[str, Any]:
    """Replace a user's password (compare-and-swap) and return the user without its hash."""
    if password_problems(password):
        raise ValidationFailed(
            "The password is not acceptable.",
            error="PASSWORD_INVALID",
            message_it="La password non è accettabile.",
            errors={"password": password_problems(password)},
        )
    new_hash = _HASHER.hash(password)
    for _ in range(10):
        try:
            current = store.get(_user_key(user_id))
        except ObjectNotFound:
            raise user_not_found() from None
        user = current.json()
        now = isoformat(utcnow())
        user.update(password_hash=new_hash, updated_at=now, password_changed_at=now)
        try:
            store.put_json(_user_key(user_id), user, if_match=current.etag)
        except PreconditionFailed:
            continue
        return public_user(user)
    raise PreconditionFailed(_user_key(user_id))


def check_password(user: dict[str, Any], password: str) -> bool:
    """Tell whether ``password`` matches the user's hash."""
    try:
        return _HASHER.verify(user["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def principal_of(store: ObjectStore, user: dict[str, Any]) -> Principal:
    """Return the principal a signed-in user acts as (its organisation's role)."""
    org = get_org(store, user["org_id"])
    return Principal(org_id=org["id"], role=org["role"], user_id=user["id"])


def sign_in(
    store: ObjectStore,
    email: str | None,
    password: str | None,
    *,
    ip: str | None,
    policy: ThrottlePolicy | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Check an email and password and return the user (without its hash).

    Raises ``TooManyRequests`` while the email or the address has too many recent failures
    (the password is then not even checked) and ``Unauthorized`` (``SIGN_IN_FAILED``) for a
    wrong email or password, counting the failure.
    """
    policy = policy or ThrottlePolicy()
    now = now or utcnow()
    email = normalise_email(email)
    password = password or ""
    counters = [(_throttle_key("email", email), policy.max_per_email)]
    if ip:
        counters.append((_throttle_key("address", ip), policy.max_per_address))
    window = timedelta(seconds=policy.window_seconds)
    wait = max(
        (_seconds_locked(store, key, limit, window, now) for key, limit in counters), default=0
    )
    if wait > 0:
        minutes = max(1, -(-wait // 60))
        raise TooManyRequests(
            f"Too many failed sign-ins; try again in {minutes} minute(s).",
            message_it=f"Troppi accessi non riusciti; riprova tra {minutes} minuto/i.",
            errors={"retry_after_seconds": wait},
        )

    user = find_user(store, email) if len(password) <= MAX_PASSWORD_LENGTH else None
    if user is None:
        check_password({"password_hash": _DUMMY_HASH}, password[:MAX_PASSWORD_LENGTH])
        ok = False
    else:
        ok = check_password(user, password) and not user.get("disabled")
    if not ok:
        for key, _limit in counters:
            _record_failure(store, key, window, now)
        raise Unauthorized(
            "The email or the password is wrong.",
            error="SIGN_IN_FAILED",
            message_it="L'email o la password non sono corretti.",
        )
    store.delete(counters[0][0])
    if _HASHER.check_needs_rehash(user["password_hash"]):
        set_password(store, user["id"], password)
    return public_user(user)


def _throttle_key(kind: str, value: str) -> str:
    return f"{THROTTLE_PREFIX}{kind}/{hashlib.sha256(value.encode()).hexdigest()}.json"


def _recent(failures: list[str], window: timedelta, now: datetime) -> list[str]:
    return [f for f in failures if now - datetime.fromisoformat(f) < window]


def _seconds_locked(
    store: ObjectStore, key: str, limit: int, window: timedelta, now: datetime
) -> int:
    """Return how long the counter stays over its limit (0 when it is not)."""
    try:
        failures = _recent(store.get_json(key).get("failures", []), window, now)
    except ObjectNotFound:
        return 0
    if len(failures) < limit:
        return 0
    # Locked until enough of the oldest failures leave the window to get below the limit.
    oldest_that_counts = sorted(failures)[len(failures) - limit]
    release = datetime.fromisoformat(oldest_that_counts) + window
    return max(1, int((release - now).total_seconds() + 0.999))


def _record_failure(store: ObjectStore, key: str, window: timedelta, now: datetime) -> None:
    for _ in range(10):
        try:
            current = store.get(key)
        except ObjectNotFound:
            try:
                store.put_json(key, {"failures": [isoformat(now)]}, if_none_match=True)
                return
            except PreconditionFailed:
                continue
        failures = _recent(current.json().get("failures", []), window, now)
        # Only the most recent failures matter; the cap keeps the object small under attack.
        failures = [*failures, isoformat(now)][-200:]
        try:
            store.put_json(key, {"failures": failures}, if_match=current.etag)
            return
        except PreconditionFailed:
            continue
