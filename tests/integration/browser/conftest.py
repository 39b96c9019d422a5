"""Browser tests: Playwright (async API) driving Debian's chromium-headless-shell against the real app
served by uvicorn on a loopback port.

Every test fails on a request that leaves the loopback address (it is blocked), on a console error and on
an uncaught page error. The app is served behind a strict Content-Security-Policy, so a template that
needed inline script or style would fail here. Skipped only when the browser binary is missing
(`.ci/run` installs it: `apt-get install chromium-headless-shell`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Route,
    async_playwright,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CHROMIUM = os.environ.get("AIOSTORE_CHROMIUM") or shutil.which("chromium-headless-shell") or ""
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
LOOPBACK = {"127.0.0.1", "localhost"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM or not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason="chromium-headless-shell is not installed"))


class StrictCSP:
    """The strictest policy the pages must live with: no inline script or style of any kind."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_csp(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-security-policy", CSP.encode())]
            await send(message)

        await self.app(scope, receive, send_with_csp if scope["type"] == "http" else send)


@dataclass
class Served:
    url: str
    app: FastAPI


def free_port() -> int:
    """A loopback port free now, for an app that must know its own address before it is served."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def serve(app: FastAPI, port: int = 0) -> AsyncIterator[Served]:
    config = uvicorn.Config(
        StrictCSP(app),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,  # an open event stream must not hold up the shutdown
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Served(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def served(app: FastAPI) -> AsyncIterator[Served]:
    async for s in serve(app):
        yield s


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield launched
    await launched.close()


@dataclass
class Watch:
    """What a page did that a test must not allow: requests off the machine, console and page errors."""

    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert self.blocked == [], f"requests left the loopback address: {self.blocked}"
        assert self.errors == [], f"console or page errors: {self.errors}"


@dataclass
class Browsing:
    context: BrowserContext
    page: Page
    watch: Watch


async def open_context(browser: Browser, **options: object) -> AsyncIterator[Browsing]:
    context = await browser.new_context(**options)  # type: ignore[arg-type]
    watch = Watch()

    async def guard(route: Route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in LOOPBACK:
            await route.continue_()
        else:
            watch.blocked.append(route.request.url)
            await route.abort()

    documents: set[str] = set()

    def on_request(request: Request) -> None:
        if request.is_navigation_request():
            documents.add(request.url)

    def on_console(message: ConsoleMessage) -> None:
        # A form shown again with its errors is a 4xx page, which Chromium also logs; a failed script,
        # stylesheet or htmx request is logged the same way and does fail the test.
        page_status = message.text.startswith("Failed to load resource") and (
            message.location.get("url") in documents
        )
        if message.type == "error" and not page_status:
            watch.errors.append(f"{message.text} ({message.location.get('url')})")

    await context.route("**/*", guard)
    page = await context.new_page()
    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    try:
        yield Browsing(context, page, watch)
        watch.check()
    finally:
        await context.close()


@pytest.fixture
async def tab(browser: Browser) -> AsyncIterator[Browsing]:
    """A fresh browser profile in English on a desktop window."""
    async for b in open_context(browser, locale="en-GB", viewport={"width": 1280, "height": 900}):
        yield b
