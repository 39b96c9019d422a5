"""The TikTok Shop sandbox ASGI app (shopee-tiktokshop.md Part B): the Partner API's versioned paths as
TikTok serves them (see ``dispatch`` for the order of checks and ``errors`` for codes and statuses), the auth
host's token endpoints and authorization pages on the same app, and the ``/_sandbox/...`` control API.
``app.state.sandbox`` is the ``TikTokShopSandbox`` behind it.
"""

from __future__ import annotations

from starlette.applications import Starlette

from aiostore.sandbox.common.state import sandbox_app
from aiostore.sandbox.tiktokshop import (
    routes_auth,
    routes_edit,
    routes_order,
    routes_product,
    routes_reference,
)
from aiostore.sandbox.tiktokshop.config import TikTokShopSandboxConfig
from aiostore.sandbox.tiktokshop.control import control_routes
from aiostore.sandbox.tiktokshop.dispatch import api_route
from aiostore.sandbox.tiktokshop.state import TikTokShopSandbox

ENDPOINTS = [
    *routes_auth.ENDPOINTS,
    *routes_product.ENDPOINTS,
    *routes_edit.ENDPOINTS,
    *routes_reference.ENDPOINTS,
    *routes_order.ENDPOINTS,
]


def create_app(
    config: TikTokShopSandboxConfig | None = None, *, sandbox: TikTokShopSandbox | None = None
) -> Starlette:
    """A TikTok Shop Partner API simulator; pass ``sandbox`` to serve an existing state object."""
    state = sandbox if sandbox is not None else TikTokShopSandbox(config)
    return sandbox_app(
        state, [*routes_auth.page_routes(state), *control_routes(state), api_route(state, ENDPOINTS)]
    )
