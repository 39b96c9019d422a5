"""`aiostore sandbox shopee`: the Shopee sandbox from the shared standalone flags.

--app-key is the partner_id and --app-secret the partner_key (shopee-tiktokshop.md §A2).
"""

from __future__ import annotations

from aiostore.sandbox.common import Standalone, StandaloneFlags
from aiostore.sandbox.shopee.app import create_app
from aiostore.sandbox.shopee.config import ShopeeSandboxConfig

NAME = "Shopee Open Platform v2"
DEFAULT_PORT = 8801


def from_flags(flags: StandaloneFlags) -> Standalone:
    if not flags.app_key.isdigit() or not flags.shop_id.isdigit():
        raise ValueError("Shopee's partner_id (--app-key) and --shop-id are integers")
    config = ShopeeSandboxConfig(
        partner_id=int(flags.app_key),
        partner_key=flags.app_secret,
        shop_id=int(flags.shop_id),
        region=flags.region,
        **flags.shared_config(),
    )
    app = create_app(config)
    sandbox = app.state.sandbox
    shop_id = int(flags.shop_id)
    refresh = next(g.value for g in sandbox.tokens.refresh.values() if g.owner == shop_id)
    base = flags.base_url
    banner = (
        f"[bold]Shopee sandbox[/bold] on {base}  partner_id={flags.app_key} shop_id={flags.shop_id} "
        f"region={flags.region} products={flags.products} orders={flags.orders}\n"
        f"access_token={flags.access_token} refresh_token={refresh}  control API: {base}/_sandbox/state"
    )
    return Standalone(app, banner)
