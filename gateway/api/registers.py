"""``/api/v1/rpo/consultations`` (admins) and ``/api/v1/objections`` (buyers, admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import audit
from ..errors import ValidationFailed
from ..objections import ObjectionLedger
from ..rpo import RpoLedger
from .auth import client_ip, current_principal, runtime

rpo_blp = Blueprint("rpo", __name__, url_prefix="/api/v1/rpo",
                    description="RPO consultation results (esiti), imported by admins.")
objections_blp = Blueprint("objections", __name__, url_prefix="/api/v1/objections",
                           description="Objections recorded by buyers (for themselves).")


def parse_time_field(value: str | None, field: str, *, required: bool) -> datetime | None:
    """Read a timestamp form field in any accepted form; 422 naming the field otherwise."""
    from ..rules.timestamps import parse_timestamp

    if not value:
        if required:
            raise ValidationFailed(f"The {field} field is required.", error="FIELD_MISSING",
                                   message_it=f"Il campo {field} è obbligatorio.",
                                   errors={field: ["Missing data for required field."]})
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        raise ValidationFailed(
            f"{field} is not a date and time in an accepted form "
            "(ISO 8601, DD/MM/YYYY HH:MM, or a date).", error="TIMESTAMP_INVALID",
            message_it=f"{field} non è una data e ora in un formato accettato "
                       "(ISO 8601, GG/MM/AAAA HH:MM, o una data).",
            errors={field: ["Not a valid timestamp."]}) from None


def _file(name: str, *, required: bool = True) -> Any:
    part = request.files.get(name)
    if part is None and required:
        raise ValidationFailed(f"The {name} file is required.", error="FILE_MISSING",
                               message_it=f"Il file {name} è obbligatorio.",
                               errors={name: ["Missing data for required field."]})
    return part


def import_consultation(form: Any, files: Any, *, actor: str) -> dict[str, Any]:
    """Import a consultation from form fields: ``file`` (format A) or ``sent`` + ``contactable``."""
    consulted_at = parse_time_field(form.get("consulted_at"), "consulted_at", required=True)
    ledger = RpoLedger(runtime().store)
    if files.get("file") is not None:
        return ledger.import_format_a(files["file"].stream, consulted_at, actor=actor)
    if files.get("sent") is not None or files.get("contactable") is not None:
        missing = [n for n in ("sent", "contactable") if files.get(n) is None]
        if missing:
            raise ValidationFailed(
                "Format B needs both the list sent and the contactable list returned.",
                error="FILE_MISSING",
                message_it="Il formato B richiede sia la lista inviata sia quella contattabile.",
                errors={n: ["Missing data for required field."] for n in missing})
        return ledger.import_format_b(files["sent"].stream, files["contactable"].stream,
                                      consulted_at, actor=actor)
    raise ValidationFailed(
        "Send the esito as 'file' (format A) or 'sent' and 'contactable' (format B).",
        error="FILE_MISSING",
        message_it="Invia l'esito come 'file' (formato A) oppure 'sent' e 'contactable' "
                   "(formato B).",
        errors={"file": ["Missing data for required field."]})


def resume_waiting_batches() -> list[str]:
    """Queue the batches waiting for an RPO consultation (they re-check coverage themselves)."""
    rt = runtime()
    ids = rt.find_leftover_work()
    for batch_id in ids:
        rt.jobs.submit(batch_id)
    return ids


@rpo_blp.route("/consultations")
class Consultations(MethodView):
    @rpo_blp.response(200)
    def get(self) -> dict[str, Any]:
        """Every imported consultation, newest first."""
        current_principal(("admin",))
        return {"items": RpoLedger(runtime().store).consultations()}

    @rpo_blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["consulted_at"],
        "properties": {
            "consulted_at": {"type": "string", "description": "when the RPO was consulted"},
            "file": {"type": "string", "format": "binary",
                     "description": "format A: phone,registered[,registered_at]"},
            "sent": {"type": "string", "format": "binary", "description": "format B"},
            "contactable": {"type": "string", "format": "binary", "description": "format B"},
        }}}}})
    @rpo_blp.response(201)
    def post(self) -> dict[str, Any]:
        """Import an RPO consultation (esito); waiting batches resume by themselves."""
        principal = current_principal(("admin",))
        meta = import_consultation(request.form, request.files, actor=principal.org_id)
        audit.record(runtime().store, "rpo.import", actor=principal.actor(), target=meta["id"],
                     ip=client_ip(), details={"entries": meta.get("entries"),
                                              "format": meta.get("format")})
        meta = dict(meta)
        meta["resumed_batches"] = resume_waiting_batches()
        return meta


@objections_blp.route("")
class Objections(MethodView):
    @objections_blp.doc(requestBody={"content": {
        "application/json": {"schema": {"type": "object", "required": ["phone"], "properties": {
            "phone": {"type": "string"}, "recorded_at": {"type": "string"}}}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "CSV phone[,recorded_at]"}}}}}})
    @objections_blp.response(201)
    def post(self) -> dict[str, Any]:
        """Record objections to the calling buyer: one number (JSON) or a CSV file."""
        principal = current_principal(("buyer",))
        ledger = ObjectionLedger(runtime().store)
        if request.mimetype == "multipart/form-data":
            meta = ledger.import_csv(_file("file").stream, principal.org_id,
                                     actor=principal.org_id)
        else:
            body = request.get_json(silent=True) or {}
            phone = body.get("phone") if isinstance(body, dict) else None
            if not phone or not isinstance(phone, str):
                raise ValidationFailed("Send {\"phone\": ...} or a CSV file.",
                                       error="FIELD_MISSING",
                                       message_it="Invia {\"phone\": ...} oppure un file CSV.",
                                       errors={"phone": ["Missing data for required field."]})
            recorded_at = parse_time_field(body.get("recorded_at"), "recorded_at",
                                           required=False)
            meta = ledger.record_number(phone, principal.org_id, actor=principal.org_id,
                                        recorded_at=recorded_at)
        audit.record(runtime().store, "objections.record", actor=principal.actor(),
                     target=meta.get("id"), ip=client_ip(),
                     details={"entries": meta.get("entries"), "scope": principal.org_id})
        return meta


__all__ = ["objections_blp", "rpo_blp"]
