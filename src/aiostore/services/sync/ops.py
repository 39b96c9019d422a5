"""Order operations and token refresh as jobs: ship, cancel, refresh a shop's tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from aiostore.connectors.dtos import CancelReason, ShipMethod, ShipRequest
from aiostore.db.models import Order, SyncJob
from aiostore.errors import Conflict, NotFound
from aiostore.services import channels
from aiostore.services.sync.context import SyncContext, open_channel
from aiostore.services.sync.pull import ingest_many
from aiostore.services.sync.runner import handler


async def _order(sc: SyncContext, job: SyncJob) -> Order:
    async with sc.tx(job.org_id) as session:
        order = await session.scalar(select(Order).where(Order.id == job.params["order_id"]))
    if order is None:
        raise NotFound("the order no longer exists")
    return order


async def _refresh_order(sc: SyncContext, job: SyncJob, order: Order) -> None:
    """Read the order back so its new status (and stock effect) is ours at once."""
    shop = await open_channel(sc, job.org_id, order.channel_account_id)
    if job.dry_run:
        return
    dtos = await shop.connector.get_orders([order.platform_order_id])
    async with sc.tx(job.org_id) as session:
        await ingest_many(session, job.org_id, shop.channel, dtos)


@handler("ship_order")
async def ship_order(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    order = await _order(sc, job)
    shop = await open_channel(sc, job.org_id, order.channel_account_id)
    params = job.params
    request = ShipRequest(
        method=ShipMethod(params.get("method", "auto")), tracking_number=params.get("tracking_number")
    )
    result = await shop.connector.ship_order(order.platform_order_id, request)
    if not result.ok:
        raise Conflict(f"the platform did not ship the order: {result.detail}")
    await _refresh_order(sc, job, order)
    return {"order_id": str(order.id), "dry_run": result.dry_run, "detail": result.detail}


@handler("cancel_order")
async def cancel_order(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    order = await _order(sc, job)
    shop = await open_channel(sc, job.org_id, order.channel_account_id)
    result = await shop.connector.cancel_order(order.platform_order_id, CancelReason(job.params["reason"]))
    if not result.ok:
        raise Conflict(f"the platform did not cancel the order: {result.detail}")
    await _refresh_order(sc, job, order)
    return {"order_id": str(order.id), "dry_run": result.dry_run, "detail": result.detail}


@handler("refresh_tokens")
async def refresh_tokens(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    """Refresh a shop's tokens ahead of expiry (scheduled), so jobs rarely refresh mid-flight. The
    connector's coordinator takes the shop's row lock, refreshes with the stored refresh token and
    commits the new tokens (token_health.refresh_locked)."""
    assert job.channel_account_id is not None  # noqa: S101
    shop = await open_channel(sc, job.org_id, job.channel_account_id)
    tokens = channels.load_tokens(sc.connectors.cipher(), shop.channel)
    if tokens is None:
        raise Conflict("the channel has no tokens; connect the shop again")
    fresh = await shop.connector.refresh(tokens)
    return {"access_expires_at": fresh.access_expires_at.isoformat()}
