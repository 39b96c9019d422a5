"""The Shopee connector under the sandbox's faults: token refresh, rate limits, retries, breaker, clock skew.

Retry sleeps are injected (recorded, not slept); the breaker's clock is moved with time-machine.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest

from aiostore.connectors.dtos import ProductDraft, ProductUpdate, VariantDraft
from aiostore.connectors.errors import AuthExpired, NotFound, PlatformUnavailable, RateLimited
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.sandbox.common import FaultConfig, ScriptedFault
from tests.integration.connectors.conftest import TEST_LIMITS, Env, MakeEnv

# -- tokens -------------------------------------------------------------------------------------------


async def test_refreshes_before_the_access_token_expires(env: Env) -> None:
    connector = env.connector(tokens=env.tokens(expires_in=5 * 60))  # inside the 10-minute margin
    await connector.shop_info()
    assert env.calls("auth/access_token/get") == 1
    assert connector.tokens is not None and connector.tokens.access_token != env.tokens().access_token
    assert env.saved_tokens == [connector.tokens]  # handed over for storage before use
    await connector.shop_info()
    assert env.calls("auth/access_token/get") == 1 and env.calls("shop/get_shop_info") == 2


async def test_refreshes_once_on_an_auth_error_and_repeats_the_call(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()  # revoked early: our expiry says it is still good
    info = await connector.shop_info()
    assert info.active
    assert env.calls("shop/get_shop_info") == 2 and env.calls("auth/access_token/get") == 1


async def test_concurrent_calls_share_one_refresh(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()
    await asyncio.gather(*(connector.shop_info() for _ in range(8)))
    assert env.calls("auth/access_token/get") == 1  # the refresh token is single-use


async def test_a_failed_refresh_means_authorize_again(env: Env) -> None:
    connector = env.connector()
    env.sandbox.expire_access_tokens()
    env.sandbox.expire_refresh_tokens()
    with pytest.raises(AuthExpired, match="authorize again"):
        await connector.shop_info()
    assert env.calls("shop/get_shop_info") == 1 and env.calls("auth/access_token/get") == 1


# -- rate limits --------------------------------------------------------------------------------------


async def test_the_shop_rate_limit_is_honoured(make_env: MakeEnv) -> None:
    env = await make_env(rate_limit_rps=40.0, rate_limit_burst=4)
    connector = env.connector(limits=replace(TEST_LIMITS, rate_per_second=35.0, burst=3))  # under it
    await asyncio.gather(*(connector.shop_info() for _ in range(20)))
    assert env.calls("shop/get_shop_info") == 20  # no call was refused and repeated
    assert env.sleeps.waits == []


async def test_without_our_limiter_the_sandbox_refuses(make_env: MakeEnv) -> None:
    """The control for the test above: the sandbox's limit is real."""
    env = await make_env(rate_limit_rps=0.001, rate_limit_burst=4)
    connector = env.connector()
    outcomes = await asyncio.gather(*(connector.shop_info() for _ in range(8)), return_exceptions=True)
    assert any(isinstance(o, RateLimited) for o in outcomes)
    assert env.sleeps.waits  # error_rate_limit answers were retried after a back-off


async def test_a_rate_limit_answer_is_retried_even_for_a_write(env: Env) -> None:
    env.sandbox.set_faults(FaultConfig(script=[ScriptedFault(kind="rate_limit", path="product/update_item")]))
    connector = env.connector()
    item_id = str(min(env.sandbox.catalog.items))
    await connector.update_product(ProductUpdate(item_id, name="Renamed"))
    assert env.calls("product/update_item") == 2 and len(env.sleeps.waits) == 1


# -- retries ------------------------------------------------------------------------------------------


async def test_5xx_and_busy_are_retried_for_reads(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(
            script=[
                ScriptedFault(kind="server_error", path="product/get_item_list"),
                ScriptedFault(kind="busy", path="product/get_item_list"),
            ]
        )
    )
    listed = [p async for p in env.connector().list_products()]
    assert len(listed) == 12
    assert env.calls("product/get_item_list") == 3 and len(env.sleeps.waits) == 2
    assert 0 <= env.sleeps.waits[0] <= 0.5 and 0 <= env.sleeps.waits[1] <= 1.0


async def test_a_time_out_answer_is_retried_for_reads(env: Env) -> None:
    env.sandbox.set_faults(
        FaultConfig(timeout_seconds=0, script=[ScriptedFault(kind="timeout", path="shop/get_shop_info")])
    )
    await env.connector().shop_info()
    assert env.calls("shop/get_shop_info") == 2


async def test_a_write_that_may_have_arrived_is_not_repeated(env: Env) -> None:
    env.sandbox.set_faults(FaultConfig(script=[ScriptedFault(kind="server_error", path="product/add_item")]))
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
    assert env.calls("product/add_item") == 1 and env.sleeps.waits == []


async def test_4xx_is_not_retried(env: Env) -> None:
    with pytest.raises(NotFound):
        await env.connector().update_product(ProductUpdate("123", name="x"))
    assert env.calls("product/update_item") == 1 and env.sleeps.waits == []


# -- circuit breaker ----------------------------------------------------------------------------------


# -- clock --------------------------------------------------------------------------------------------


async def test_an_item_created_without_its_models_is_reported_not_lost(env: Env) -> None:
    for name in ["i", "img"]:
        env.sandbox.images.issue(name)  # as if uploaded
    env.sandbox.set_faults(
        FaultConfig(script=[ScriptedFault(kind="server_error", path="product/init_tier_variation")])
    )
    draft = ProductDraft(
        name="Tee",
        description="A tee.",
        category_id="101220",
        price=Money(99000, Currency.IDR),
        stock=0,
        weight_kg=Decimal("0.2"),
        image_ids=("img",),
        logistics_ids=("8003",),
        option_names=("Size",),
        variants=(VariantDraft(("M",), "TEE-M", Money(99000, Currency.IDR), 3),),
    )
    result = await env.connector().create_product(draft)
    assert not result.ok and result.external_id is not None and "models not created" in result.detail
    assert env.calls("product/init_tier_variation") == 1  # a create is not repeated
