"""A sale on one shop reaches every other shop: time from the marketplace's push to the new stock there.

    bench/propagation.py [--orders 300] [--rate 10] [--latency-ms 50] [--platforms NAME,NAME,...]
                         [--worker-concurrency N] [--worker-processes N] [--service-setting NAME=VALUE]
                         [--count-statements] [--profile-service PATH] [--profile-workers PATH]

Starts everything by itself: the chosen sandboxes (default all four) as uvicorn servers on loopback
ports, every API call delayed by --latency-ms; an embedded PostgreSQL in a temporary folder; and
`aiostore serve --no-worker` (API, live write mode) and one `aiostore worker` as subprocesses pointed at
them (--worker-processes N for N workers; 0 runs the jobs inside `aiostore serve`). Through our API it
registers a seller, creates master products whose SKUs match 50 units of every shop, connects each
shop by the platform's OAuth flow (approval page, callback) and pulls products. Then it places orders
of one unit at a steady rate, round-robin over the shops; each order's push goes to our webhook over
real HTTP.

Per order it measures from the push leaving the sandbox (its push transport is wrapped) to the moment
every other shop's sellable quantity (stock - reserved) shows the sale (each sandbox response is
followed by a look at the shops, and a 20 ms poll backs it up). An order's SKU is drawn among those with
no order in flight, so what each shop must show is exact. After the run it waits until the queue is
idle and compares every shop's sellable quantity with the master's available quantity (on hand -
reserved - buffer, read from the database). On stderr: progress, the calls each sandbox received and
how fast it answered, and where the time went (stages, from the database's timestamps).

The last line printed is one JSON object: orders, p50_ms, p95_ms, p99_ms, calls_per_order (sandbox API
calls made by our service during the run, per order), mismatches, then target_met (p99 < 300 ms, issue
#15's goal, and no mismatch), CPU seconds per process, stage medians, p95 and p99 by the platform the
order was placed on (an order placed on Tokopedia needs no Tokopedia call: the path its 5 stock calls a
second do not pace), p99 by the shop reached (from the push to that shop showing the sale),
p99_ms_unpaced (from the push until every other shop whose quota never paces a push round showed the
sale: `paced_platforms` are left out, as services/sync/pacing.SHARED_BELOW decides from each platform's
limits; the sync engine's figure without a platform's pace) and more.
With --count-statements, the server logs every statement while the orders are placed and processed; the
JSON adds `statements_per_order` (the service's processes, the bench's own connection left out) and
stderr lists the commonest kinds. A figure of the work, not of this machine's speed: it compares from run
to run and hour to hour where the latencies do not (the logging slows the run, so its latencies do not
compare with a run without it).
Exit status 1 when an order never arrived everywhere, a shop or the master ends up wrong, or the queue
did not go idle; a p99 above target is reported, not an error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from aiostore.connectors.registry import default_limits
from aiostore.log import configure_logging
from aiostore.services.sync.pacing import SHARED_BELOW
from propagation_db import OrderTimes, StatementLog, mismatches, ms, percentile, stages, wait_idle
from propagation_support import (
    PLATFORMS,
    Seller,
    Service,
    Shop,
    cpu_seconds,
    log,
    settings_env,
    start_ground,
)

SKUS = [f"BENCH-{n:03d}" for n in range(1, 51)]
STOCK = 100_000
POLL_SECONDS = 0.02
ORDER_TIMEOUT = 30.0  # an order not everywhere by then counts as unreached
TARGET_MS = 300  # p99 from the push leaving the sandbox to every other shop (issue #15)


@dataclass
class Order:
    platform: str  # where it was placed
    sku: str
    expected: int  # every other shop's sellable quantity must get to this (or below)
    placed: float
    order_id: str = ""
    sent: float | None = None  # the push left the sandbox (wall clock, as every time here)
    reached: dict[str, float] = field(default_factory=dict)
    done: float | None = None

    @property
    def latency_ms(self) -> float | None:
        if self.done is None or self.sent is None:
            return None
        return (self.done - self.sent) * 1000

    def latency_to(self, platforms: set[str]) -> float | None:
        """Milliseconds from the push until every other shop among `platforms` showed the sale."""
        wanted = platforms - {self.platform}
        if self.sent is None or not wanted or not wanted <= self.reached.keys():
            return None
        return (max(self.reached[p] for p in wanted) - self.sent) * 1000


class Monitor:
    """Orders in flight, and what each shop shows of them."""

    def __init__(self) -> None:
        self.shops: dict[str, Shop] = {}
        self.orders: list[Order] = []
        self.inflight: list[Order] = []
        self.sold: dict[str, int] = dict.fromkeys(SKUS, 0)
        self.seen_by = {"hook": 0, "poll": 0}
        self.all_done = asyncio.Event()  # no order in flight

    def place(self, platform: str, rng: random.Random) -> Order:
        busy = {o.sku for o in self.inflight}
        sku = rng.choice([s for s in SKUS if s not in busy] or SKUS)
        self.sold[sku] += 1
        order = Order(platform, sku, STOCK - self.sold[sku], time.time())
        shop = self.shops[platform]
        order.order_id = shop.harness.place_order([(*shop.units[sku], 1)])
        self.orders.append(order)
        self.inflight.append(order)
        self.all_done.clear()
        return order

    def push_sent(self, platform: str, body: bytes, at: float) -> None:
        for order in self.inflight:
            if order.platform != platform or order.sent is not None:
                continue
            if re.search(
                rb"(?<![0-9A-Za-z])" + re.escape(order.order_id.encode()) + rb"(?![0-9A-Za-z])", body
            ):
                order.sent = at
                return

    def check(self, platform: str | None = None, source: str = "hook") -> None:
        """Record every shop (or `platform`) that now shows an in-flight order's sale."""
        if not self.inflight:
            return
        now = time.time()
        names = [platform] if platform else list(self.shops)
        for order in list(self.inflight):
            for name in names:
                if name == order.platform or name in order.reached:
                    continue
                if self.shops[name].sellable(order.sku) <= order.expected:
                    order.reached[name] = now
                    self.seen_by[source] += 1
            if len(order.reached) == len(self.shops) - 1:
                order.done = max(order.reached.values())
                self.inflight.remove(order)
        if not self.inflight:
            self.all_done.set()

    def hook(self, platform: str) -> Callable[[], None]:
        """What a sandbox calls as each of its responses starts: look at that shop."""
        return lambda: self.check(platform)

    def times(self) -> list[OrderTimes]:
        return [
            OrderTimes(o.platform, o.order_id, o.sent, o.done, o.reached)
            for o in self.orders
            if o.sent is not None and o.done is not None
        ]


