"""A publish job whose platform calls meet our open circuit breaker (CircuitOpen: refused here, nothing
sent) refuses no item: the items wait, the job waits for the circuit's probe as every job does (no
attempt spent), and its next run sends only the items still waiting, each once.

The circuit is opened by real failures (the Shopee sandbox answering 5xx) through the shared breaker
(PostgreSQL), with a long recovery so that it stays open while the test looks; time passing is the
database's (tests/integration/sync/test_circuit_wait.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from aiostore.connectors.errors import CircuitOpen, PlatformUnavailable
from aiostore.db.models import SyncJobItem
from aiostore.http.client import HttpPolicy
from aiostore.http.shared import SharedBreakers
from aiostore.services.sync.context import open_channel
from aiostore.worker import runtime
from tests.factories import Caller
from tests.integration.publish import support
from tests.integration.publish.conftest import make_market  # noqa: F401
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_circuit_wait import (
    RECOVERY,
    _due,
    _half_open,
    _job,
    _opened_until,
    _sql,
    _waits_for_the_probe,
)

SHOPEE = "shopee"
CREATE = "product/add_item"
UPDATE = "product/update_item"
UPLOAD = "media_space/upload_image"


ShopFactory = Callable[[int], Awaitable[tuple[Market, Caller, uuid.UUID]]]


@pytest.fixture
async def make_shop(
    make_market: MarketFactory,  # noqa: F811
) -> AsyncIterator[ShopFactory]:
    """A live Shopee shop whose breaker opens after `threshold` failures and stays open RECOVERY
    seconds."""
    made: list[Market] = []

    async def make(threshold: int) -> tuple[Market, Caller, uuid.UUID]:
        settings = {
            "sync_max_attempts": 2,
            "breaker_threshold": threshold,
            "breaker_recovery_seconds": RECOVERY,
        }
        market, owner = await make_market([SHOPEE], products=1, variants=1, settings_changes=settings)
        made.append(market)
        connectors = market.app.state.connectors
        breakers = SharedBreakers(
            market.db.engine, threshold=threshold, recovery_seconds=RECOVERY, refresh_seconds=0
        )
        policy = HttpPolicy(
            retry=connectors.policy.retry, limiters=connectors.policy.limiters, breakers=breakers
        )
        market.app.state.connectors = type(connectors)(market.settings, connectors.http, policy)
        runtime.install(runtime.make(market.settings, market.db, market.app.state.connectors))
        shop_id = (await support.connect_all(market, owner))[SHOPEE]
        await support.read_categories(market, {SHOPEE: [support.plain_leaf(SHOPEE)]})
        return market, owner, shop_id

    yield make
    for market in made:  # the breakers' rows are the database's, and the next test's: leave them closed
        await _sql(market, "UPDATE circuit_breakers SET failures = 0, opened_until = NULL")


async def _products(owner: Caller, skus: dict[str, int]) -> list[str]:
    """Master products mapped to the plain leaf, with 1 or 2 variants each."""
    made = []
    for sku, variants in skus.items():
        body = support.body(sku)
        found = await support.product(owner, sku, variants=body["variants"][:variants])
        await support.map_to(owner, found["id"], SHOPEE, support.plain_leaf(SHOPEE))
        made.append(found["id"])
    return made


async def _publish(market: Market, owner: Caller, products: list[str], shop_id: uuid.UUID) -> dict[str, Any]:
    """Preview and commit; the worker runs what is due now. The shop's publish job (via the API)."""
    shown = await support.preview(owner, products, [shop_id])
    done = await support.commit(owner, shown["id"], ack=True)
    assert done.status_code == 200, done.text
    [queued] = done.json()["summary"]["jobs"]
    await market.settle(leave_after=RECOVERY / 2)
    return await _job(owner, queued["job_id"])


async def _items(market: Market, job: dict[str, Any]) -> list[SyncJobItem]:
    [found] = [items for j, items in await support.publish_jobs(market) if str(j.id) == job["id"]]
    return sorted(found, key=lambda i: i.request["seq"])


async def _open_circuit(market: Market) -> None:
    """Shopee down: a call's failures open the circuit (it stays down until the test says)."""
    market.shops[SHOPEE].set_faults({"error_rate": 1.0, "seed": 1})
    sc = runtime.current().sync
    connection = await open_channel(sc, market.org_id, market.channel_ids[SHOPEE])
    with pytest.raises(PlatformUnavailable):
        await connection.connector.get_orders(["1"])
    with pytest.raises(CircuitOpen):
        await connection.connector.get_orders(["1"])
    assert (await _opened_until(market, SHOPEE) or 0) > 0


async def _probe_passes(market: Market, owner: Caller, job: dict[str, Any]) -> dict[str, Any]:
    """Shopee is back and the circuit half-opens: the waiting job is the probe and runs to its end."""
    market.shops[SHOPEE].set_faults({"error_rate": 0.0})
    await _half_open(market, SHOPEE)
    await _due(market, job)
    await market.settle(leave_after=RECOVERY / 2)  # (a review follow-up that met the circuit waits on)
    return await _job(owner, job["id"])


