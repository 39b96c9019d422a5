"""Live job events: one LISTEN connection per process serves every stream, each org sees its own jobs,
a user's streams are capped; the listener comes back after losing its connection."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import psycopg
from fastapi import FastAPI

from aiostore.db.engine import DatabaseURLs
from aiostore.db.models import SyncJob
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.settings import Settings
from aiostore.web.app import create_app
from aiostore.web.job_events import JobEventHub
from tests.factories import Caller, member_token, signup

LISTENERS = "SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN aiostore_jobs'"


async def _listeners(urls: DatabaseURLs) -> list[int]:
    async with await psycopg.AsyncConnection.connect(urls.owner_conninfo(), autocommit=True) as conn:
        return [int(r[0]) for r in await (await conn.execute(LISTENERS)).fetchall()]


async def _new_job(db: Database, org_id: uuid.UUID, kind: str) -> uuid.UUID:
    async with db.transaction(org_id) as session:
        job = SyncJob(org_id=org_id, kind=kind)
        session.add(job)
        await session.flush()
        return job.id


def _events(resp: httpx.Response) -> list[dict[str, object]]:
    return [json.loads(line[6:]) for line in resp.text.splitlines() if line.startswith("data: ")]


def _open(caller: Caller, seconds: int) -> asyncio.Task[httpx.Response]:
    return asyncio.create_task(caller.get("/api/jobs/events", params={"max_seconds": seconds}))


async def test_many_streams_share_one_connection_and_see_only_their_org(
    test_settings: Settings, db: Database, urls: DatabaseURLs
) -> None:
    app = create_app(test_settings.model_copy(update={"sse_max_streams_per_user": 10}), db)
    hub: JobEventHub = app.state.job_events
    owner = await signup(app, org="Toko Satu")
    rival = await signup(app, email="rival@example.com", org="Toko Dua")
    viewers = [await member_token(app, db, owner.org_id, Role.VIEWER) for _ in range(5)]
    streams = [_open(v, 3) for v in viewers for _ in range(10)]
    rivals = [_open(rival, 3) for _ in range(3)]
    await hub.wait_for_streams(53)
    assert hub.streams(owner.org_id) == 50 and hub.streams(rival.org_id) == 3
    assert len(await _listeners(urls)) == 1  # 53 streams, one PostgreSQL connection

    over = await viewers[0].get("/api/jobs/events", params={"max_seconds": 1})  # the 11th of one user
    assert over.status_code == 429
    assert over.json()["code"] == "too_many_requests" and "10 event streams" in over.json()["detail"]
    assert over.headers["content-type"].startswith("application/problem+json")

    job_id = await _new_job(db, owner.org_id, "pull_orders")
    rival_job = await _new_job(db, rival.org_id, "pull_products")
    for resp in await asyncio.gather(*streams):
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
        assert [e["id"] for e in _events(resp)] == [str(job_id)]
    for resp in await asyncio.gather(*rivals):
        assert [e["id"] for e in _events(resp)] == [str(rival_job)]
    for _ in range(200):  # the last stream gone, the listener closes its connection
        if hub.streams() == 0 and not await _listeners(urls):
            break
        await asyncio.sleep(0.05)
    assert hub.streams() == 0 and await _listeners(urls) == []


async def test_the_listener_reconnects_after_losing_its_connection(
    app: FastAPI, db: Database, urls: DatabaseURLs, owner: Caller
) -> None:
    hub: JobEventHub = app.state.job_events
    stream = _open(owner, 4)
    await hub.wait_for_streams(1, owner.org_id)
    (first,) = await _listeners(urls)
    async with await psycopg.AsyncConnection.connect(urls.owner_conninfo(), autocommit=True) as conn:
        await conn.execute("SELECT pg_terminate_backend(%s)", (first,))
    for _ in range(400):
        again = await _listeners(urls)
        if again and again != [first]:
            break
        await asyncio.sleep(0.05)
    await hub.wait_for_streams(1, owner.org_id)
    job_id = await _new_job(db, owner.org_id, "pull_orders")
    resp = await stream
    assert [e["id"] for e in _events(resp)] == [str(job_id)]
