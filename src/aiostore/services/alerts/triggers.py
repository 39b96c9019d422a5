"""Immediate triggers: what happened (an oversold order, a dead-lettered job) asks for the organisation's
rules to be evaluated at once, in the transaction that recorded it (no job for a rollback)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.services.sync.queue import defer

EVALUATE_TASK = "alerts.evaluate_org"


async def evaluate_soon(session: AsyncSession, org_id: uuid.UUID) -> None:
    """A waiting evaluation of this organisation absorbs this one (one job for a burst)."""
    await defer(session, EVALUATE_TASK, queueing_lock=f"alerts-evaluate:{org_id}", org_id=str(org_id))
