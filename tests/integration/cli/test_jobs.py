"""`aiostore jobs list|show|retry|cancel` over services/sync/jobs.py."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from aiostore.cli import jobs as jobs_cli
from aiostore.db.models import AuditLog, SyncJob
from aiostore.db.session import Database
from aiostore.services.sync import jobs
from tests.factories import Caller
from tests.integration.cli.conftest import cli, make_channel


async def _job(
    db: Database, org: uuid.UUID, kind: str, channel: uuid.UUID, status: str = jobs.QUEUED
) -> uuid.UUID:
    async with db.transaction(org) as session:
        job = await jobs.create(
            session, org, kind, channel_account_id=channel, dry_run=True, started_by="schedule"
        )
        if status != jobs.QUEUED:
            job.status = status
            job.attempts = 5
            job.error = "Rejected: [shopee] item 42 is banned"
        await jobs.add_items(
            session,
            job,
            [
                {"ref": "TEE-RED", "result": "ok", "request": {}},
                {"ref": "TEE-BLUE", "result": "failed", "error": "price below floor", "request": {}},
            ],
        )
    return job.id


async def _status(db: Database, org: uuid.UUID, job_id: uuid.UUID) -> str:
    async with db.transaction(org) as session:
        job = await session.get(SyncJob, job_id)
        assert job is not None
        return job.status


def test_statuses_match_the_service() -> None:
    assert set(jobs_cli.STATUSES) == {
        jobs.QUEUED,
        jobs.RUNNING,
        jobs.RETRYING,
        jobs.SUCCEEDED,
        jobs.FAILED,
        jobs.CANCELLED,
    }


async def test_list_show_retry_cancel(cli_env: dict[str, str], db: Database, owner: Caller) -> None:
    org = owner.org_id
    shopee = await make_channel(db, org, platform="shopee")
    lazada = await make_channel(db, org, platform="lazada", market="MY")
    first = await _job(db, org, "pull_products", shopee)
    failed = await _job(db, org, "push_listings", shopee, status=jobs.FAILED)
    last = await _job(db, org, "pull_orders", lazada)

    listed = await cli("jobs", "list")
    assert listed.exit_code == 0, listed.output
    positions = [listed.output.index(str(j)) for j in (last, failed, first)]
    assert positions == sorted(positions)  # newest first
    assert "shopee ID Toko shopee" in listed.output and "lazada MY Toko lazada" in listed.output

    only_failed = await cli("jobs", "list", "--status", "failed")
    assert str(failed) in only_failed.output and str(first) not in only_failed.output
    by_kind = await cli("jobs", "list", "--kind", "pull_orders", "--org", str(org))
    assert str(last) in by_kind.output and str(first) not in by_kind.output
    by_channel = await cli("jobs", "list", "--channel", str(lazada))
    assert str(last) in by_channel.output and str(failed) not in by_channel.output
    limited = await cli("jobs", "list", "--limit", "1")
    assert str(last) in limited.output and str(failed) not in limited.output

    shown = await cli("jobs", "show", str(failed))
    assert shown.exit_code == 0, shown.output
    for text in (
        "push_listings",
        "failed",
        "Rejected: [shopee] item 42 is banned",
        "TEE-BLUE",
        "price below floor",
    ):
        assert text in shown.output

    retried = await cli("jobs", "retry", str(failed))
    assert retried.exit_code == 0, retried.output
    assert "queued again" in retried.output
    assert await _status(db, org, failed) == jobs.QUEUED

    cancelled = await cli("jobs", "cancel", str(first))
    assert cancelled.exit_code == 0, cancelled.output
    assert await _status(db, org, first) == jobs.CANCELLED

    async with db.transaction(org) as session:
        entries = (
            await session.scalars(
                select(AuditLog).where(AuditLog.action.in_(["job.retried", "job.cancelled"]))
            )
        ).all()
    assert {(e.action, e.entity_id, e.actor_type, e.actor_label) for e in entries} == {
        ("job.retried", str(failed), "system", "cli"),
        ("job.cancelled", str(first), "system", "cli"),
    }

    # What the service refuses is one red line and exit code 1.
    again = await cli("jobs", "cancel", str(first))
    assert again.exit_code == 1 and "error: this job has already cancelled" in again.output
    not_failed = await cli("jobs", "retry", str(last))
    assert not_failed.exit_code == 1
    assert "error: only failed or cancelled jobs can be retried; this one is queued" in not_failed.output
    missing = await cli("jobs", "show", str(uuid.uuid4()))
    assert missing.exit_code == 1 and "error: job not found" in missing.output


async def test_jobs_bad_input(
    cli_env: dict[str, str], db: Database, owner: Caller, other_org: Caller
) -> None:
    nothing = await cli("jobs", "list")
    assert nothing.exit_code == 1
    assert "error: no organization has connected a channel yet" in nothing.output

    await make_channel(db, owner.org_id)
    assert (await cli("jobs", "list")).exit_code == 0
    bad_status = await cli("jobs", "list", "--status", "lost")
    assert bad_status.exit_code == 1 and "--status: one of queued, running" in bad_status.output
    bad_kind = await cli("jobs", "list", "--kind", "dance")
    assert bad_kind.exit_code == 1 and "--kind: one of" in bad_kind.output
    unknown_org = uuid.uuid4()
    no_org = await cli("jobs", "list", "--org", str(unknown_org))
    assert no_org.exit_code == 1 and f"error: no such organization: {unknown_org}" in no_org.output

    # Two organizations with channels: the org must be named (the other org's jobs stay out of sight).
    rival_channel = await make_channel(db, other_org.org_id)
    rival_job = await _job(db, other_org.org_id, "pull_products", rival_channel)
    ambiguous = await cli("jobs", "list")
    assert ambiguous.exit_code == 1 and "several organizations use this installation" in ambiguous.output
    mine = await cli("jobs", "list", "--org", str(owner.org_id))
    assert mine.exit_code == 0 and str(rival_job) not in mine.output
    foreign = await cli("jobs", "show", str(rival_job), "--org", str(owner.org_id))
    assert foreign.exit_code == 1 and "job not found" in foreign.output
    theirs = await cli("jobs", "list", "--channel", str(rival_channel))  # the channel names the org
    assert theirs.exit_code == 0 and str(rival_job) in theirs.output


async def test_list_fits_80_columns(
    cli_env: dict[str, str], db: Database, owner: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiostore.cli import output

    monkeypatch.setattr(output.out, "width", 80)
    org = owner.org_id
    shopee = await make_channel(db, org, platform="shopee")
    failed = await _job(db, org, "push_listings", shopee, status=jobs.FAILED)
    queued = await _job(db, org, "pull_products", shopee)
    listed = await cli("jobs", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert max(len(line) for line in lines) <= 80, listed.output
    assert str(failed) in listed.output and str(queued) in listed.output  # ids are never cut
    assert "push_listin" in listed.output and "failed" in listed.output
    assert "Rej" in listed.output  # the error, cut to fit (`jobs show` has it whole)
