"""Marshmallow schemas of the API's requests and responses (they also feed the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class ProgressSchema(Schema):
    rows_done = fields.Integer()
    rows_total = fields.Integer(allow_none=True)


class BatchSchema(Schema):
    id = fields.String()
    state = fields.String(
        metadata={"enum": ["received", "validating", "awaiting_rpo", "certified", "rejected",
                           "failed"]}
    )
    vendor_id = fields.String()
    buyer_id = fields.String()
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    progress = fields.Nested(ProgressSchema)
    counts = fields.Dict(allow_none=True)
    reasons = fields.List(fields.String())
    error = fields.Dict(allow_none=True)
    file_error = fields.Dict(allow_none=True, metadata={
        "description": "for a file-level rejection: the code and messages (en, it)"})
    decision = fields.String(allow_none=True)
    valid_until = fields.String(allow_none=True)
    artefacts = fields.List(fields.String())
    created_at = fields.String()
    updated_at = fields.String()


class BatchPageSchema(Schema):
    items = fields.List(fields.Nested(BatchSchema))
    next_cursor = fields.String(allow_none=True)


class BatchListArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)
    state = fields.String(
        load_default=None,
        validate=validate.OneOf(["received", "validating", "awaiting_rpo", "certified",
                                 "rejected", "failed"]),
    )


class UploadFormSchema(Schema):
    buyer_id = fields.String(required=True, metadata={"description": "the buyer organisation"})
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ErrorSchema(Schema):
    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    message_it = fields.String()
    error = fields.String()
    errors = fields.Raw()


class ReportArgs(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class DownloadArgs(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class CertifiedListArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)
    vendor_id = fields.String(load_default=None)
    valid = fields.Boolean(load_default=False, metadata={"description": "only still-valid lists"})


class CertifiedListItemSchema(Schema):
    id = fields.String()
    batch_id = fields.String()
    vendor_id = fields.String()
    buyer_id = fields.String()
    filename = fields.String(allow_none=True)
    issued_at = fields.String(allow_none=True)
    valid_until = fields.String(allow_none=True)
    accepted = fields.Integer(allow_none=True)


class CertifiedListSchema(CertifiedListItemSchema):
    counts = fields.Dict(allow_none=True)
    certificate = fields.Dict()


class CertifiedListPageSchema(Schema):
    items = fields.List(fields.Nested(CertifiedListItemSchema))
    next_cursor = fields.String(allow_none=True)


class VerdictSchema(Schema):
    ok = fields.Boolean()
    code = fields.String()
    message = fields.String()
    message_it = fields.String()
    decision = fields.String(allow_none=True)
    kid = fields.String(allow_none=True)
    matched_subject = fields.String(allow_none=True)
    statement = fields.Dict(allow_none=True)
