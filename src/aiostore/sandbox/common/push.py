"""Asynchronous webhook (push) delivery shared by every sandbox (DESIGN.md "Marketplace sandboxes"): a
background task posts each push, retries failures, and applies the duplicate / out-of-order faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from aiostore.sandbox.common.faults import FaultInjector


@dataclass(slots=True)
class PushMessage:
    url: str
    body: bytes
    headers: dict[str, str]
    meta: Any = None  # the platform's own record of the push (for lost-push stores)
    # A retry's message: the same event sent again now (a fresh signed send time), or None: the same bytes.
    resend: Callable[[], PushMessage] | None = None


def compact_json(payload: dict[str, Any]) -> bytes:
    """A push body as the platforms send it: compact JSON, UTF-8, keys in the order given."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed_json(
    url: str,
    payload: dict[str, Any],
    sign: Callable[[bytes], dict[str, str]],
    meta: Any = None,
    *,
    restamp: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> PushMessage:
    """A JSON push to `url` with the headers `sign` computes from its body (the platform's signature).

    `restamp` gives a retry's payload (the send time set to now); the retry is signed afresh."""
    body = compact_json(payload)
    resend = (
        None if restamp is None else (lambda: signed_json(url, restamp(payload), sign, meta, restamp=restamp))
    )
    return PushMessage(url, body, {"Content-Type": "application/json", **sign(body)}, meta, resend)


def stamped_now(payload: dict[str, Any], now: float, field: str = "timestamp") -> dict[str, Any]:
    """`payload` with its send time `field` set to `now`, in the unit it had (milliseconds when the old
    value was one: Lazada's order pushes)."""
    old = payload.get(field)
    millis = isinstance(old, int) and old >= 100_000_000_000
    return {**payload, field: int(now * 1000) if millis else int(now)}


@dataclass(frozen=True, slots=True)
class PushDelivery:
    url: str
    body: bytes
    attempt: int
    status_code: int | None
    ok: bool
    error: str = ""


class PushDispatcher:
    """Sends pushes from background tasks, so the API answers without waiting for them.

    As the platforms do: up to `concurrency` deliveries are in flight; first attempts start in the order
    the pushes were queued; a failed delivery is retried on its own schedule (`retry_delay` x attempt,
    re-sent through `PushMessage.resend` where the platform signs a fresh send time) while the pushes
    behind it go on, so one failing push never delays the others. After `max_attempts` it is handed to
    `on_lost`.

    Faults: a dropped push is never queued (nor kept as lost); a duplicated push is queued twice; a
    reordered push is held back until the next push has been queued (or `reorder_hold` seconds pass, or
    `drain()` is called).
    """

    def __init__(
        self,
        *,
        faults: FaultInjector,
        accept: Callable[[httpx.Response], bool],
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 5.0,
        max_attempts: int = 3,
        retry_delay: float = 0.5,
        reorder_hold: float = 0.2,
        concurrency: int = 4,
        on_lost: Callable[[PushMessage], None] | None = None,
    ) -> None:
        self._faults, self._accept, self._transport = faults, accept, transport
        self._timeout, self._max_attempts, self._retry_delay = timeout, max(1, max_attempts), retry_delay
        self._reorder_hold, self._on_lost = reorder_hold, on_lost
        self._concurrency = max(1, concurrency)
        self._pending: deque[PushMessage] = deque()
        self._held: PushMessage | None = None
        self._active: set[asyncio.Task[None]] = set()  # each push from its first attempt to its last
        self._slots: asyncio.Semaphore | None = None  # attempts in flight
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._client: httpx.AsyncClient | None = None
        self.deliveries: deque[PushDelivery] = deque(maxlen=10_000)
        self.dropped = 0  # pushes dropped by the fault (never sent)

    def submit(self, message: PushMessage) -> None:
        if self._faults.push_dropped():
            self.dropped += 1
            return
        duplicate, reorder = self._faults.push_faults()
        held, self._held = self._held, None
        if reorder and held is None:
            self._held = message
        else:
            self._pending.append(message)
        if held is not None:
            self._pending.append(held)
        if duplicate:
            self._pending.append(message)
        self._kick()

    def set_transport(self, transport: httpx.AsyncBaseTransport | None) -> None:
        """Deliver through this transport from now on (tests: httpx.ASGITransport of the receiver)."""
        self._transport = transport
        self._client = None  # the next delivery opens a client on the new transport

    @property
    def queued(self) -> int:
        """Pushes not yet delivered nor given up: waiting, held back, or being (re)tried."""
        return len(self._pending) + (self._held is not None) + len(self._active)

    async def drain(self) -> None:
        """Release any held push and wait until every queued push has been delivered or given up."""
        if self._held is not None:
            self._pending.append(self._held)
            self._held = None
        self._kick()
        assert self._idle is not None  # noqa: S101 - _kick runs inside a loop here
        await self._idle.wait()

    async def aclose(self) -> None:
        tasks = [t for t in (self._task, *self._active) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._active.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _kick(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop yet: the next submit() or drain() inside one starts the worker
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._wake, self._idle = asyncio.Event(), asyncio.Event()
            self._slots = asyncio.Semaphore(self._concurrency)
            self._active = {t for t in self._active if not t.done() and t.get_loop() is loop}
            self._task = loop.create_task(self._run())
        assert self._wake is not None and self._idle is not None  # noqa: S101 - set with the task above
        if self.queued:
            self._idle.clear()
        self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None and self._idle is not None and self._slots is not None  # noqa: S101
        while True:
            while self._pending:
                await self._slots.acquire()  # first attempts start in order, `concurrency` at a time
                if not self._pending:  # aclose() or a drain elsewhere emptied it meanwhile
                    self._slots.release()
                    break
                message = self._pending.popleft()
                task = asyncio.get_running_loop().create_task(self._deliver(message, self._slots))
                self._active.add(task)
                task.add_done_callback(self._finished)
            self._wake.clear()
            if self._held is None:
                if not self.queued:
                    self._idle.set()
                await self._wake.wait()
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self._reorder_hold)
            except TimeoutError:
                if self._held is not None:
                    self._pending.append(self._held)
                    self._held = None

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._active.discard(task)
        if not self.queued and self._idle is not None:
            self._idle.set()

    async def _deliver(self, message: PushMessage, slots: asyncio.Semaphore) -> None:
        """Every attempt of one push; holds an in-flight slot only while an attempt is on the wire (the
        first attempt's slot was taken by `_run`, in queue order)."""
        for attempt in range(1, self._max_attempts + 1):
            if attempt > 1:
                await slots.acquire()
            try:
                ok = await self._attempt(message, attempt)
            finally:
                slots.release()
            if ok:
                return
            if attempt < self._max_attempts:
                await asyncio.sleep(self._retry_delay * attempt)
                if message.resend is not None:
                    message = message.resend()
        if self._on_lost is not None:
            self._on_lost(message)

    async def _attempt(self, message: PushMessage, attempt: int) -> bool:
        if self._client is None:
            self._client = httpx.AsyncClient(transport=self._transport, timeout=self._timeout)
        status: int | None = None
        error = ""
        try:
            response = await self._client.post(message.url, content=message.body, headers=message.headers)
            status, ok = response.status_code, self._accept(response)
        except httpx.HTTPError as exc:
            ok, error = False, f"{type(exc).__name__}: {exc}"
        self.deliveries.append(PushDelivery(message.url, message.body, attempt, status, ok, error))
        return ok
