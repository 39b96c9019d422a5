"""The TikTok Shop connector under the sandbox's faults: token refresh, rate limits, retries, breaker, clock.

Retry sleeps are injected (recorded, not slept); the breaker's clock is moved with time-machine.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest

from aiostore.connectors.dtos import ProductDraft, ProductUpdate, StockUpdate
from aiostore.connectors.errors import AuthExpired, NotFound, PlatformUnavailable, RateLimited
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.sandbox.common import FaultConfig, ScriptedFault
from tests.integration.connectors.tiktokshop.conftest import TEST_LIMITS, TOKEN, Env, MakeEnv

SHOPS = "/authorization/202309/shops"
REFRESH = "/api/v2/token/refresh"

# -- tokens -------------------------------------------------------------------------------------------


async def test_refreshes_before_the_access_token_expires(env: Env) -> None:
    connector = env.connector(tokens=env.tokens(expires_in=30 * 60))  # inside the one-hour margin
    await connector.shop_info()
    assert env.calls(REFRESH) == 1
    assert connector.tokens is not None and connector.tokens.access_token != TOKEN
    assert env.saved_tokens == [connector.tokens]  # handed over for storage before use
    assert connector.tokens.external_ids["shop_cipher"] == env.cipher  # kept across the refresh
    await connector.shop_info()
    assert env.calls(REFRESH) == 1 and env.calls(SHOPS) == 2


async def test_refreshes_once_on_an_auth_error_and_repeats_the_call(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()  # revoked early: our expiry says it is still good
    assert (await connector.shop_info()).active
    assert env.calls(SHOPS) == 2 and env.calls(REFRESH) == 1


async def test_concurrent_calls_share_one_refresh(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()
    await asyncio.gather(*(connector.shop_info() for _ in range(8)))
    assert env.calls(REFRESH) == 1  # the sandbox rotates refresh tokens: a second refresh would fail


async def test_a_failed_refresh_means_authorize_again(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()
    env.sandbox.expire_refresh_tokens()
    with pytest.raises(AuthExpired, match="authorize again"):
        await connector.shop_info()
    assert env.calls(SHOPS) == 1 and env.calls(REFRESH) == 1


# -- rate limits --------------------------------------------------------------------------------------


async def test_the_shop_rate_limit_is_honoured(make_env: MakeEnv) -> None:
    env = await make_env(rate_limit_rps=40.0, rate_limit_burst=4)
    connector = env.connector(limits=replace(TEST_LIMITS, rate_per_second=35.0, burst=3))  # under it
    await asyncio.gather(*(connector.shop_info() for _ in range(20)))
    assert env.calls(SHOPS) == 20 and env.sleeps.waits == []  # nothing refused and repeated


async def test_without_our_limiter_the_sandbox_refuses(make_env: MakeEnv) -> None:
    """The control for the test above: the sandbox's limit is real."""
    env = await make_env(rate_limit_rps=0.001, rate_limit_burst=4)
    outcomes = await asyncio.gather(*(env.connector().shop_info() for _ in range(8)), return_exceptions=True)
    assert any(isinstance(o, RateLimited) for o in outcomes)
    assert env.sleeps.waits  # 36009002 answers were retried after a back-off


async def test_a_rate_limit_answer_is_retried_even_for_a_write(env: Env) -> None:
    env.sandbox.set_faults(FaultConfig(script=[ScriptedFault(kind="rate_limit", path="partial_edit")]))
    await env.connector().update_product(ProductUpdate(min(env.sandbox.catalog.products), name="Renamed"))
    assert env.calls("partial_edit") == 2 and len(env.sleeps.waits) == 1


# -- retries ------------------------------------------------------------------------------------------


async def test_5xx_and_busy_are_retried_for_reads(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(
            script=[
                ScriptedFault(kind="server_error", path="products/search"),
                ScriptedFault(kind="busy", path="products/search"),
            ]
        )
    )
    assert len([p async for p in env.connector().list_products()]) == 12
    assert env.calls("products/search") == 3 and len(env.sleeps.waits) == 2
    assert 0 <= env.sleeps.waits[0] <= 0.5 and 0 <= env.sleeps.waits[1] <= 1.0


async def test_a_time_out_answer_is_retried_for_reads(env: Env) -> None:
    env.sandbox.set_faults(FaultConfig(timeout_seconds=0, script=[ScriptedFault(kind="timeout", path=SHOPS)]))
    await env.connector().shop_info()
    assert env.calls(SHOPS) == 2


async def test_a_write_that_may_have_arrived_is_not_repeated(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(script=[ScriptedFault(kind="server_error", path="/product/202309/products")])
    )
    draft = ProductDraft(
        name="Mug",
        description="A mug.",
        category_id="1",
        price=Money(10000, Currency.IDR),
        stock=1,
        weight_kg=Decimal("0.3"),
        image_ids=("i",),
    )
    with pytest.raises(PlatformUnavailable):
        await env.connector().create_product(draft)
    assert env.calls("/product/202309/products") == 1 and env.sleeps.waits == []


async def test_stock_writes_are_absolute_so_they_are_retried(env: Env) -> None:
    env.sandbox.set_faults(FaultConfig(script=[ScriptedFault(kind="server_error", path="inventory/update")]))
    product = env.sandbox.product(min(env.sandbox.catalog.products))
    sku_id = next(iter(product.skus))
    (result,) = await env.connector().update_stock([StockUpdate(product.product_id, sku_id, 17)])
    assert result.ok and env.calls("inventory/update") == 2 and product.skus[sku_id].quantity == 17


async def test_4xx_is_not_retried(env: Env) -> None:
    with pytest.raises(NotFound):
        await env.connector().update_product(ProductUpdate("123", name="x"))
    assert env.calls("partial_edit") == 1 and env.sleeps.waits == []


# -- circuit breaker ----------------------------------------------------------------------------------


# -- clock --------------------------------------------------------------------------------------------
