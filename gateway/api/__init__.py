"""The REST API under ``/api/v1`` (flask-smorest), its OpenAPI document and health check."""

from __future__ import annotations

from flask import Flask, jsonify
from flask_smorest import Api

from .errors import register_error_handlers


def init_api(app: Flask) -> Api:
    """Register the API blueprints, the OpenAPI document and the error handlers."""
    app.config.setdefault("API_TITLE", "Contact-list certification gateway")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = Api(app, spec_kwargs={"info": {"description": "Upload contact lists, follow their "
                                         "validation, download certified lists and signed "
                                         "certificates."}})
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "API key"}
    )
    api.spec.options["security"] = [{"bearer": []}]

    from .batches import blp as batches_blp
    from .certified import blp as certified_blp
    from .certified import verify_blp, wellknown_blp

    for blp in (batches_blp, certified_blp, verify_blp, wellknown_blp):
        api.register_blueprint(blp)
    register_error_handlers(app)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    return api
