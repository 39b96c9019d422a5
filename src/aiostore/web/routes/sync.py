"""Start pulls and pushes; each becomes a job (see /api/jobs)."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Request, status
from pydantic import Field, model_validator
from sqlalchemy import func, select

from aiostore.db.models import ChannelAccount, Listing, Variant
from aiostore.domain.permissions import Permission
from aiostore.errors import invalid
from aiostore.services import audit, channels
from aiostore.services.context import OrgContext
from aiostore.services.inventory import mark_dirty
from aiostore.services.sync import jobs
from aiostore.web.deps import AppSettings, RequirePermission, Session
from aiostore.web.routes.common import StrictModel
from aiostore.web.routes.jobs import JobOut

router = APIRouter(prefix="/api/sync", tags=["sync"])
Run = Annotated[OrgContext, RequirePermission(Permission.SYNC_RUN)]


class PullKind(StrEnum):
    PRODUCTS = "products"
    ORDERS = "orders"


class PullIn(StrictModel):
    channel_account_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    kinds: list[PullKind] = Field(default=[PullKind.PRODUCTS, PullKind.ORDERS], min_length=1)


class PushIn(StrictModel):
    listing_ids: list[uuid.UUID] | None = Field(default=None, max_length=10_000)
    skus: list[str] | None = Field(default=None, max_length=10_000)

    @model_validator(mode="after")
    def _one_of(self) -> PushIn:
        if bool(self.listing_ids) == bool(self.skus):
            raise ValueError("give listing_ids or skus (one of them, not empty)")
        return self


async def _channels(session: Session, ids: list[uuid.UUID]) -> list[ChannelAccount]:
    found = {
        c.id: c
        for c in (await session.scalars(select(ChannelAccount).where(ChannelAccount.id.in_(ids)))).all()
    }
    for i, channel_id in enumerate(ids):
        channel = found.get(channel_id)
        if channel is None:
            raise invalid(f"channel_account_ids.{i}", "no such channel", "not_found")
        if channel.status == channels.DISCONNECTED:
            raise invalid(f"channel_account_ids.{i}", "this channel is disconnected", "disconnected")
    return [found[i] for i in ids]


@router.post("/pull", status_code=status.HTTP_202_ACCEPTED)
async def pull(body: PullIn, session: Session, ctx: Run, settings: AppSettings) -> list[JobOut]:
    """Pull products (as listings, matched to master variants by SKU) and/or orders from shops."""
    created = []
    for channel in await _channels(session, list(dict.fromkeys(body.channel_account_ids))):
        for kind in dict.fromkeys(body.kinds):
            job = await jobs.create(
                session,
                ctx.org_id,
                f"pull_{kind.value}",
                channel_account_id=channel.id,
                dry_run=settings.write_mode.value != "live",
                started_by="user",
                user_id=ctx.actor.user_id,
            )
            created.append(job)
    for job in created:
        await audit.record(session, ctx, "sync.pull_requested", "sync_job", job.id, after={"kind": job.kind})
    return [JobOut.of(j) for j in created]


@router.post("/push", status_code=status.HTTP_202_ACCEPTED)
async def push(
    body: PushIn, request: Request, session: Session, ctx: Run, settings: AppSettings
) -> list[JobOut]:
    """Push the stock and price of chosen listings (or of every listing of chosen SKUs), per shop."""
    stmt = select(Listing).where(Listing.variant_id.is_not(None))
    if body.listing_ids:
        stmt = stmt.where(Listing.id.in_(body.listing_ids))
    else:
        skus = [s.lower() for s in body.skus or []]
        stmt = stmt.join(Variant, Variant.id == Listing.variant_id).where(func.lower(Variant.sku).in_(skus))
    listings = list((await session.scalars(stmt)).all())
    if not listings:
        raise invalid("listing_ids" if body.listing_ids else "skus", "no linked listing matches", "not_found")
    await mark_dirty(session, {x.variant_id for x in listings if x.variant_id})
    by_channel: dict[uuid.UUID, list[str]] = {}
    for listing in listings:
        by_channel.setdefault(listing.channel_account_id, []).append(str(listing.id))
    created = []
    for channel_id, ids in by_channel.items():
        job = await jobs.create(
            session,
            ctx.org_id,
            "push_listings",
            channel_account_id=channel_id,
            params={"listing_ids": ids},
            dry_run=settings.write_mode.value != "live",
            started_by="user",
            user_id=ctx.actor.user_id,
        )
        await audit.record(
            session, ctx, "sync.push_requested", "sync_job", job.id, after={"listings": len(ids)}
        )
        created.append(job)
    return [JobOut.of(j) for j in created]
