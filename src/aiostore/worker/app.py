"""The procrastinate App, its connection to PostgreSQL, and running a worker."""

from __future__ import annotations

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


async def run_worker(settings: Settings, *, concurrency: int, console: Console | None = None) -> None:
    """`aiostore worker`: run jobs until SIGINT/SIGTERM."""
    settings = check_startup(settings)
    urls = resolve_urls(settings)
    # No ping before each checkout (a round trip per transaction, several per sale): a connection the
    # server dropped fails one attempt of a job, which the runner retries, and the pool is refilled.
    db = Database.connect(urls, pool_size=max(2, concurrency), pre_ping=False)
    runtime.install(runtime.make(settings, db))
    app = configure(urls)
    memory.freeze_startup()
    if console:
        console.print(f"[green]worker[/] running {concurrency} jobs at once on queues {', '.join(QUEUES)}")
    try:
        async with app.open_async():
            await app.run_worker_async(
                concurrency=concurrency,
                queues=QUEUES,
                install_signal_handlers=True,
                fetch_job_polling_interval=POLL_SECONDS,
            )
    finally:
        await db.dispose()


async def run_embedded_worker(app: procrastinate.App, *, concurrency: int = 4) -> None:
    """The worker `aiostore serve` runs beside the API; cancelled when the service stops."""
    await app.run_worker_async(
        concurrency=concurrency,
        queues=QUEUES,
        install_signal_handlers=False,
        fetch_job_polling_interval=POLL_SECONDS,
    )
