"""`aiostore sandbox PLATFORM`: run one marketplace sandbox on its own port (DESIGN.md "Marketplace
sandboxes"). Every platform's command takes the same flags; each sandbox package says what they mean
for its platform (`aiostore.sandbox.<platform>.standalone`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import typer
import uvicorn
from rich.console import Console

from aiostore.connectors import registry
from aiostore.domain.platforms import Platform
from aiostore.sandbox.common import MARKETS, StandaloneFlags

app = typer.Typer(help="Run a marketplace sandbox (a faithful simulator of the platform's seller API).")
console = Console()


@app.callback()
def sandbox() -> None:
    """Run a marketplace sandbox on its own port."""


def _region(value: str) -> str:
    if value.upper() not in MARKETS:
        raise typer.BadParameter(f"choose one of {', '.join(MARKETS)}")
    return value.upper()


def _standalone(platform: Platform) -> ModuleType | None:
    try:
        return importlib.import_module(f"aiostore.sandbox.{platform.value}.standalone")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(f"aiostore.sandbox.{platform.value}"):
            return None
        raise


def _callback(platform: Platform) -> str:
    """This service's OAuth callback for ``platform``, as `aiostore serve` with these settings sends it."""
    from aiostore.cli.installation import settings_or_exit
    from aiostore.services.channels import redirect_url

    return redirect_url(settings_or_exit(), platform.value)


def connect_hint(platform: Platform, app: Any, host: str, port: int) -> str:
    """The exact AIOSTORE_* settings with which `aiostore serve` connects to this sandbox."""
    from aiostore.cli.installation import settings_or_exit
    from aiostore.services.sandbox_settings import SandboxApp, env_lines

    harness = importlib.import_module(f"aiostore.sandbox.{platform.value}.harness").harness(app)
    sandbox = SandboxApp(
        platform.value, harness.app_key, harness.app_secret, f"http://{host}:{port}", harness
    )
    settings = settings_or_exit()
    lines = "\n".join(f"  {line}" for line in env_lines(sandbox, settings.service_url))
    return (
        "To connect AIOStore to this sandbox, put these in its .env (or environment) and restart it:\n"
        f"{lines}\n"
        f'then connect the shop (POST /api/channels/connect {{"platform": "{platform.value}", '
        f'"market": "{harness.market}"}}) and approve on the sandbox\'s page. '
        f"Control routes: http://{host}:{port}/_sandbox"
    )


def _command(platform: Platform, module: ModuleType) -> Callable[..., None]:
    def run(
        port: int = typer.Option(module.DEFAULT_PORT, "--port", help="TCP port to listen on."),
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind."),
        app_key: str = typer.Option("100001", "--app-key", help="The app's key (Shopee: partner_id)."),
        app_secret: str = typer.Option(
            f"{platform.value}-sandbox-secret", "--app-secret", help="The app's secret."
        ),
        shop_id: str = typer.Option("200001", "--shop-id", help="The seeded shop."),
        access_token: str = typer.Option(
            f"{platform.value}-sandbox-access-token",
            "--access-token",
            help="A known access token for the shop.",
        ),
        region: str = typer.Option("ID", "--region", callback=_region, help="ID, SG or MY."),
        products: int = typer.Option(500, "--products", min=0, help="Products to seed."),
        orders: int = typer.Option(200, "--orders", min=0, help="Orders to seed."),
        push_url: str | None = typer.Option(None, "--push-url", help="Where pushes (webhooks) are POSTed."),
        fault_rate: float = typer.Option(
            0.0, "--fault-rate", min=0.0, max=1.0, help="Share of calls that fail."
        ),
        latency_ms: int = typer.Option(0, "--latency-ms", min=0, help="Added latency per call."),
        seed: int = typer.Option(1, "--seed", help="Seed of the generated data and the faults."),
        redirect_url: str | None = typer.Option(
            None,
            "--redirect-url",
            help="The app's registered redirect URL (default: this service's OAuth callback).",
        ),
    ) -> None:
        flags = StandaloneFlags(
            host,
            port,
            app_key,
            app_secret,
            shop_id,
            access_token,
            region,
            products,
            orders,
            push_url,
            fault_rate,
            latency_ms,
            seed,
            redirect_url or _callback(platform),
        )
        try:
            built = module.from_flags(flags)
        except ValueError as exc:
            console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(1) from exc
        console.print(built.banner, highlight=False)
        console.print(connect_hint(platform, built.app, host, port), highlight=False, markup=False)
        # Our logging (log_config=None): uvicorn's own config would print every URL, tokens and signatures
        # included, past the redacting processors.
        uvicorn.run(built.app, host=host, port=port, log_level="info", log_config=None, date_header=False)

    run.__doc__ = f"{module.NAME} sandbox."
    return run


for _plugin in registry.plugins():  # every platform the registry knows that has a sandbox
    _module = _standalone(_plugin.platform)
    if _module is not None:
        app.command(name=_plugin.name)(_command(_plugin.platform, _module))
