"""Streaming responses for artefacts."""

from __future__ import annotations

from flask import Response

from ..delivery import Download


def stream(download: Download) -> Response:
    """Stream an artefact with its type and a download file name."""
    # The generator needs no request context: the stream is already open.
    response = Response(download.chunks(), content_type=download.content_type,
                        direct_passthrough=True)
    response.call_on_close(download.stream.close)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    if download.size is not None:
        response.headers["Content-Length"] = str(download.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
