"""The Tokopedia connector under the sandbox's faults: the app token, rate limits, retries, the breaker.

Retry sleeps are injected (recorded, not slept); the breaker's clock is moved with time-machine.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from aiostore.connectors.dtos import AppCredentials, ProductUpdate, StockUpdate
from aiostore.connectors.errors import AuthExpired, NotFound, PlatformUnavailable, RateLimited
from aiostore.sandbox.common import FaultConfig, ScriptedFault
from tests.integration.connectors.tokopedia.conftest import (
    APP,
    SHOP_ID,
    TEST_LIMITS,
    TOKEN,
    Env,
    MakeEnv,
)
from tests.integration.connectors.tokopedia.test_contract import _draft

# -- the app token --------------------------------------------------------------------------------------


async def test_refreshes_before_the_token_expires(env: Env) -> None:
    connector = env.connector(tokens=env.tokens(expires_in=5 * 60))  # inside the 10-minute margin
    await connector.shop_info()
    assert env.calls("/token") == 1
    assert connector.tokens is not None and connector.tokens.access_token == TOKEN  # still alive: handed back
    assert env.saved_tokens == [connector.tokens]  # the new expiry is stored before use
    await connector.shop_info()
    assert env.calls("/token") == 1 and env.calls("shop-info") == 2


async def test_a_token_handed_back_early_is_not_asked_for_again_until_it_expires(make_env: MakeEnv) -> None:
    env = await make_env(access_token_ttl=300)  # the app's token has 5 minutes left, inside the margin
    connector = env.connector(tokens=env.tokens(expires_in=300))
    for _ in range(3):
        await connector.shop_info()
    assert env.calls("/token") == 1  # the platform said "the same one": no asking on every call
    env.clock.advance(301)
    await connector.shop_info()
    assert (
        env.calls("/token") == 2 and connector.tokens is not None and connector.tokens.access_token != TOKEN
    )
    assert env.calls("shop-info") == 4  # the expired token was replaced before the call, not after a 401


async def test_refreshes_once_on_an_auth_error_and_repeats_the_call(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()  # revoked early: our expiry says it is still good
    assert (await connector.shop_info()).active
    assert env.calls("shop-info") == 2 and env.calls("/token") == 1
    assert connector.tokens is not None and connector.tokens.access_token != TOKEN


async def test_concurrent_calls_share_one_refresh(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()
    await asyncio.gather(*(connector.shop_info() for _ in range(8)))
    assert env.calls("/token") == 1


async def test_refused_client_credentials_mean_authorize_again(env: Env) -> None:
    wrong = AppCredentials(APP.app_key, "not-the-secret", APP.base_url, APP.auth_base_url, APP.extra)
    connector = env.connector(app=wrong)
    env.sandbox.expire_access_tokens()
    with pytest.raises(AuthExpired, match="authorize again"):
        await connector.shop_info()
    assert env.calls("shop-info") == 1 and env.calls("/token") == 1


async def test_a_shop_the_seller_unlinked_needs_approval_again(env: Env) -> None:
    env.sandbox.link(SHOP_ID, linked=False)
    with pytest.raises(AuthExpired) as caught:
        await env.connector().shop_info()
    assert caught.value.platform_code == "RBAC_MDLW_001"
    assert env.calls("shop-info") == 2 and env.calls("/token") == 1  # one refresh, one repeat, then give up
    (result,) = await env.connector().update_stock([StockUpdate("1", "0", 1)])
    assert result.error is not None and result.error.kind == "AuthExpired"  # a batch failure is data


# -- rate limits ----------------------------------------------------------------------------------------


async def test_the_apps_rate_limit_is_honoured(make_env: MakeEnv) -> None:
    env = await make_env(rate_limit_rps=40.0, rate_limit_burst=4)
    connector = env.connector(limits=replace(TEST_LIMITS, rate_per_second=35.0, burst=3))  # under it
    await asyncio.gather(*(connector.shop_info() for _ in range(20)))
    assert env.calls("shop-info") == 20 and env.sleeps.waits == []


async def test_without_our_limiter_the_sandbox_refuses_with_its_reset_hint(make_env: MakeEnv) -> None:
    """The control for the test above: the sandbox's limit is real, and 429s carry X-Ratelimit-* hints."""
    env = await make_env(rate_limit_rps=0.5, rate_limit_burst=2)
    connector = env.connector()
    outcomes = await asyncio.gather(*(connector.shop_info() for _ in range(6)), return_exceptions=True)
    assert any(isinstance(o, RateLimited) for o in outcomes)
    assert env.sleeps.waits and all(0 < w <= 4.0 for w in env.sleeps.waits)  # ~1/rate, not a blind back-off


async def test_a_rate_limit_answer_is_retried_even_for_a_write(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(script=[ScriptedFault(kind="rate_limit", path="products/fs/{fs_id}/active")])
    )
    item = str(min(env.sandbox.catalog.products))
    await env.connector().update_product(ProductUpdate(item, active=True))
    assert env.calls("products/fs/{fs_id}/active") == 2 and len(env.sleeps.waits) == 1


# -- retries --------------------------------------------------------------------------------------------


async def test_5xx_and_busy_are_retried_for_reads(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(
            script=[
                ScriptedFault(kind="server_error", path="product/info"),
                ScriptedFault(kind="busy", path="product/info"),
            ]
        )
    )
    listed = [p async for p in env.connector().list_products()]
    assert len(listed) == 12
    assert env.calls("product/info") == 2 + 48 // 50 + 1 and len(env.sleeps.waits) == 2


async def test_stock_updates_are_absolute_so_a_5xx_is_retried(env: Env) -> None:
    env.sandbox.set_faults(FaultConfig(script=[ScriptedFault(kind="server_error", path="stock/update")]))
    unit = next(p for p in env.sandbox.catalog.products.values() if not p.is_parent)
    (result,) = await env.connector().update_stock([StockUpdate(str(unit.product_id), "0", 3)])
    assert result.ok and env.calls("stock/update") == 2 and unit.stock == 3


async def test_a_time_out_answer_is_retried_for_reads(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(timeout_seconds=0, script=[ScriptedFault(kind="timeout", path="shop-info")])
    )
    await env.connector().shop_info()
    assert env.calls("shop-info") == 2


async def test_a_write_that_may_have_arrived_is_not_repeated(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(script=[ScriptedFault(kind="server_error", path="products/fs/{fs_id}/create")])
    )
    with pytest.raises(PlatformUnavailable):
        await env.connector().create_product(_draft())
    assert env.calls("create") == 1 and env.sleeps.waits == []


async def test_4xx_is_not_retried(env: Env) -> None:
    with pytest.raises(NotFound):
        await env.connector().update_product(ProductUpdate("123", active=False))
    assert env.calls("products/fs/{fs_id}/inactive") == 1 and env.sleeps.waits == []


# -- circuit breaker ------------------------------------------------------------------------------------
