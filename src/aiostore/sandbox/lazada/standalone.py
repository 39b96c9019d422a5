"""``aiostore sandbox lazada``: the Lazada sandbox from the shared standalone flags.

--app-key / --app-secret are the app's App Key and App Secret; --shop-id is the seller id; --region the
seller's country (ID, SG or MY). Any Lazada client can be pointed at it: gateways by path prefix
(``http://HOST:PORT/id/rest``, ``/sg/rest``, ``/my/rest``, or ``/rest`` for the seller's own country) and
the auth APIs at ``http://HOST:PORT/auth/rest``. For AIOStore set AIOSTORE_LAZADA_API_BASE_URL to
``http://HOST:PORT/{country}/rest`` and AIOSTORE_LAZADA_AUTH_BASE_URL to ``http://HOST:PORT/auth``.
"""

from __future__ import annotations

from aiostore.sandbox.common import Standalone, StandaloneFlags
from aiostore.sandbox.lazada.app import create_app
from aiostore.sandbox.lazada.config import LazadaSandboxConfig
from aiostore.sandbox.lazada.state import SERVED_COUNTRIES

NAME = "Lazada Open Platform"
DEFAULT_PORT = 8803


def from_flags(flags: StandaloneFlags) -> Standalone:
    region = flags.region.upper()
    if region not in SERVED_COUNTRIES:
        raise ValueError(
            f"Lazada serves sellers in {', '.join(sorted(SERVED_COUNTRIES))} here, not {flags.region}"
        )
    if not flags.app_key or not flags.shop_id:
        raise ValueError("--app-key and --shop-id must not be empty")
    config = LazadaSandboxConfig(
        app_key=flags.app_key,
        app_secret=flags.app_secret,
        seller_id=flags.shop_id,
        country=region,
        callback_url=flags.redirect_url,
        **flags.shared_config(),
    )
    app = create_app(config)
    sandbox = app.state.sandbox
    refresh = next(g.value for g in sandbox.tokens.refresh.values() if g.owner == flags.shop_id)
    base = flags.base_url
    banner = (
        f"[bold]Lazada sandbox[/bold] on {base}  app_key={flags.app_key} seller_id={flags.shop_id} "
        f"country={region} products={flags.products} orders={flags.orders}\n"
        f"gateway={base}/{region.lower()}/rest  auth={base}/auth/rest  authorize={base}/oauth/authorize\n"
        f"access_token={flags.access_token} refresh_token={refresh}  control API: {base}/_sandbox/state"
    )
    return Standalone(app, banner)
