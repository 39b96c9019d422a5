"""Alert tasks: the evaluation of every organisation (every minute), one organisation's evaluation when
something happened (an oversold order, a dead-lettered job), grouping, and sending each message."""

from __future__ import annotations

import uuid

import httpx
import structlog

from aiostore.services.alerts import delivery, evaluate
from aiostore.worker import at, runtime
from aiostore.worker.app import queue

log = structlog.get_logger(__name__)


@queue.periodic(cron=at.minutely(at.ALERTS), periodic_id="alerts-evaluate")
@queue.task(name="alerts.evaluate_all", queue="alerts", queueing_lock="alerts-evaluate-all")
async def evaluate_all(timestamp: int) -> None:
    rt = runtime.current()
    raised = await evaluate.evaluate_all(rt.db, rt.settings)
    if raised:
        log.info("alerts.evaluated", raised=raised)


@queue.task(name=evaluate.EVALUATE_TASK, queue="alerts")
async def evaluate_org(org_id: str) -> None:
    rt = runtime.current()
    org = uuid.UUID(org_id)
    async with rt.db.transaction(org) as session:
        await evaluate.evaluate_org(session, org, rt.settings)


@queue.task(name=evaluate.DISPATCH_TASK, queue="alerts")
async def dispatch(org_id: str) -> None:
    rt = runtime.current()
    org = uuid.UUID(org_id)
    async with rt.db.transaction(org) as session:
        await delivery.dispatch(session, org)


@queue.task(name=delivery.SEND_TASK, queue="alerts")
async def send(org_id: str, message_id: str) -> None:
    rt = runtime.current()
    # A client of its own: never a marketplace's transport, and no connection kept between messages.
    async with httpx.AsyncClient() as http:
        await delivery.send(rt.db, rt.settings, http, uuid.UUID(org_id), uuid.UUID(message_id))
