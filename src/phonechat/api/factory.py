"""Builds the application for `serve`, `sandbox` and the tests."""

from __future__ import annotations

from typing import Any

from ..clock import SystemClock
from ..settings import Settings
from ..store.db import Database
from . import (
    account_routes, docs_pages, events_routes, lifecycle_routes, oauth_routes, openapi,
    ops_routes, postman, sandbox_routes, webhook_routes,
)
from .app import App
from .http import Routes
from .ratelimit import build_limiter


def build_routes(*, sandbox: bool, metrics: bool = False, docs: bool = True) -> Routes:
    routes = Routes()
    for module in (lifecycle_routes, events_routes, webhook_routes, account_routes,
                   oauth_routes, ops_routes, openapi, postman):
        routes.merge(module.routes)
    if metrics:
        routes.merge(ops_routes.metrics_routes)
    if sandbox:
        routes.merge(sandbox_routes.routes)
    if docs:
        routes.merge(docs_pages.routes)
    return routes


def create_app(settings: Settings | None = None, *, clock: Any = None,
               db: Database | None = None) -> App:
    settings = settings or Settings.from_env()
    clock = clock or SystemClock(settings.timezone)
    sandbox = settings.sandbox and getattr(clock, "movable", False)
    app = App(settings, build_routes(sandbox=sandbox, metrics=settings.metrics,
                                     docs=settings.docs), clock, db,
              limiter=build_limiter(settings))
    if settings.metrics:
        from ..metrics import Metrics

        app.metrics = Metrics(lambda: app.db.pool_stats() if app.db is not None else None)
    return app
