"""The Shopee sandbox ASGI app (shopee-tiktokshop.md Part A): `/api/v2/...` as Shopee serves it (see
`dispatch` for the order of checks and `errors` for the HTTP statuses), the OAuth approval page, and the
`/_sandbox/...` control API. `app.state.sandbox` is the `ShopeeSandbox` behind it.
"""

from __future__ import annotations

from starlette.applications import Starlette

from aiostore.sandbox.common.state import sandbox_app
from aiostore.sandbox.shopee import (
    routes_auth,
    routes_models,
    routes_order,
    routes_product,
    routes_reference,
    routes_review,
)
from aiostore.sandbox.shopee.config import ShopeeSandboxConfig
from aiostore.sandbox.shopee.control import control_routes
from aiostore.sandbox.shopee.dispatch import api_route
from aiostore.sandbox.shopee.state import ShopeeSandbox

ENDPOINTS = [
    *routes_auth.ENDPOINTS,
    *routes_product.ENDPOINTS,
    *routes_models.ENDPOINTS,
    *routes_review.ENDPOINTS,
    *routes_reference.ENDPOINTS,
    *routes_order.ENDPOINTS,
]


def create_app(
    config: ShopeeSandboxConfig | None = None, *, sandbox: ShopeeSandbox | None = None
) -> Starlette:
    """A Shopee Open Platform v2 simulator; pass `sandbox` to serve an existing state object."""
    state = sandbox if sandbox is not None else ShopeeSandbox(config)
    return sandbox_app(
        state, [api_route(state, ENDPOINTS), routes_auth.approve_route(state), *control_routes(state)]
    )
