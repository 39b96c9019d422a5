"""`aiostore sync pull --wait` against a sandbox shop, with the real queue worker in the same test.

The command runs in a thread (its own event loop) and follows its jobs through LISTEN/NOTIFY; the
test's loop runs procrastinate's worker once the jobs are queued.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from click.testing import Result
from sqlalchemy import select

from aiostore.connectors.dtos import TokenSet
from aiostore.db.models import ChannelAccount, Listing, SyncJob
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.jobqueue import QUEUES, configure
from aiostore.services import channels
from aiostore.services.context import SYSTEM, OrgContext
from aiostore.services.sync import jobs
from aiostore.settings import Settings
from tests.factories import signup
from tests.integration.cli.conftest import cli
from tests.integration.sync.marketplace import Market, build_market


async def _queued(db: Database, org: uuid.UUID, count: int) -> list[SyncJob]:
    """The command's jobs, once committed (the test waits for them; the command itself never polls)."""
    for _ in range(400):
        async with db.transaction(org) as session:
            rows = list((await session.scalars(select(SyncJob).where(SyncJob.status == jobs.QUEUED))).all())
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"the command queued fewer than {count} jobs")


async def _run_worker(db: Database) -> None:
    queue = configure(db.urls)
    async with queue.open_async():
        await queue.run_worker_async(queues=QUEUES, wait=False, install_signal_handlers=False, concurrency=2)


async def _market(test_settings: Settings, db: Database) -> tuple[Market, uuid.UUID]:
    market = build_market(test_settings, db, uuid.uuid4(), ["shopee"], products=3, variants=2)
    owner = await signup(market.app, email=f"cli-{uuid.uuid4().hex[:6]}@example.com", org="Toko CLI")
    market.org_id = owner.org_id
    return market, await market.connect("shopee")


async def _pull_with_worker(db: Database, org: uuid.UUID, jobs_expected: int, *args: str) -> Result:
    command = asyncio.create_task(cli("sync", "pull", *args, "--timeout", "120"))
    queued = await _queued(db, org, jobs_expected)
    return await _finish(db, command, queued)


async def _finish(db: Database, command: asyncio.Task[Result], queued: list[SyncJob]) -> Result:
    await _run_worker(db)
    return await asyncio.wait_for(command, 60)


async def test_pull_waits_and_reports(cli_env: dict[str, str], test_settings: Settings, db: Database) -> None:
    market, channel = await _market(test_settings, db)
    org = market.org_id

    ok = await _pull_with_worker(db, org, 2, "--channel", str(channel))
    assert ok.exit_code == 0, ok.output
    assert "pull_products · shopee" in ok.output and "pull_orders · shopee" in ok.output
    assert "succeeded" in ok.output
    async with db.transaction(org) as session:
        assert len((await session.scalars(select(Listing))).all()) == 6  # 3 products x 2 variants
        statuses = {j.kind: j.status for j in (await session.scalars(select(SyncJob))).all()}
    assert statuses == {"pull_products": "succeeded", "pull_orders": "succeeded"}

    # One job cancelled before the worker gets to it: exit 1, one line saying so.
    command = asyncio.create_task(cli("sync", "pull", "--channel", str(channel), "--timeout", "120"))
    queued = await _queued(db, org, 2)
    orders_job = next(j for j in queued if j.kind == "pull_orders")
    async with db.transaction(org) as session:
        await jobs.cancel(session, OrgContext(org, Role.OWNER, SYSTEM), orders_job.id)
    cancelled = await _finish(db, command, queued)
    assert cancelled.exit_code == 1, cancelled.output
    assert "pull_orders · shopee ID shopee shop cancelled by request" in cancelled.output

    # Tokens the platform refuses: the job fails, and the reason is printed on one line.
    async with db.transaction(org) as session:
        account = await session.get(ChannelAccount, channel)
        assert account is not None
        bad = TokenSet("bad", "bad", datetime.now(UTC) + timedelta(hours=1), None, shop_id=account.shop_id)
        channels.store_tokens(market.app.state.connectors.cipher(), account, bad)
    failed = await _pull_with_worker(db, org, 1, "--channel", str(channel), "--kind", "products")
    assert failed.exit_code == 1, failed.output
    lines = [
        line for line in failed.output.splitlines() if "pull_products · shopee" in line and "failed:" in line
    ]
    assert len(lines) == 1 and "connect the shop again" in lines[0], failed.output


async def test_wait_gives_up_after_the_timeout(
    cli_env: dict[str, str], test_settings: Settings, db: Database
) -> None:
    market, channel = await _market(test_settings, db)
    result = await cli("sync", "pull", "--channel", str(channel), "--kind", "orders", "--timeout", "0.5")
    assert result.exit_code == 1, result.output
    assert "still queued after 0.5s; it goes on" in result.output
    async with db.transaction(market.org_id) as session:
        [job] = (await session.scalars(select(SyncJob))).all()
    assert job.status == jobs.QUEUED  # not run: no worker here, and not cancelled by giving up
