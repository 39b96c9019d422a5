"""What every sandbox's configuration shares: the first shop's known token, seed data, push delivery, rate
limit, faults and clocks. Each platform's config subclasses it with its own ids, time rules and limits
(and may override a default here, e.g. its rate limit)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from aiostore.sandbox.common.faults import FaultConfig


@dataclass(slots=True, kw_only=True)
class SandboxConfig:
    access_token: str | None = None  # a known token granted for the first shop at start
    # Seed data for the first shop.
    products: int = 0
    orders: int = 0
    variants_per_product: int = 3  # Shopee models, TikTok/Lazada SKUs, Tokopedia variant children
    seed: int = 1
    # Push (webhook) delivery for the first app.
    push_url: str | None = None
    push_transport: httpx.AsyncBaseTransport | None = None  # tests: httpx.ASGITransport / MockTransport
    push_timeout: float = 5.0
    push_max_attempts: int = 3  # Lazada itself retries 12 times, 30 minutes apart
    push_retry_delay: float = 0.5  # the n-th retry waits n x this, on its own: the other pushes go on
    push_concurrency: int = 4  # deliveries in flight at once (first attempts start in queue order)
    auth_session_ttl: int = 600  # the approval page's session
    # Rate limit per app and shop (Tokopedia: per app and endpoint); None disables it.
    rate_limit_rps: float | None = 100.0
    rate_limit_burst: int = 20
    faults: FaultConfig = field(default_factory=FaultConfig)
    # How long a created or edited listing stays under review (sandbox clock; 0: until the next request).
    review_seconds: int = 0
    # Business time (timestamps, token expiry, update times) and the rate limiter's clock.
    clock: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
