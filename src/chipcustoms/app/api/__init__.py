"""The HTTP server: the engine behind a versioned JSON API (FastAPI), with access control.

``create_app(db)`` builds an app for one store; routes live in ``routes_*`` modules, every error
leaves through one envelope (``errors``), and ``metrics`` serves Prometheus text.
"""

from chipcustoms.app.server import app_from_settings, create_app

__all__ = ["app_from_settings", "create_app"]
