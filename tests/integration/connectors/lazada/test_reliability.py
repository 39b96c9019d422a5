"""The Lazada connector under the sandbox's faults: token refresh, rate limits, retries, breaker, clock skew.

Retry sleeps are injected (recorded, not slept); the breaker's clock is moved with time-machine.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest

from aiostore.connectors.dtos import ProductDraft, ProductUpdate, StockUpdate
from aiostore.connectors.errors import (
    AuthExpired,
    InvalidRequest,
    NotFound,
    PlatformUnavailable,
    RateLimited,
)
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.sandbox.common import FaultConfig, ScriptedFault
from tests.integration.connectors.lazada.conftest import TEST_LIMITS, Env, MakeEnv

# -- tokens ---------------------------------------------------------------------------------------


async def test_refreshes_before_the_access_token_expires(env: Env) -> None:
    connector = env.connector(tokens=env.tokens(expires_in=30 * 60))  # inside the one-hour margin
    await connector.shop_info()
    assert env.calls("auth/token/refresh") == 1
    assert connector.tokens is not None and connector.tokens.access_token != env.tokens().access_token
    assert (
        connector.tokens.external_ids["country"] == "id" and connector.tokens.shop_id == env.tokens().shop_id
    )
    assert env.saved_tokens == [connector.tokens]  # handed over for storage before use
    await connector.shop_info()
    assert env.calls("auth/token/refresh") == 1 and env.calls("seller/get") == 2


async def test_refreshes_once_on_an_auth_error_and_repeats_the_call(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()  # revoked early: our expiry says it is still good
    assert (await connector.shop_info()).active
    assert env.calls("seller/get") == 2 and env.calls("auth/token/refresh") == 1


async def test_concurrent_calls_share_one_refresh(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()
    await asyncio.gather(*(connector.shop_info() for _ in range(8)))
    assert env.calls("auth/token/refresh") == 1  # the refresh token rotates: a second use would fail


async def test_a_failed_refresh_means_authorize_again(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()
    env.sandbox.expire_refresh_tokens()
    with pytest.raises(AuthExpired, match="authorize again"):
        await connector.shop_info()
    assert env.calls("seller/get") == 1 and env.calls("auth/token/refresh") == 1


async def test_no_token_no_call(env: Env) -> None:
    with pytest.raises(AuthExpired):
        await env.connector(tokens=False).shop_info()
    assert env.sandbox.call_count() == 0


# -- rate limits ----------------------------------------------------------------------------------


async def test_the_seller_rate_limit_is_honoured(make_env: MakeEnv) -> None:
    env = await make_env(rate_limit_rps=40.0, rate_limit_burst=4)
    connector = env.connector(limits=replace(TEST_LIMITS, rate_per_second=35.0, burst=3))  # under it
    await asyncio.gather(*(connector.shop_info() for _ in range(20)))
    assert env.calls("seller/get") == 20 and env.sleeps.waits == []  # nothing refused and repeated


async def test_without_our_limiter_the_sandbox_refuses(make_env: MakeEnv) -> None:
    """The control for the test above: the sandbox's limit is real (ApiCallLimit, retried)."""
    env = await make_env(rate_limit_rps=0.001, rate_limit_burst=4)
    outcomes = await asyncio.gather(*(env.connector().shop_info() for _ in range(8)), return_exceptions=True)
    assert any(isinstance(o, RateLimited) for o in outcomes) and env.sleeps.waits


async def test_a_rate_limit_answer_is_retried_even_for_a_write(env: Env) -> None:
    env.sandbox.set_faults(FaultConfig(script=[ScriptedFault(kind="rate_limit", path="product/update")]))
    await env.connector().update_product(
        ProductUpdate(str(min(env.sandbox.catalog.products)), name="Renamed")
    )
    assert env.calls("product/update") == 2 and len(env.sleeps.waits) == 1


# -- retries --------------------------------------------------------------------------------------


async def test_5xx_and_busy_are_retried_for_reads(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(
            script=[
                ScriptedFault(kind="server_error", path="products/get"),
                ScriptedFault(kind="busy", path="products/get"),
            ]
        )
    )
    assert len([p async for p in env.connector().list_products()]) == 12
    assert env.calls("products/get") == 3 and len(env.sleeps.waits) == 2
    assert 0 <= env.sleeps.waits[0] <= 0.5 and 0 <= env.sleeps.waits[1] <= 1.0


async def test_a_time_out_answer_is_retried_for_reads(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(timeout_seconds=0, script=[ScriptedFault(kind="timeout", path="seller/get")])
    )
    await env.connector().shop_info()
    assert env.calls("seller/get") == 2


async def test_absolute_stock_sets_are_repeated_after_a_5xx(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(script=[ScriptedFault(kind="server_error", path="product/price_quantity/update")])
    )
    product = next(iter(env.sandbox.catalog.products.values()))
    sku = next(iter(product.skus.values()))
    (result,) = await env.connector().update_stock([StockUpdate(str(product.item_id), str(sku.sku_id), 77)])
    assert result.ok and sku.quantity == 77 and env.calls("product/price_quantity/update") == 2


async def test_a_write_that_may_have_arrived_is_not_repeated(env: Env) -> None:
    env.sandbox.set_faults(FaultConfig(script=[ScriptedFault(kind="server_error", path="product/create")]))
    draft = ProductDraft(
        "Mug", "A mug.", "1", Money(10000, Currency.IDR), 1, Decimal("0.3"), ("https://i/x.jpg",)
    )
    with pytest.raises(PlatformUnavailable):
        await env.connector().create_product(draft)
    assert env.calls("product/create") == 1 and env.sleeps.waits == []


async def test_refusals_are_not_retried(env: Env) -> None:
    with pytest.raises(NotFound):
        await env.connector().update_product(ProductUpdate("123", name="x"))
    with pytest.raises(InvalidRequest):
        await env.connector().create_product(
            ProductDraft(
                "Mug", "A mug.", "x", Money(10000, Currency.IDR), 1, Decimal("0.3"), ("https://i/x.jpg",)
            )
        )
    assert env.calls("product/update") == 1 and env.calls("product/create") == 1 and env.sleeps.waits == []


# -- circuit breaker ------------------------------------------------------------------------------


# -- clock ----------------------------------------------------------------------------------------
