"""One job's page: its facts and per-item outcomes in English and Indonesian, live refresh, actions by
role, another org's job a 404."""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from aiostore.db.models import SyncJob, SyncJobItem
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.web.pages.jobs import PAGE_ITEMS
from tests.factories import Caller, member_token
from tests.integration.pages.conftest import HTML, form, get_page, squash, submit


async def _failed_job(db: Database, caller: Caller) -> uuid.UUID:
    async with db.transaction(caller.org_id, caller.user_id) as s:
        job = SyncJob(
            org_id=caller.org_id,
            kind="push_stock",
            status="failed",
            attempts=5,
            max_attempts=5,
            progress_done=1,
            progress_total=3,
            dry_run=False,
            started_by="schedule",
            error="quota gone",
        )
        s.add(job)
        await s.flush()
        s.add_all(
            [
                SyncJobItem(org_id=caller.org_id, job_id=job.id, ref="sku:TEE-RED-M", result="ok"),
                SyncJobItem(
                    org_id=caller.org_id,
                    job_id=job.id,
                    ref="listing:shopee:8812",
                    result="failed",
                    error="stock below reserved",
                ),
                SyncJobItem(org_id=caller.org_id, job_id=job.id, ref="sku:MUG-01", result="skipped"),
            ]
        )
        return job.id


async def test_job_with_its_items_in_english_and_indonesian(db: Database, owner: Caller) -> None:
    job_id = await _failed_job(db, owner)
    listed = (await get_page(owner, "/jobs")).text
    assert f'<a href="/jobs/{job_id}">push stock</a>' in listed
    page = squash((await get_page(owner, f"/jobs/{job_id}")).text)
    assert "<h1>Job: push stock</h1>" in page
    assert '<dd class="job-status failed">failed</dd>' in page
    assert "<dt>Attempts</dt><dd>5 of 5</dd>" in page and "<dt>Started by</dt><dd>the schedule</dd>" in page
    assert '<progress value="1" max="3"></progress>1 / 3' in page
    assert '<dd class="error-text">quota gone</dd>' in page
    assert (
        '<td>listing:shopee:8812</td> <td class="job-status failed">failed</td> '
        '<td><small class="error-text">stock below reserved</small></td>'
    ) in page
    assert '<td>sku:TEE-RED-M</td> <td class="job-status ok">done</td> <td>—</td>' in page
    assert '<td class="job-status skipped">skipped</td>' in page
    assert f'action="/jobs/{job_id}/retry"' in page and f"/jobs/{job_id}/cancel" not in page
    assert 'sse-connect="/api/jobs/events"' in page and 'hx-trigger="sse:job throttle:1s, sse-tail"' in page
    partial = await get_page(owner, f"/jobs/{job_id}", **{"HX-Request": "true"})
    assert partial.text.startswith(f'<div id="job" hx-get="/jobs/{job_id}"')
    assert "stock below reserved" in partial.text and "<h1>" not in partial.text
    indonesian = squash((await get_page(owner, f"/jobs/{job_id}", **{"Accept-Language": "id"})).text)
    assert (
        "<h1>Tugas: kirim stok</h1>" in indonesian
        and '<td class="job-status failed">gagal</td>' in indonesian
    )
    assert "<dt>Percobaan</dt><dd>5 dari 5</dd>" in indonesian and "<dd>jadwal</dd>" in indonesian
    assert "Sasaran" in indonesian and "dilewati" in indonesian and "Coba lagi" in indonesian


async def test_retry_from_the_page_and_an_empty_job(db: Database, owner: Caller) -> None:
    job_id = await _failed_job(db, owner)
    retried = await submit(owner, f"/jobs/{job_id}/retry", form(owner, back="job"))
    assert retried.status_code == 303 and retried.headers["location"] == f"/jobs/{job_id}?done=retried"
    page = squash((await get_page(owner, retried.headers["location"])).text)
    assert "The job will run again." in page
    assert f'action="/jobs/{job_id}/cancel"' in page and f"/jobs/{job_id}/retry" not in page
    assert '<input type="hidden" name="back" value="job">' in page
    cancelled = await submit(owner, f"/jobs/{job_id}/cancel", form(owner, back="//evil.example"))
    assert cancelled.status_code == 303 and cancelled.headers["location"] == "/jobs?done=cancelled"
    async with db.transaction(owner.org_id, owner.user_id) as s:
        empty = SyncJob(org_id=owner.org_id, kind="pull_orders", status="queued")
        s.add(empty)
    bare = squash((await get_page(owner, f"/jobs/{empty.id}")).text)
    assert "This job has recorded no items yet." in bare and "<dt>Error</dt>" not in bare


async def test_viewer_sees_no_actions_and_other_orgs_get_404(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    job_id = await _failed_job(db, owner)
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    page = await viewer.get(f"/jobs/{job_id}", headers=HTML)
    assert page.status_code == 200 and "stock below reserved" in page.text
    assert "/retry" not in page.text and "/cancel" not in page.text
    foreign = await get_page(other_org, f"/jobs/{job_id}")
    assert foreign.status_code == 404 and "stock below reserved" not in foreign.text
    missing = await get_page(owner, f"/jobs/{uuid.uuid4()}")
    assert missing.status_code == 404
    bad = await get_page(owner, "/jobs/not-a-uuid")
    assert bad.status_code == 422


async def test_a_big_job_shows_its_first_items_and_says_so(db: Database, owner: Caller) -> None:
    async with db.transaction(owner.org_id, owner.user_id) as s:
        job = SyncJob(org_id=owner.org_id, kind="push_stock", status="succeeded")
        s.add(job)
        await s.flush()
        s.add_all(
            SyncJobItem(org_id=owner.org_id, job_id=job.id, ref=f"sku:BIG-{n:04d}", result="ok")
            for n in range(PAGE_ITEMS + 5)
        )
    page = squash((await get_page(owner, f"/jobs/{job.id}")).text)
    assert page.count("sku:BIG-") == PAGE_ITEMS
    assert f"Only the first {PAGE_ITEMS} items are shown." in page
    api = (await owner.get(f"/api/jobs/{job.id}")).json()
    assert len(api["items"]) == PAGE_ITEMS + 5  # the API still gives up to its own limit
