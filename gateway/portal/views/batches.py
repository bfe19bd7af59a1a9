"""Batch pages: the list, the upload (with transfer progress), one batch live, its downloads."""

from __future__ import annotations

from typing import Any

from flask import jsonify, redirect, request, url_for

from ... import batches, delivery
from ...accounts import get_org, list_orgs
from ...api.batches import receive_upload
from ...api.downloads import stream as send
from ...errors import GatewayError, ValidationFailed
from .. import charts, i18n
from ..blueprint import (
    blp,
    check_csrf,
    client_ip,
    principal,
    render,
    requires,
    runtime,
    store,
    submitted_csrf,
    wants_json,
)

# States in which the batch is still moving on its own; the page keeps polling.
MOVING_STATES = ("received", "validating")
PAGE_SIZE = 25


def org_names(ids: set[str]) -> dict[str, str]:
    """Map organisation ids to display names (an unknown id shows as itself)."""
    names = {}
    for org_id in ids:
        try:
            names[org_id] = get_org(store(), org_id)["name"]
        except GatewayError:
            names[org_id] = org_id
    return names


def batch_status(batch: dict[str, Any], lang: str) -> dict[str, Any]:
    """The small JSON document the batch page polls."""
    progress = batch.get("progress") or {}
    done = progress.get("rows_done") or 0
    total = progress.get("rows_total")
    return {
        "id": batch["id"],
        "state": batch["state"],
        "state_label": i18n.state_label(batch["state"], lang),
        "moving": batch["state"] in MOVING_STATES,
        "rows_done": done,
        "rows_total": total,
        "percent": round(100 * done / total) if total else None,
        "progress_text": i18n.progress_text(done, total, lang),
        "decision": batch.get("decision"),
        "counts": batch.get("counts"),
    }


@blp.get("/batches", endpoint="batches")
@requires("vendor", "buyer", "admin")
def batches_page() -> Any:
    """Batches the user's organisation may see, newest first, with state and counts."""
    who = principal()
    state = request.args.get("state") or None
    if state is not None and state not in batches.STATES:
        state = None
    items, cursor = batches.list_batches(
        store(), who, limit=PAGE_SIZE, after=request.args.get("after") or None, state=state
    )
    names = org_names({b["vendor_id"] for b in items} | {b["buyer_id"] for b in items})
    return render(
        "batches.html", items=items, cursor=cursor, names=names, state=state, states=batches.STATES
    )


@blp.route("/batches/new", methods=["GET", "POST"])
@requires("vendor")
def upload() -> Any:
    """The upload page; a POST streams the file into the store exactly as the API does."""
    if request.method == "GET":
        return render(
            "upload.html",
            buyers=list_orgs(store(), "buyer"),
            profile_missing=not get_org(store(), principal().org_id).get("profile"),
        )
    rt = runtime()
    header_token = request.headers.get("X-CSRF-Token")
    if header_token is not None:
        # Refused before a byte of the file is read.
        check_csrf(header_token)
    sink, form = receive_upload(rt.config.max_upload_bytes)
    if header_token is None:
        try:
            check_csrf(submitted_csrf(form))
        except GatewayError:
            if sink is not None:
                sink.abort()
            raise
    if sink is None:
        raise ValidationFailed(
            "Choose a file to upload.",
            error="FILE_MISSING",
            message_it="Scegli un file da caricare.",
            errors={"file": ["Missing data for required field."]},
        )
    result = batches.accept_upload(
        rt.store,
        sink,
        principal=principal(),
        buyer_id=form.get("buyer_id"),
        ip=client_ip(),
        enqueue=rt.jobs.submit,
    )
    batch_id = result.batch["id"]
    if wants_json():
        return jsonify(
            {
                "id": batch_id,
                "created": result.created,
                "url": url_for("portal.batch", batch_id=batch_id),
                "status_url": url_for("portal.batch_status_json", batch_id=batch_id),
                "panel_url": url_for("portal.batch_panel", batch_id=batch_id),
            }
        ), 202 if result.created else 200
    return redirect(url_for("portal.batch", batch_id=batch_id), code=303)


def _panel_context(batch: dict[str, Any], lang: str) -> dict[str, Any]:
    counts = batch.get("counts") or {}
    by_code = counts.get("by_code") or {}
    names = org_names({batch["vendor_id"], batch["buyer_id"]})
    return {
        "batch": batch,
        "names": names,
        "status": batch_status(batch, lang),
        "chart": charts.bars_by_code(by_code, lang) if by_code else None,
        "by_code": sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0])),
        "artefacts": batch.get("artefacts") or {},
        "moving": batch["state"] in MOVING_STATES,
        "list_id": delivery.list_id_of(batch["id"]),
    }


@blp.get("/batches/<batch_id>")
def batch(batch_id: str) -> Any:
    """One batch: state, live progress, decision, rejections by code, downloads."""
    found = batches.visible_batch(store(), principal(), batch_id)
    lang = i18n.current_language()
    return render("batch.html", **_panel_context(found, lang))


@blp.get("/batches/<batch_id>/panel")
def batch_panel(batch_id: str) -> Any:
    """The batch page's main panel alone, for the script to swap in when the state changes."""
    found = batches.visible_batch(store(), principal(), batch_id)
    lang = i18n.current_language()
    return render("_batch_panel.html", **_panel_context(found, lang))


@blp.get("/batches/<batch_id>/status")
def batch_status_json(batch_id: str) -> Any:
    """State and progress as JSON, polled by the page while the batch is judged."""
    found = batches.visible_batch(store(), principal(), batch_id)
    return jsonify(batch_status(found, i18n.current_language()))


@blp.get("/batches/<batch_id>/report.<fmt>")
def batch_report(batch_id: str, fmt: str) -> Any:
    """Download the report as JSON, CSV or XLSX."""
    who = principal()
    found = batches.visible_batch(store(), who, batch_id)
    return send(delivery.open_report(store(), who, found, fmt, ip=client_ip()))


@blp.get("/batches/<batch_id>/decision.jws")
def batch_decision(batch_id: str) -> Any:
    """Download the signed decision (certificate or rejection notice)."""
    who = principal()
    found = batches.visible_batch(store(), who, batch_id)
    return send(delivery.open_decision(store(), who, found, ip=client_ip()))


@blp.get("/batches/<batch_id>/rpo-request.csv")
def batch_rpo_request(batch_id: str) -> Any:
    """Download the numbers a waiting batch needs an RPO consultation for."""
    who = principal()
    found = batches.visible_batch(store(), who, batch_id)
    return send(delivery.open_rpo_request(store(), who, found, ip=client_ip()))


@blp.post("/batches/<batch_id>/retry")
@requires("admin")
def batch_retry(batch_id: str) -> Any:
    """Run a failed batch again (administrators)."""
    rt = runtime()
    batches.retry_batch(rt.store, principal(), batch_id, ip=client_ip(), enqueue=rt.jobs.submit)
    return redirect(url_for("portal.batch", batch_id=batch_id), code=303)
