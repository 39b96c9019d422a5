"""What the database says about a run of bench/propagation.py: is the queue idle, what is each SKU's
available quantity, and where the time went (webhook intake, queue, processing, pushes).

Read as the embedded server's superuser, so row-level security does not hide anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from propagation_support import Shop, log

Connection = psycopg.AsyncConnection[Any]


@dataclass(frozen=True)
class OrderTimes:
    """One order as the bench saw it (wall-clock seconds)."""

    platform: str
    order_id: str
    sent: float  # the push left the sandbox
    done: float  # the last other shop showed the sale
    reached: dict[str, float]  # when each other shop showed it


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(value: float | None) -> float | None:
    """Milliseconds, to one decimal."""
    return None if value is None else round(value, 1)


IDLE_SQL = """
SELECT (SELECT count(*) FROM procrastinate_jobs
         WHERE status IN ('todo', 'doing') AND queue_name <> 'housekeeping'),
       (SELECT count(*) FROM listings WHERE stock_dirty OR price_dirty),
       (SELECT count(*) FROM webhook_events WHERE status NOT IN ('processed', 'ignored', 'failed'))
"""
MASTER_SQL = """
SELECT v.sku, i.on_hand, i.reserved, i.safety_buffer
  FROM variants v JOIN inventory i ON i.variant_id = v.id WHERE v.sku = ANY(%s)
"""
EVENTS_SQL = """
SELECT e.platform, e.payload->>'order_id', extract(epoch FROM e.created_at),
       extract(epoch FROM e.processed_at),
       (SELECT extract(epoch FROM min(ev.at)) FROM procrastinate_jobs j
          JOIN procrastinate_events ev ON ev.job_id = j.id AND ev.type = 'started'
         WHERE j.task_name = 'webhooks.process' AND j.args->>'event_id' = e.id::text)
  FROM webhook_events e
"""
PUSH_JOBS_SQL = """
SELECT extract(epoch FROM min(ev.at) FILTER (WHERE ev.type = 'deferred')),
       extract(epoch FROM min(ev.at) FILTER (WHERE ev.type = 'started')),
       extract(epoch FROM max(ev.at) FILTER (WHERE ev.type IN ('succeeded', 'failed')))
  FROM procrastinate_jobs j JOIN procrastinate_events ev ON ev.job_id = j.id
 WHERE j.task_name = 'sync.push_stock' GROUP BY j.id
"""

# Per sync job: a push round (one `push_stock` job, one platform write per batch) and a read-back job,
# started -> finished.
SYNC_JOBS_SQL = """
SELECT kind, extract(epoch FROM finished_at - started_at) FROM sync_jobs
 WHERE kind IN ('push_stock', 'readback') AND started_at IS NOT NULL AND finished_at IS NOT NULL
