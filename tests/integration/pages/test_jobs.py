"""Jobs: the list and its filters, retry and cancel by role, another org's jobs invisible."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select

from aiostore.db.models import SyncJob
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token
from tests.integration.pages.conftest import HTML, form, get_page, squash, submit


async def _jobs(db: Database, caller: Caller) -> dict[str, SyncJob]:
    async with db.transaction(caller.org_id, caller.user_id) as s:
        made = {
            "failed": SyncJob(
                org_id=caller.org_id, kind="push_stock", status="failed", attempts=5, error="quota gone"
            ),
            "queued": SyncJob(org_id=caller.org_id, kind="pull_orders", status="queued"),
            "done": SyncJob(
                org_id=caller.org_id,
                kind="pull_products",
                status="succeeded",
                progress_done=40,
                progress_total=40,
                dry_run=False,
            ),
        }
        s.add_all(made.values())
    return made


async def test_list_filter_and_live_hookup(db: Database, owner: Caller) -> None:
    made = await _jobs(db, owner)
    page = squash((await get_page(owner, "/jobs")).text)
    failed_id = made["failed"].id
    assert (
        f'<td><a href="/jobs/{failed_id}">push stock</a> <small>(dry run)</small>'
        '<br><small class="error-text">quota gone</small></td>'
    ) in page
    assert "attempt 5 of 5" in page
    assert '<progress value="40" max="40"></progress>40 / 40' in page
    assert 'sse-connect="/api/jobs/events"' in page and 'hx-trigger="sse:job throttle:1s, sse-tail"' in page
    failed = squash((await get_page(owner, "/jobs?status=failed")).text)
    assert ">push stock</a>" in failed and ">pull orders</a>" not in failed
    partial = await get_page(owner, "/jobs?kind=pull_orders", **{"HX-Request": "true"})
    assert partial.text.startswith('<div id="list" hx-get="/jobs?kind=pull_orders"')
    assert "pull orders" in partial.text and "push stock" not in partial.text
    bad = await get_page(owner, "/jobs?status=exploded")
    assert bad.status_code == 422 and 'id="e-status"' in bad.text
    indonesian = squash((await get_page(owner, "/jobs", **{"Accept-Language": "id"})).text)
    assert "gagal" in indonesian and "Coba lagi" in indonesian


async def test_retry_and_cancel(db: Database, owner: Caller) -> None:
    made = await _jobs(db, owner)
    page = (await get_page(owner, "/jobs")).text
    assert f'action="/jobs/{made["failed"].id}/retry"' in page
    assert f'action="/jobs/{made["queued"].id}/cancel"' in page
    assert f"/jobs/{made['done'].id}/" not in page
    retried = await submit(owner, f"/jobs/{made['failed'].id}/retry", form(owner))
    assert retried.status_code == 303 and retried.headers["location"] == "/jobs?done=retried"
    assert "The job will run again." in (await get_page(owner, "/jobs?done=retried")).text
    cancelled = await submit(owner, f"/jobs/{made['queued'].id}/cancel", form(owner))
    assert cancelled.status_code == 303
    async with db.transaction(owner.org_id, owner.user_id) as s:
        statuses = {j.id: j.status for j in (await s.scalars(select(SyncJob))).all()}
    assert statuses[made["failed"].id] == "queued" and statuses[made["queued"].id] == "cancelled"
    again = await submit(owner, f"/jobs/{made['done'].id}/retry", form(owner))
    assert again.status_code == 409 and "only failed or cancelled jobs can be retried" in again.text


async def test_viewer_sees_no_actions_and_other_orgs_see_nothing(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    made = await _jobs(db, owner)
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    page = await viewer.get("/jobs", headers=HTML)
    assert page.status_code == 200 and "push stock" in page.text
    assert "/retry" not in page.text and "/cancel" not in page.text
    refused = await viewer.post(f"/jobs/{made['failed'].id}/retry", data={})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert "quota gone" not in (await get_page(other_org, "/jobs")).text
    foreign = await submit(other_org, f"/jobs/{made['failed'].id}/retry", form(other_org))
    assert foreign.status_code == 404
