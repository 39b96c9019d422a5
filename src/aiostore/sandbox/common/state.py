"""What every sandbox's state object shares: its config, clock, fault injector, call counter, rate limiter,
push dispatcher, the `/_sandbox/state` counters, lookups by id and the normal order path."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Generic, Protocol, TypeVar

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from aiostore.sandbox.common.config import SandboxConfig
from aiostore.sandbox.common.core import CallCounter, DateHeaderMiddleware, RateLimiter, SandboxError
from aiostore.sandbox.common.faults import FaultConfig, FaultInjector, path_matches
from aiostore.sandbox.common.push import PushDispatcher, PushMessage
from aiostore.sandbox.common.review import Review, ReviewDesk
from aiostore.sandbox.common.seeding import SeedPlan
from aiostore.sandbox.common.taxonomy import ImageStore

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
S = TypeVar("S")
L = TypeVar("L", covariant=True)
C = TypeVar("C", bound=SandboxConfig)
R = TypeVar("R")  # what seeding answers (the new ids)


class LimiterFactory(Protocol[L]):
    def __call__(self, rate: float | None, burst: int, clock: Callable[[], float]) -> L: ...


def lookup(table: Mapping[K, V], key: K, what: str) -> V:
    """`table[key]`, or the control API's 404 "unknown <what> <key>"."""
    found = table.get(key)
    if found is None:
        raise SandboxError(f"unknown {what} {key}", 404)
    return found


def stock_key(item_id: object, variant_id: object) -> str:
    """A variant as the connectors name it, (item id, variant id or "0"), in one string."""
    return f"{item_id}/{variant_id or 0}"


def next_on_path(order_id: object, status: S, path: Sequence[S]) -> S:
    """The status after `status` on a platform's normal order path (409 when it is off it or at its end)."""
    if status not in path[:-1]:
        raise SandboxError(f"order {order_id} is {status}: not on the normal path", 409)
    return path[path.index(status) + 1]


class SandboxState(Generic[C, R]):
    """Base of each platform's sandbox state (`C`: its config, `R`: its seed result); its __init__ calls
    `start` first."""

    config: C
    faults: FaultInjector
    calls: CallCounter
    pushes: PushDispatcher
    rate_limiter: Any
    images: ImageStore
    reviews: ReviewDesk

    def start(
        self,
        config: C,
        *,
        accept: Callable[[httpx.Response], bool],
        on_lost: Callable[[PushMessage], None] | None = None,
        limiter: LimiterFactory[Any] = RateLimiter,
    ) -> None:
        self.config = config
        self.calls = CallCounter()
        self.stock_locks: set[str] = set()
        self.images = ImageStore()
        self.faults = FaultInjector(config.faults)
        self.reviews = ReviewDesk(self.faults)
        self.rate_limiter = limiter(config.rate_limit_rps, config.rate_limit_burst, config.monotonic)
        self.pushes = PushDispatcher(
            faults=self.faults,
            accept=accept,
            transport=config.push_transport,
            timeout=config.push_timeout,
            max_attempts=config.push_max_attempts,
            retry_delay=config.push_retry_delay,
            concurrency=config.push_concurrency,
            on_lost=on_lost,
        )

    def now(self) -> int:
        return int(self.config.clock())

    def lock_stock(self, item_id: object, variant_id: object, locked: bool = True) -> None:
        """A promotion (a campaign, a flash sale) locks this variant's stock: the platform still accepts
        a stock update for it, answers success, and does not apply it (what platforms do silently)."""
        key = stock_key(item_id, variant_id)
        if locked:
            self.stock_locks.add(key)
        else:
            self.stock_locks.discard(key)

    def stock_locked(self, item_id: object, variant_id: object) -> bool:
        return stock_key(item_id, variant_id) in self.stock_locks

    def seed(
        self,
        products: int = 0,
        orders: int = 0,
        variants_per_product: int = 3,
        seed: int | None = None,
        *,
        shop_id: Any = None,
        order_days: int = 30,
    ) -> R:
        """Add seeded products (each with `variants_per_product` variants) and orders to a shop (the
        first one when None), drawn from `seed` (the config's when None): the same call, the same data."""
        plan = SeedPlan(
            products,
            orders,
            variants_per_product,
            self.config.seed if seed is None else seed,
            self.now(),
            order_days,
        )
        return self.seed_into(shop_id, plan)

    def seed_from_config(self) -> None:
        """The first shop's seed data, as the config asks (at start)."""
        config = self.config
        if config.products or config.orders:
            self.seed(config.products, config.orders, config.variants_per_product)

    def seed_into(self, shop_id: Any, plan: SeedPlan) -> R:
        raise NotImplementedError

    def begin_review(self, key: Hashable, restore: Any = None) -> Review:
        """Put a created or edited listing under review (the platform shows its review status)."""
        return self.reviews.submit(key, self.now(), self.config.review_seconds, restore)

    def settle_reviews(self, *, force: bool = False) -> list[Review]:
        """End the reviews that are due (all of them when `force`): each listing goes live or is rejected
        as its platform does it (`review_ended`). Called before each API request and by the control API."""
        ended = self.reviews.take_due(self.now(), force=force)
        for review in ended:
            self.review_ended(review)
        return ended

    def review_ended(self, review: Review) -> None:
        """Apply a review's outcome to the listing: the platform's status, reason and push."""
        raise NotImplementedError

    def lost_push_count(self) -> int | None:
        """Pushes given up after every attempt, where the platform keeps them (None: it does not)."""
        return None

    def contents(self) -> dict[str, Any]:
        """The platform's apps and shops, as `/_sandbox/state` shows them."""
        raise NotImplementedError

    def summary(self) -> dict[str, Any]:
        counters: dict[str, Any] = {
            "calls": self.calls.count(),
            "pushes_queued": self.pushes.queued,
            "pushes_delivered": sum(1 for d in self.pushes.deliveries if d.ok),
            "reviews_pending": len(self.reviews.pending),
        }
        lost = self.lost_push_count()
        if lost is not None:
            counters["lost_pushes"] = lost
        return {**self.contents(), **counters, "faults": self.faults.config.model_dump()}

    def call_count(self, path: str | None = None) -> int:
        """Requests received on an API path: in full ("/api/v2/product/update_stock", or a path template),
        or a tail of it ("product/update_stock"); all requests when None."""
        if path is None:
            return self.calls.count()
        return sum(n for key, n in self.calls.snapshot().items() if path_matches(key, path))

    def set_faults(self, faults: FaultConfig | dict[str, Any]) -> FaultConfig:
        config = faults if isinstance(faults, FaultConfig) else FaultConfig.model_validate(faults)
        self.faults.configure(config)
        return config

    def reset_calls(self) -> None:
        self.calls.reset()

    async def drain_pushes(self) -> None:
        await self.pushes.drain()

    async def aclose(self) -> None:
        await self.pushes.aclose()


def sandbox_app(state: SandboxState[Any, Any], routes: Sequence[BaseRoute]) -> Starlette:
    """The ASGI app serving `state` on `routes`: every answer carries the sandbox clock's `Date`, closing
    the app stops push delivery, and `app.state.sandbox` is the state (how tests and the harness reach it)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await state.aclose()

    app = Starlette(
        routes=list(routes), lifespan=lifespan, middleware=[Middleware(DateHeaderMiddleware, now=state.now)]
    )
    app.state.sandbox = state
    return app
