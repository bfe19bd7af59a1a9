"""Serving the gateway with a production WSGI server (waitress)."""

from __future__ import annotations

import logging

from ..config import Config

# Room for the multipart envelope around the largest allowed file.
_BODY_OVERHEAD = 1024 * 1024


def serve(config: Config, *, host: str, port: int, threads: int = 8) -> None:
    """Run the application on ``host:port`` until interrupted."""
    import waitress

    from .. import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(config)
    # waitress spools request bodies above inbuf_overflow to a temporary file, so an upload
    # of any size costs disk, not memory, before the app streams it into the store.
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=config.max_upload_bytes + _BODY_OVERHEAD,
        ident="gateway",
        clear_untrusted_proxy_headers=True,
    )
