"""The web portal: server-rendered pages for vendors, buyers and administrators.

Italian by default, English on request (remembered in a cookie). Pages call the same services
as the API, never the API itself. ``init_portal(app)`` registers everything.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import PathConverter


class PagePathConverter(PathConverter):
    """Any path outside the API's prefixes: lets the portal answer unknown pages itself."""

    regex = r"(?!api/|\.well-known/)[^/].*?"


def init_portal(app: Flask) -> None:
    """Register the portal's pages, assets and error pages on the application."""
    from . import errors, views  # noqa: F401 - importing registers the routes and handlers
    from .blueprint import blp

    app.url_map.converters["page"] = PagePathConverter
    app.register_blueprint(blp)


__all__ = ["init_portal"]
