"""Streaming responses for artefacts."""

from __future__ import annotations

from flask import Response, stream_with_context

from ..delivery import Download


def stream(download: Download) -> Response:
    """Stream an artefact with its type and a download file name."""
    response = Response(stream_with_context(download.chunks()), mimetype=None,
                        content_type=download.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    if download.size is not None:
        response.headers["Content-Length"] = str(download.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
