"""Platform-neutral basics of every sandbox (DESIGN.md "Marketplace sandboxes"): the control error, markets
and money in major units, an injectable clock, per-path call counting and a token-bucket rate limiter."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from email.utils import formatdate

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SandboxError(Exception):
    """A sandbox-control operation was refused (unknown id, not enough stock, bad transition)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class Market:
    region: str
    currency: str
    exponent: int  # decimal places the currency allows: IDR 0, SGD/MYR 2
    phone_prefix: str


MARKETS: dict[str, Market] = {
    "ID": Market("ID", "IDR", 0, "+62"),
    "SG": Market("SG", "SGD", 2, "+65"),
    "MY": Market("MY", "MYR", 2, "+60"),
}


def to_major(minor: int, exponent: int) -> float:
    """Integer minor units -> a float of major units, as JSON APIs send money."""
    return minor / 10**exponent if exponent else float(minor)


def parse_major(value: object, exponent: int) -> int:
    """A JSON number in major units (int, or Decimal when parsed with parse_float=Decimal) -> minor units.

    Raises ValueError when it is not a finite number or has more decimals than the currency allows.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("not a number")
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - Decimal(int) cannot fail
        raise ValueError("not a number") from exc
    if not amount.is_finite():
        raise ValueError("not a finite number")
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"at most {exponent} decimal places")
    return int(scaled)


class ManualClock:
    """A clock tests move by hand; pass it as a sandbox's `clock` (or `monotonic`)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class CallCounter:
    """How many requests each API path received (every request, answered with success or error)."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def record(self, path: str) -> None:
        self._counts[path] += 1

    def count(self, path: str | None = None) -> int:
        return self._counts[path] if path is not None else sum(self._counts.values())

    def snapshot(self) -> dict[str, int]:
        return dict(sorted(self._counts.items()))

    def reset(self) -> None:
        self._counts.clear()


class RateLimiter:
    """Token bucket per key: `rate` requests/second with bursts of `burst`; `rate=None` disables it."""

    def __init__(self, rate: float | None, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def acquire(self, key: str) -> bool:
        if self.rate is None:
            return True
        now = self._clock()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        return allowed


class DateHeaderMiddleware:
    """Every response carries `Date` from the sandbox's own clock, as a platform's HTTP server does.

    Clients learn the server's clock from it (Shopee's timestamp-offset correction). Run standalone
    under uvicorn with `date_header=False`, so there is exactly one.
    """

    def __init__(self, app: ASGIApp, now: Callable[[], float]) -> None:
        self.app = app
        self.now = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                date = formatdate(self.now(), usegmt=True).encode()
                message = {**message, "headers": [*message.get("headers", []), (b"date", date)]}
            await send(message)

        await self.app(scope, receive, send_with_date)