async def test_updates_meeting_the_open_circuit_wait_and_are_each_sent_once_after_its_probe(
    make_shop: ShopFactory,
) -> None:
    market, owner, shop_id = await make_shop(2)
    products = await _products(owner, {"CIRC-A": 1, "CIRC-B": 2, "CIRC-C": 2})
    first = await _publish(market, owner, products, shop_id)
    assert (first["status"], first["result"]["ok"]) == ("succeeded", 3)
    for product in products:
        title = f"Kaos Polos Katun Premium Baru {product[:8]}"
        patched = await owner.patch(f"/api/products/{product}", json={"title": title})
        assert patched.status_code == 200, patched.text
    new_images = ["https://img.example/kaos-baru.jpg", "https://img.example/kaos-2.jpg"]
    patched = await owner.patch(f"/api/products/{products[0]}", json={"images": new_images})
    assert patched.status_code == 200, patched.text
    await _open_circuit(market)
    market.shops[SHOPEE].reset_calls()

    job = await _publish(market, owner, products, shop_id)
    # nothing refused, nothing sent: the job waits for the probe, with no attempt spent
    assert job["attempts"] == 0
    _waits_for_the_probe(job, await _opened_until(market, SHOPEE) or 0)
    assert job["result"]["waiting"] == 3 and job["result"]["failed"] == 0
    items = await _items(market, job)
    assert [i.result for i in items] == ["waiting"] * 3
    assert all("circuit" in (i.error or "") and "nothing was sent" in (i.error or "") for i in items)
    mine = [x for x in await support.listings(market, shop_id) if (x.platform_sku or "").startswith("CIRC-")]
    assert len(mine) == 5 and all(x.sync_state == "in_sync" and x.last_error is None for x in mine), mine
    assert market.shops[SHOPEE].call_count(UPDATE) == market.shops[SHOPEE].call_count(UPLOAD) == 0

    job = await _probe_passes(market, owner, job)
    assert (job["status"], job["error"]) == ("succeeded", None), job
    assert (job["result"]["items"], job["result"]["ok"], job["result"]["failed"]) == (3, 3, 0)
    assert "waiting" not in job["result"]
    items = await _items(market, job)
    assert [(i.result, i.ref.split()[0]) for i in items] == [("ok", "update")] * 3
    assert market.shops[SHOPEE].call_count(UPDATE) == 3  # each item's update sent once
    assert market.shops[SHOPEE].call_count(UPLOAD) == 1  # the new image, then
    mine = [x for x in await support.listings(market, shop_id) if (x.platform_sku or "").startswith("CIRC-")]
    assert [x.platform_state["images"] for x in mine if x.platform_sku == "CIRC-A-M"] == [new_images]
    assert {x.platform_state["name"] for x in mine} == {
        f"Kaos Polos Katun Premium Baru {p[:8]}" for p in products
    }
    again = await support.preview(owner, products, [shop_id])
    assert again["items"] == []  # nothing left to do


async def test_items_sent_before_the_circuit_opened_mid_job_are_not_sent_again(
    make_shop: ShopFactory,
) -> None:
    """The breaker opens at the first failure. The first create is accepted; the second's models fail
    with a 5xx (sent: Shopee keeps the item without models, a true refusal) and open the circuit; the
    next two are refused by the open circuit (not sent) and wait."""
    market, owner, shop_id = await make_shop(1)
    products = await _products(owner, {"MID-A": 1, "MID-B": 2, "MID-C": 2, "MID-D": 1})
    market.shops[SHOPEE].set_faults({"script": [{"kind": "server_error", "path": "init_tier_variation"}]})
    market.shops[SHOPEE].reset_calls()

    job = await _publish(market, owner, products, shop_id)
    assert job["attempts"] == 0
    _waits_for_the_probe(job, await _opened_until(market, SHOPEE) or 0)
    assert (job["result"]["ok"], job["result"]["failed"], job["result"]["waiting"]) == (1, 1, 2)
    items = await _items(market, job)
    assert [(i.ref, i.result) for i in items] == [
        ("create MID-A-M", "ok"),
        ("create MID-B-M", "failed"),
        ("create MID-C-M", "waiting"),
        ("create MID-D-M", "waiting"),
    ]
    assert "models not created" in (items[1].error or "")
    assert all("nothing was sent" in (i.error or "") for i in items[2:])
    pending = [
        x for x in await support.listings(market, shop_id) if x.platform_item_id.startswith("pending:")
    ]
    assert sorted((x.platform_sku or "", x.status) for x in pending) == [
        ("MID-B-L", "refused"),
        ("MID-B-M", "refused"),
        ("MID-C-L", "publishing"),
        ("MID-C-M", "publishing"),
        ("MID-D-M", "publishing"),
    ]
    waiting = [x for x in pending if x.status == "publishing"]
    assert all(x.sync_state == "pending" and "circuit" in (x.last_error or "") for x in waiting), waiting
    assert market.shops[SHOPEE].call_count(CREATE) == 2

    job = await _probe_passes(market, owner, job)
    assert (job["status"], job["error"]) == ("succeeded", None), job
    assert (job["result"]["items"], job["result"]["ok"], job["result"]["failed"]) == (4, 3, 1)
    items = await _items(market, job)
    assert sorted((i.ref, i.result) for i in items) == [
        ("create MID-A-M", "ok"),
        ("create MID-B-M", "failed"),
        ("create MID-C-M", "ok"),
        ("create MID-D-M", "ok"),
    ]
    assert market.shops[SHOPEE].call_count(CREATE) == 4  # each product's create sent once
    assert market.shops[SHOPEE].call_count("init_tier_variation") == 2  # B's (refused), then C's
    mine = [x for x in await support.listings(market, shop_id) if (x.platform_sku or "").startswith("MID-")]
    live = sorted(x.platform_sku or "" for x in mine if x.status != "refused")
    assert live == ["MID-A-M", "MID-C-L", "MID-C-M", "MID-D-M"]
    assert all(
        not x.platform_item_id.startswith("pending:") and x.sync_state == "in_sync" and x.variant_id
        for x in mine
        if x.status != "refused"
    ), mine


