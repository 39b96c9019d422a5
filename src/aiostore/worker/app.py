"""The procrastinate App, its connection to PostgreSQL, and running a worker."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import procrastinate
import structlog
from rich.console import Console

from aiostore import jobqueue, memory
from aiostore.db.engine import resolve_urls
from aiostore.db.session import Database
from aiostore.settings import Settings, check_startup
from aiostore.worker import runtime

log = structlog.get_logger(__name__)

queue = jobqueue.app
configure = jobqueue.configure
QUEUES = jobqueue.QUEUES
# New jobs wake workers at once (LISTEN/NOTIFY); polling only catches what no notification announces:
# a job whose lock was just released, or whose scheduled time came.
POLL_SECONDS = 1.0


PUSH_QUEUES = ["push"]
JOB_QUEUES = [q for q in QUEUES if q not in PUSH_QUEUES]


async def run_worker(settings: Settings, *, concurrency: int, console: Console | None = None) -> None:
    """`aiostore worker`: run jobs until SIGINT/SIGTERM."""
    settings = check_startup(settings)
    urls = resolve_urls(settings)
    lanes = settings.push_lanes
    # No ping before each checkout (a round trip per transaction, several per sale): a connection the
    # server dropped fails one attempt of a job, which the runner retries, and the pool is refilled.
    db = Database.connect(urls, pool_size=max(2, concurrency + lanes), pre_ping=False)
    runtime.install(runtime.make(settings, db))
    app = configure(urls)
    memory.freeze_startup()
    if console:
        console.print(
            f"[green]worker[/] running {concurrency} jobs at once on queues {', '.join(JOB_QUEUES)},"
            f" and the pushes of {lanes} shops at once"
        )
    try:
        async with app.open_async():
            await run_workers(app, concurrency=concurrency, lanes=lanes, stop_on_signals=True)
    finally:
        await db.dispose()


async def run_embedded_worker(app: procrastinate.App, *, concurrency: int = 4, lanes: int = 8) -> None:
    """The worker `aiostore serve` runs beside the API; cancelled when the service stops."""
    await run_workers(app, concurrency=concurrency, lanes=lanes, stop_on_signals=False)


async def run_workers(app: procrastinate.App, *, concurrency: int, lanes: int, stop_on_signals: bool) -> None:
    """Two procrastinate workers in this process: `concurrency` slots for every queue but the shops'
    pushes, and `lanes` slots for those (AIOSTORE_PUSH_LANES).

    A shop's push task holds its slot while it waits for the platform and for the shop's quota
    (Tokopedia's stock calls leave 200 ms apart) and runs again while sales keep its listings dirty; in
    shared slots a sale's webhook could wait behind four shops' pushes and a read-back, and a push behind
    a burst of webhooks (a test of a push task that kept its slot for seconds saw the webhook jobs wait
    4.7 s p50). Apart, neither waits for the other. Stopping (SIGINT/SIGTERM, or cancelling this) stops
    both gracefully: they finish the jobs they run."""
    options: dict[str, Any] = {"install_signal_handlers": False, "fetch_job_polling_interval": POLL_SECONDS}
    workers = [
        asyncio.create_task(app.run_worker_async(concurrency=concurrency, queues=JOB_QUEUES, **options)),
        asyncio.create_task(
            app.run_worker_async(concurrency=lanes, queues=PUSH_QUEUES, name="push", **options)
        ),
    ]
    stopping = asyncio.Event()

    def stop() -> None:
        stopping.set()
        for worker in workers:
            worker.cancel()

    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM) if stop_on_signals else ()
    for number in signals:
        loop.add_signal_handler(number, stop)
    try:
        await asyncio.gather(*workers)
    except asyncio.CancelledError:
        # Each worker, cancelled once, stops fetching and finishes its jobs first (a second cancel would
        # abort them): wait for both.
        await asyncio.gather(*workers, return_exceptions=True)
        if not stopping.is_set():
            raise
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
