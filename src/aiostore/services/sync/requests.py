"""Pulls and pushes asked for by a person (the API) or an operator (the CLI): each becomes sync jobs.

One place for both adapters, so `POST /api/sync/pull|push` and `aiostore sync pull|push` create the
same jobs with the same audit entries. Field paths in errors are the API's (`channel_account_ids.0`,
`skus.2`); the CLI names its own options from them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChannelAccount, Listing, SyncJob, Variant
from aiostore.domain.sync import PullKind
from aiostore.errors import FieldError, ValidationFailed, invalid
from aiostore.services import audit, channels
from aiostore.services.context import OrgContext
from aiostore.services.inventory import mark_listings_dirty
from aiostore.services.sync import jobs


async def pull_channels(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[ChannelAccount]:
    """The channels to pull, in the order asked; an unknown or disconnected one is a 422 naming it."""
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


async def request_pull(
    session: AsyncSession,
    ctx: OrgContext,
    channel_ids: Sequence[uuid.UUID],
    kinds: Sequence[PullKind],
    *,
    dry_run: bool,
    started_by: str,
) -> list[SyncJob]:
    """One `pull_<kind>` job per channel and kind (repeats ignored), each audited."""
    created = []
    for channel in await pull_channels(session, list(dict.fromkeys(channel_ids))):
        for kind in dict.fromkeys(kinds):
            job = await jobs.create(
                session,
                ctx.org_id,
                f"pull_{kind.value}",
                channel_account_id=channel.id,
                dry_run=dry_run,
                started_by=started_by,
                user_id=ctx.actor.user_id,
            )
            created.append(job)
    for job in created:
        await audit.record(session, ctx, "sync.pull_requested", "sync_job", job.id, after={"kind": job.kind})
    return created


async def request_backfill(
    session: AsyncSession,
    ctx: OrgContext,
    channel_ids: Sequence[uuid.UUID],
    since: datetime,
    until: datetime,
    *,
    dry_run: bool,
    started_by: str,
) -> list[SyncJob]:
    """One `pull_orders` job per channel for the window [since, until] (any window; the shop's cursor
    stays where it is), each audited. Orders already taken by webhooks or pulls are upserted by their
    version (services/orders.py), so a backfill creates no duplicate and moves no stock twice."""
    if since.tzinfo is None or until.tzinfo is None:
        raise invalid("from" if since.tzinfo is None else "to", "give a time zone (or a date: UTC)")
    since, until = since.astimezone(UTC), until.astimezone(UTC)
    if since >= until:
        raise invalid("to", "must be after from")
    if until > datetime.now(UTC) + timedelta(minutes=1):
        raise invalid("to", "must not be in the future")
    params = {"since": since.isoformat(), "until": until.isoformat(), "backfill": True}
    created = []
    for channel in await pull_channels(session, list(dict.fromkeys(channel_ids))):
        job = await jobs.create(
            session,
            ctx.org_id,
            "pull_orders",
            channel_account_id=channel.id,
            params=params,
            dry_run=dry_run,
            started_by=started_by,
            user_id=ctx.actor.user_id,
        )
        created.append(job)
        await audit.record(session, ctx, "sync.backfill_requested", "sync_job", job.id, after=params)
    return created


async def _check_all_found(
    session: AsyncSession,
    listings: list[Listing],
    listing_ids: Sequence[uuid.UUID] | None,
    skus: Sequence[str] | None,
) -> None:
    """Every listing asked for exists and is linked; every SKU is a master SKU with a linked listing."""
    errors: list[FieldError] = []
    if listing_ids:
        linked = {x.id for x in listings}
        known = set(
            (await session.scalars(select(Listing.id).where(Listing.id.in_(list(listing_ids))))).all()
        )
        for i, listing_id in enumerate(listing_ids):
            if listing_id not in known:
                errors.append(FieldError(f"listing_ids.{i}", "not_found", "no such listing"))
            elif listing_id not in linked:
                errors.append(
                    FieldError(f"listing_ids.{i}", "unlinked", "this listing is not linked to a master SKU")
                )
    else:
        wanted = [s.lower() for s in skus or []]
        masters = {
            s.lower()
            for s in (
                await session.scalars(select(Variant.sku).where(func.lower(Variant.sku).in_(wanted)))
            ).all()
        }
        linked_ids = {x.variant_id for x in listings}
        with_listings = {
            s.lower()
            for s in (
                await session.scalars(select(Variant.sku).where(Variant.id.in_(list(linked_ids))))
            ).all()
        }
        for i, sku in enumerate(wanted):
            if sku not in masters:
                errors.append(FieldError(f"skus.{i}", "not_found", "no such master SKU"))
            elif sku not in with_listings:
                errors.append(FieldError(f"skus.{i}", "no_listing", "no listing is linked to this SKU"))
    if errors:
        raise ValidationFailed("some listings or SKUs cannot be pushed", errors=errors)


async def request_push(
    session: AsyncSession,
    ctx: OrgContext,
    *,
    listing_ids: Sequence[uuid.UUID] | None,
    skus: Sequence[str] | None,
    dry_run: bool,
    started_by: str,
    require_all: bool = False,
    prices: bool = False,
) -> list[SyncJob]:
    """One `push_listings` job per shop for the chosen listings (or every listing of the chosen SKUs).

    It sends their stock. Only with `prices` does it also send prices, and then only those that
    committed price changes left pending (`listings.price_dirty`): a price nobody previewed and
    committed is never sent, whoever asks.

    The API pushes what matches and refuses only when nothing does; `require_all` (the CLI) also
    refuses when any listing or SKU asked for is unknown or has nothing linked to push.
    """
    stmt = select(Listing).where(Listing.variant_id.is_not(None))
    if listing_ids:
        stmt = stmt.where(Listing.id.in_(list(listing_ids)))
    else:
        lowered = [s.lower() for s in skus or []]
        stmt = stmt.join(Variant, Variant.id == Listing.variant_id).where(
            func.lower(Variant.sku).in_(lowered)
        )
    listings = list((await session.scalars(stmt)).all())
    if require_all:
        await _check_all_found(session, listings, listing_ids, skus)
    if not listings:
        raise invalid("listing_ids" if listing_ids else "skus", "no linked listing matches", "not_found")
    # Dirty until pushed, so that a push that fails leaves them for the shop's next push.
    await mark_listings_dirty(session, [x.id for x in listings])
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
            params={"listing_ids": ids, "prices": True} if prices else {"listing_ids": ids},
            dry_run=dry_run,
            started_by=started_by,
            user_id=ctx.actor.user_id,
        )
        await audit.record(
            session,
            ctx,
            "sync.push_requested",
            "sync_job",
            job.id,
            after={"listings": len(ids), "prices": prices},
        )
        created.append(job)
    return created
