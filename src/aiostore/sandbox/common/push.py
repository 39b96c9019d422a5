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


def compact_json(payload: dict[str, Any]) -> bytes:
    """A push body as the platforms send it: compact JSON, UTF-8, keys in the order given."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed_json(
    url: str, payload: dict[str, Any], sign: Callable[[bytes], dict[str, str]], meta: Any = None
) -> PushMessage:
    """A JSON push to `url` with the headers `sign` computes from its body (the platform's signature)."""
    body = compact_json(payload)
    return PushMessage(url, body, {"Content-Type": "application/json", **sign(body)}, meta)


@dataclass(frozen=True, slots=True)
class PushDelivery:
    url: str
    body: bytes
    attempt: int
    status_code: int | None
    ok: bool
    error: str = ""


class PushDispatcher:
    """Sends pushes one by one from a background task, so the API answers without waiting for them.

    Faults: a dropped push is never queued (nor kept as lost); a duplicated push is queued twice; a
    reordered push is held back until the next push has been queued (or `reorder_hold` seconds pass, or
    `drain()` is called). Failed deliveries are retried `max_attempts` times, then handed to `on_lost`.
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
        on_lost: Callable[[PushMessage], None] | None = None,
    ) -> None:
        self._faults, self._accept, self._transport = faults, accept, transport
        self._timeout, self._max_attempts, self._retry_delay = timeout, max(1, max_attempts), retry_delay
        self._reorder_hold, self._on_lost = reorder_hold, on_lost
        self._pending: deque[PushMessage] = deque()
        self._held: PushMessage | None = None
        self._busy = False
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
        return len(self._pending) + (self._held is not None) + self._busy

    async def drain(self) -> None:
        """Release any held push and wait until every queued push has been delivered or given up."""
        if self._held is not None:
            self._pending.append(self._held)
            self._held = None
        self._kick()
        assert self._idle is not None  # noqa: S101 - _kick runs inside a loop here
        await self._idle.wait()

    async def aclose(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
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
            self._task = loop.create_task(self._run())
        assert self._wake is not None and self._idle is not None  # noqa: S101 - set with the task above
        if self._pending or self._busy or self._held is not None:
            self._idle.clear()
        self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None and self._idle is not None  # noqa: S101
        while True:
            while self._pending:
                message = self._pending.popleft()
                self._busy = True
                try:
                    await self._deliver(message)
                finally:
                    self._busy = False
            self._wake.clear()
            if self._held is None:
                self._idle.set()
                await self._wake.wait()
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self._reorder_hold)
            except TimeoutError:
                if self._held is not None:
                    self._pending.append(self._held)
                    self._held = None

    async def _deliver(self, message: PushMessage) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(transport=self._transport, timeout=self._timeout)
        for attempt in range(1, self._max_attempts + 1):
            status: int | None = None
            error = ""
            try:
                response = await self._client.post(message.url, content=message.body, headers=message.headers)
                status, ok = response.status_code, self._accept(response)
            except httpx.HTTPError as exc:
                ok, error = False, f"{type(exc).__name__}: {exc}"
            self.deliveries.append(PushDelivery(message.url, message.body, attempt, status, ok, error))
            if ok:
                return
            if attempt < self._max_attempts:
                await asyncio.sleep(self._retry_delay * attempt)
        if self._on_lost is not None:
            self._on_lost(message)
