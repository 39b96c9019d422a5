"""`aiostore sync backfill --from --to [--shop] --no-wait`: one pull_orders job per shop over the window,
the shop's cursor untouched, audited; and bad input named by its option."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from aiostore.db.models import AuditLog, SyncJob
from aiostore.db.session import Database
from aiostore.services import channels
from tests.factories import Caller
from tests.integration.cli.conftest import cli, make_channel


async def _jobs(db: Database, org: uuid.UUID) -> list[SyncJob]:
    async with db.transaction(org) as session:
        return list((await session.scalars(select(SyncJob).order_by(SyncJob.created_at))).all())


async def test_backfill_creates_a_windowed_pull_per_shop(
    cli_env: dict[str, str], db: Database, owner: Caller
) -> None:
    org = owner.org_id
    shopee = await make_channel(db, org, platform="shopee")
    lazada = await make_channel(db, org, platform="lazada", market="MY")
    await make_channel(db, org, platform="tiktokshop", status=channels.DISCONNECTED)

    one = await cli(
        "sync", "backfill", "--from", "2026-11-01", "--to", "2026-11-03", "--shop", str(shopee), "--no-wait"
    )
    assert one.exit_code == 0, one.output
    assert "queued 1 job(s)" in one.output and "pull_orders · shopee ID Toko shopee" in one.output
    [job] = await _jobs(db, org)
    assert (job.kind, job.channel_account_id, job.started_by) == ("pull_orders", shopee, "cli")
    assert job.params == {
        "since": datetime(2026, 11, 1, tzinfo=UTC).isoformat(),
        "until": datetime(2026, 11, 4, tzinfo=UTC).isoformat(),  # --to a date: to its end
        "backfill": True,
    }
    async with db.transaction(org) as session:
        [entry] = (
            await session.scalars(select(AuditLog).where(AuditLog.action == "sync.backfill_requested"))
        ).all()
    assert (entry.entity_id, entry.actor_label) == (str(job.id), "cli")

    every = await cli("sync", "backfill", "--from", "2026-11-30T10:00:00+07:00", "--no-wait")
    assert every.exit_code == 0, every.output
    created = (await _jobs(db, org))[1:]
    assert {j.channel_account_id for j in created} == {shopee, lazada}
    assert {j.params["since"] for j in created} == {"2026-11-30T03:00:00+00:00"}


async def test_backfill_bad_input(cli_env: dict[str, str], db: Database, owner: Caller) -> None:
    shopee = await make_channel(db, owner.org_id, platform="shopee")
    backwards = await cli("sync", "backfill", "--from", "2026-11-05", "--to", "2026-11-01", "--no-wait")
    assert backwards.exit_code == 1 and "--to: must be after from" in backwards.output
    future = await cli("sync", "backfill", "--from", "2999-01-01", "--no-wait")
    assert future.exit_code == 1 and "--to: must be after from" in future.output  # --to is now at most
    garbled = await cli("sync", "backfill", "--from", "yesterday", "--no-wait")
    assert garbled.exit_code == 2 and "no ISO date" in garbled.output
    missing = await cli("sync", "backfill", "--to", "2026-11-01", "--no-wait")
    assert missing.exit_code == 2 and "--from" in missing.output
    unknown = uuid.uuid4()
    stranger = await cli("sync", "backfill", "--from", "2026-11-01", "--shop", str(unknown), "--no-wait")
    assert stranger.exit_code == 1 and f"no such channel: {unknown}" in stranger.output
    assert await _jobs(db, owner.org_id) == []
    assert shopee