"""


async def wait_idle(db: Connection, shops: list[Shop], within: float = 90) -> bool:
    """Until every push is delivered, no job waits or runs, nothing is dirty: three looks in a row."""
    deadline, quiet = time.monotonic() + within, 0
    while time.monotonic() < deadline and quiet < 3:
        with contextlib.suppress(TimeoutError):
            for shop in shops:
                await asyncio.wait_for(shop.harness.drain_pushes(), max(0.1, deadline - time.monotonic()))
        row = await (await db.execute(IDLE_SQL)).fetchone()
        quiet = quiet + 1 if row is not None and not any(row) else 0
        await asyncio.sleep(0.2)
    return quiet >= 3


async def mismatches(db: Connection, shops: list[Shop], stock: int, sold: dict[str, int]) -> tuple[int, int]:
    """(shop quantities differing from the master's available, SKUs whose master lost or doubled a sale).

    Every SKU started with `stock` on hand and has sold `sold[sku]` units since, all still reserved.
    """
    rows = await (await db.execute(MASTER_SQL, (list(sold),))).fetchall()
    master = {sku: (on_hand, reserved, buffer) for sku, on_hand, reserved, buffer in rows}
    shop_bad = master_bad = 0
    for sku, count in sold.items():
        on_hand, reserved, buffer = master.get(sku, (-1, 0, 0))
        available = max(0, on_hand - reserved - buffer)
        if on_hand - reserved != stock - count:
            master_bad += 1
            log(f"MASTER {sku}: on hand {on_hand} - reserved {reserved}, expected {stock - count}")
        for shop in shops:
            if shop.sellable(sku) != available:
                shop_bad += 1
                log(
                    f"MISMATCH {shop.platform} {sku}: the shop shows {shop.sellable(sku)}, master {available}"
                )
    return shop_bad, master_bad


def _figures(values: list[float]) -> dict[str, float | None]:
    in_ms = [v * 1000 for v in values]
    return {
        "p50": ms(percentile(in_ms, 50)),
        "p95": ms(percentile(in_ms, 95)),
        "max": ms(max(in_ms, default=None)),
        "n": len(values),
    }


async def stages(db: Connection, orders: list[OrderTimes]) -> dict[str, dict[str, float | None]]:
    """Where the time goes, per order: the push -> our webhook stored the event (intake) -> its job
    started (queue) -> the order was ingested and the pushes deferred (process) -> every other shop
    shows it (push); per stock push task: deferred -> started (wait), started -> finished (run); per push
    round (a `push_stock` sync job) and per read-back job (`readback`): started -> finished."""
    events = await (await db.execute(EVENTS_SQL)).fetchall()
    by_order = {
        (platform, order_id): (float(created), started and float(started), processed and float(processed))
        for platform, order_id, created, processed, started in events
        if created
    }
    parts: dict[str, list[float]] = defaultdict(list)
    for order in orders:
        found = by_order.get((order.platform, order.order_id))
        if found is None:
            continue
        created, started, processed = found
        parts["intake"].append(created - order.sent)
        if started and processed:
            parts["queue"].append(started - created)
            parts["process"].append(processed - started)
            parts["push"].append(order.done - processed)
            parts[f"process, sold on {order.platform}"].append(processed - started)
            for shop, at in order.reached.items():
                parts[f"push, to {shop}"].append(at - processed)
    jobs = await (await db.execute(PUSH_JOBS_SQL)).fetchall()
    parts["push_job_wait"] = [
        float(started - deferred) for deferred, started, _ in jobs if deferred and started
    ]
    parts["push_job_run"] = [float(end - started) for _, started, end in jobs if started and end]
    for kind, took in await (await db.execute(SYNC_JOBS_SQL)).fetchall():
        parts["push_round" if kind == "push_stock" else "readback_job"].append(float(took))
    figures = {name: _figures(values) for name, values in parts.items()}
    # A push job deferred while the shop's previous push held the lock is announced when that lock is
    # released (migration 0020's trigger), and the workers poll each second besides (worker/app.py): one
    # that waited 4 s or more was woken by neither: a wake-up missed.
    figures["push_job_wait"]["over_4s"] = sum(1 for wait in parts["push_job_wait"] if wait >= 4)
    return figures


async def timed_gets(
    client: Any, path: str, repeat: int, headers: dict[str, str] | None = None
) -> tuple[float | None, float | None]:
    """p50 and p95 in ms of `repeat` GETs of `path` after one warm-up, which must answer 200 (measured by
    the client around each request: the server's time plus a loopback round trip)."""
    warm = await client.get(path, headers=headers)
    if warm.status_code != 200:
        raise RuntimeError(f"{path}: {warm.status_code} {warm.text[:300]}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = await client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return ms(percentile(times, 50)), ms(percentile(times, 95))


_LOGGED = re.compile(r"\[(\d+)\] LOG:  (?:statement|execute [^:]*): ?(.*)$")  # the default log_line_prefix


@dataclass
class StatementLog:
    """The statements the service's processes run while it is on (`log_statement = all`, read back from
    the embedded server's log file, `<data directory>/log`; the bench's own connection is left out): how
    many per order, and of which kinds. Logging every statement slows the run, so it is a mode of its
    own (`--count-statements`)."""

    path: Path
    offset: int
    bench_pid: str

    @classmethod
    async def start(cls, db: Connection) -> StatementLog:
        found = await db.execute("SELECT current_setting('data_directory'), pg_backend_pid()")
        row = await found.fetchone()
        assert row is not None  # noqa: S101
        path = Path(str(row[0])) / "log"
        if not path.is_file():
            raise RuntimeError(f"no server log at {path}: --count-statements needs the embedded server")
        await db.execute("ALTER SYSTEM SET log_statement = 'all'")
        await db.execute("SELECT pg_reload_conf()")
        return cls(path, path.stat().st_size, str(row[1]))

    async def stop(self, db: Connection) -> Counter[str]:
        """Logging off; each kind of statement logged since `start` (its first words) and how often."""
        await db.execute("ALTER SYSTEM RESET log_statement")
        await db.execute("SELECT pg_reload_conf()")
        with self.path.open("rb") as f:
            f.seek(self.offset)
            lines = f.read().decode(errors="replace").split("\n")
        kinds: Counter[str] = Counter()
        for n, line in enumerate(lines):
            found = _LOGGED.search(line)
            if found is None or found.group(1) == self.bench_pid:
                continue
            text = found.group(2).strip()
            for more in lines[n + 1 : n + 4]:  # a statement's first line may be empty, its text below
                if text or not more.startswith("\t"):
                    break
                text = more.strip()
            kinds[re.sub(r"\s+", " ", text)[:70]] += 1
        return kinds
