"""Lazada Open Platform sandbox (shared/marketplaces/lazada-tokopedia.md Part A; docs/marketplaces/lazada.md).

``create_app(LazadaSandboxConfig(...))`` returns the ASGI app; ``app.state.sandbox`` is the ``LazadaSandbox``.
"""

from aiostore.sandbox.lazada.app import create_app
from aiostore.sandbox.lazada.config import LazadaSandboxConfig
from aiostore.sandbox.lazada.state import LazadaSandbox

__all__ = ["LazadaSandbox", "LazadaSandboxConfig", "create_app"]
