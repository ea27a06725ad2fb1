"""The versioned JSON API (FastAPI) with access control: routes in ``*_routes`` modules, every
error through one envelope (``envelope``), Prometheus text from ``prometheus``.

The app itself is built in :mod:`chipcustoms.app.server` (``create_app``, and the factory
``app_from_settings`` that ``serve --workers N`` hands uvicorn). This package does not import
it: the pages import the API's schemas, and the server imports both, so an import here made
``import chipcustoms.app.server`` fail when it came first.
"""
