"""`aiostore serve`: database (embedded or external), migrations, the API and an in-process worker."""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn
from rich.console import Console

from aiostore.db import migrate
from aiostore.db.engine import resolve_urls
from aiostore.db.session import Database
from aiostore.settings import Settings, check_startup
from aiostore.web.app import create_app
from aiostore.worker import runtime
from aiostore.worker.app import configure, run_embedded_worker


async def serve_forever(settings: Settings, console: Console) -> None:
    settings = check_startup(settings)
    urls = resolve_urls(settings)
    where = f"embedded PostgreSQL in {settings.data_dir / 'pg'}" if urls.embedded else "external PostgreSQL"
    console.print(f"[dim]database:[/] {where}")
    await migrate.upgrade(urls, settings)
    db = Database.connect(urls, pool_size=settings.db_pool_size)
    app = create_app(settings, db)
    runtime.install(runtime.make(settings, db, app.state.connectors))
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,  # the app honours X-Forwarded-* from AIOSTORE_TRUSTED_PROXIES only
        server_header=False,
    )
    server = uvicorn.Server(config)
    queue = configure(urls)
    worker_task: asyncio.Task[None] | None = None
    try:
        async with queue.open_async():
            if settings.run_worker:
                worker_task = asyncio.create_task(
                    run_embedded_worker(queue, concurrency=settings.worker_concurrency)
                )
            url = f"http://{settings.host}:{settings.port}"
            console.print(
                f"[bold green]AIOStore[/] listening on [link]{url}[/link]"
                f"  (API docs: {url}/docs, write mode: {settings.write_mode.value})"
            )
            await server.serve()
    finally:
        if worker_task is not None:
            worker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker_task
        await db.dispose()
