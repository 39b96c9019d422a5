"""CLI fixtures: the command line pointed at the test database, and data set up directly in it.

Commands run `asyncio.run` themselves, so async tests invoke them in a thread (`cli`), leaving the
test's own event loop free (for a worker, say).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from aiostore.cli import output
from aiostore.cli.main import app
from aiostore.db.engine import DatabaseURLs
from aiostore.db.models import ChannelAccount, ChannelRoute, Inventory, Listing, Product, Variant
from aiostore.db.session import Database
from aiostore.log import configure_logging
from aiostore.services import channels
from aiostore.settings import Settings, get_settings
from tests.conftest import database_env

runner = CliRunner()


@pytest.fixture
def cli_env(
    urls: DatabaseURLs, test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    env = database_env(test_settings)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    # Wide enough that tables never cut an id (a terminal-less console is 80 columns).
    monkeypatch.setattr(output.out, "width", 250)
    monkeypatch.setattr(output.console, "width", 250)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


async def cli(*args: str) -> Result:
    """Run `aiostore ARGS...` in a thread (it has its own event loop)."""
    try:
        return await asyncio.to_thread(runner.invoke, app, list(args))
    finally:
        # The command set up logging on the runner's stream, closed now: back to the tests' own.
        configure_logging("INFO", json_logs=False)


async def make_channel(
    db: Database,
    org_id: uuid.UUID,
    *,
    platform: str = "shopee",
    market: str = "ID",
    status: str = channels.CONNECTED,
) -> uuid.UUID:
    """A channel account with its global route (no tokens: nothing here calls the platform)."""
    async with db.transaction(org_id) as session:
        account = ChannelAccount(
            org_id=org_id,
            platform=platform,
            market=market,
            shop_id=uuid.uuid4().hex[:12],
            shop_name=f"Toko {platform}",
            status=status,
            extra={},
        )
        session.add(account)
        await session.flush()
        session.add(
            ChannelRoute(
                channel_account_id=account.id,
                org_id=org_id,
                platform=platform,
                shop_id=account.shop_id,
                active=status != channels.DISCONNECTED,
            )
        )
    return account.id


async def make_variant(db: Database, org_id: uuid.UUID, sku: str, on_hand: int = 0) -> uuid.UUID:
    async with db.transaction(org_id) as session:
        product = Product(org_id=org_id, title=f"Produk {sku}", description="", images=[], attributes={})
        session.add(product)
        await session.flush()
        variant = Variant(
            org_id=org_id, product_id=product.id, sku=sku, option_values={}, images=[], attributes={}
        )
        session.add(variant)
        await session.flush()
        session.add(
            Inventory(org_id=org_id, variant_id=variant.id, on_hand=on_hand, reserved=0, safety_buffer=0)
        )
    return variant.id


async def make_listing(
    db: Database,
    org_id: uuid.UUID,
    channel_id: uuid.UUID,
    item_id: str,
    model_id: str,
    sku: str | None,
    *,
    variant_id: uuid.UUID | None = None,
    name: str = "",
    variant_name: str = "",
    price: str | None = None,
    currency: str | None = None,
    stock: int | None = None,
) -> uuid.UUID:
    state: dict[str, Any] = {
        "name": name,
        "variant_name": variant_name,
        "options": [variant_name] if variant_name else [],
        "price": price,
        "currency": currency,
        "stock": stock,
        "status": "NORMAL",
    }
    async with db.transaction(org_id) as session:
        listing = Listing(
            org_id=org_id,
            channel_account_id=channel_id,
            variant_id=variant_id,
            platform_item_id=item_id,
            platform_model_id=model_id,
            platform_sku=sku,
            title=f"{name} ({variant_name})" if variant_name else name,
            status="active",
            platform_state=state,
            platform_stock=stock,
            overrides={},
            sync_state="in_sync",
        )
        session.add(listing)
        await session.flush()
    return listing.id
