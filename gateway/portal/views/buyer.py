"""Buyer pages: certified lists, their certificate in human form, downloads, verification."""

from __future__ import annotations

from typing import Any

from flask import request

from ... import audit, certificates, delivery
from ...accounts import utcnow
from ...api.downloads import stream as send
from ...errors import BadRequest, GatewayError, PayloadTooLarge
from .. import i18n
from ..blueprint import blp, client_ip, principal, render, requires, store
from .batches import PAGE_SIZE, org_names

# A certificate is a few kilobytes; anything far larger is not one.
MAX_JWS_BYTES = 1024 * 1024


@blp.get("/lists")
@requires("buyer")
def lists() -> Any:
    """Certified lists addressed to the buyer, with the time left before each expires."""
    items, cursor = delivery.list_certified(
        store(),
        principal(),
        valid_only=request.args.get("valid") == "1",
        limit=PAGE_SIZE,
        after=request.args.get("after") or None,
    )
    names = org_names({item["vendor_id"] for item in items})
    return render(
        "lists.html",
        items=items,
        cursor=cursor,
        names=names,
        valid_only=request.args.get("valid") == "1",
        now=utcnow(),
    )


@blp.get("/lists/<list_id>")
@requires("buyer")
def certified_list(list_id: str) -> Any:
    """One certified list: its certificate in human form and the downloads."""
    batch = delivery.get_certified(store(), principal(), list_id)
    verdict = certificates.verify_decision(
        delivery.read_decision(store(), batch), jwks=certificates.jwks(store())
    )
    statement = verdict.statement or {}
    return render(
        "list.html",
        batch=batch,
        view=delivery.certified_view(batch),
        verdict=verdict,
        predicate=statement.get("predicate") or {},
        subjects=statement.get("subject") or [],
        valid=delivery.is_valid(batch),
        names=org_names({batch["vendor_id"]}),
    )


@blp.get("/lists/<list_id>/list.<fmt>")
@requires("buyer")
def certified_download(list_id: str, fmt: str) -> Any:
    """Download the certified list (CSV or XLSX) while its certificate is valid."""
    return send(delivery.open_certified_list(store(), principal(), list_id, fmt, ip=client_ip()))


@blp.get("/lists/<list_id>/certificate.jws")
@requires("buyer")
def certificate_download(list_id: str) -> Any:
    """Download the certificate (compact JWS)."""
    who = principal()
    batch = delivery.get_certified(store(), who, list_id)
    return send(delivery.open_decision(store(), who, batch, ip=client_ip()))


@blp.route("/verify", methods=["GET", "POST"])
def verify() -> Any:
    """Check a certificate (and optionally a file) against the gateway's published keys."""
    if request.method == "GET":
        return render("verify.html", verdict=None)
    try:
        jws_text = _posted_certificate()
    except GatewayError as exc:
        return render("verify.html", verdict=None, error=exc, http_status=exc.status)
    upload = request.files.get("file")
    if upload is not None and not upload.filename:
        upload = None
    verdict = certificates.verify_decision(
        jws_text,
        jwks=certificates.jwks(store()),
        file_bytes_or_stream=upload.stream if upload is not None else None,
    )
    statement = verdict.statement or {}
    return render(
        "verify.html",
        verdict=verdict,
        predicate=statement.get("predicate") or {},
        subjects=statement.get("subject") or [],
        verdict_message=verdict.message_it if i18n.current_language() == "it" else verdict.message,
        file_name=upload.filename if upload is not None else None,
        http_status=200 if verdict.ok else 422,
    )


def _posted_certificate() -> str:
    part = request.files.get("certificate")
    data = part.stream.read(MAX_JWS_BYTES + 1) if part is not None and part.filename else b""
    if not data:
        data = (request.form.get("certificate_text") or "").encode()
    if len(data) > MAX_JWS_BYTES:
        raise PayloadTooLarge(
            "That is too large to be a certificate.",
            error="CERTIFICATE_TOO_LARGE",
            message_it="È troppo grande per essere un certificato.",
        )
    text = data.decode("utf-8", "replace").strip()
    if not text:
        raise BadRequest(
            "Choose the certificate (.jws file) or paste its text.",
            error="CERTIFICATE_MISSING",
            message_it="Scegli il certificato (file .jws) o incollane il testo.",
            errors={"certificate": ["Missing data for required field."]},
        )
    return text


@blp.route("/objections", methods=["GET", "POST"])
@requires("buyer")
def objections() -> Any:
    """Record numbers whose owners objected to this buyer: a CSV file or a single number."""
    from ...objections import ObjectionLedger

    who = principal()
    ledger = ObjectionLedger(store())
    recorded = None
    error = None
    if request.method == "POST":
        actor = f"user:{who.user_id}"
        upload = request.files.get("file")
        number = (request.form.get("phone") or "").strip()
        try:
            if upload is not None and upload.filename:
                recorded = ledger.import_csv(upload.stream, who.org_id, actor=actor)
            elif number:
                recorded = ledger.record_number(number, who.org_id, actor=actor)
            else:
                raise BadRequest(
                    "Choose a CSV file or type a phone number.",
                    error="OBJECTIONS_MISSING",
                    message_it="Scegli un file CSV o scrivi un numero di telefono.",
                )
        except GatewayError as exc:
            error = exc
        else:
            audit.record(
                store(),
                "objections.import",
                actor=who.actor(),
                target=recorded["id"],
                ip=client_ip(),
                details={"entries": recorded["entries"]},
            )
    imports = sorted(ledger.imports(who.org_id), key=lambda m: m["imported_at"], reverse=True)
    return render(
        "objections.html",
        imports=imports[:50],
        recorded=recorded,
        error=error,
        http_status=error.status if error else (201 if recorded else 200),
    )
