"""The platform's review of a listing, followed by the catalog.follow_review job through the real queue,
connector and sandbox of each platform: under review, then live; or rejected with the platform's reason
on the listing (GET /api/listings/{id}) and in the job's result, the "listing rejected" alert raised, the
review push applied at once where the platform sends one."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import select, update

from aiostore.connectors.tokopedia.review import BANNED_REASON
from aiostore.db.models import AlertState, Listing, SyncJob
from aiostore.db.session import Database
from aiostore.jobqueue import QUEUES, configure
from aiostore.services.catalog import review
from aiostore.services.sync.context import open_channel
from aiostore.settings import Settings
from aiostore.worker import runtime
from tests.factories import Caller, signup
from tests.integration.connectors.platforms import CASES
from tests.integration.connectors.test_every_platform_reference import draft
from tests.integration.connectors.test_every_platform_review import create_with
from tests.integration.sync.marketplace import PLATFORMS, Market, build_market

Open = Callable[[str], Awaitable[tuple[Market, Caller]]]


@pytest.fixture
async def open_market(test_settings: Settings, db: Database) -> AsyncIterator[Open]:
    """A market of one platform whose review follow-up re-reads after 50 ms (doubling)."""
    callers: list[Caller] = []
    fast = test_settings.model_copy(update={"review_poll_seconds": 0.05, "review_poll_max_seconds": 0.2})

    async def make(platform: str) -> tuple[Market, Caller]:
        market = build_market(fast, db, uuid.uuid4(), [platform], products=1, variants=1)
        owner = await signup(
            market.app, email=f"review-{uuid.uuid4().hex[:6]}@example.com", org="Toko Review"
        )
        market.org_id = owner.org_id
        callers.append(owner)
        await market.connect(platform)
        return market, owner

    yield make
    for caller in callers:
        await caller.client.aclose()


async def published(market: Market, platform: str, name: str) -> tuple[str, uuid.UUID, uuid.UUID]:
    """A product created on the shop through its connector and linked as our listing (what the publish job
    does), and the follow-up job queued: (item id, listing id, job id)."""
    case = next(c for c in CASES if c.name == platform)
    sc, channel_id = runtime.current().sync, market.channel_ids[platform]
    shop = await open_channel(sc, market.org_id, channel_id)
    for image in draft("0").image_ids:  # as if uploaded
        market.shops[platform].sandbox.images.issue(image)  # type: ignore[attr-defined]
    item_id = await create_with(case, shop.connector, name)
    async with market.db.transaction(market.org_id) as session:
        listing = Listing(
            org_id=market.org_id, channel_account_id=channel_id, platform_item_id=item_id, title=name
        )
        session.add(listing)
        await session.flush()
        (job,) = await review.request(session, market.org_id, channel_id, [item_id], dry_run=False)
    return item_id, listing.id, job.id


async def run_worker_once(market: Market) -> None:
    """The worker until no job is due now (a job waiting for its next look stays queued)."""
    for h in market.shops.values():
        await h.drain_pushes()
    queue = configure(market.db.urls)
    async with queue.open_async():
        await queue.run_worker_async(queues=QUEUES, wait=False, install_signal_handlers=False, concurrency=2)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_under_review_then_live(open_market: Open, platform: str) -> None:
    market, owner = await open_market(platform)
    market.shops[platform].set_faults({"reviews": [{"hold": True}]})
    _, listing_id, job_id = await published(market, platform, "Kaos Tinjau Lolos")
    await run_worker_once(market)
    listing = (await owner.get(f"/api/listings/{listing_id}")).json()
    assert (listing["review_state"], listing["status"]) == ("under_review", "under_review")
    job = (await owner.get(f"/api/jobs/{job_id}")).json()
    assert job["kind"] == "catalog.follow_review" and job["status"] == "retrying"
    assert job["result"]["under_review"] and job["result"]["polls"] >= 1
    market.shops[platform].sandbox.settle_reviews(force=True)  # type: ignore[attr-defined]
    await market.settle()
    listing = (await owner.get(f"/api/listings/{listing_id}")).json()
    assert (listing["review_state"], listing["status"], listing["review_reason"]) == ("live", "active", None)
    job = (await owner.get(f"/api/jobs/{job_id}")).json()
    assert job["status"] == "succeeded" and job["result"]["live"] and not job["result"]["under_review"]


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_rejected_with_the_platform_reason(open_market: Open, platform: str) -> None:
    market, owner = await open_market(platform)
    reason = "Foto produk mengandung watermark toko lain"
    market.shops[platform].set_faults(
        {"reviews": [{"outcome": "reject", "reason": reason, "code": "IMG_WM"}]}
    )
    item_id, listing_id, job_id = await published(market, platform, "Kaos Tinjau Tolak")
    await market.settle()
    listing = (await owner.get(f"/api/listings/{listing_id}")).json()
    expected = (BANNED_REASON, "-2") if platform == "tokopedia" else (reason, "IMG_WM")
    assert listing["review_state"] == "rejected" and listing["status"] == "banned"
    assert (listing["review_reason"], listing["review_code"]) == expected
    job = (await owner.get(f"/api/jobs/{job_id}")).json()
    assert job["status"] == "succeeded"
    assert job["result"]["rejected"] == [{"item_id": item_id, "reason": expected[0], "code": expected[1]}]
    async with market.db.transaction(market.org_id) as session:
        alerts = (
            await session.scalars(select(AlertState).where(AlertState.kind == "listing_rejected"))
        ).all()
    assert str(listing_id) in [a.subject_key for a in alerts]
    entries = (await owner.get("/api/audit")).json()["items"]
    assert any(
        e["action"] == "listing.review_rejected" and e["entity_id"] == str(listing_id) for e in entries
    )


@pytest.mark.parametrize("platform", ["shopee", "tiktokshop", "lazada"])
async def test_the_review_push_updates_the_listing_at_once(open_market: Open, platform: str) -> None:
    """The push arrives before the job's next look: the webhook's processing writes the rejection."""
    market, owner = await open_market(platform)
    market.shops[platform].set_faults(
        {"reviews": [{"outcome": "reject", "reason": "Merek palsu", "hold": True}]}
    )
    _, listing_id, job_id = await published(market, platform, "Kaos Tinjau Push")
    async with market.db.transaction(market.org_id) as session:  # no look of the job's: only the push
        await session.execute(update(SyncJob).where(SyncJob.id == job_id).values(status="cancelled"))
    market.shops[platform].sandbox.settle_reviews(force=True)  # type: ignore[attr-defined]
    await market.settle()
    listing = (await owner.get(f"/api/listings/{listing_id}")).json()
    assert (listing["review_state"], listing["review_reason"]) == ("rejected", "Merek palsu")