class PushClock(httpx.AsyncBaseTransport):
    """The sandbox's push transport: real HTTP, with the moment each push leaves noted."""

    def __init__(self, platform: str, monitor: Monitor) -> None:
        self.platform, self.monitor = platform, monitor
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.monitor.push_sent(self.platform, request.content, time.time())
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


# -- the run -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    orders: int
    rate: float
    latency_ms: int
    platforms: list[str]
    worker_concurrency: int | None
    worker_processes: int
    seed: int
    profile_service: Path | None
    profile_workers: Path | None
    service_settings: dict[str, str]
    count_statements: bool = False


async def poll(monitor: Monitor) -> None:
    """A back-up look at every shop (the response hook sees every change first; see seen_by)."""
    while True:
        monitor.check(source="poll")
        await asyncio.sleep(POLL_SECONDS)


async def drive(opts: Options, monitor: Monitor) -> float:
    """Place the orders at a steady rate, round-robin over the shops; wait for the ones in flight."""
    rng = random.Random(opts.seed)
    start = time.monotonic()
    every = max(1, int(opts.rate * 5))
    for n in range(opts.orders):
        delay = start + n / opts.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        monitor.place(opts.platforms[n % len(opts.platforms)], rng)
        if (n + 1) % every == 0:
            done = [o.latency_ms for o in monitor.orders if o.latency_ms is not None]
            p50 = percentile(done, 50)
            log(f"{n + 1}/{opts.orders} placed, {len(monitor.inflight)} in flight, p50 {p50} ms")
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(monitor.all_done.wait(), ORDER_TIMEOUT)
    return time.monotonic() - start


