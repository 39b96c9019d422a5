"""The FastAPI application: create_app(settings) wires middleware, errors and routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from aiostore import __version__
from aiostore.db.engine import resolve_urls
from aiostore.db.session import Database
from aiostore.settings import Settings, check_startup
from aiostore.web import problems
from aiostore.web.middleware import IdempotencyMiddleware, RequestContextMiddleware
from aiostore.web.routes import audit, auth, health, orgs, products, tokens

ROUTERS = (health.router, auth.router, orgs.router, tokens.router, audit.router, products.router)


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """The service. Pass `db` to share a Database (tests, `serve`); else it is opened on startup."""
    settings = check_startup(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = db is None
        app.state.db = db or Database.connect(resolve_urls(settings), pool_size=settings.db_pool_size)
        try:
            yield
        finally:
            if owned:
                await app.state.db.dispose()

    app = FastAPI(
        title="AIOStore",
        version=__version__,
        description=(
            "One catalog, one stock pool and all orders across Shopee, TikTok Shop, Tokopedia and Lazada."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    if db is not None:
        app.state.db = db
    problems.install(app)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    return app
