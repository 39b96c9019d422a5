"""No secret used in a full sync reaches a log line, whichever library writes it.

A market of the four sandboxes runs a pull, a sale pushed by webhook, the stock pushes to every shop
and a token refresh, with every logger at DEBUG through our configuration; the captured output is
then searched for every secret and every piece of buyer data the run handled.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from aiostore.db.models import ChannelAccount
from aiostore.log import configure_logging
from aiostore.services import channels
from tests.factories import Caller
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import PLATFORMS, Market
from tests.integration.sync.test_propagation import _link_one_unit, _pull


@contextmanager
def debug_logs() -> Iterator[None]:
    """Every logger at DEBUG through our configuration (in the test body: capsys swaps stderr per phase)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("DEBUG", json_logs=True)
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


async def test_a_full_sync_logs_no_secret(
    make_market: MarketFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    with debug_logs():
        market, owner = await _full_sync(make_market)
        output = capsys.readouterr().err
    secrets = await _secrets_of(market, owner)
    assert "HTTP Request:" in output  # httpx's own logger wrote its lines, through our processors
    lines = output.splitlines()
    for secret in sorted(secrets):
        leaks = [line for line in lines if secret in line]
        assert not leaks, (secret, leaks[:3])
    unredacted = re.compile(
        r"(?<![A-Za-z_])(?:access_token|refresh_token|sign|signature|code)=(?!\[redacted\])[^&\s\"]+"
    )  # a whole parameter name: language_code=en_US is no secret
    assert not [line for line in lines if unredacted.search(line)][:3]


async def _full_sync(make_market: MarketFactory) -> tuple[Market, Caller]:
    """Pull, a sale on every shop pushed by webhook, stock pushes everywhere, then a token refresh."""
    market, owner = await make_market(PLATFORMS)
    for p in market.shops:
        await market.connect(p)
    _, units = await _link_one_unit(market, "LOG-TEE-1", 10)
    await _pull(market, owner)
    for platform, h in market.shops.items():
        h.place_order([(*units[platform], 1)])  # webhook -> order -> pushes to every shop
    await market.settle()
    for h in market.shops.values():
        h.expire_access_tokens()  # the next calls refresh: new tokens travel
    ids = [str(c) for c in market.channel_ids.values()]
    resp = await owner.post("/api/sync/pull", json={"channel_account_ids": ids, "kinds": ["orders"]})
    assert resp.status_code == 202, resp.text
    await market.settle()
    return market, owner


async def _secrets_of(market: Market, owner: Caller) -> set[str]:
    """App secrets, every access and refresh token (and their ciphertexts), the buyers' data."""
    secrets: set[str] = set()
    for h in market.shops.values():
        secrets |= {h.app_secret, h.access_token, h.refresh_token}
    cipher = market.app.state.connectors.cipher()
    async with market.db.transaction(market.org_id) as session:
        for account in await session.scalars(select(ChannelAccount)):
            tokens = channels.load_tokens(cipher, account)
            assert tokens is not None
            secrets |= {tokens.access_token, tokens.refresh_token}
            secrets |= {account.access_token_enc.decode(), account.refresh_token_enc.decode()}  # type: ignore[union-attr]
    orders = (await owner.get("/api/orders")).json()["items"]
    assert len(orders) == len(PLATFORMS)
    buyers = 0
    for order in orders:
        customer = (await owner.get(f"/api/orders/{order['id']}")).json()["customer"]
        assert customer["masked"] is False
        values = [customer["name"], customer["phone"], customer["email"]]
        values += [v for k, v in customer["address"].items() if k not in ("city", "state", "country")]
        found = [v for v in values if isinstance(v, str) and len(v) >= 6 and "*" not in v]
        buyers += len(found)
        secrets |= set(found)
    assert buyers >= len(PLATFORMS)  # the run did handle buyer data
    return secrets - {"", "-"}
