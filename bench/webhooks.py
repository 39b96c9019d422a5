"""Webhook intake rate: pushes verified (signature), stored and acknowledged per second, durably.

    bench/webhooks.py [--webhooks 20000] [--concurrency 64] [--platform shopee]

Starts by itself: the platform's sandbox on a loopback port (for the seller's OAuth approval), an
embedded PostgreSQL in a temporary folder and `aiostore serve --no-worker` (uvicorn) as a subprocess.
Through our API it registers a seller and connects the sandbox shop (so each push is routed to an org
and stored, not set aside as a push for a shop nobody connected). Then, from this process, over real
HTTP with keep-alive connections, it posts `--webhooks` order-status pushes of distinct orders, each
signed as the platform signs it (the sandbox's own push builder) with a fresh send time, at most
`--concurrency` at a time. A push is counted only when answered 200; the service answers only after
the event row and its processing job are committed (the group commit of services/webhooks.py). After
the run the bench counts the stored events in the database: every acknowledged push must be there
(exit 1 otherwise). No worker runs, so processing (re-reading the order) is not part of the figure: it
happens on the queue, after the answer.

On stderr: progress, `uptime` (the machine is shared) and CPU seconds per process. The last line
printed is one JSON object: webhooks, per_s, p99_ms, then p50_ms, stored, the service's CPU time per
push, CPU seconds per process, concurrency and load averages.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

from aiostore.log import configure_logging
from aiostore.sandbox.common import PushMessage
from propagation_db import ms, percentile
from propagation_support import (
    Seller,
    Service,
    cpu_seconds,
    free_port,
    log,
    make_shop,
    settings_env,
    start_database,
    start_shops,
    stop_database,
    stop_shops,
)


def shopee_pushes(shop_harness: Any, url: str, count: int, prefix: str = "BENCH") -> list[PushMessage]:
    """`count` signed code-3 pushes of distinct orders, as the Shopee sandbox sends them."""
    from aiostore.sandbox.shopee.push import build_message, order_status_payload

    sandbox = shop_harness.sandbox
    partner = sandbox.partner()
    shop_id = int(shop_harness.shop_id)
    now = int(time.time())
    return [
        build_message(
            partner.partner_id,
            partner.partner_key,
            url,
            order_status_payload(shop_id, f"{prefix}{n:010d}", "READY_TO_SHIP", now, now),
        )
        for n in range(count)
    ]


@dataclass
class Tally:
    latencies: list[float]
    refused: dict[int, int]


def _request(message: PushMessage) -> bytes:
    parts = urlsplit(message.url)
    head = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {len(message.body)}"]
    head += [f"{k}: {v}" for k, v in message.headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + message.body


async def _connection(host: str, port: int, queue: asyncio.Queue[bytes], tally: Tally) -> None:
    """One keep-alive HTTP/1.1 connection posting requests from `queue` one at a time (a minimal client:
    httpx's own CPU cost would otherwise be most of what this 2-core machine measures)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            try:
                request = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            start = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            status = int(status_line.split()[1])
            if status == 200:
                tally.latencies.append(time.perf_counter() - start)
            else:
                tally.refused[status] = tally.refused.get(status, 0) + 1
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def post_all(url: str, messages: list[PushMessage], concurrency: int) -> tuple[Tally, float]:
    parts = urlsplit(url)
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for message in messages:
        queue.put_nowait(_request(message))
    tally = Tally([], {})
    start = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(_connection(parts.hostname or "", parts.port or 80, queue, tally))
    return tally, time.perf_counter() - start


async def stored_events(conninfo: str) -> int:
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as db:
        row = await (await db.execute("SELECT count(*) FROM webhook_events")).fetchone()
    return int(row[0]) if row else 0


async def run(opts: argparse.Namespace) -> dict[str, Any]:
    async with contextlib.AsyncExitStack() as stack:
        tmp = Path(tempfile.mkdtemp(prefix="aiostore-webhooks-"))
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        server, conninfo = start_database(tmp)
        stack.callback(stop_database, server)
        port = free_port()
        shop = make_shop(
            opts.platform,
            callback_url=f"http://127.0.0.1:{port}/api/channels/callback/{opts.platform}",
            latency_ms=0,
            skus=[],
            stock=0,
            hook=lambda: None,
        )
        stack.push_async_callback(stop_shops, [shop])
        await start_shops([shop])
        env = settings_env([shop]) | {"AIOSTORE_LOG_LEVEL": "ERROR"}
        service = Service.start(tmp, port, env, command=("serve", "--no-worker"), profile=opts.profile)
        stack.callback(service.stop)
        await service.wait_ready()
        seller = Seller(service.url)
        stack.push_async_callback(seller.aclose)
        await seller.register()
        await seller.connect(shop)
        url = f"{service.url}/api/webhooks/{opts.platform}"
        # Warm up (connections, caches) on orders distinct from the measured ones.
        await post_all(url, shopee_pushes(shop.harness, url, 200, "WARM"), opts.concurrency)
        messages = shopee_pushes(shop.harness, url, opts.webhooks)
        before_events = await stored_events(conninfo)
        pids = {"service": service.process.pid, "postgres": server.get_pid(), "bench": os.getpid()}
        cpu_before = {k: cpu_seconds(p, children=k == "postgres") for k, p in pids.items()}
        log(f"posting {len(messages)} signed pushes to {url}, {opts.concurrency} connections")
        tally, seconds = await post_all(url, messages, opts.concurrency)
        cpu = {k: round(cpu_seconds(p, children=k == "postgres") - cpu_before[k], 1) for k, p in pids.items()}
        stored = await stored_events(conninfo) - before_events
    log(f"cpu seconds during the run: {cpu}; refused: {tally.refused}")
    acknowledged = len(tally.latencies)
    if stored < acknowledged:
        raise RuntimeError(f"{acknowledged} pushes acknowledged but only {stored} stored")
    latencies = [s * 1000 for s in tally.latencies]
    return {
        "webhooks": acknowledged,
        "per_s": round(acknowledged / seconds, 1),
        "p99_ms": ms(percentile(latencies, 99)),
        "p50_ms": ms(percentile(latencies, 50)),
        "stored": stored,
        # The service's CPU time per acknowledged push: what the rate would be on a machine of its own.
        "service_cpu_ms_per_webhook": round(cpu["service"] * 1000 / max(1, acknowledged), 3),
        "cpu_seconds": cpu,
        "refused": sum(tally.refused.values()),
        "concurrency": opts.concurrency,
        "load": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--webhooks", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--platform", choices=["shopee"], default="shopee")
    parser.add_argument("--profile", type=Path, help="run the service under cProfile, statistics here")
    opts = parser.parse_args()
    configure_logging("WARNING", json_logs=False)
    try:
        result = asyncio.run(run(opts))
    except RuntimeError as exc:
        log(f"failed: {exc}")
        sys.exit(1)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False)  # noqa: S607
    log(f"uptime (the machine is shared): {uptime.stdout.strip()}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
