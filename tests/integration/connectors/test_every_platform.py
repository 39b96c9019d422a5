"""The connector contract every platform keeps, one suite parametrised over the four platforms (each
platform's own cases sit beside it, in its folder): the protocol, dry-run by the registry, duplicated
pushes, the circuit breaker and clock-skew correction, each against the platform's sandbox over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
import time_machine

from aiostore.connectors import registry
from aiostore.connectors.base import MarketplaceConnector, WritePlanner
from aiostore.connectors.errors import CircuitOpen, NotFound, PlatformUnavailable
from aiostore.connectors.recording import RecordingConnector
from aiostore.sandbox.common import FaultConfig
from tests.integration.connectors.platforms import CASES, SKEWED, Case
from tests.integration.connectors.support import Receiver, make_policy

PUSH_URL = "https://aiostore.example/webhooks/{}"


@pytest.fixture(params=CASES, ids=str)
def case(request: pytest.FixtureRequest) -> Case:
    found: Case = request.param
    return found


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as opened:
        yield opened


async def open_env(stack: AsyncExitStack, case: Case, **overrides: Any) -> Any:
    return await stack.enter_async_context(case.open_env(**overrides))


def test_every_case_is_a_platform_of_the_registry() -> None:
    assert [c.name for c in CASES] == [p.name for p in registry.plugins()]


async def test_the_connector_satisfies_the_protocol(stack: AsyncExitStack, case: Case) -> None:
    env = await open_env(stack, case, products=12, orders=30)
    connector = env.connector()
    assert isinstance(connector, MarketplaceConnector) and isinstance(connector, WritePlanner)


async def test_registry_picks_the_recorder_unless_live(stack: AsyncExitStack, case: Case) -> None:
    env = await open_env(stack, case, products=12, orders=30)
    assert isinstance(case.registry_connector(env, "dry"), RecordingConnector)
    assert isinstance(case.registry_connector(env, "anything else"), RecordingConnector)
    live = case.registry_connector(env, "live")
    assert not isinstance(live, RecordingConnector) and type(live) is type(env.connector())


async def test_a_duplicated_push_has_the_same_event_id(stack: AsyncExitStack, case: Case) -> None:
    receiver = Receiver()
    env = await open_env(
        stack,
        case,
        products=5,
        push_url=PUSH_URL.format(case.name),
        push_transport=httpx.ASGITransport(app=receiver),
    )
    env.sandbox.set_faults({"push_duplicate_rate": 1.0})
    env.sandbox.place_order()
    await env.sandbox.drain_pushes()
    assert len(receiver.pushes) == 2
    first, second = (env.connector().parse_webhook(body) for _, body in receiver.pushes)
    assert first.event_id == second.event_id


async def test_breaker_opens_then_probes_and_closes(stack: AsyncExitStack, case: Case) -> None:
    env = await open_env(stack, case, products=12, orders=30)
    policy = make_policy(env.sleeps, threshold=3, recovery=30.0, attempts=1)
    connector = env.connector(policy=policy)
    with time_machine.travel(1_800_000_000, tick=False) as machine:
        env.sandbox.set_faults(FaultConfig(error_rate=1.0))
        for _ in range(3):
            with pytest.raises(PlatformUnavailable):
                await connector.shop_info()
        assert await policy.breakers.state(case.name) == "opened"
        with pytest.raises(CircuitOpen):
            await connector.shop_info()
        assert env.calls(case.shop_info_path) == 3  # refused here, not sent

        env.sandbox.set_faults(FaultConfig())
        machine.shift(31)
        await connector.shop_info()  # the half-open probe goes through and succeeds
        assert await policy.breakers.state(case.name) == "closed"
        assert env.calls(case.shop_info_path) == 4


async def test_breaker_ignores_errors_that_prove_the_platform_is_up(
    stack: AsyncExitStack, case: Case
) -> None:
    env = await open_env(stack, case, products=12, orders=30)
    policy = make_policy(env.sleeps, threshold=2, attempts=1)
    connector = env.connector(policy=policy)
    for _ in range(4):
        with pytest.raises(NotFound):
            await connector.update_product(case.missing_product_update)
    assert await policy.breakers.state(case.name) == "closed"


@pytest.mark.parametrize(("signed", "skew"), SKEWED, ids=[f"{c}-{s}" for c, s in SKEWED])
async def test_learns_the_clock_offset_on_a_refused_timestamp(
    stack: AsyncExitStack, signed: Case, skew: int
) -> None:
    env = await open_env(stack, signed, products=12, orders=30)
    connector = env.connector(clock=lambda: env.clock() + skew)
    await connector.shop_info()
    assert env.calls(signed.shop_info_path) == 2  # refused once, re-signed with the offset
    assert connector.client.clock_offset == pytest.approx(-skew, abs=1)
    await connector.shop_info()
    assert env.calls(signed.shop_info_path) == 3
