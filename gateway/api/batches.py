"""``/api/v1/batches``: uploads, listing, state, retry."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from .. import batches, delivery
from ..errors import BadRequest, PayloadTooLarge, ValidationFailed
from .auth import client_ip, current_principal, runtime
from .downloads import stream
from .schemas import BatchListArgs, BatchPageSchema, BatchSchema, ReportArgs, UploadFormSchema

blp = Blueprint("batches", __name__, url_prefix="/api/v1/batches",
                description="Vendors upload batches; vendors and buyers follow them.")

# Room for the multipart envelope around the file itself.
_MULTIPART_OVERHEAD = 1024 * 1024


def receive_upload(max_bytes: int) -> tuple[batches.UploadSink | None, dict[str, str]]:
    """Parse the multipart body, streaming the file part straight into the store."""
    store = runtime().store
    sinks: list[batches.UploadSink] = []

    def stream_factory(total_content_length: Any, content_type: Any, filename: Any,
                       content_length: Any = None) -> batches.UploadSink:
        if sinks:
            raise BadRequest("Send exactly one file per upload.", error="UPLOAD_MULTIPLE_FILES",
                             message_it="Invia un solo file per caricamento.")
        sink = batches.UploadSink(store, max_bytes=max_bytes, filename=filename)
        sinks.append(sink)
        return sink

    if request.mimetype != "multipart/form-data":
        raise BadRequest(
            "Send the file as multipart/form-data with the fields 'file' and 'buyer_id'.",
            error="UPLOAD_NOT_MULTIPART",
            message_it="Invia il file come multipart/form-data con i campi 'file' e 'buyer_id'.",
        )
    length = request.content_length
    if length is not None and length > max_bytes + _MULTIPART_OVERHEAD:
        raise PayloadTooLarge(
            f"The file is larger than the upload limit of {max_bytes} bytes.",
            message_it=f"Il file supera il limite di {max_bytes} byte.",
        )
    # The form-memory limit also bounds the decoder's buffer, which holds one read chunk
    # (64 KiB) plus a partial boundary: 1 MiB leaves room while keeping fields small.
    parser = FormDataParser(stream_factory=stream_factory, max_form_memory_size=1024 * 1024,
                            max_form_parts=20, silent=False)
    try:
        _, form, files = parser.parse(request.stream, request.mimetype, length,
                                      request.mimetype_params)
    except (ValueError, RequestEntityTooLarge) as exc:
        for sink in sinks:
            sink.abort()
        if isinstance(exc, RequestEntityTooLarge):
            raise PayloadTooLarge() from None
        raise BadRequest("The upload body is malformed or was cut off; send it again.",
                         error="UPLOAD_TRUNCATED",
                         message_it="Il caricamento è malformato o interrotto; invialo di nuovo.",
                         ) from None
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    sink = sinks[0] if sinks else None
    if sink is not None and "file" not in files:
        # The parser saw the file part start but never its end: the body was cut off.
        sink.abort()
        raise BadRequest("The upload was cut off before the file ended; send it again.",
                         error="UPLOAD_TRUNCATED",
                         message_it="Il caricamento si è interrotto prima della fine del file; "
                                    "invialo di nuovo.")
    return sink, {k: v for k, v in form.items()}


@blp.route("")
class Batches(MethodView):
    @blp.arguments(BatchListArgs, location="query")
    @blp.response(200, BatchPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List batches: a vendor its own, a buyer those addressed to it, newest first."""
        principal = current_principal()
        items, cursor = batches.list_batches(runtime().store, principal, limit=args["limit"],
                                             after=args["cursor"], state=args["state"])
        return {"items": [batches.public_view(b) for b in items], "next_cursor": cursor}

    @blp.doc(requestBody={"content": {"multipart/form-data": {"schema": UploadFormSchema}}})
    @blp.response(202, BatchSchema, description="Batch created and queued")
    @blp.alt_response(200, schema=BatchSchema, description="The same file was already uploaded")
    def post(self) -> Any:
        """Upload a CSV or XLSX batch addressed to one buyer (multipart: file, buyer_id)."""
        principal = current_principal(("vendor",))
        rt = runtime()
        sink, form = receive_upload(rt.config.max_upload_bytes)
        if sink is None:
            raise ValidationFailed("The file field is required.", error="FILE_MISSING",
                                   message_it="Il campo file è obbligatorio.",
                                   errors={"file": ["Missing data for required field."]})
        result = batches.accept_upload(rt.store, sink, principal=principal,
                                       buyer_id=form.get("buyer_id"), ip=client_ip(),
                                       enqueue=rt.jobs.submit)
        return batches.public_view(result.batch), 202 if result.created else 200


@blp.route("/<batch_id>")
class Batch(MethodView):
    @blp.response(200, BatchSchema)
    def get(self, batch_id: str) -> dict[str, Any]:
        """One batch: state, progress, counts and reasons."""
        principal = current_principal()
        return batches.public_view(batches.visible_batch(runtime().store, principal, batch_id))


@blp.route("/<batch_id>/retry")
class Retry(MethodView):
    @blp.response(202, BatchSchema)
    def post(self, batch_id: str) -> dict[str, Any]:
        """Run a failed batch again (admins)."""
        principal = current_principal(("admin",))
        rt = runtime()
        batch = batches.retry_batch(rt.store, principal, batch_id, ip=client_ip(),
                                    enqueue=rt.jobs.submit)
        return batches.public_view(batch)


@blp.route("/<batch_id>/decision")
class Decision(MethodView):
    @blp.response(200, content_type="application/jose")
    def get(self, batch_id: str) -> Any:
        """The signed decision (certificate or rejection notice), a compact JWS."""
        principal = current_principal(("vendor", "buyer", "admin"))
        rt = runtime()
        batch = batches.visible_batch(rt.store, principal, batch_id)
        return stream(delivery.open_decision(rt.store, principal, batch, ip=client_ip()))


@blp.route("/<batch_id>/report")
class Report(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, content_type="application/json")
    def get(self, args: dict[str, Any], batch_id: str) -> Any:
        """Every rejected or warned row with its codes: JSON, CSV or a styled XLSX."""
        principal = current_principal()
        rt = runtime()
        batch = batches.visible_batch(rt.store, principal, batch_id)
        return stream(delivery.open_report(rt.store, principal, batch, args["format"],
                                           ip=client_ip()))


@blp.route("/<batch_id>/rpo-request")
class RpoRequest(MethodView):
    @blp.response(200, content_type="text/csv")
    def get(self, batch_id: str) -> Any:
        """The numbers to submit to the RPO before this waiting batch can be judged (CSV)."""
        principal = current_principal()
        rt = runtime()
        batch = batches.visible_batch(rt.store, principal, batch_id)
        return stream(delivery.open_rpo_request(rt.store, principal, batch, ip=client_ip()))