async def test_prices_refused_by_the_open_circuit_are_sent_alone_after_its_probe(
    make_shop: ShopFactory,
) -> None:
    """The breaker opens at the first failure. A live product's update is applied (its new price waits
    for the job's price batch); a new product's models then fail with a 5xx (sent: a true refusal) and
    open the circuit; the price batch is refused by the open circuit. The next run sends that price
    only: no update, no create again."""
    market, owner, shop_id = await make_shop(1)
    [live] = await _products(owner, {"PRC-A": 1})
    first = await _publish(market, owner, [live], shop_id)
    assert (first["status"], first["result"]["ok"]) == ("succeeded", 1)
    [new] = await _products(owner, {"PRC-B": 2})
    title = f"Kaos Polos Katun Premium Baru {live[:8]}"
    assert (await owner.patch(f"/api/products/{live}", json={"title": title})).status_code == 200
    variant = (await owner.get(f"/api/products/{live}")).json()["variants"][0]["id"]
    patched = await owner.patch(f"/api/variants/{variant}", json={"prices": {"ID": "160000"}})
    assert patched.status_code == 200, patched.text
    market.shops[SHOPEE].set_faults({"script": [{"kind": "server_error", "path": "init_tier_variation"}]})
    market.shops[SHOPEE].reset_calls()

    job = await _publish(market, owner, [live, new], shop_id)
    assert job["attempts"] == 0
    _waits_for_the_probe(job, await _opened_until(market, SHOPEE) or 0)
    items = await _items(market, job)
    assert [(i.ref, i.result, i.request.get("phase")) for i in items] == [
        ("update PRC-A-M", "waiting", "prices"),
        ("create PRC-B-M", "failed", None),
    ]
    assert "the update was applied; its prices were not sent" in (items[0].error or "")
    sent = {path: market.shops[SHOPEE].call_count(path) for path in (UPDATE, CREATE, "update_price")}
    assert sent == {UPDATE: 1, CREATE: 1, "update_price": 0}
    [listing] = [x for x in await support.listings(market, shop_id) if x.platform_sku == "PRC-A-M"]
    # its title was applied; its price is the old one until it is sent
    assert (listing.platform_state["name"], listing.platform_state["price"]) == (title, "150000")
    assert (listing.sync_state, listing.last_error) == ("in_sync", None)

    job = await _probe_passes(market, owner, job)
    assert (job["status"], job["error"]) == ("succeeded", None), job
    assert (job["result"]["items"], job["result"]["ok"], job["result"]["failed"]) == (2, 1, 1)
    assert job["result"]["prices"] == 1
    items = await _items(market, job)
    assert sorted((i.ref, i.result) for i in items) == [
        ("create PRC-B-M", "failed"),
        ("update PRC-A-M", "ok"),
    ]
    sent = {path: market.shops[SHOPEE].call_count(path) for path in (UPDATE, CREATE, "update_price")}
    assert sent == {UPDATE: 1, CREATE: 1, "update_price": 1}  # the price alone
    [unit] = [u for u in market.shops[SHOPEE].units() if u.sku == "PRC-A-M"]
    assert market.shops[SHOPEE].price_of(unit.item_id, unit.variant_id) == 160000
    [listing] = [x for x in await support.listings(market, shop_id) if x.platform_sku == "PRC-A-M"]
    assert (listing.platform_state["name"], listing.platform_state["price"]) == (title, "160000")
