"""The Lazada sandbox ASGI app (lazada-tokopedia.md Part A): the gateways' ``/rest/...`` as Lazada serves
them (see ``dispatch`` for gateways and the order of checks), the OAuth approval page, and the
``/_sandbox/...`` control API. ``app.state.sandbox`` is the ``LazadaSandbox`` behind it.
"""

from __future__ import annotations

from starlette.applications import Starlette

from aiostore.sandbox.common.state import sandbox_app
from aiostore.sandbox.lazada import (
    routes_auth,
    routes_order,
    routes_product,
    routes_reference,
    routes_update,
)
from aiostore.sandbox.lazada.config import LazadaSandboxConfig
from aiostore.sandbox.lazada.control import control_routes
from aiostore.sandbox.lazada.dispatch import api_routes
from aiostore.sandbox.lazada.state import LazadaSandbox

ENDPOINTS = [
    *routes_auth.ENDPOINTS,
    *routes_product.ENDPOINTS,
    *routes_update.ENDPOINTS,
    *routes_reference.ENDPOINTS,
    *routes_order.ENDPOINTS,
]


def create_app(
    config: LazadaSandboxConfig | None = None, *, sandbox: LazadaSandbox | None = None
) -> Starlette:
    """A Lazada Open Platform simulator; pass ``sandbox`` to serve an existing state object."""
    state = sandbox if sandbox is not None else LazadaSandbox(config)
    return sandbox_app(
        state, [*control_routes(state), *routes_auth.oauth_routes(state), *api_routes(state, ENDPOINTS)]
    )
