"""A real `aiostore worker` process against a sandbox served over real HTTP, for the kill -9 tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from tests.conftest import database_env
from tests.integration.sync.marketplace import Market


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def served_shopee(market: Market) -> AsyncIterator[int]:
    """The market's Shopee sandbox on a loopback port (a worker process reaches it over HTTP)."""
    port = _free_port()
    sandbox_app = market.app.state.connectors.http._transport.transports["shopee.sandbox"].app  # type: ignore[attr-defined]
    server = uvicorn.Server(
        uvicorn.Config(
            sandbox_app, host="127.0.0.1", port=port, log_level="warning", date_header=False, lifespan="off"
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn exposes a flag, not an event)
        await asyncio.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        await serving


async def start_worker(market: Market, port: int) -> asyncio.subprocess.Process:
    """`aiostore worker` in a process of its own, live, its Shopee calls going to `port`."""
    s = market.settings
    h = market.shops["shopee"]
    assert s.secret_key is not None and s.database_url
    env = {
        **os.environ,
        **database_env(s),
        "AIOSTORE_WRITE_MODE": "live",
        "AIOSTORE_SECRET_KEY": s.secret_key.get_secret_value(),
        "AIOSTORE_ENCRYPTION_KEYS": ",".join(k.get_secret_value() for k in s.encryption_keys),
        "AIOSTORE_SHOPEE_PARTNER_ID": h.app_key,
        "AIOSTORE_SHOPEE_PARTNER_KEY": h.app_secret,
        "AIOSTORE_SHOPEE_API_BASE_URL": f"http://127.0.0.1:{port}",
        "AIOSTORE_LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiostore.cli.main",
        "worker",
        "--concurrency",
        "2",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def kill_9(worker: asyncio.subprocess.Process) -> None:
    """SIGKILL, then wait for the process to be gone (a no-op if it already is)."""
    if worker.returncode is None:
        worker.send_signal(signal.SIGKILL)
        await asyncio.wait_for(worker.wait(), timeout=10)
