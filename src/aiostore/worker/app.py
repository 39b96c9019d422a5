"""The procrastinate App, its connection to PostgreSQL, and running a worker."""

from __future__ import annotations

from typing import Any

import procrastinate
import psycopg_pool
import structlog
from rich.console import Console

from aiostore.db.engine import DatabaseURLs, resolve_urls
from aiostore.db.session import Database
from aiostore.settings import Settings, check_startup
from aiostore.worker import runtime

log = structlog.get_logger(__name__)

QUEUES = ["default", "housekeeping"]

_conninfo: dict[str, str] = {}


def _pool(**kwargs: Any) -> psycopg_pool.AsyncConnectionPool:
    if "conninfo" not in _conninfo:
        raise RuntimeError("the job queue is not configured: call aiostore.worker.app.configure(urls) first")
    return psycopg_pool.AsyncConnectionPool(conninfo=_conninfo["conninfo"], **kwargs)


# One App for the whole process (tasks register on it at import); its pool connects as the
# application role once configure() has said where the database is.
queue = procrastinate.App(
    connector=procrastinate.PsycopgConnector(pool_factory=_pool),
    import_paths=["aiostore.worker.tasks.housekeeping"],
)


def configure(urls: DatabaseURLs) -> procrastinate.App:
    """Point the queue at the application role's connection (jobs are rows in our database)."""
    _conninfo["conninfo"] = urls.app_conninfo()
    return queue


async def run_worker(settings: Settings, *, concurrency: int, console: Console | None = None) -> None:
    """`aiostore worker`: run jobs until SIGINT/SIGTERM."""
    settings = check_startup(settings)
    urls = resolve_urls(settings)
    db = Database.connect(urls, pool_size=max(2, concurrency))
    runtime.install(runtime.Runtime(settings, db))
    app = configure(urls)
    if console:
        console.print(f"[green]worker[/] running {concurrency} jobs at once on queues {', '.join(QUEUES)}")
    try:
        async with app.open_async():
            await app.run_worker_async(concurrency=concurrency, queues=QUEUES, install_signal_handlers=True)
    finally:
        await db.dispose()


async def run_embedded_worker(app: procrastinate.App, *, concurrency: int = 4) -> None:
    """The worker `aiostore serve` runs beside the API; cancelled when the service stops."""
    await app.run_worker_async(concurrency=concurrency, queues=QUEUES, install_signal_handlers=False)
