"""Live job events for `GET /api/jobs/events`: one LISTEN connection per process, fanned out to streams.

The `sync_jobs` trigger announces every change of a job on `aiostore_jobs` (migration 0002), and the
`notifications` trigger every new notification on the same channel with `topic: notification` and its
user (migration 0013_alerts): one LISTEN connection serves both. The hub
opens one PostgreSQL connection when the first stream subscribes, LISTENs, and hands each notification
to the queues of the streams of that job's organization only (tenant isolation: a stream never sees
another org's jobs). It reconnects after a lost connection, and closes it when the last stream leaves.
A user may hold `sse_max_streams_per_user` streams at once in a process; one more is a 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import structlog
from starlette.requests import Request
from starlette.responses import StreamingResponse

from aiostore.errors import TooManyRequests

log = structlog.get_logger(__name__)

CHANNEL = "aiostore_jobs"
QUEUE_SIZE = 1000  # a stream that falls this far behind loses events (it is told to reconnect)
RECONNECT_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)
LISTEN_WAIT_SECONDS = 10.0
JOB, NOTIFICATION = "job", "notification"
HEARTBEAT_SECONDS = 15.0


class Subscription:
    def __init__(self, org_id: str, topic: str = JOB, user_id: str | None = None) -> None:
        self.org_id = org_id
        self.topic = topic
        self.user_id = user_id  # set: only this user's events (notifications are per user)
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_SIZE)
        self.overflowed = False


class JobEventHub:
    def __init__(self, conninfo: Callable[[], str], *, max_streams_per_user: int) -> None:
        self.conninfo = conninfo  # read when the listener connects (the app's database is known by then)
        self.max_streams_per_user = max_streams_per_user
        self._subscriptions: set[Subscription] = set()
        self._per_user: Counter[uuid.UUID] = Counter()
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def subscribe(
        self, org_id: uuid.UUID, user_id: uuid.UUID, topic: str = JOB
    ) -> AsyncIterator[Subscription]:
        """A queue of this org's job events (or this user's notifications), from the moment the hub
        LISTENs (awaited here)."""
        if self._per_user[user_id] >= self.max_streams_per_user:
            raise TooManyRequests(
                f"at most {self.max_streams_per_user} event streams at once per user; close one first",
                headers={"Retry-After": "5"},
            )
        subscription = Subscription(str(org_id), topic, str(user_id) if topic == NOTIFICATION else None)
        self._per_user[user_id] += 1
        self._subscriptions.add(subscription)
        try:
            if self._listener is None:
                self._listening.clear()
                self._listener = asyncio.create_task(self._listen(), name="job-events-listener")
            # Events flow from here on; a database that cannot be reached yet only delays them.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._listening.wait(), LISTEN_WAIT_SECONDS)
            await self._notify_changed()
            yield subscription
        finally:
            self._subscriptions.discard(subscription)
            self._per_user[user_id] -= 1
            if self._per_user[user_id] <= 0:
                del self._per_user[user_id]
            listener = self._listener
            if not self._subscriptions and listener is not None:
                self._listener = None  # a stream arriving meanwhile starts a new listener
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            await self._notify_changed()

    def streams(self, org_id: uuid.UUID | None = None) -> int:
        """How many streams are subscribed (to one org's events, or in all)."""
        return sum(1 for s in self._subscriptions if org_id is None or s.org_id == str(org_id))

    async def wait_for_streams(self, count: int, org_id: uuid.UUID | None = None) -> None:
        """Until `count` streams are subscribed and the hub listens (what a test waits for)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.streams(org_id) >= count and self._listening.is_set())

    async def _notify_changed(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _listen(self) -> None:
        failures = 0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.conninfo(), autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    await self._notify_changed()
                    failures = 0
                    async for note in conn.notifies():
                        self._dispatch(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a lost connection: reconnect; streams keep waiting
                self._listening.clear()
                delay = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                failures += 1
                log.warning("job_events.listener_lost", error=type(exc).__name__, retry_in_s=delay)
                await asyncio.sleep(delay)

    def _dispatch(self, payload: str) -> None:
        try:
            event = json.loads(payload)
        except ValueError:
            return
        org, topic, user = event.get("org_id"), event.get("topic", JOB), event.get("user_id")
        for subscription in self._subscriptions:
            if subscription.org_id != org or subscription.topic != topic or subscription.overflowed:
                continue
            if subscription.user_id is not None and subscription.user_id != user:
                continue
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                subscription.overflowed = True  # the stream ends; the client reconnects and reloads


def sse_response(
    request: Request, subscription: Subscription, max_seconds: int, event_name: str
) -> StreamingResponse:
    """The server-sent events of a subscription, `event_name` each, with keep-alives; ends after
    `max_seconds` or when the client is too far behind (it reconnects and reloads)."""

    async def stream() -> AsyncIterator[str]:
        deadline = time.monotonic() + max_seconds
        yield "retry: 3000\n\n"
        while (left := deadline - time.monotonic()) > 0 and not await request.is_disconnected():
            if subscription.overflowed and subscription.queue.empty():
                return
            try:
                event = await asyncio.wait_for(subscription.queue.get(), min(HEARTBEAT_SECONDS, left))
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if event is not None:
                yield f"event: {event_name}\nid: {event['id']}\ndata: {json.dumps(event)}\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
