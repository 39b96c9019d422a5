"""The Tokopedia FS API sandbox ASGI app (lazada-tokopedia.md Part B): the accounts host's ``/token``, the FS
host's paths as Tokopedia serves them (see ``dispatch`` for the order of checks, ``errors`` for statuses and
codes), the seller's approval page and the ``/_sandbox/...`` control API. ``app.state.sandbox`` is the
``TokopediaSandbox`` behind it.
"""

from __future__ import annotations

from starlette.applications import Starlette

from aiostore.sandbox.common.state import sandbox_app
from aiostore.sandbox.tokopedia import routes_auth, routes_order, routes_product, routes_reference
from aiostore.sandbox.tokopedia.config import TokopediaSandboxConfig
from aiostore.sandbox.tokopedia.control import control_routes
from aiostore.sandbox.tokopedia.dispatch import api_route
from aiostore.sandbox.tokopedia.state import TokopediaSandbox

ENDPOINTS = [
    *routes_auth.ENDPOINTS,
    *routes_product.ENDPOINTS,
    *routes_reference.ENDPOINTS,
    *routes_order.ENDPOINTS,
]


def create_app(
    config: TokopediaSandboxConfig | None = None, *, sandbox: TokopediaSandbox | None = None
) -> Starlette:
    """A Tokopedia FS API simulator; pass ``sandbox`` to serve an existing state object."""
    state = sandbox if sandbox is not None else TokopediaSandbox(config)
    return sandbox_app(
        state, [routes_auth.approve_route(state), *control_routes(state), api_route(state, ENDPOINTS)]
    )
