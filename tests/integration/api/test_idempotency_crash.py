"""An `aiostore serve` process killed inside the commit of a request with an Idempotency-Key.

A constraint trigger installed for the test makes the commit of the key's row wait on an advisory
lock the test holds: the request has created its API token and recorded its response, and sits in
COMMIT. The server is then killed with SIGKILL. Either the database aborts that transaction (the
backend is terminated) or it completes it (the lock is released): a retry with the same key, from
another process, then runs the request once or replays its answer; never twice, never 409.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from aiostore.db.engine import DatabaseURLs
from aiostore.settings import Settings
from tests.conftest import database_env
from tests.factories import Caller, signup

TRAP_LOCK = 424242
TRAP = f"""
CREATE OR REPLACE FUNCTION test_commit_trap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.key LIKE 'trap-fail%' THEN RAISE EXCEPTION 'commit refused for the test'; END IF;
  PERFORM pg_advisory_xact_lock({TRAP_LOCK}); RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS test_commit_trap ON idempotency_keys;
CREATE CONSTRAINT TRIGGER test_commit_trap AFTER INSERT ON idempotency_keys
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.key LIKE 'trap-%')
  EXECUTE FUNCTION test_commit_trap();
"""
UNTRAP = (
    "DROP TRIGGER IF EXISTS test_commit_trap ON idempotency_keys; DROP FUNCTION IF EXISTS test_commit_trap();"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def admin(urls: DatabaseURLs) -> AsyncIterator[psycopg.AsyncConnection]:
    conn = await psycopg.AsyncConnection.connect(urls.owner_conninfo(), autocommit=True)
    await conn.execute(TRAP)
    yield conn
    await conn.execute(UNTRAP)
    await conn.close()


async def _serve(urls: DatabaseURLs, settings: Settings) -> tuple[asyncio.subprocess.Process, str]:
    port = _free_port()
    assert settings.secret_key is not None
    env = {
        **os.environ,
        **database_env(settings),
        "AIOSTORE_SECRET_KEY": settings.secret_key.get_secret_value(),
        "AIOSTORE_ENCRYPTION_KEYS": ",".join(k.get_secret_value() for k in settings.encryption_keys),
        "AIOSTORE_PORT": str(port),
        "AIOSTORE_RUN_WORKER": "false",
        "AIOSTORE_LOG_LEVEL": "WARNING",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiostore.cli.main",
        "serve",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=2) as probe:
        for _ in range(600):
            try:
                if (await probe.get("/readyz")).status_code == 200:
                    return proc, base
            except httpx.TransportError:
                assert proc.returncode is None, "serve exited"
            await asyncio.sleep(0.1)
    raise AssertionError("serve did not start")


async def _wait_for_trapped_backend(admin: psycopg.AsyncConnection) -> int:
    for _ in range(600):
        row = await (
            await admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"
                " AND query LIKE 'COMMIT%'"
            )
        ).fetchone()
        if row:
            return int(row[0])
        await asyncio.sleep(0.05)
    raise AssertionError("the request never reached its commit")


async def _killed_in_commit(
    admin: psycopg.AsyncConnection, urls: DatabaseURLs, settings: Settings, owner: Caller, key: str
) -> int:
    """Create a token through a real server, kill -9 the server while the commit waits; the backend's pid."""
    bot = (await owner.post("/api/tokens", json={"name": "bot", "role": "admin"})).json()["token"]
    proc, base = await _serve(urls, settings)
    await admin.execute("SELECT pg_advisory_lock(%s)", (TRAP_LOCK,))
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            doomed = asyncio.create_task(
                client.post(
                    "/api/tokens",
                    json={"name": "deploy"},
                    headers={"Authorization": f"Bearer {bot}", "Idempotency-Key": key},
                )
            )
            pid = await _wait_for_trapped_backend(admin)
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            with pytest.raises(httpx.TransportError):
                await doomed
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return pid


async def _tokens_named(owner: Caller, name: str) -> list[dict[str, object]]:
    return [t for t in (await owner.get("/api/tokens")).json() if t["name"] == name]


async def test_killed_before_the_commit_leaves_the_key_unclaimed(
    app: FastAPI, admin: psycopg.AsyncConnection, urls: DatabaseURLs, test_settings: Settings
) -> None:
    owner = await signup(app)
    pid = await _killed_in_commit(admin, urls, test_settings, owner, "trap-abort")
    await admin.execute("SELECT pg_terminate_backend(%s)", (pid,))  # the database aborts it
    await admin.execute("SELECT pg_advisory_unlock(%s)", (TRAP_LOCK,))
    assert await _tokens_named(owner, "deploy") == []
    headers = {"Idempotency-Key": "trap-abort"}
    retry = await owner.post("/api/tokens", json={"name": "deploy"}, headers=headers)
    assert retry.status_code == 201 and "idempotent-replayed" not in retry.headers  # runs, no 409
    again = await owner.post("/api/tokens", json={"name": "deploy"}, headers=headers)
    assert again.json() == retry.json() and again.headers["idempotent-replayed"] == "true"
    assert len(await _tokens_named(owner, "deploy")) == 1


async def test_killed_while_the_commit_completes_replays_the_answer(
    app: FastAPI, admin: psycopg.AsyncConnection, urls: DatabaseURLs, test_settings: Settings
) -> None:
    owner = await signup(app)
    pid = await _killed_in_commit(admin, urls, test_settings, owner, "trap-commit")
    await admin.execute("SELECT pg_advisory_unlock(%s)", (TRAP_LOCK,))  # the commit goes through
    for _ in range(600):
        row = await (
            await admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s AND state = 'active'", (pid,))
        ).fetchone()
        if row is None:
            break
        await asyncio.sleep(0.05)
    created = await _tokens_named(owner, "deploy")
    assert len(created) == 1  # the server died, its change is in
    retry = await owner.post(
        "/api/tokens", json={"name": "deploy"}, headers={"Idempotency-Key": "trap-commit"}
    )
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["id"] == created[0]["id"] and retry.json()["token"].startswith("aio_")
    assert len(await _tokens_named(owner, "deploy")) == 1
    # The secret is not kept in plain text: the stored body is encrypted.
    row = await (
        await admin.execute("SELECT response_body FROM idempotency_keys WHERE key = 'trap-commit'")
    ).fetchone()
    assert row is not None and retry.json()["token"].encode() not in bytes(row[0])


async def test_a_failed_commit_is_a_500_and_the_retry_runs_once(
    app: FastAPI, admin: psycopg.AsyncConnection
) -> None:
    owner = await signup(app)
    headers = {"Idempotency-Key": "trap-fail-1"}
    failed = await owner.post("/api/tokens", json={"name": "deploy"}, headers=headers)
    assert failed.status_code == 500 and failed.json()["status"] == 500
    assert await _tokens_named(owner, "deploy") == []
    await admin.execute(UNTRAP)
    retry = await owner.post("/api/tokens", json={"name": "deploy"}, headers=headers)
    assert retry.status_code == 201 and "idempotent-replayed" not in retry.headers
    assert len(await _tokens_named(owner, "deploy")) == 1
