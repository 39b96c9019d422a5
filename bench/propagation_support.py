"""Plumbing for bench/propagation.py: sandboxes on loopback ports, the embedded database, the service as
a subprocess, and the seller's API calls (register, catalog, OAuth connect, pull).

Nothing here measures anything; the measuring is in propagation.py.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import dataclasses
import importlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aiostore.connectors import registry
from aiostore.sandbox.common import FaultConfig
from aiostore.sandbox.common.harness import SandboxHarness
from pull_targets import sandbox_config

LOOPBACK = "127.0.0.1"
PLATFORMS = [plugin.name for plugin in registry.plugins()]
PASSWORD = "bench-password-0123456789"  # noqa: S105 - a throwaway account in a throwaway database


def log(message: str) -> None:
    print(f"[{Path(sys.argv[0]).stem}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


# -- sandboxes ---------------------------------------------------------------------------------------


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves the process's signal handlers alone (several run in one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class AfterResponse:
    """ASGI wrapper calling `hook()` as each response starts (the sandbox's state change is done then),
    noting how long the sandbox took to answer (its added latency included) in `served` and each
    refused answer's status (429, 5xx: a call the client will repeat) in `refused`."""

    def __init__(
        self,
        app: ASGIApp,
        hook: Callable[[], None],
        served: list[tuple[str, float]],
        refused: Counter[int] | None = None,
    ) -> None:
        self.app, self.hook, self.served, self.refused = app, hook, served, refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def send_and_look(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.hook()
                self.served.append((scope["path"], time.perf_counter() - start))
                if self.refused is not None and (message["status"] == 429 or message["status"] >= 500):
                    self.refused[message["status"]] += 1
            await send(message)

        await self.app(scope, receive, send_and_look)


@dataclass
class Shop:
    """One platform's sandbox served on a loopback port, and the harness that drives it in-process."""

    platform: str
    harness: SandboxHarness
    port: int
    server: QuietServer
    task: asyncio.Task[None] | None = None
    units: dict[str, tuple[str, str]] = field(default_factory=dict)  # bench SKU -> (item_id, variant_id)
    served: list[tuple[str, float]] = field(default_factory=list)  # (path, seconds to answer)
    refused: Counter[int] = field(default_factory=Counter)  # answers by refusing status (429, 5xx)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def calls_by_path(self) -> dict[str, int]:
        """API calls received per path (the harness protocol only counts; every sandbox keeps these)."""
        counter = getattr(getattr(self.harness, "sandbox", None), "calls", None)
        return dict(counter.snapshot()) if counter is not None else {}

    def mark(self) -> tuple[int, dict[str, int]]:
        """Where the counts stand now, for `since`."""
        return len(self.served), self.calls_by_path()

    def since(self, mark: tuple[int, dict[str, int]]) -> str:
        """The calls received since `mark`, per path, and how fast the sandbox answered them."""
        answered = sorted(seconds * 1000 for _, seconds in self.served[mark[0] :])
        made = {path: n - mark[1].get(path, 0) for path, n in self.calls_by_path().items()}
        p50, p95 = (answered[int(len(answered) * q)] if answered else None for q in (0.5, 0.95))
        return (
            f"{self.platform}: "
            + ", ".join(f"{path} {n}" for path, n in made.items() if n)
            + f"; answered in p50 {p50 and round(p50, 1)} ms, p95 {p95 and round(p95, 1)} ms"
        )

    def sellable(self, sku: str) -> int:
        unit = self.harness.unit(*self.units[sku])
        return unit.stock - unit.reserved


def make_shop(
    platform: str,
    *,
    callback_url: str,
    latency_ms: int,
    skus: list[str],
    stock: int,
    hook: Callable[[], None],
    **config_options: Any,
) -> Shop:
    """A sandbox with `latency_ms` added to every API call, seeded, its first units renamed to `skus`;
    `config_options` go to its config (e.g. push_max_attempts)."""
    package, config = sandbox_config(platform)
    options: dict[str, Any] = {"faults": FaultConfig(latency_ms=latency_ms), **config_options}
    if "redirect_url" in {f.name for f in dataclasses.fields(config)}:
        options["redirect_url"] = callback_url  # the platform redirects to the URL registered for the app
    app = package.create_app(config(**options))
    harness = importlib.import_module(f"aiostore.sandbox.{platform}.harness").harness(app)
    per_product = 2
    harness.seed(-(-len(skus) // per_product) + 2, variants_per_product=per_product, seed=7)
    units = harness.units()
    if len(units) < len(skus):
        raise RuntimeError(f"{platform}: the seeded shop has {len(units)} units, {len(skus)} needed")
    shop_units = {}
    for sku, unit in zip(skus, units, strict=False):
        harness.set_unit(unit.item_id, unit.variant_id, sku=sku, stock=stock)
        shop_units[sku] = (unit.item_id, unit.variant_id)
    port, served, refused = free_port(), list[tuple[str, float]](), Counter[int]()
    config = uvicorn.Config(
        AfterResponse(app, hook, served, refused),
        host=LOOPBACK,
        port=port,
        log_level="warning",
        access_log=False,
        date_header=False,  # the sandbox sends its own Date header
        server_header=False,
        lifespan="on",
    )
    return Shop(
        platform, harness, port, QuietServer(config), units=shop_units, served=served, refused=refused
    )


async def start_shops(shops: list[Shop]) -> None:
    """Serve every sandbox (tasks in this loop) and wait until each listens."""
    for shop in shops:
        shop.task = asyncio.create_task(shop.server.serve(), name=f"sandbox-{shop.platform}")
    deadline = time.monotonic() + 15
    while not all(s.server.started for s in shops):
        if time.monotonic() > deadline or any(s.task and s.task.done() for s in shops):
            raise RuntimeError("a sandbox server did not start")
        await asyncio.sleep(0.02)


async def stop_shops(shops: list[Shop]) -> None:
    """Ask every server to stop, then wait for each (10 s at most)."""
    for shop in shops:
        shop.server.should_exit = True
    for shop in shops:
        if shop.task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(shop.task, 10)


def settings_env(shops: list[Shop]) -> dict[str, str]:
    """Per-platform credentials and base URLs, as tests/integration/sync/marketplace.py sets them."""
    env: dict[str, str] = {}
    for shop in shops:
        model = registry.plugin(shop.platform).settings
        env |= model.for_app(shop.harness.app_key, shop.harness.app_secret, shop.url, shop.harness).env()
    return env


# -- database and service ----------------------------------------------------------------------------


def cpu_seconds(pid: int, *, children: bool = True) -> float:
    """CPU time of a process and (unless not asked) its children, live ones and those it has reaped."""
    import psutil  # type: ignore[import-untyped]  # installed with pgserver

    try:
        root = psutil.Process(pid)
        if not children:
            times = root.cpu_times()
            return float(times.user + times.system)
        times = root.cpu_times()
        total = times.children_user + times.children_system
        for proc in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system
        return float(total)
    except psutil.Error:
        return 0.0


def start_database(data_dir: Path) -> tuple[Any, str]:
    """The embedded PostgreSQL in data_dir/pg (the service joins it); (server, superuser conninfo)."""
    from aiostore.db.engine import start_embedded

    # pgserver's inter-process lock lives in XDG_RUNTIME_DIR, which must be private (0700) and shared
    # with the service (it inherits our environment).
    runtime = data_dir / "run"
    runtime.mkdir(mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    owner = start_embedded(data_dir)
    import pgserver

    server = pgserver.get_server(data_dir / "pg")  # the handle start_embedded opened
    conninfo = owner.set(drivername="postgresql").render_as_string(hide_password=False)
    return server, conninfo


def stop_database(server: Any) -> None:
    """Drop our handle; stop the server even if a killed service left its handle behind."""
    with contextlib.suppress(Exception):
        server.cleanup()
    with contextlib.suppress(Exception):
        if (Path(server.pgdata) / "postmaster.pid").exists():
            from pgserver._commands import pg_ctl

            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)


# `python -c _CPU_PROFILE OUT ARGS...`: `aiostore ARGS...` under cProfile with a CPU-time clock, the
# statistics written to OUT when it exits.
_CPU_PROFILE = """
import cProfile, runpy, sys, time
out = sys.argv[1]
sys.argv = ["aiostore", *sys.argv[2:]]
profiler = cProfile.Profile(time.process_time)
try:
    profiler.runcall(runpy.run_module, "aiostore.cli.main", run_name="__main__")
finally:
    profiler.dump_stats(out)
"""


@dataclass
class Service:
    """`python -m aiostore.cli.main serve` (or `worker`) in a subprocess, its output in a log file."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    @classmethod
    def start(
        cls,
        data_dir: Path,
        port: int,
        env_extra: dict[str, str],
        *,
        command: tuple[str, ...] = ("serve",),
        name: str = "service",
        profile: Path | None = None,
    ) -> Service:
        """`profile`: run it under cProfile, the statistics written there when it stops."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIOSTORE_")}
        url = f"http://{LOOPBACK}:{port}"
        env |= {
            "AIOSTORE_DATA_DIR": str(data_dir),
            "AIOSTORE_HOST": LOOPBACK,
            "AIOSTORE_PORT": str(port),
            "AIOSTORE_PUBLIC_URL": url,
            "AIOSTORE_WRITE_MODE": "live",
            "AIOSTORE_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **env_extra,
        }
        log_path = data_dir / f"{name}.log"
        # The profiler counts CPU time, not wall time: on a shared machine the wall clock mostly measures
        # the other processes.
        main = (
            ["-m", "aiostore.cli.main"] if profile is None else ["-c", _CPU_PROFILE, str(profile.resolve())]
        )
        with log_path.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, *main, *command],
                cwd=data_dir,  # no stray .env file
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return cls(process, url, log_path)

    async def wait_ready(self, within: float = 120) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the service exited with {self.process.returncode}:\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise RuntimeError(f"the service was not ready within {within} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        """Ctrl-C, as an operator would (uvicorn then re-raises it, so the process ends with Python's
        own exit path and its atexit handlers); kill it if it takes more than 15 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                log(f"the service did not stop within 15 s of SIGINT: killed. Its last lines:\n{self.tail()}")
                self.process.kill()
                self.process.wait(5)


# -- the seller, through the API ---------------------------------------------------------------------


class Seller:
    """A registered seller calling our API over HTTP, and a browser for the sandboxes' OAuth pages."""

    def __init__(self, base_url: str, pid: int | None = None) -> None:
        self.pid = pid  # the service's process, when the bench started it (its memory is measured)
        self.api = httpx.AsyncClient(base_url=base_url, timeout=30)
        self.browser = httpx.AsyncClient(timeout=30, follow_redirects=False)

    async def aclose(self) -> None:
        await self.api.aclose()
        await self.browser.aclose()

    async def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = await self.api.request(method, path, **kwargs)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    async def register(self) -> None:
        body = {
            "email": "bench-seller@example.com",
            "password": PASSWORD,
            "display_name": "Bench Seller",
            "organization_name": "Toko Bench",
        }
        created = await self.call("POST", "/api/auth/register", 201, json=body)
        self.api.headers["X-CSRF-Token"] = created["csrf_token"]

    async def create_catalog(self, skus: list[str], on_hand: int, per_product: int = 10) -> None:
        for start in range(0, len(skus), per_product):
            variants = [
                {"sku": sku, "option_values": {"no": sku[-3:]}, "inventory": {"on_hand": on_hand}}
                for sku in skus[start : start + per_product]
            ]
            body = {"title": f"Bench product {start // per_product + 1}", "variants": variants}
            await self.call("POST", "/api/products", 201, json=body)

    async def connect(self, shop: Shop) -> str:
        """The real OAuth path: our connect URL -> the sandbox's approval page -> our callback."""
        started = await self.call(
            "POST", "/api/channels/connect", json={"platform": shop.platform, "market": shop.harness.market}
        )
        page = await self.browser.get(started["authorization_url"])
        if page.status_code != 200:
            raise RuntimeError(f"{shop.platform}: approval page {page.status_code}: {page.text[:300]}")
        form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
        form |= dict(re.findall(r'<input type="radio" name="(\w+)" value="([^"]*)" checked', page.text))
        approved = await self.browser.post(f"{shop.url}/_sandbox/oauth/approve", data=form)
        if approved.status_code != 302:
            raise RuntimeError(f"{shop.platform}: approval {approved.status_code}: {approved.text[:300]}")
        back = urlsplit(approved.headers["location"])
        channel = await self.call("GET", f"{back.path}?{back.query}")
        return str(channel["id"])

    async def pull_products(self, channel_ids: list[str], within: float = 120) -> None:
        body = {"channel_account_ids": channel_ids, "kinds": ["products"]}
        created = await self.call("POST", "/api/sync/pull", 202, json=body)
        ids = {job["id"] for job in created}
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            page = await self.call("GET", "/api/jobs", params={"kind": "pull_products", "limit": 100})
            mine = [j for j in page["items"] if j["id"] in ids]
            if len(mine) == len(ids) and all(j["status"] in ("succeeded", "failed") for j in mine):
                failed = [(j["channel_account_id"], j["error"]) for j in mine if j["status"] == "failed"]
                if failed:
                    raise RuntimeError(f"product pulls failed: {failed}")
                return
            await asyncio.sleep(0.2)
        raise RuntimeError("the product pulls did not finish in time")


@contextlib.asynccontextmanager
async def registered_seller(prefix: str) -> AsyncIterator[tuple[Seller, str, str]]:
    """A temporary embedded database, `aiostore serve --no-worker` (dry write mode) on it and a seller
    registered through the API: yields (seller, the database's conninfo, the seller's org id), then stops
    all of it (the dashboard and analytics benches)."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    server, conninfo = start_database(tmp)
    try:
        service = Service.start(
            tmp, free_port(), {"AIOSTORE_WRITE_MODE": "dry"}, command=("serve", "--no-worker")
        )
        try:
            await service.wait_ready()
            seller = Seller(service.url, service.process.pid)
            try:
                await seller.register()
                me = (await seller.api.get("/api/auth/me")).json()
                yield seller, conninfo, me["org_id"]
            finally:
                await seller.aclose()
        finally:
            service.stop()
    finally:
        stop_database(server)


@dataclass
class Ground:
    """What every end-to-end bench starts on: a scratch folder, the embedded database, the service's
    port (not yet listening) and the sandboxes, serving."""

    tmp: Path
    server: Any
    conninfo: str
    port: int
    shops: list[Shop]


async def start_ground(
    stack: contextlib.AsyncExitStack,
    *,
    prefix: str,
    platforms: list[str],
    hook: Callable[[str], Callable[[], None]],
    **shop_options: Any,
) -> Ground:
    """A scratch folder, the database and the sandboxes (see `make_shop` for `shop_options`), each
    stopped by `stack`, the folder removed at exit."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    # Last of all, even after pgserver's own exit handler (which touches its lock folder again).
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    server, conninfo = start_database(tmp)
    stack.callback(stop_database, server)
    port = free_port()
    callback = f"http://127.0.0.1:{port}/api/channels/callback"
    shops = [make_shop(p, callback_url=f"{callback}/{p}", hook=hook(p), **shop_options) for p in platforms]
    stack.push_async_callback(stop_shops, shops)
    await start_shops(shops)
    return Ground(tmp, server, conninfo, port, shops)
