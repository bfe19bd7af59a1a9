"""Contact-list certification gateway for Italian telemarketing."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from flask import Flask

from .config import Config
from .runtime import Runtime

__version__ = "0.1.0"


def create_app(config: Config | dict[str, Any] | None = None, **services: Any) -> Flask:
    """Build the Flask application and wire every service once.

    ``config`` is a :class:`Config`, a dict of overrides on top of the environment, or None for
    the environment alone. ``services`` may inject ``store``, ``s3_client`` or ``kms_client``.
    """
    if config is None:
        config = Config.from_env()
    elif isinstance(config, dict):
        config = Config.from_env(**config)
    if config.secret_key is None:
        # A random per-process key keeps sessions working without configuration; set
        # GATEWAY_SECRET_KEY when several processes serve the portal.
        config = replace(config, secret_key=secrets.token_urlsafe(32))

    app = Flask(__name__)
    app.config["SECRET_KEY"] = config.secret_key
    app.config["MAX_CONTENT_LENGTH"] = None  # uploads enforce their own limit while streaming
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = config.cookie_secure
    app.config["GATEWAY"] = config

    runtime = Runtime(config, **services)
    app.extensions["gateway"] = runtime

    from .api import init_api
    from .portal import init_portal

    init_api(app)
    init_portal(app)

    if config.start_jobs:
        runtime.jobs.start()
    return app