@dataclass
class World:
    shops: list[Shop]
    conninfo: str  # the database, as its superuser
    pids: dict[str, list[int]]  # the processes whose CPU time is reported

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far: this process (sandboxes, measuring), service, workers, PostgreSQL."""
        return {
            name: sum(cpu_seconds(pid, children=name != "bench") for pid in pids)
            for name, pids in self.pids.items()
        }


async def prepare(opts: Options, monitor: Monitor, stack: contextlib.AsyncExitStack) -> World:
    """Database, sandboxes, service, seller, catalog, connected shops, pulled listings."""
    ground = await start_ground(
        stack, prefix="aiostore-bench-", platforms=opts.platforms, hook=monitor.hook,
        latency_ms=opts.latency_ms, skus=SKUS, stock=STOCK,
    )  # fmt: skip
    tmp, server, port, shops, conninfo = ground.tmp, ground.server, ground.port, ground.shops, ground.conninfo
    monitor.shops = {shop.platform: shop for shop in shops}
    log("sandboxes: " + ", ".join(f"{s.platform} {s.url}" for s in shops))
    env = settings_env(shops)
    if opts.worker_concurrency:
        env["AIOSTORE_WORKER_CONCURRENCY"] = str(opts.worker_concurrency)
    env |= opts.service_settings
    serve = ("serve", "--no-worker") if opts.worker_processes else ("serve",)
    service = Service.start(tmp, port, env, command=serve, profile=opts.profile_service)
    stack.callback(service.stop)
    await service.wait_ready()
    log(f"service ready at {service.url} (log: {service.log_path})")
    pids = {"service": [service.process.pid], "workers": [], "postgres": [server.get_pid()]}
    concurrency = str(opts.worker_concurrency or 8)
    for n in range(opts.worker_processes):  # the scaled-out layout: `aiostore worker` processes
        worker = Service.start(
            tmp, port, env, command=("worker", "--concurrency", concurrency), name=f"worker-{n}",
            profile=opts.profile_workers and opts.profile_workers.with_suffix(f".{n}.prof"),
        )  # fmt: skip
        stack.callback(worker.stop)
        pids["workers"].append(worker.process.pid)
    seller = Seller(service.url)
    stack.push_async_callback(seller.aclose)
    await seller.register()
    await seller.create_catalog(SKUS, STOCK)
    channel_ids = [await seller.connect(shop) for shop in shops]
    log(f"connected {len(channel_ids)} shops through their OAuth pages")
    for shop in shops:
        shop.harness.set_push_url(
            f"{service.url}/api/webhooks/{shop.platform}", PushClock(shop.platform, monitor)
        )
    await seller.pull_products(channel_ids)
    return World(shops, conninfo, {"bench": [os.getpid()], **pids})


async def run(opts: Options) -> dict[str, Any]:
    monitor = Monitor()
    async with contextlib.AsyncExitStack() as stack:
        world = await prepare(opts, monitor, stack)
        shops = world.shops
        db = await psycopg.AsyncConnection.connect(world.conninfo, autocommit=True)
        stack.push_async_callback(db.close)
        matched = await (
            await db.execute("SELECT count(*) FROM listings WHERE variant_id IS NOT NULL")
        ).fetchone()
        if matched is None or matched[0] != len(SKUS) * len(shops):
            raise RuntimeError(f"{matched} listings matched by SKU, expected {len(SKUS) * len(shops)}")
        if not await wait_idle(db, shops) or (await mismatches(db, shops, STOCK, monitor.sold)) != (0, 0):
            raise RuntimeError("the shops do not start equal to the master")
        load_before = os.getloadavg()[0]
        calls_before, cpu_before = sum(s.harness.call_count() for s in shops), world.cpu()
        marks = {s.platform: s.mark() for s in shops}
        statements = await StatementLog.start(db) if opts.count_statements else None
        log(f"placing {opts.orders} orders at {opts.rate}/s on {', '.join(opts.platforms)}")
        poller = asyncio.create_task(poll(monitor))
        try:
            seconds = await drive(opts, monitor)
        finally:
            poller.cancel()
        idle = await wait_idle(db, shops)
        kinds = await statements.stop(db) if statements else None
        calls = sum(s.harness.call_count() for s in shops) - calls_before
        for shop in shops:
            log(shop.since(marks[shop.platform]))
        cpu = {name: round(used - cpu_before[name], 1) for name, used in world.cpu().items()}
        shop_bad, master_bad = await mismatches(db, shops, STOCK, monitor.sold)
        where = await stages(db, monitor.times())
    latencies = [o.latency_ms for o in monitor.orders if o.latency_ms is not None]
    p99 = percentile(latencies, 99)
    paced = [p for p in opts.platforms if default_limits(p).rate_per_second < SHARED_BELOW]
    fast = set(opts.platforms) - set(paced)
    unpaced = [x for o in monitor.orders if (x := o.latency_to(fast)) is not None]
    from_sale = [(o.done - o.placed) * 1000 for o in monitor.orders if o.done is not None]
    for name, figures in sorted(where.items(), key=lambda kv: ("," in kv[0], kv[0])):
        log(f"stage {name:28} {figures}")
    seen = monitor.seen_by
    log(f"shops seen showing a sale by the response hook {seen['hook']}, by the poll {seen['poll']}")
    orders = max(1, len(monitor.orders))
    if kinds is not None:
        for text, count in kinds.most_common(25):
            log(f"statements per order {count / orders:6.2f}  {text}")
    counted = {} if kinds is None else {"statements_per_order": round(sum(kinds.values()) / orders, 1)}
    return {
        "orders": len(monitor.orders),
        "p50_ms": ms(percentile(latencies, 50)),
        "p95_ms": ms(percentile(latencies, 95)),
        "p99_ms": ms(p99),
        "calls_per_order": round(calls / max(1, len(monitor.orders)), 2),
        "mismatches": shop_bad,
        "target_met": p99 is not None and p99 < TARGET_MS and shop_bad == 0,
        "max_ms": ms(max(latencies, default=None)),
        "over_1s": sum(1 for latency in latencies if latency >= 1000),
        "p99_from_sale_ms": ms(percentile(from_sale, 99)),  # also the wait in the sandbox's push queue
        "unreached": sum(1 for o in monitor.orders if o.done is None),
        "no_push_seen": sum(1 for o in monitor.orders if o.sent is None),
        "master_mismatches": master_bad,
        "idle_after": idle,
        "platforms": opts.platforms,
        "rate": opts.rate,
        "latency_ms": opts.latency_ms,
        "worker_concurrency": opts.worker_concurrency,
        "worker_processes": opts.worker_processes,
        "service_settings": opts.service_settings,
        "seconds": round(seconds, 2),
        "orders_per_s": round(len(monitor.orders) / seconds, 2) if seconds else None,
        "p95_ms_by_platform": {
            p: ms(percentile([o.latency_ms for o in monitor.orders if o.platform == p and o.latency_ms], 95))
            for p in opts.platforms
        },
        # the same, counting only the shops whose quota is fast enough never to pace a push round
        # (services/sync/pacing.SHARED_BELOW): the sync engine's own figure, without the platform's pace
        "paced_platforms": paced,
        "p99_ms_unpaced": ms(percentile(unpaced, 99)),
        "p99_ms_by_platform": {
            p: ms(percentile([o.latency_ms for o in monitor.orders if o.platform == p and o.latency_ms], 99))
            for p in opts.platforms
        },
        # from the push to the moment this shop showed the sale (a shop whose quota paces its calls is
        # reached later than the others; the order's latency is its last shop's)
        "p99_ms_to_platform": {
            p: ms(
                percentile(
                    [(o.reached[p] - o.sent) * 1000 for o in monitor.orders if o.sent and p in o.reached], 99
                )
            )
            for p in opts.platforms
        },
        "cpu_s": cpu,
        "load_1m_before": round(load_before, 2),  # other work on the machine skews the figures
        "push_jobs_waiting_over_4s": where["push_job_wait"].get("over_4s"),
        "stages_p50_ms": {name: f["p50"] for name, f in where.items() if "," not in name},
        **counted,
    }


def parse(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10.0, help="orders per second")
    parser.add_argument("--latency-ms", type=int, default=50, help="added to every sandbox API call")
    parser.add_argument("--platforms", default=",".join(PLATFORMS), help="comma-separated, at least two")
    parser.add_argument("--worker-concurrency", type=int, default=None, help="AIOSTORE_WORKER_CONCURRENCY")
    parser.add_argument(
        "--worker-processes",
        type=int,
        default=1,
        help="run jobs in this many `aiostore worker` processes (0: inside `aiostore serve`); the default,"
        " one beside the service, uses this machine's second core as the scaled-out layout does",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile-service", type=Path, help="write the service's cProfile statistics here")
    parser.add_argument(
        "--profile-workers",
        type=Path,
        help="write each worker process's cProfile statistics beside this path (PATH.N.prof for worker N)",
    )
    parser.add_argument(
        "--count-statements",
        action="store_true",
        help="log every statement the service runs while the orders are placed and processed, and print"
        " how many per order and of which kinds (logging slows the run: its latencies do not compare)",
    )
    parser.add_argument(
        "--service-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another setting for the service, e.g. AIOSTORE_DB_POOL_SIZE=20 (repeatable)",
    )
    args = parser.parse_args(argv)
    platforms = list(dict.fromkeys(p.strip() for p in args.platforms.split(",") if p.strip()))
    unknown = [p for p in platforms if p not in PLATFORMS]
    if unknown:
        parser.error(f"unknown platforms {unknown}; choose among {PLATFORMS}")
    if len(platforms) < 2:
        # Settings hold one app and one API base URL per platform, so a second shop of the same platform
        # cannot be a second sandbox; a sale has to reach another platform's shop.
        parser.error("choose at least two platforms: the settings allow one sandbox per platform")
    if any("=" not in item or not item.startswith("AIOSTORE_") for item in args.service_setting):
        parser.error("--service-setting takes AIOSTORE_NAME=VALUE")
    if args.orders < 1 or args.rate <= 0 or args.worker_processes < 0:
        parser.error("--orders must be >= 1, --rate > 0 and --worker-processes >= 0")
    return Options(
        args.orders,
        args.rate,
        args.latency_ms,
        platforms,
        args.worker_concurrency,
        args.worker_processes,
        args.seed,
        args.profile_service,
        args.profile_workers,
        dict(item.split("=", 1) for item in args.service_setting),
        args.count_statements,
    )


async def main_async(opts: Options) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None  # noqa: S101
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    budget = 300 + opts.orders / opts.rate + ORDER_TIMEOUT  # set-up, the orders, the last ones, settling
    return await asyncio.wait_for(run(opts), budget)


def main(argv: list[str] | None = None) -> int:
    opts = parse(argv)
    configure_logging("WARNING", json_logs=False)  # our own library's log lines go to stderr, quietly
    try:
        figures = asyncio.run(main_async(opts))
    except (Exception, asyncio.CancelledError) as exc:  # the last line is JSON even on failure
        log(f"FAIL: {type(exc).__name__}: {exc}")
        keys = ("p50_ms", "p95_ms", "p99_ms", "calls_per_order", "mismatches")
        print(json.dumps({"orders": 0, **dict.fromkeys(keys), "error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps(figures))
    failed = (
        figures["unreached"]
        or figures["mismatches"]
        or figures["master_mismatches"]
        or not figures["idle_after"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
