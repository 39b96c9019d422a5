"""The procrastinate App, its connection to PostgreSQL, and running a worker."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from typing import Any

import procrastinate
import structlog
from procrastinate.worker import Worker
from rich.console import Console

from aiostore import jobqueue, memory
from aiostore.db.engine import resolve_urls
from aiostore.db.session import Database
from aiostore.settings import Settings, check_startup
from aiostore.worker import liveness, runtime

log = structlog.get_logger(__name__)

queue = jobqueue.app
configure = jobqueue.configure
QUEUES = jobqueue.QUEUES
# New jobs wake workers at once (LISTEN/NOTIFY); polling only catches what no notification announces:
# a job whose lock was just released, or whose scheduled time came.
POLL_SECONDS = 1.0


PUSH_QUEUES = ["push"]
JOB_QUEUES = [q for q in QUEUES if q not in PUSH_QUEUES and q not in jobqueue.WEBHOOK_QUEUES]


@dataclass(frozen=True)
class Slots:
    """How many jobs a worker process runs at once: `jobs` of every queue but the pushes and the
    platforms' webhooks, the pushes of `push` shops, and `webhooks` of each platform."""

    jobs: int
    push: int
    webhooks: int

    @classmethod
    def of(cls, settings: Settings, jobs: int) -> Slots:
        return cls(jobs, settings.push_lanes, settings.webhook_lanes)

    @property
    def total(self) -> int:
        return self.jobs + self.push + self.webhooks * len(jobqueue.WEBHOOK_QUEUES)


async def run_worker(settings: Settings, *, concurrency: int, console: Console | None = None) -> None:
    """`aiostore worker`: run jobs until SIGINT/SIGTERM."""
    settings = check_startup(settings)
    urls = resolve_urls(settings)
    slots = Slots.of(settings, concurrency)
    # No ping before each checkout (a round trip per transaction, several per sale): a connection the
    # server dropped fails one attempt of a job, which the runner retries, and the pool is refilled.
    db = Database.connect(urls, pool_size=max(2, slots.total), pre_ping=False)
    runtime.install(runtime.make(settings, db))
    app = configure(urls)
    memory.freeze_startup()
    if console:
        console.print(
            f"[green]worker[/] running {slots.jobs} jobs at once on queues {', '.join(JOB_QUEUES)},"
            f" the pushes of {slots.push} shops and {slots.webhooks} webhooks of each platform"
        )
    try:
        async with app.open_async():
            await run_workers(app, slots, stop_on_signals=True)
    finally:
        await db.dispose()


async def run_embedded_worker(app: procrastinate.App, slots: Slots) -> None:
    """The worker `aiostore serve` runs beside the API; cancelled when the service stops."""
    await run_workers(app, slots, stop_on_signals=False)


async def run_workers(app: procrastinate.App, slots: Slots, *, stop_on_signals: bool) -> None:
    """Procrastinate workers in this process, each with slots of its own: one for the shops' pushes
    (AIOSTORE_PUSH_LANES), one per platform for its webhooks (AIOSTORE_WEBHOOK_LANES), one for the
    other jobs (AIOSTORE_WORKER_CONCURRENCY, `aiostore worker --concurrency`).

    A job holds its slot while it waits for the platform and the shop's quota. A push task waits for
    both and runs again while sales keep its listings dirty; Tokopedia's order reads (5 a second) wait
    for their quota whenever its webhooks come faster. In one pool of slots the waiting jobs of one kind
    or one platform held up all the others: in the soak (25 changes/s, a quarter of them Tokopedia's),
    Tokopedia's webhooks filled 8 or 9 of the slots and every platform's orders queued behind them by
    the thousand; in a trial of longer-lived push tasks, webhooks queued 4.7 s p50 behind four shops'
    pushes. Apart, none waits for another. Stopping (SIGINT/SIGTERM, or cancelling this) stops all of
    them gracefully: each finishes the jobs it runs."""
    options: dict[str, Any] = {"install_signal_handlers": False, "fetch_job_polling_interval": POLL_SECONDS}
    layout = [("worker", JOB_QUEUES, slots.jobs), ("push", PUSH_QUEUES, slots.push)] + [
        (name, [name], slots.webhooks) for name in jobqueue.WEBHOOK_QUEUES
    ]
    app.perform_import_paths()  # type: ignore[no-untyped-call]  # what run_worker_async does first
    async with liveness.held() as live:
        procrastinate_workers = [
            Worker(
                app=app,
                **{**app.worker_defaults, **options, "concurrency": n, "queues": queues, "name": name},
            )
            for name, queues, n in layout
        ]
        # Built as App.run_worker_async builds them, kept: each one's id, once registered, is locked.
        workers = [asyncio.create_task(w.run()) for w in procrastinate_workers]  # type: ignore[no-untyped-call]
        # Each worker's lock and listing once it registered (worker/liveness.py), and the look for dead ones.
        aside = [
            asyncio.create_task(live.hold(w, t)) for w, t in zip(procrastinate_workers, workers, strict=True)
        ]
        watching = asyncio.create_task(liveness.watch(app, live))
        try:
            await _run(workers, watching, stop_on_signals=stop_on_signals)
        finally:
            for task in (*aside, watching):
                task.cancel()
            await asyncio.gather(*aside, watching, return_exceptions=True)


async def _run(
    workers: list[asyncio.Task[None]], watching: asyncio.Task[None], *, stop_on_signals: bool
) -> None:
    """Run the workers until a signal (or cancel) stops them gracefully, one of them fails, or the
    process's liveness is lost; each stop waits for the jobs being run."""
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
        await asyncio.gather(*workers, watching)
    except asyncio.CancelledError:
        # Each worker, cancelled once, stops fetching and finishes its jobs first (a second cancel would
        # abort them): wait for them all.
        await asyncio.gather(*workers, return_exceptions=True)
        if not stopping.is_set():
            raise
    except Exception:  # one worker failed (its database gone...), or the liveness: the process stops
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
