"""Shopee Open Platform v2 sandbox (shared/marketplaces/shopee-tiktokshop.md Part A).

`create_app(ShopeeSandboxConfig(...))` returns the ASGI app; `app.state.sandbox` is the `ShopeeSandbox`.
"""

from aiostore.sandbox.shopee.app import create_app
from aiostore.sandbox.shopee.config import ShopeeSandboxConfig
from aiostore.sandbox.shopee.state import ShopeeSandbox

__all__ = ["ShopeeSandbox", "ShopeeSandboxConfig", "create_app"]
