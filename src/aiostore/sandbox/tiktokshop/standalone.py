"""``aiostore sandbox tiktokshop``: the TikTok Shop sandbox from the shared standalone flags.

--app-key / --app-secret are the app's key and secret, --shop-id the shop's id (its shop_cipher is
derived and printed), --access-token a token valid for the shop's seller, --redirect-url the app's
registered redirect URL (where an approval sends the browser with the code). One host serves the API, the
auth host's token endpoints and the authorization pages.
"""

from __future__ import annotations

from aiostore.sandbox.common import Standalone, StandaloneFlags
from aiostore.sandbox.tiktokshop.app import create_app
from aiostore.sandbox.tiktokshop.config import TikTokShopSandboxConfig

NAME = "TikTok Shop Partner API (202309)"
DEFAULT_PORT = 8802
MARKETS = ("ID", "SG", "MY")


def from_flags(flags: StandaloneFlags) -> Standalone:
    if flags.region.upper() not in MARKETS:
        raise ValueError(f"TikTok Shop serves sellers in {', '.join(MARKETS)} here, not {flags.region}")
    if not flags.shop_id:
        raise ValueError("--shop-id must not be empty")
    config = TikTokShopSandboxConfig(
        app_key=flags.app_key,
        app_secret=flags.app_secret,
        shop_id=flags.shop_id,
        region=flags.region.upper(),
        redirect_url=flags.redirect_url,
        **flags.shared_config(),
    )
    app = create_app(config)
    sandbox = app.state.sandbox
    shop = sandbox.shop(flags.shop_id)
    refresh = next((g.value for g in sandbox.tokens.refresh.values()), "")
    base = flags.base_url
    banner = (
        f"[bold]TikTok Shop sandbox[/bold] on {base}  app_key={flags.app_key} shop_id={shop.shop_id} "
        f"shop_cipher={shop.cipher} region={shop.region} products={flags.products} orders={flags.orders}\n"
        f"access_token={flags.access_token} refresh_token={refresh}  authorize: {base}/oauth/authorize?"
        f"app_key={flags.app_key}  control API: {base}/_sandbox/state"
    )
    return Standalone(app, banner)
