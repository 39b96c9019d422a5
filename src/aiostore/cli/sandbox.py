"""`aiostore sandbox PLATFORM`: run one marketplace sandbox on its own port (DESIGN.md "Marketplace
sandboxes"). Every platform command takes the same flags; for Shopee, --app-key is the partner_id and
--app-secret the partner_key (shopee-tiktokshop.md §A2).
"""

from __future__ import annotations

import typer
import uvicorn
from rich.console import Console
from starlette.applications import Starlette

from aiostore.sandbox.common import MARKETS, FaultConfig
from aiostore.sandbox.shopee import ShopeeSandboxConfig, create_app

app = typer.Typer(help="Run a marketplace sandbox (a faithful simulator of the platform's seller API).")
console = Console()


@app.callback()
def sandbox() -> None:
    """Run a marketplace sandbox on its own port."""


def _region(value: str) -> str:
    if value.upper() not in MARKETS:
        raise typer.BadParameter(f"choose one of {', '.join(MARKETS)}")
    return value.upper()


def build_shopee_app(
    *,
    app_key: int,
    app_secret: str,
    shop_id: int,
    access_token: str,
    region: str,
    products: int,
    orders: int,
    push_url: str | None = None,
    fault_rate: float = 0.0,
    latency_ms: int = 0,
    seed: int = 1,
) -> Starlette:
    config = ShopeeSandboxConfig(
        partner_id=app_key,
        partner_key=app_secret,
        shop_id=shop_id,
        region=region,
        access_token=access_token,
        products=products,
        orders=orders,
        seed=seed,
        push_url=push_url,
        faults=FaultConfig(error_rate=fault_rate, latency_ms=latency_ms, seed=seed),
    )
    return create_app(config)


@app.command()
def shopee(
    port: int = typer.Option(8801, "--port", help="TCP port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind."),
    app_key: int = typer.Option(100001, "--app-key", help="Shopee partner_id."),
    app_secret: str = typer.Option("shopee-sandbox-partner-key", "--app-secret", help="Shopee partner_key."),
    shop_id: int = typer.Option(200001, "--shop-id", help="The seeded shop."),
    access_token: str = typer.Option(
        "shopee-sandbox-access-token", "--access-token", help="A known access token for the shop."
    ),
    region: str = typer.Option("ID", "--region", callback=_region, help="ID, SG or MY."),
    products: int = typer.Option(500, "--products", min=0, help="Products to seed."),
    orders: int = typer.Option(200, "--orders", min=0, help="Orders to seed."),
    push_url: str | None = typer.Option(None, "--push-url", help="Where order pushes are POSTed."),
    fault_rate: float = typer.Option(0.0, "--fault-rate", min=0.0, max=1.0, help="Share of calls that fail."),
    latency_ms: int = typer.Option(0, "--latency-ms", min=0, help="Added latency per call."),
    seed: int = typer.Option(1, "--seed", help="Seed of the generated data and the faults."),
) -> None:
    """Shopee Open Platform v2 sandbox."""
    asgi = build_shopee_app(
        app_key=app_key,
        app_secret=app_secret,
        shop_id=shop_id,
        access_token=access_token,
        region=region,
        products=products,
        orders=orders,
        push_url=push_url,
        fault_rate=fault_rate,
        latency_ms=latency_ms,
        seed=seed,
    )
    sandbox = asgi.state.sandbox
    refresh = next(g.value for g in sandbox.tokens.refresh.values() if g.shop_id == shop_id)
    console.print(
        f"[bold]Shopee sandbox[/bold] on http://{host}:{port}  partner_id={app_key} shop_id={shop_id} "
        f"region={region} products={products} orders={orders}\n"
        f"access_token={access_token} refresh_token={refresh}  control API: http://{host}:{port}/_sandbox/state",
        highlight=False,
    )
    uvicorn.run(asgi, host=host, port=port, log_level="info")
