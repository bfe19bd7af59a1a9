"""Administration pages: organisations, users, API keys, RPO imports and signing keys."""

from __future__ import annotations

import secrets
from typing import Any

from flask import redirect, request, url_for

from ... import audit, batches, certificates
from ...accounts import ROLES, create_key, create_org, get_org, list_keys, list_orgs, revoke_key
from ...accounts.users import create_user, list_users
from ...errors import BadRequest, GatewayError, NotFound
from ..blueprint import blp, client_ip, principal, render, requires, runtime, store
from .batches import org_names


def _audit(action: str, target: str | None, **details: Any) -> None:
    audit.record(
        store(), action, actor=principal().actor(), target=target, ip=client_ip(), details=details
    )


@blp.route("/admin", methods=["GET"])
@requires("admin")
def admin_home() -> Any:
    """The administration start page is the organisations list."""
    return redirect(url_for("portal.admin_orgs"), code=303)


@blp.route("/admin/orgs", methods=["GET", "POST"])
@requires("admin")
def admin_orgs() -> Any:
    """List organisations and create one."""
    error = None
    if request.method == "POST":
        try:
            org = create_org(
                store(), role=request.form.get("role", ""), name=request.form.get("name", "")
            )
        except GatewayError as exc:
            error = exc
        else:
            _audit("org.create", org["id"], role=org["role"], name=org["name"])
            return redirect(url_for("portal.admin_org", org_id=org["id"]), code=303)
    users = list_users(store())
    counts: dict[str, int] = {}
    for user in users:
        counts[user["org_id"]] = counts.get(user["org_id"], 0) + 1
    return render(
        "admin/orgs.html",
        orgs=list_orgs(store()),
        roles=ROLES,
        user_counts=counts,
        error=error,
        form=request.form,
        http_status=error.status if error else 200,
    )


@blp.route("/admin/orgs/<org_id>", methods=["GET"])
@requires("admin")
def admin_org(org_id: str) -> Any:
    """One organisation: its users, its API keys and its profile."""
    return _org_page(org_id)


def _org_page(org_id: str, **extra: Any) -> Any:
    org = get_org(store(), org_id)
    keys = sorted(list_keys(store(), org_id), key=lambda k: k["created_at"], reverse=True)
    http_status = extra.pop("http_status", 200)
    return render(
        "admin/org.html",
        org=org,
        users=list_users(store(), org_id),
        keys=keys,
        http_status=http_status,
        **extra,
    )


@blp.post("/admin/orgs/<org_id>/users")
@requires("admin")
def admin_create_user(org_id: str) -> Any:
    """Create a user; a blank password is replaced by a generated one, shown once."""
    password = request.form.get("password", "")
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    try:
        user = create_user(
            store(),
            org_id=org_id,
            email=request.form.get("email", ""),
            password=password,
            name=request.form.get("name", ""),
        )
    except GatewayError as exc:
        if isinstance(exc, NotFound):
            raise
        return _org_page(org_id, user_error=exc, user_form=request.form, http_status=exc.status)
    _audit("user.create", user["id"], org_id=org_id, email=user["email"])
    return _org_page(
        org_id, new_user=user, new_password=password if generated else None, http_status=201
    )


@blp.post("/admin/orgs/<org_id>/keys")
@requires("admin")
def admin_create_key(org_id: str) -> Any:
    """Issue an API key; the token is shown on this response only."""
    token, record = create_key(store(), org_id, label=request.form.get("label", "").strip())
    _audit("key.create", record["id"], org_id=org_id)
    return _org_page(org_id, new_key=token, new_key_id=record["id"], http_status=201)


@blp.post("/admin/keys/<key_id>/revoke")
@requires("admin")
def admin_revoke_key(key_id: str) -> Any:
    """Revoke an API key at once."""
    record = revoke_key(store(), key_id)
    _audit("key.revoke", record["id"], org_id=record["org_id"])
    return redirect(url_for("portal.admin_org", org_id=record["org_id"]), code=303)


def _rpo_page(**extra: Any) -> Any:
    from ...rpo import RpoLedger

    waiting, _ = batches.list_batches(store(), principal(), limit=200, state="awaiting_rpo")
    names = org_names({b["vendor_id"] for b in waiting} | {b["buyer_id"] for b in waiting})
    http_status = extra.pop("http_status", 200)
    return render(
        "admin/rpo.html",
        consultations=RpoLedger(store()).consultations()[:50],
        waiting=waiting,
        names=names,
        http_status=http_status,
        **extra,
    )


@blp.get("/admin/rpo")
@requires("admin")
def admin_rpo() -> Any:
    """RPO consultations imported so far and the batches waiting for one."""
    return _rpo_page(
        imported=request.args.get("imported"), resumed=request.args.get("resumed", type=int)
    )


@blp.post("/admin/rpo")
@requires("admin")
def admin_rpo_import() -> Any:
    """Import a consultation (format A, or format B) as the API does, then wake waiting batches."""
    from ...api.registers import import_consultation, resume_waiting_batches

    who = principal()
    try:
        meta = import_consultation(request.form, request.files, actor=who.org_id)
    except GatewayError as exc:
        return _rpo_page(import_error=exc, http_status=exc.status)
    _audit("rpo.import", meta["id"], format=meta["format"], entries=meta["entries"])
    resumed = resume_waiting_batches()
    return redirect(
        url_for("portal.admin_rpo", imported=meta["id"], resumed=len(resumed)), code=303
    )


def _signer_facts() -> tuple[str | None, bool]:
    signer = runtime().signer
    return signer.kid, isinstance(signer, certificates.LocalSigner)


@blp.get("/admin/signing-keys")
@requires("admin")
def admin_signing_keys() -> Any:
    """Every published signing key; the current one marked."""
    current, can_rotate = _signer_facts()
    keys = list(reversed(certificates.signing_keys(store())))
    if current not in {k.get("kid") for k in keys}:
        # A key is published with its first signature; until then show it as in use anyway.
        keys.insert(
            0,
            {
                "kid": current,
                "backend": runtime().signer.backend,
                "created_at": None,
                "unpublished": True,
            },
        )
    return render(
        "admin/signing_keys.html",
        keys=keys,
        current=current,
        can_rotate=can_rotate,
        rotated=request.args.get("rotated"),
    )


@blp.post("/admin/signing-keys/rotate")
@requires("admin")
def admin_rotate_key() -> Any:
    """Create a new local signing key and make it current; old keys stay published."""
    signer = runtime().signer
    if not isinstance(signer, certificates.LocalSigner):
        raise BadRequest(
            "The signer is a KMS key: rotate it in KMS and restart the service.",
            error="ROTATION_UNSUPPORTED",
            message_it="La firma usa una chiave KMS: ruotala in KMS e riavvia il servizio.",
        )
    kid = signer.rotate()
    _audit("signing_key.rotate", kid)
    return redirect(url_for("portal.admin_signing_keys", rotated=kid), code=303)
