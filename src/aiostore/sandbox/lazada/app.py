"""The Lazada sandbox ASGI app (lazada-tokopedia.md Part A): the gateways' ``/rest/...`` as Lazada serves
them (see ``dispatch`` for gateways and the order of checks), the OAuth approval page, and the
``/_sandbox/...`` control API. ``app.state.sandbox`` is the ``LazadaSandbox`` behind it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware

from aiostore.sandbox.common import DateHeaderMiddleware
from aiostore.sandbox.lazada import routes_auth, routes_order, routes_product
from aiostore.sandbox.lazada.config import LazadaSandboxConfig
from aiostore.sandbox.lazada.control import control_routes
from aiostore.sandbox.lazada.dispatch import api_routes
from aiostore.sandbox.lazada.state import LazadaSandbox

ENDPOINTS = [*routes_auth.ENDPOINTS, *routes_product.ENDPOINTS, *routes_order.ENDPOINTS]


def create_app(
    config: LazadaSandboxConfig | None = None, *, sandbox: LazadaSandbox | None = None
) -> Starlette:
    """A Lazada Open Platform simulator; pass ``sandbox`` to serve an existing state object."""
    state = sandbox if sandbox is not None else LazadaSandbox(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await state.aclose()

    app = Starlette(
        routes=[*control_routes(state), *routes_auth.oauth_routes(state), *api_routes(state, ENDPOINTS)],
        lifespan=lifespan,
        middleware=[Middleware(DateHeaderMiddleware, now=state.now)],
    )
    app.state.sandbox = state
    return app
