"""The FastAPI application: create_app(settings) wires middleware, errors and routers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from aiostore import __version__
from aiostore.db.engine import resolve_urls
from aiostore.db.session import Database
from aiostore.domain import rules as content_rules
from aiostore.http.client import HttpPolicy
from aiostore.http.pools import PoolPerOrigin, marketplace_client
from aiostore.http.shared import policy_for
from aiostore.services import demo as demo_service
from aiostore.services.channels import Connectors
from aiostore.services.demo.world import MOUNT, DemoMount, DemoRouter
from aiostore.services.sync.context import SyncContext
from aiostore.settings import ConfigurationError, Settings, check_startup
from aiostore.web import docs, pages, problems
from aiostore.web.job_events import JobEventHub
from aiostore.web.middleware import IdempotencyMiddleware, RequestContextMiddleware
from aiostore.web.routes import (
    alerts,
    allocation,
    audit,
    auth,
    changes,
    channels,
    demo,
    health,
    jobs,
    listing_overrides,
    listings,
    membership,
    orders,
    orgs,
    platform_mapping,
    products,
    publish,
    reconciliation,
    reports,
    rules,
    sheets,
    sync,
    tokens,
    webhooks,
)
from aiostore.web.security import SecurityHeadersMiddleware
from aiostore.web.webhook_lane import WebhookLane

# Marketplace pushes come first (before the pages too: `create_app`): routes are matched in order, and the
# webhook intake is the hottest path (a push matched after every other route spent most of its CPU time
# in route matching: bench/webhooks.py).
ROUTERS = (
    webhooks.router,
    health.router,
    auth.router,
    orgs.router,
    membership.router,
    tokens.router,
    audit.router,
    products.router,
    platform_mapping.router,
    changes.router,
    publish.router,
    sheets.router,
    channels.router,
    listings.router,
    listing_overrides.router,
    allocation.router,
    sync.router,
    jobs.router,
    orders.router,
    demo.router,
    rules.router,
    alerts.router,
    reports.router,
    reconciliation.router,
)


def create_app(
    settings: Settings,
    db: Database | None = None,
    *,
    http: httpx.AsyncClient | None = None,
    policy: HttpPolicy | None = None,
) -> FastAPI:
    """The service. Pass `db` to share a Database (tests, `serve`); else it is opened on startup.

    `http` is the client connectors use to reach the marketplaces (tests pass one whose transport is a
    sandbox); by default one pooled client for the process. With the demo on (services/demo), the
    platforms' settings point at the demo's in-process sandboxes, which the default client reaches
    without a port; `http` is then refused.
    """
    settings = check_startup(settings)
    try:
        content_rules.load_all()  # a broken rules file stops the start, naming the file and key
    except content_rules.RulesFileError as exc:
        raise ConfigurationError(f"content rules: {exc}") from exc
    prepared = demo_service.prepare(settings)
    the_demo = None
    if prepared is not None:
        if http is not None:
            raise ValueError("the demo brings its own HTTP client (its sandboxes are in this process)")
        settings, the_demo = prepared
        http = marketplace_client(DemoRouter(the_demo.world, PoolPerOrigin()))
        owns_http = True
    else:
        owns_http = http is None
    http_client = http or marketplace_client()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = db is None
        app.state.db = db or Database.connect(resolve_urls(settings), pool_size=settings.db_pool_size)
        app.state.sync = SyncContext(app.state.db, app.state.connectors)
        orders: asyncio.Task[None] | None = None
        if the_demo is not None and settings.demo_order_seconds > 0:
            orders = asyncio.create_task(demo_service.run_orders(the_demo, settings.demo_order_seconds))
        try:
            yield
        finally:
            if orders is not None:
                orders.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await orders
            # What runs on this app's connectors and database stops before they close: `aiostore serve`'s
            # worker finishes the jobs it runs (a push round mid-call) while the client can still send.
            for stop in reversed(app.state.on_stop):
                await stop()
            if owned:
                await app.state.db.dispose()
            if owns_http:
                await http_client.aclose()

    app = FastAPI(
        title="AIOStore",
        version=__version__,
        description=(
            "One catalog, one stock pool and all orders across Shopee, TikTok Shop, Tokopedia and Lazada."
        ),
        lifespan=lifespan,
        docs_url=None,  # web/docs.py serves the docs from packaged files (FastAPI's pages load a CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.on_stop = []  # awaited first when the app stops, last added first (see lifespan)
    origins = the_demo.browser_origins() if the_demo is not None else {}
    if policy is None:  # with a database, quotas and breakers are shared with every worker process
        policy = policy_for(settings, db.engine if db is not None else None)
    app.state.connectors = Connectors(settings, http_client, policy, browser_origins=origins)
    app.state.job_events = JobEventHub(
        lambda: app.state.db.urls.app_conninfo(), max_streams_per_user=settings.sse_max_streams_per_user
    )
    if db is not None:
        app.state.db = db
        app.state.sync = SyncContext(db, app.state.connectors)
    problems.install(app)
    app.include_router(ROUTERS[0])  # the webhook intake (see ROUTERS)
    pages.install(app)
    if settings.cors_origins:  # none by default: the dashboard is served from the API's own origin
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "X-CSRF-Token",
                "X-Request-ID",
            ],
        )
    # Outermost last: proxy headers (trusted peers only), the webhook lane, security headers, request
    # context, idempotency.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.import_max_bytes,
    )
    app.add_middleware(SecurityHeadersMiddleware, production=settings.is_production)
    # A genuine push is stored and answered here, before the stack above (web/webhook_lane.py).
    app.add_middleware(WebhookLane, max_body_bytes=settings.max_body_bytes, production=settings.is_production)
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    for router in ROUTERS[1:]:
        app.include_router(router)
    problems.declare_problems(app)
    docs.install(app, ROUTERS)
    app.state.demo = the_demo
    app.state.demo_enabled = the_demo is not None
    if the_demo is not None:
        the_demo.service = app
        app.mount(MOUNT, DemoMount(the_demo.world))
    return app
