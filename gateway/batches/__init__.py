"""Batches: intake, manifest state machine, listing, and the job that judges a batch."""

from .manifest import FINAL_STATES, OPEN_STATES, STATES, batch_not_found
from .service import (
    IntakeResult,
    UploadSink,
    accept_upload,
    clean_filename,
    list_batches,
    public_view,
    retry_batch,
    visible_batch,
)

__all__ = [
    "FINAL_STATES",
    "OPEN_STATES",
    "STATES",
    "IntakeResult",
    "UploadSink",
    "accept_upload",
    "batch_not_found",
    "clean_filename",
    "list_batches",
    "public_view",
    "retry_batch",
    "visible_batch",
]
