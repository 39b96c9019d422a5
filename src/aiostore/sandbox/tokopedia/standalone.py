"""``aiostore sandbox tokopedia``: the Tokopedia FS API sandbox from the shared standalone flags.

--app-key is the client_id and --app-secret the client_secret (lazada-tokopedia.md §B2); the app's fs_id
is 13004 (the documentation's example) and the webhook secret the client secret. --region must be ID:
Tokopedia serves Indonesian sellers only. The rate limit is the documented example, 5 req/s with bursts of
5 per endpoint.
"""

from __future__ import annotations

from aiostore.sandbox.common import Standalone, StandaloneFlags
from aiostore.sandbox.tokopedia.app import create_app
from aiostore.sandbox.tokopedia.config import TokopediaSandboxConfig
from aiostore.sandbox.tokopedia.state import refuse_region

NAME = "Tokopedia Fulfillment Service API"
DEFAULT_PORT = 8804
FS_ID = 13004


def from_flags(flags: StandaloneFlags) -> Standalone:
    refuse_region(flags.region)
    if not flags.shop_id.isdigit():
        raise ValueError("Tokopedia's --shop-id is an integer")
    config = TokopediaSandboxConfig(
        fs_id=FS_ID,
        client_id=flags.app_key,
        client_secret=flags.app_secret,
        shop_id=int(flags.shop_id),
        rate_limit_rps=5.0,
        rate_limit_burst=5,
        **flags.shared_config(),
    )
    app = create_app(config)
    base = flags.base_url
    banner = (
        f"[bold]Tokopedia sandbox[/bold] on {base}  fs_id={FS_ID} client_id={flags.app_key} "
        f"shop_id={flags.shop_id} region=ID products={flags.products} orders={flags.orders}\n"
        f"access_token={flags.access_token}  token: POST {base}/token?grant_type=client_credentials (Basic)  "
        f"approval page: {base}/authorize  control API: {base}/_sandbox/state"
    )
    return Standalone(app, banner)
