"""Soak under faults and kill -9: mixed changes on four sandbox shops while the processes die; then
everything must agree.

    bench/soak.py [--changes 10000] [--rate 25] [--latency-ms 50] [--fault-rate 0.2] [--kills 3]
                  [--worker-processes 1] [--seed 1]

Starts what bench/propagation.py starts (propagation_support: the four sandboxes on loopback ports, every
API call delayed by --latency-ms, an embedded PostgreSQL, `aiostore serve --no-worker` and `aiostore
worker` processes), registers a seller, creates the catalog, connects the four shops by OAuth and pulls
their products. Then it turns the sandboxes' fault injection on: of every API call, a --fault-rate share
is refused (half 5xx, a quarter 429, a quarter time-outs: the sandbox waits past our client's time-out
and answers 504), and pushes are duplicated and held back (reordered) at the same rate; each sandbox
retries a push 12 times, as Lazada does (one second apart, growing).

It makes --changes changes at --rate per second, drawn at random: orders placed (40%), shipped (15%),
cancelled (12%) and returned (8%) on the sandboxes, manual stock changes (15%, `POST /api/stock/update`
preview then commit, ±1-5 units) and master price changes (10%, `POST /api/price/update`, ±10%) through
the change-set API, each API request sent with an Idempotency-Key and sent again, with the same key,
until it is answered (the web process may be dead). Meanwhile each worker process and the web process
is killed with SIGKILL --kills times at random moments and started again at once.

Then it drains: faults off, every push delivered, the schedule's next safety-net order pull done, the
queue idle; a products pull reads every shop's prices. It compares:
- lost: orders placed on a sandbox that are not in our database, and acknowledged stock or price
  commits whose change set is not committed;
- duplicated: orders or order lines recorded twice, change sets committed more than the bench asked;
- mismatches: per SKU, the master's on hand and reserved against what the bench's own record says
  (opening stock, stock deltas, each order's final status: reserved while unpaid or to ship, deducted when
  shipped, given back when cancelled or returned); each shop's sellable quantity against the master's
  available; each shop's price (as read back) against the master price; each order's status against the
  status the bench left it in.
The last line is one JSON object: {"changes", "kills", "lost", "duplicated", "mismatches", "p99_ms", ...};
p99_ms is the 99th percentile, over the orders placed, of the time from placing the order on the
sandbox to its row in our database (by push or by pull). Exit status 1 unless lost, duplicated and
mismatches are all 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
from typing import Any

import psycopg

from aiostore.log import configure_logging
from propagation_db import ms, percentile, wait_idle
from propagation_support import log
from soak_support import Book, Options, World, check, prepare

CHANGE_KINDS = (("place", 40), ("ship", 15), ("cancel", 12), ("return", 8), ("stock", 15), ("price", 10))


async def change(world: World, book: Book, rng: random.Random) -> bool:
    """One random change; False when the draw found nothing to act on (e.g. no order to ship)."""
    kind = rng.choices([k for k, _ in CHANGE_KINDS], [w for _, w in CHANGE_KINDS])[0]
    if kind == "place":
        shop = rng.choice(world.shops)
        sku = rng.choice(book.skus)
        quantity = rng.randint(1, 2)
        order_id = shop.harness.place_order([(*shop.units[sku], quantity)])
        book.placed(shop.platform, order_id, sku, quantity, time.time())
        return True
    if kind in ("ship", "cancel", "return"):
        wanted = {"ship": ("to_ship",), "cancel": ("to_ship",), "return": ("shipped",)}[kind]
        order = book.pick(rng, wanted)
        if order is None:
            return False
        status = {"ship": "shipped", "cancel": "cancelled", "return": "returned"}[kind]
        shop = world.shop(order.platform)
        shop.harness.set_order_status(order.order_id, status)
        order.status = status
        return True
    sku = rng.choice(book.skus)
    if kind == "stock":
        delta = rng.choice([-1, 1]) * rng.randint(1, 5)
        await world.commit(book, "stock", [{"sku": sku, "delta": delta}])
        book.stock[sku] += delta
        return True
    # A walk between the SKU's base price and 30% above it (within every platform's price rules).
    price = min(
        round(book.base[sku] * 1.3), max(book.base[sku], round(book.price[sku] * rng.uniform(0.9, 1.1)))
    )
    await world.commit(book, "price", [{"sku": sku, "market": world.market, "price": str(price)}])
    book.price[sku] = price
    return True


async def killer(world: World, name: str, at: list[float], started: float) -> None:
    """SIGKILL the process `name` at each of the times `at` (seconds after `started`), then restart it."""
    for moment in sorted(at):
        await asyncio.sleep(max(0.0, started + moment - time.monotonic()))
        await world.kill_and_restart(name)


async def drive(opts: Options, world: World, book: Book) -> float:
    rng = random.Random(opts.seed)
    duration = opts.changes / opts.rate
    names = ["web", *(f"worker-{n}" for n in range(opts.worker_processes))]
    started = time.monotonic()
    killers = [
        asyncio.create_task(
            killer(world, name, [rng.uniform(0.1, 0.9) * duration for _ in range(opts.kills)], started)
        )
        for name in names
    ]
    busy = asyncio.Semaphore(16)
    tasks: set[asyncio.Task[None]] = set()

    async def one() -> None:
        async with busy:
            while not await change(world, book, rng):
                pass
            book.changes += 1

    every = max(1, opts.changes // 20)
    for n in range(opts.changes):
        delay = started + n / opts.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one())
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        if (n + 1) % every == 0:
            log(f"{n + 1}/{opts.changes} changes started, {len(book.orders)} orders, {world.kills} kills")
    await asyncio.gather(*tasks)
    await asyncio.gather(*killers)
    return time.monotonic() - started


async def run(opts: Options) -> dict[str, Any]:
    book = Book()
    async with contextlib.AsyncExitStack() as stack:
        world = await prepare(opts, book, stack)
        db = await psycopg.AsyncConnection.connect(world.conninfo, autocommit=True)
        stack.push_async_callback(db.close)
        if not await wait_idle(db, world.shops, within=180):
            raise RuntimeError("the queue did not go idle after the set-up")
        world.faults_on(opts)
        log(f"{opts.changes} changes at {opts.rate}/s, {opts.kills} kills of each process")
        seconds = await drive(opts, world, book)
        log(f"changes done in {seconds:.0f} s; draining")
        world.faults_off()
        await world.drain(db)
        figures = await check(db, world, book)
    latencies = [o.intake_ms for o in book.orders if o.intake_ms is not None]
    return {
        "changes": book.changes,
        "kills": world.kills,
        "lost": figures["lost"],
        "duplicated": figures["duplicated"],
        "mismatches": figures["mismatches"],
        "p99_ms": ms(percentile(latencies, 99)),
        "p50_ms": ms(percentile(latencies, 50)),
        "orders": len(book.orders),
        "api_commits": dict(book.commits),
        "seconds": round(seconds, 1),
        "detail": figures["detail"],
        "fault_rate": opts.fault_rate,
        "latency_ms": opts.latency_ms,
        "worker_processes": opts.worker_processes,
        "load_1m": round(os.getloadavg()[0], 2),
    }


def parse(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=25.0, help="changes started per second")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs of each process")
    parser.add_argument("--worker-processes", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.changes < 1 or args.rate <= 0 or args.worker_processes < 1 or not 0 <= args.fault_rate < 1:
        parser.error("--changes >= 1, --rate > 0, --worker-processes >= 1, 0 <= --fault-rate < 1")
    return Options(
        args.changes,
        args.rate,
        args.latency_ms,
        args.fault_rate,
        args.kills,
        args.worker_processes,
        args.seed,
    )


def main(argv: list[str] | None = None) -> int:
    opts = parse(argv)
    configure_logging("WARNING", json_logs=False)
    # A backstop only (the drain's steps have their own deadlines): on this shared machine the changes
    # ran at a quarter of their rate and a 3,000-change run used its whole 960 s in the last drain step.
    task_budget = 900 + 6 * opts.changes / opts.rate

    async def main_async() -> dict[str, Any]:
        task = asyncio.current_task()
        assert task is not None  # noqa: S101
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await asyncio.wait_for(run(opts), task_budget)

    try:
        figures = asyncio.run(main_async())
    except (Exception, asyncio.CancelledError) as exc:  # the last line is JSON even on failure
        log(f"FAIL: {type(exc).__name__}: {exc}")
        keys = ("changes", "kills", "lost", "duplicated", "mismatches", "p99_ms")
        print(json.dumps({**dict.fromkeys(keys), "error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps(figures))
    return 1 if figures["lost"] or figures["duplicated"] or figures["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
