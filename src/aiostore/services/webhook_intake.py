"""Storing verified pushes durably and fast: a group commit (db/group_commit.py) of every push arriving at
once in this process.

Each push is routed to its org by `channel_routes` (one query per batch), inserted once per (platform,
shop, dedup key) and its processing job deferred (one statement per org), all in one transaction; the
webhook endpoint answers 2xx only after that transaction committed. Processing (re-reading the order,
moving stock) happens on the queue, after the answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_

from aiostore.db import bulk, tenancy
from aiostore.db.group_commit import GroupCommit
from aiostore.db.models import ChannelRoute, WebhookEvent
from aiostore.db.session import Database
from aiostore.jobqueue import webhook_queue
from aiostore.services.sync.queue import defer_many

PROCESS_TASK = "webhooks.process"
KEY = ("platform", "shop_id", "dedup_key")  # a push is stored once per key


@dataclass(frozen=True, slots=True)
class Arrival:
    """A verified, parsed push about to be stored."""

    platform: str
    shop_id: str
    dedup_key: str
    event_type: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Stored:
    routed: bool  # False: no organization has connected this shop (nothing stored)
    event_id: uuid.UUID | None  # None: not stored (a duplicate, or not routed)
    org_id: uuid.UUID | None = None


async def write(db: Database, batch: Sequence[Arrival]) -> list[Stored]:
    """Store a batch of pushes in one transaction; one result per push, in order. A push whose key is
    already stored (or repeated in this batch) is a duplicate: not stored again, no job."""
    results = [Stored(False, None)] * len(batch)
    async with db.transaction() as session:
        pairs = sorted({(a.platform, a.shop_id) for a in batch})
        rows = await session.execute(
            select(
                ChannelRoute.platform,
                ChannelRoute.shop_id,
                ChannelRoute.org_id,
                ChannelRoute.channel_account_id,
            ).where(
                ChannelRoute.active.is_(True), tuple_(ChannelRoute.platform, ChannelRoute.shop_id).in_(pairs)
            )
        )
        routes = {(platform, shop): (org, channel) for platform, shop, org, channel in rows.all()}
        by_org: dict[uuid.UUID, list[int]] = {}
        for index, arrival in enumerate(batch):
            route = routes.get((arrival.platform, arrival.shop_id))
            if route is not None:
                by_org.setdefault(route[0], []).append(index)
        for org_id, indexes in by_org.items():
            await tenancy.bind_tenant(session, org_id)
            values = [
                _row(batch[i], org_id, routes[(batch[i].platform, batch[i].shop_id)][1]) for i in indexes
            ]
            inserted = await bulk.insert_rows(
                session,
                WebhookEvent,
                values,
                skip_conflicts_on=KEY,
                returning=("id", *KEY),
            )
            new = {(platform, shop, key): event_id for event_id, platform, shop, key in inserted}
            jobs: dict[str, list[dict[str, Any]]] = {}
            for (platform, _, _), event_id in new.items():
                jobs.setdefault(platform, []).append({"org_id": str(org_id), "event_id": str(event_id)})
            for i in indexes:
                arrival = batch[i]
                # The first push of a key in the batch is the one stored; a repeat is a duplicate.
                event_id = new.pop((arrival.platform, arrival.shop_id, arrival.dedup_key[:200]), None)
                results[i] = Stored(True, event_id, org_id)
            for platform, platform_jobs in jobs.items():
                await defer_many(session, PROCESS_TASK, platform_jobs, queue=webhook_queue(platform))
    return results


async def known(db: Database, platform: str, shop_id: str, dedup_key: str) -> bool:
    """Whether a push with this key is already stored for the shop's organization."""
    async with db.transaction() as session:
        org_id = await session.scalar(
            select(ChannelRoute.org_id).where(
                ChannelRoute.active.is_(True),
                ChannelRoute.platform == platform,
                ChannelRoute.shop_id == shop_id,
            )
        )
        if org_id is None:
            return False
        await tenancy.bind_tenant(session, org_id)
        found = await session.scalar(
            select(WebhookEvent.id)
            .where(
                WebhookEvent.platform == platform,
                WebhookEvent.shop_id == shop_id,
                WebhookEvent.dedup_key == dedup_key[:200],
            )
            .limit(1)
        )
        return found is not None


def _row(arrival: Arrival, org_id: uuid.UUID, channel_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "org_id": org_id,
        "platform": arrival.platform,
        "shop_id": arrival.shop_id,
        "channel_account_id": channel_id,
        "dedup_key": arrival.dedup_key[:200],
        "event_type": arrival.event_type,
        "payload": arrival.payload,
        "status": "received",
        "attempts": 0,
    }


def batcher(db: Database) -> GroupCommit[Arrival, Stored]:
    """The group commit of pushes for this database (one per SyncContext)."""

    async def write_batch(batch: Sequence[Arrival]) -> list[Stored]:
        return await write(db, batch)

    return GroupCommit(write_batch)
