"""A listing's review through every connector, against its sandbox over HTTP: a create is under review,
then live or rejected with the platform's own reason and code (scripted through the sandbox's faults),
read for many items in one `review_states` call; an edit is reviewed again; the platform's review push
names the item."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from aiostore.connectors.dtos import ListingStatus, ProductUpdate, ReviewState
from aiostore.connectors.tokopedia.review import BANNED_REASON
from tests.integration.connectors.platforms import CASES, Case
from tests.integration.connectors.support import Receiver
from tests.integration.connectors.test_every_platform_reference import draft, strict_leaf, value_for

# Platforms whose sandbox pushes the end of a review (Tokopedia sends none).
PUSHES = {"shopee": "6", "tiktokshop": "37", "lazada": "1"}
PUSH_URL = "https://aiostore.example/webhooks/review"


@pytest.fixture(params=CASES, ids=str)
def case(request: pytest.FixtureRequest) -> Case:
    found: Case = request.param
    return found


@pytest.fixture
async def env(case: Case) -> AsyncIterator[Any]:
    async with AsyncExitStack() as stack:
        yield await stack.enter_async_context(case.open_env(products=1))


async def create(case: Case, env: Any, name: str) -> str:
    for image in draft("0").image_ids:
        env.sandbox.images.issue(image)  # as if uploaded
    return await create_with(case, env.connector(), name)


async def create_with(case: Case, connector: Any, name: str) -> str:
    """A listing the platform accepts (every attribute, a brand where required), returning its id."""
    category_id = str(case.reference.taxonomy.id_of(strict_leaf(case)))
    values = tuple(value_for(a) for a in await connector.category_attributes(category_id))
    brand_id = (await connector.brands(category_id)).brands[0].brand_id if case.reference.brand_flag else None
    channels = tuple(c.channel_id for c in await connector.logistics_channels())[:1]
    product = draft(
        category_id, name=name, seller_sku=f"RV-{name[-1]}", attributes=values, brand_id=brand_id,
        logistics_ids=channels,
    )  # fmt: skip
    result = await connector.create_product(product)
    assert result.ok and result.external_id
    return result.external_id


async def test_create_under_review_then_live_or_rejected_with_the_reason(case: Case, env: Any) -> None:
    env.sandbox.set_faults(
        {
            "reviews": [
                {"hold": True},
                {"outcome": "reject", "reason": "Gambar produk buram", "code": "IMAGE_QUALITY", "hold": True},
            ]
        }
    )
    connector = env.connector()
    passed, refused = await create(case, env, "Kaos Review A"), await create(case, env, "Kaos Review B")
    reviews = {r.item_id: r for r in await connector.review_states([passed, refused, "99999999"])}
    assert set(reviews) == {passed, refused}  # an unknown id is left out
    assert all(r.state is ReviewState.UNDER_REVIEW for r in reviews.values())
    assert all(r.status is ListingStatus.UNDER_REVIEW and not r.reason for r in reviews.values())
    before = env.sandbox.call_count()
    await connector.review_states([passed, refused])
    if case.name in ("shopee", "tokopedia"):  # one batched call for both items
        assert env.sandbox.call_count() - before == 1
    assert len(env.sandbox.settle_reviews(force=True)) == 2
    reviews = {r.item_id: r for r in await connector.review_states([passed, refused])}
    assert reviews[passed].state is ReviewState.LIVE and reviews[passed].status is ListingStatus.ACTIVE
    rejected = reviews[refused]
    assert rejected.state is ReviewState.REJECTED and rejected.status is ListingStatus.BANNED
    if case.name == "tokopedia":  # Tokopedia's API gives a banned status, no reason text
        assert (rejected.reason, rejected.code) == (BANNED_REASON, "-2")
    else:
        assert (rejected.reason, rejected.code) == ("Gambar produk buram", "IMAGE_QUALITY")


async def test_an_edit_is_reviewed_again(case: Case, env: Any) -> None:
    connector = env.connector()
    item_id = await create(case, env, "Kaos Review C")
    (review,) = await connector.review_states([item_id])  # the default review ends at the next call
    assert review.state is ReviewState.LIVE
    env.sandbox.set_faults({"reviews": [{"outcome": "reject", "hold": True}]})
    assert (await connector.update_product(ProductUpdate(item_id, name="Kaos Review C Baru"))).ok
    (review,) = await connector.review_states([item_id])
    assert review.state is ReviewState.UNDER_REVIEW
    env.sandbox.settle_reviews(force=True)
    (review,) = await connector.review_states([item_id])
    assert review.state is ReviewState.REJECTED and review.reason  # the platform's default words


async def test_the_review_push_names_the_item(case: Case) -> None:
    receiver = Receiver()
    async with case.open_env(
        products=1, push_url=PUSH_URL, push_transport=httpx.ASGITransport(app=receiver)
    ) as env:
        env.sandbox.set_faults({"reviews": [{"outcome": "reject", "hold": True}]})  # Shopee pushes bans only
        item_id = await create(case, env, "Kaos Review D")
        env.sandbox.settle_reviews(force=True)
        await env.sandbox.drain_pushes()
        events = [env.connector().parse_webhook(body) for _, body in receiver.pushes]
    named = [e for e in events if e.item_id == item_id]
    if case.name not in PUSHES:  # Tokopedia sends none: the job's reads find the outcome
        assert named == []
        return
    (event,) = named
    assert event.platform_code == PUSHES[case.name] and event.kind.value == "product"
