"""Bulk stock and price updates from spreadsheets: 10,000 SKUs on four shops, a 10,000-row XLSX stock
update and a 10,000-row CSV price update, each previewed and committed through the API.

    bench/stock_price.py [--skus 10000] [--platforms NAME,NAME,...]

Starts everything by itself (as bench/propagation.py does): the sandboxes on loopback ports, an
embedded PostgreSQL in a temporary folder and `aiostore serve` (worker inside, live write mode). Through
the API it registers a seller, creates the catalog, connects every shop by its OAuth pages and pulls
products (each shop's SKUs match the catalog). Then:

- stock: an XLSX of every SKU with a new stock (`sku`, `stok`), `POST /api/stock/import` (timed: the
  preview), `POST /api/stock/update` mode commit with its token; the pushes run until the queue is idle;
- price: a CSV (`;`, Indonesian numbers `150.000`) of every SKU's ID-market price, the same way through
  `/api/price/import` and `/api/price/update`.

It prints the preview seconds per file, the service's peak memory, and the sandbox API calls each
commit caused beside the fewest the platforms' batch limits allow (per shop, at least
ceil(variants / batch) and ceil(items / items per call), from each plugin's `ConnectorLimits`), with
each shop's calls per API path. `stock_calls` and `price_calls` count the write calls (the paths that
update stock or prices); the other calls made meanwhile (the schedule's safety-net order pulls, one
per shop every few minutes, token refreshes) are `stock_other_calls` and `price_other_calls`. The last
line is JSON: {"rows", "xlsx_preview_s", "csv_preview_s", "peak_mib", "stock_calls",
"min_stock_calls", "price_calls", "min_price_calls", ...}; `stock_shown_s` is the time from the stock
commit's start until every shop's sellable quantity of every SKU is the file's (polled every 20 ms).

Memory: `peak_mib` is the service's peak resident memory during the import phase only (the two files'
uploads, previews, commits and pushes): the kernel's high-water mark (VmHWM) is reset through
/proc/PID/clear_refs when each file's phase starts and read when its pushes are done, and the larger
of the two is reported; `stock_peak_mib` and `price_peak_mib` are each phase's, `rss_started_mib` what
the service held once ready (before any request), `rss_before_mib` what it held when the import phase
began, `stock_step_peaks_mib` / `price_step_peaks_mib` each step's own high-water mark (the reset again
before the commit and before waiting for the pushes: `preview`, `commit`, `pushes`; the pushes start
while the commit answers, so `commit` may hold their start), `setup_peak_mib` the high-water
mark of the set-up
(catalog creation and the pulls of every shop's listings) before the first reset. A sampler reading
VmRSS every 20 ms runs beside it (`sampled_peak_mib`), a lower bound that needs no reset; if the
kernel refuses the reset, `peak_mib` is the sampled one (`peak_source` says which).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import csv
import io
import json
import math
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from openpyxl import Workbook

from aiostore.connectors import registry
from aiostore.log import configure_logging
from propagation_db import wait_idle
from propagation_support import (
    PLATFORMS,
    Seller,
    Service,
    Shop,
    free_port,
    log,
    make_shop,
    settings_env,
    start_database,
    start_shops,
    stop_database,
    stop_shops,
)

STOCK = 100
PRICE = 150_000  # rupiah


def status_mib(pid: int, key: str) -> float | None:
    """A /proc/PID/status figure (VmHWM, VmRSS) in MiB."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current RSS (Linux 4.0+); False when the kernel refuses."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Phase:
    """One phase's peak memory of the service: VmHWM after a reset, and VmRSS sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.sampled = 0.0
        self.task: asyncio.Task[None] | None = None
        self.reset = False

    async def __aenter__(self) -> Phase:
        self.reset = reset_peak(self.pid)
        self.task = asyncio.create_task(self._sample())
        return self

    async def _sample(self) -> None:
        while True:
            self.sampled = max(self.sampled, status_mib(self.pid, "VmRSS") or 0.0)
            await asyncio.sleep(0.02)

    async def __aexit__(self, *exc: object) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.sampled = max(self.sampled, status_mib(self.pid, "VmRSS") or 0.0)

    @property
    def peak(self) -> float:
        """The kernel's high-water mark since the reset, else the sampled peak."""
        hwm = status_mib(self.pid, "VmHWM") if self.reset else None
        return max(hwm or 0.0, self.sampled)


PUSH_JOBS_SQL = """
SELECT c.platform, count(*), sum((j.result->>'listings')::int),
       sum((j.result->'prices'->>'listings')::int), sum((j.result->>'api_calls')::int)
  FROM sync_jobs j JOIN channel_accounts c ON c.id = j.channel_account_id
 WHERE j.kind = 'push_stock' AND j.created_at >= to_timestamp(%s) GROUP BY c.platform ORDER BY 1
"""


