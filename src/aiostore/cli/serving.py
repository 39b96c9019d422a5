"""`aiostore serve`: database (embedded or external), migrations, the API and an in-process worker."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import uvicorn
from fastapi import FastAPI
from rich.console import Console

from aiostore import memory
from aiostore.db import migrate
from aiostore.db.engine import resolve_urls
from aiostore.db.session import Database
from aiostore.settings import Settings, check_startup
from aiostore.web.app import create_app
from aiostore.worker import runtime
from aiostore.worker.app import Slots, configure, run_embedded_worker


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


async def _stop(task: asyncio.Task[None] | None) -> None:
    """Cancel once and wait: a worker cancelled once finishes the jobs it runs (a second would abort them),
    so this is safe to call again once the task has ended."""
    if task is None:
        return
    if not task.done():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


async def _build_demo(app: FastAPI, console: Console) -> None:
    from aiostore.services.demo.build import ensure

    try:
        await ensure(app.state.demo, app.state.db, app.state.sync)
    except Exception as exc:  # the demo is built again on the first visit
        console.print(f"[yellow]demo not built yet:[/] {exc}")
        return
    console.print("[green]demo ready[/]")


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
    memory.freeze_startup()
    worker_task: asyncio.Task[None] | None = None
    demo_task: asyncio.Task[None] | None = None
    try:
        async with queue.open_async():
            try:
                if settings.run_worker:
                    worker_task = asyncio.create_task(
                        run_embedded_worker(queue, Slots.of(settings, settings.worker_concurrency))
                    )
                # Stopped by the app's shutdown, before it closes the platforms' HTTP client and while the
                # queue is open: a push round in flight finishes and its job's end is recorded.
                app.state.on_stop.append(lambda: _stop(worker_task))
                app.state.on_stop.append(lambda: _stop(demo_task))
                url = f"http://{settings.host}:{settings.port}"
                console.print(
                    f"[bold green]AIOStore[/] listening on [link]{url}[/link]"
                    f"  (API docs: {url}/docs, write mode: {settings.write_mode.value})"
                )
                if app.state.demo_enabled:
                    console.print(
                        f"[bold]Demo:[/] open [link]{url}[/link] and choose [bold]Try the demo[/] "
                        f"(or POST {url}/demo): four sandbox shops in this process, live write mode"
                    )
                    if settings.demo:  # asked for: build it now, so the first visitor does not wait
                        demo_task = asyncio.create_task(_build_demo(app, console))
                # uvicorn re-raises the SIGTERM that stopped it once it has shut down; with the default
                # handler the process would die there, before this function's cleanup and the CLI's (which
                # stops the embedded database). Exiting normally instead runs both.
                signal.signal(signal.SIGTERM, _exit_on_sigterm)
                await server.serve()
            finally:  # done already when the app shut down; not when it failed to start
                await _stop(demo_task)
                await _stop(worker_task)
    finally:
        await db.dispose()
