"""One way for tests and benchmarks to drive any sandbox as "the marketplace": a `SandboxHarness`.

Each sandbox package exports `harness(app) -> SandboxHarness` for the app its `create_app` returned.
Ids are strings (as connectors speak them); statuses are the unified set of AIOStore's domain
(unpaid, to_ship, shipped, completed, cancelled, returned), which the harness turns into its
platform's own words. Nothing here is part of a platform's API: it is what a buyer, a courier or the
platform's back office would do, and what a test wants to see of the platform's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import httpx

from aiostore.sandbox.common.faults import FaultConfig

if TYPE_CHECKING:
    from aiostore.sandbox.common.state import SandboxState


@dataclass(frozen=True, slots=True)
class SellableUnit:
    """One variant as the platform holds it: ids, seller SKU, stock the seller set, stock held by orders."""

    item_id: str
    variant_id: str  # "0" where the platform has no variant level for this product
    sku: str
    stock: int  # the seller stock shown on the platform (what a stock update sets)
    reserved: int  # held by open orders, where the platform reports it (0 otherwise)


class SandboxHarness(Protocol):
    platform: str  # "shopee" | "tiktokshop" | "lazada" | "tokopedia"
    shop_id: str  # the shop a connector acts for (Shopee shop_id, TikTok shop id, Lazada seller id, ...)
    app_key: str
    app_secret: str
    access_token: str  # a valid access token for the shop, for tests that skip OAuth
    refresh_token: str
    market: str  # ID | SG | MY

    def seed(
        self, products: int, orders: int = 0, *, variants_per_product: int = 3, seed: int = 1
    ) -> None: ...

    def units(self) -> list[SellableUnit]:
        """Every variant of the shop, in a stable order."""
        ...

    def unit(self, item_id: str, variant_id: str) -> SellableUnit: ...

    def set_unit(
        self,
        item_id: str,
        variant_id: str,
        *,
        sku: str | None = None,
        stock: int | None = None,
        price: int | None = None,
    ) -> None:
        """Back-office edit (no API call counted): rename a SKU, set stock or the price (minor units),
        as a seller does in the platform's seller centre."""
        ...

    def price_of(self, item_id: str, variant_id: str) -> int:
        """The variant's price on the platform, in minor units."""
        ...

    def lock_stock(self, item_id: str, variant_id: str, locked: bool = True) -> None:
        """A promotion locks the variant's stock: stock updates are accepted and not applied."""
        ...

    def place_order(self, lines: list[tuple[str, str, int]], *, paid: bool = True) -> str:
        """A buyer orders (item_id, variant_id, quantity) lines; returns the platform's order id.

        The platform holds the stock as it does (reserves or deducts), bumps the order's update time
        and sends its push (webhook) if a push URL is configured.
        """
        ...

    def set_order_status(self, order_id: str, status: str) -> None:
        """Move an order to a unified status (shipped, completed, cancelled, returned...) and push."""
        ...

    def set_push_url(self, url: str | None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        """Where pushes go (None: nowhere); `transport` delivers them in-process (httpx.ASGITransport)."""
        ...

    def set_faults(self, faults: FaultConfig | dict[str, Any]) -> None: ...

    def call_count(self, path: str | None = None) -> int:
        """Requests received (on one API path, or all), faults and refusals included."""
        ...

    def reset_calls(self) -> None: ...

    def expire_access_tokens(self) -> None: ...

    async def drain_pushes(self) -> None:
        """Wait until every push queued so far has been delivered (or given up)."""
        ...


S = TypeVar("S", bound="SandboxState[Any, Any]")


class HarnessBase(Generic[S]):
    """What every platform's harness does the same way on its sandbox state (faults, counters, pushes);
    a platform adds its ids, units, orders and `push_to` (where its pushes go)."""

    def __init__(self, sandbox: S) -> None:
        self.sandbox = sandbox

    def push_to(self, url: str | None) -> None:
        raise NotImplementedError

    def seed(self, products: int, orders: int = 0, *, variants_per_product: int = 3, seed: int = 1) -> None:
        self.sandbox.seed(products, orders, variants_per_product=variants_per_product, seed=seed)

    def set_push_url(self, url: str | None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.push_to(url)
        self.sandbox.pushes.set_transport(transport)

    def set_faults(self, faults: FaultConfig | dict[str, Any]) -> None:
        self.sandbox.set_faults(faults)

    def lock_stock(self, item_id: str, variant_id: str, locked: bool = True) -> None:
        self.sandbox.lock_stock(item_id, variant_id, locked)

    def call_count(self, path: str | None = None) -> int:
        return self.sandbox.call_count(path)

    def reset_calls(self) -> None:
        self.sandbox.reset_calls()

    async def drain_pushes(self) -> None:
        await self.sandbox.drain_pushes()
