"""``/api/v1/certified-lists`` (buyers), ``/api/v1/verify`` and ``/.well-known/jwks.json``."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import certificates, delivery
from ..errors import BadRequest, PayloadTooLarge
from .auth import client_ip, current_principal, runtime
from .downloads import stream
from .schemas import (
    CertifiedListArgs,
    CertifiedListPageSchema,
    CertifiedListSchema,
    DownloadArgs,
    VerdictSchema,
)

blp = Blueprint("certified-lists", __name__, url_prefix="/api/v1/certified-lists",
                description="Buyers list and download the certified lists addressed to them.")
verify_blp = Blueprint("verify", __name__, url_prefix="/api/v1/verify",
                       description="Check a certificate (and optionally a file) against our keys.")
wellknown_blp = Blueprint("jwks", __name__, url_prefix="/.well-known",
                          description="Public keys of every signing key ever used.")

# A certificate is a few kilobytes; anything far larger is not one.
MAX_JWS_BYTES = 1024 * 1024


@blp.route("")
class CertifiedLists(MethodView):
    @blp.arguments(CertifiedListArgs, location="query")
    @blp.response(200, CertifiedListPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Certified lists addressed to the calling buyer, newest first."""
        principal = current_principal(("buyer",))
        items, cursor = delivery.list_certified(
            runtime().store, principal, vendor_id=args["vendor_id"], valid_only=args["valid"],
            limit=args["limit"], after=args["cursor"])
        return {"items": items, "next_cursor": cursor}


@blp.route("/<list_id>")
class CertifiedList(MethodView):
    @blp.response(200, CertifiedListSchema)
    def get(self, list_id: str) -> dict[str, Any]:
        """One certified list: metadata and its certificate in readable form."""
        principal = current_principal(("buyer",))
        rt = runtime()
        batch = delivery.get_certified(rt.store, principal, list_id)
        verdict = certificates.verify_decision(delivery.read_decision(rt.store, batch),
                                               jwks=certificates.jwks(rt.store))
        view = delivery.certified_view(batch)
        view["certificate"] = {"verdict": verdict.code, "ok": verdict.ok, "kid": verdict.kid,
                               "statement": verdict.statement}
        return view


@blp.route("/<list_id>/download")
class CertifiedListDownload(MethodView):
    @blp.arguments(DownloadArgs, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args: dict[str, Any], list_id: str) -> Any:
        """The certified list (CSV or XLSX); 410 CERTIFICATE_EXPIRED after valid_until."""
        principal = current_principal(("buyer",))
        return stream(delivery.open_certified_list(runtime().store, principal, list_id,
                                                   args["format"], ip=client_ip()))


@blp.route("/<list_id>/certificate")
class CertifiedListCertificate(MethodView):
    @blp.response(200, content_type="application/jose")
    def get(self, list_id: str) -> Any:
        """The certificate as a compact JWS (``application/jose``)."""
        principal = current_principal(("buyer",))
        rt = runtime()
        batch = delivery.get_certified(rt.store, principal, list_id)
        return stream(delivery.open_decision(rt.store, principal, batch, ip=client_ip()))


@verify_blp.route("")
class Verify(MethodView):
    @verify_blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["certificate"],
        "properties": {"certificate": {"type": "string", "format": "binary"},
                       "file": {"type": "string", "format": "binary"}}}}}})
    @verify_blp.response(200, VerdictSchema)
    def post(self) -> dict[str, Any]:
        """Verify a posted decision (JWS) and optionally a file against the published keys."""
        current_principal()
        jws_text = _posted_certificate()
        upload = request.files.get("file")
        verdict = certificates.verify_decision(
            jws_text, jwks=certificates.jwks(runtime().store),
            file_bytes_or_stream=upload.stream if upload is not None else None)
        return verdict.to_dict()


def _posted_certificate() -> str:
    part = request.files.get("certificate")
    if part is not None:
        data = part.stream.read(MAX_JWS_BYTES + 1)
    else:
        data = (request.form.get("certificate") or request.get_data(cache=False)[:MAX_JWS_BYTES + 1]
                if request.mimetype != "multipart/form-data" else
                (request.form.get("certificate") or "").encode())
        if isinstance(data, str):
            data = data.encode()
    if len(data) > MAX_JWS_BYTES:
        raise PayloadTooLarge("That is too large to be a certificate.",
                              error="CERTIFICATE_TOO_LARGE",
                              message_it="È troppo grande per essere un certificato.")
    text = data.decode("utf-8", "replace").strip()
    if not text:
        raise BadRequest("Send the certificate (the .jws file) in the 'certificate' field.",
                         error="CERTIFICATE_MISSING",
                         message_it="Invia il certificato (file .jws) nel campo 'certificate'.",
                         errors={"certificate": ["Missing data for required field."]})
    return text


@wellknown_blp.route("/jwks.json")
class Jwks(MethodView):
    @wellknown_blp.response(200)
    def get(self) -> Any:
        """Every public key the gateway has ever signed with (JWKS; ``kid`` = RFC 7638)."""
        response = jsonify(certificates.jwks(runtime().store))
        response.headers["Cache-Control"] = "public, max-age=300"
        return response


__all__ = ["blp", "verify_blp", "wellknown_blp"]
