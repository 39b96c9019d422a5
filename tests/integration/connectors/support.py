"""What every platform's connector tests share: recorded (not slept) retry delays and a test policy."""

from __future__ import annotations

import random

from starlette.types import Receive, Scope, Send

from aiostore.http.breaker import BreakerRegistry
from aiostore.http.client import HttpPolicy
from aiostore.http.ratelimit import LimiterRegistry
from aiostore.http.retry import RetryConfig


class Sleeps:
    """Stands in for asyncio.sleep in the retry policy: records each wait, waits for nothing."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_policy(
    sleeps: Sleeps, *, threshold: int = 5, recovery: float = 30.0, attempts: int = 4
) -> HttpPolicy:
    return HttpPolicy(
        retry=RetryConfig(
            attempts=attempts, base_delay=0.5, max_delay=8.0, sleep=sleeps, rng=random.Random(7)
        ),
        limiters=LimiterRegistry(),
        breakers=BreakerRegistry(threshold=threshold, recovery_seconds=recovery),
    )


class Receiver:
    """Our webhook endpoint as a platform sees it: keeps each push (headers, raw body), answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.pushes: list[tuple[dict[str, str], bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.pushes.append(({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})
