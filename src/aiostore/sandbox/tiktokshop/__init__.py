"""TikTok Shop Partner API (202309+) sandbox (shared/marketplaces/shopee-tiktokshop.md Part B;
docs/marketplaces/tiktokshop.md).

``create_app(TikTokShopSandboxConfig(...))`` returns the ASGI app; ``app.state.sandbox`` is the
``TikTokShopSandbox``.
"""

from aiostore.sandbox.tiktokshop.app import create_app
from aiostore.sandbox.tiktokshop.config import TikTokShopSandboxConfig
from aiostore.sandbox.tiktokshop.state import TikTokShopSandbox

__all__ = ["TikTokShopSandbox", "TikTokShopSandboxConfig", "create_app"]