def minimum_calls(shops: list[Shop], kind: str, markets: set[str] | None = None) -> int:
    """The fewest write calls the platforms' limits allow for every unit of every shop (in `markets`)."""
    total = 0
    for shop in shops:
        if markets is not None and shop.harness.market not in markets:
            continue
        limits = registry.plugin(shop.platform).limits
        batch = limits.stock_batch if kind == "stock" else limits.price_batch
        per_call = limits.stock_items_per_call if kind == "stock" else limits.price_items_per_call
        variants = len(shop.units)
        items = len({item for item, _ in shop.units.values()})
        total += max(math.ceil(variants / batch), math.ceil(items / per_call) if per_call else 0)
    return total


def stock_xlsx(skus: list[str]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("stok")
    sheet.append(["SKU", "Stok"])
    for n, sku in enumerate(skus):
        sheet.append([sku, STOCK + 1 + n % 7])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def price_csv(skus: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["SKU", "Pasar", "Harga"])
    for n, sku in enumerate(skus):
        writer.writerow([sku, "ID", f"{PRICE + 1000 * (n % 5):,}".replace(",", ".")])
    return out.getvalue().encode("utf-8-sig")


def is_write(path: str) -> bool:
    """A stock or price write of the four sandboxes (update_stock, price_quantity/update, ...)."""
    return "update" in path


@dataclass
class Outcome:
    seconds: float  # the preview (upload, reading, the change set's preview)
    calls: int  # stock and price write calls from the preview to the end of the pushes
    other_calls: int  # other calls meanwhile (the schedule's safety-net order pulls, token refreshes)
    peak: float  # the service's peak RSS in this phase, MiB
    summary: dict[str, Any]
    steps: dict[str, float | None]  # the peak (VmHWM) of each step: preview, commit, pushes
    shown_s: float | None = None  # from the commit's start until every shop shows the new values


async def update(
    seller: Seller,
    db: psycopg.AsyncConnection[Any],
    shops: list[Shop],
    pid: int,
    kind: str,
    name: str,
    content: bytes,
    shown: Callable[[], bool] | None = None,
) -> Outcome:
    """Preview (timed) and commit one file; the sandbox calls until the queue is idle. `shown`: whether
    every shop shows the file's values (then the time from the commit's start until it does is kept)."""
    marks = [s.mark() for s in shops]
    refused = [s.refused.copy() for s in shops]
    calls_before = sum(s.harness.call_count() for s in shops)
    began = time.time()
    async with Phase(pid) as phase:
        rss_start = status_mib(pid, "VmRSS")  # what the phase starts from (the peaks include it)
        started = time.perf_counter()
        preview = await seller.call("POST", f"/api/{kind}/import", files={"file": (name, content)})
        seconds = time.perf_counter() - started
        steps = {"start_rss": rss_start, "preview": status_mib(pid, "VmHWM")}
        reset_peak(pid)
        log(
            f"{kind}: {name} previewed in {seconds:.2f} s: {preview['summary']}, "
            f"{len(preview['items'])} items in the answer"
        )
        body = {"mode": "commit", "token": preview["token"], "acknowledge_warnings": True}
        started = time.perf_counter()
        committed = await seller.call(
            "POST", f"/api/{kind}/update", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        log(f"{kind}: committed in {time.perf_counter() - started:.2f} s")
        shown_s = None
        while shown is not None and time.perf_counter() - started < 1800:
            if shown():
                shown_s = round(time.perf_counter() - started, 2)
                log(f"{kind}: every shop shows the file's values {shown_s} s after the commit began")
                break
            await asyncio.sleep(0.02)
        steps["commit"] = status_mib(pid, "VmHWM")
        reset_peak(pid)
        if committed["status"] != "committed":
            raise RuntimeError(
                f"{kind}: the commit is {committed['status']}: {committed.get('approval_reason')}"
            )
        if not await wait_idle(db, shops, within=1800):
            raise RuntimeError(f"{kind}: the pushes did not finish")
        log(f"{kind}: pushed {time.perf_counter() - started:.2f} s after the commit began")
        steps["pushes"] = status_mib(pid, "VmHWM")
    made = [
        (path, n - mark[1].get(path, 0)) for shop, mark in zip(shops, marks, strict=True)
        for path, n in shop.calls_by_path().items()
    ]  # fmt: skip
    calls = sum(n for path, n in made if is_write(path))
    other = sum(s.harness.call_count() for s in shops) - calls_before - calls
    for shop, mark, before in zip(shops, marks, refused, strict=True):
        log(f"{kind}: {shop.since(mark)}; refused {dict(shop.refused - before)}")
    for row in await (await db.execute(PUSH_JOBS_SQL, (began,))).fetchall():
        log(f"{kind}: push jobs {row[0]}: {row[1]} jobs, stock {row[2]}, prices {row[3]}, api calls {row[4]}")
    log(
        f"{kind}: peak {phase.peak} MiB (VmHWM reset {'done' if phase.reset else 'refused'}, "
        f"sampled {phase.sampled}; per step {steps})"
    )
    return Outcome(seconds, calls, other, max(phase.sampled, *(v or 0.0 for v in steps.values())),
                   preview["summary"], steps, shown_s)  # fmt: skip


async def run(count: int, platforms: list[str]) -> dict[str, Any]:
    skus = [f"SP-{n:05d}" for n in range(count)]
    async with contextlib.AsyncExitStack() as stack:
        tmp = Path(tempfile.mkdtemp(prefix="aiostore-bench-"))
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        server, conninfo = start_database(tmp)
        stack.callback(stop_database, server)
        port = free_port()
        callback = f"http://127.0.0.1:{port}/api/channels/callback"
        shops = [
            make_shop(
                p, callback_url=f"{callback}/{p}", latency_ms=0, skus=skus, stock=STOCK, hook=lambda: None
            )
            for p in platforms
        ]
        stack.push_async_callback(stop_shops, shops)
        await start_shops(shops)
        env = settings_env(shops) | {"AIOSTORE_IMPORT_MAX_BYTES": str(64 * 1024 * 1024)}
        service = Service.start(tmp, port, env)
        stack.callback(service.stop)
        await service.wait_ready()
        rss_started = status_mib(service.process.pid, "VmRSS")
        seller = Seller(service.url)
        seller.api.timeout = httpx.Timeout(600)
        stack.push_async_callback(seller.aclose)
        await seller.register()
        log(f"creating {count} SKUs")
        await seller.create_catalog(skus, STOCK, per_product=50)
        channel_ids = [await seller.connect(shop) for shop in shops]
        await seller.pull_products(channel_ids, within=2400)  # a loaded 2-core machine is slow
        db = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
        stack.push_async_callback(db.close)
        if not await wait_idle(db, shops, within=1800):
            raise RuntimeError("the shops did not settle after the pulls")
        log(f"{len(shops)} shops with {count} SKUs each, pulled")
        pid = service.process.pid
        setup_peak, rss_before = status_mib(pid, "VmHWM"), status_mib(pid, "VmRSS")
        new_stock = {sku: STOCK + 1 + n % 7 for n, sku in enumerate(skus)}
        stock = await update(
            seller, db, shops, pid, "stock", "stok.xlsx", stock_xlsx(skus),
            shown=lambda: all(s.sellable(sku) == q for s in shops for sku, q in new_stock.items()),
        )  # fmt: skip
        price = await update(seller, db, shops, pid, "price", "harga.csv", price_csv(skus))
        can_reset = reset_peak(pid)
        wrong = [
            s.platform
            for s in shops
            for sku in skus[:50]
            if s.sellable(sku) != STOCK + 1 + skus.index(sku) % 7
        ]
    return {
        "rows": count,
        "xlsx_preview_s": round(stock.seconds, 2),
        "csv_preview_s": round(price.seconds, 2),
        "peak_mib": max(stock.peak, price.peak),
        "stock_calls": stock.calls,
        "min_stock_calls": minimum_calls(shops, "stock"),
        "price_calls": price.calls,
        "min_price_calls": minimum_calls(shops, "price", {"ID"}),
        "stock_other_calls": stock.other_calls,
        "price_other_calls": price.other_calls,
        "stock_peak_mib": stock.peak,
        "price_peak_mib": price.peak,
        "stock_step_peaks_mib": stock.steps,
        "price_step_peaks_mib": price.steps,
        "rss_started_mib": rss_started,
        "rss_before_mib": rss_before,
        "setup_peak_mib": setup_peak,
        "peak_source": "VmHWM reset per phase" if can_reset else "VmRSS sampled every 20 ms",
        "platforms": platforms,
        "stock_mismatches_in_first_50": len(wrong),
        "stock_shown_s": stock.shown_s,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--platforms", default=",".join(PLATFORMS))
    args = parser.parse_args(argv)
    platforms = [p for p in args.platforms.split(",") if p in PLATFORMS]
    configure_logging("WARNING", json_logs=False)
    try:
        figures = asyncio.run(run(args.skus, platforms))
    except Exception as exc:  # the last line is JSON even on failure
        log(f"FAIL: {type(exc).__name__}: {exc}")
        print(json.dumps({"rows": 0, "error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
