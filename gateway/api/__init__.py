"""The REST API under ``/api/v1`` (flask-smorest), its OpenAPI document and health check."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from flask_smorest import Api

from .errors import register_error_handlers
from .schemas import ErrorSchema


class GatewayApi(Api):
    """flask-smorest's Api with the gateway's error shape in the OpenAPI document."""

    ERROR_SCHEMA = ErrorSchema


def init_api(app: Flask) -> Api:
    """Register the API blueprints, the OpenAPI document and the error handlers."""
    app.config.setdefault("API_TITLE", "Contact-list certification gateway")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = GatewayApi(app, spec_kwargs={"info": {"description": "Upload contact lists, follow their "
                                         "validation, download certified lists and signed "
                                         "certificates."}})
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "API key"}
    )
    api.spec.options["security"] = [{"bearer": []}]

    from .batches import blp as batches_blp
    from .certified import blp as certified_blp
    from .certified import verify_blp, wellknown_blp
    from .profile import blp as profile_blp
    from .registers import objections_blp, rpo_blp

    for blp in (batches_blp, certified_blp, verify_blp, wellknown_blp, profile_blp, rpo_blp,
                objections_blp):
        api.register_blueprint(blp)
    register_error_handlers(app)
    _publish_schemas(app, api)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    return api


SCHEMA_FILES = {
    "VendorProfile": "vendor_profile.schema.json",
    "BuyerProfile": "buyer_profile.schema.json",
    "Report": "report.schema.json",
    "CertificateStatement": "certificate.schema.json",
}


def _publish_schemas(app: Flask, api: Api) -> None:
    """Serve the JSON Schemas of schemas/ and reference them from the OpenAPI document."""
    import json
    from pathlib import Path

    from flask import abort

    folder = Path(__file__).resolve().parents[2] / "schemas"
    loaded: dict[str, dict] = {}
    for name, filename in SCHEMA_FILES.items():
        path = folder / filename
        if path.exists():
            loaded[filename] = json.loads(path.read_text())
            api.spec.components.schema(name, _rebase_refs(loaded[filename], name))

    @app.get("/api/v1/schemas/<name>")
    def schema_file(name: str):
        if name not in loaded:
            abort(404)
        return jsonify(loaded[name])


def _rebase_refs(schema: Any, name: str) -> Any:
    """Point a standalone schema's local ``#/$defs`` references at its place in the document."""
    if isinstance(schema, dict):
        out = {k: _rebase_refs(v, name) for k, v in schema.items() if k not in ("$schema", "$id")}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            out["$ref"] = f"#/components/schemas/{name}/{ref[2:]}"
        return out
    if isinstance(schema, list):
        return [_rebase_refs(v, name) for v in schema]
    return schema
