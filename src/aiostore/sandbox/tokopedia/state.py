"""``TokopediaSandbox``: the in-memory marketplace behind the Tokopedia FS API sandbox (lazada-tokopedia.md
Part B).

Tests and benchmarks drive it directly (``app.state.sandbox``) or over HTTP through ``/_sandbox/...``: seed
data, place orders and move them along §B5 (each change after payment sends a signed webhook, §B8), link
shops to the app, grant or expire tokens, set faults, read the per-endpoint call counter.
"""

from __future__ import annotations

import random
from typing import Any

from aiostore.sandbox.common import PushMessage, SandboxError
from aiostore.sandbox.common.review import Review
from aiostore.sandbox.common.seeding import SeedPlan
from aiostore.sandbox.common.state import SandboxState, lookup, next_on_path
from aiostore.sandbox.tokopedia import push, render
from aiostore.sandbox.tokopedia.catalog import Catalog
from aiostore.sandbox.tokopedia.config import TokopediaSandboxConfig
from aiostore.sandbox.tokopedia.models import CANCELLED, NORMAL_PATH, UNPAID, App, Order, Product, Shop
from aiostore.sandbox.tokopedia.orders import OrderBook
from aiostore.sandbox.tokopedia.ratelimit import EndpointLimiter
from aiostore.sandbox.tokopedia.seed import OrderFactory, SeedResult, seed_shop
from aiostore.sandbox.tokopedia.tokens import AppToken, TokenStore


def refuse_region(region: str) -> None:
    if region.upper() != "ID":
        raise ValueError(f"Tokopedia serves sellers in Indonesia (ID) only, not {region}")


class TokopediaSandbox(SandboxState[TokopediaSandboxConfig, SeedResult]):
    def __init__(self, config: TokopediaSandboxConfig | None = None) -> None:
        config = config or TokopediaSandboxConfig()
        refuse_region(config.region)
        self.lost_pushes: list[PushMessage] = []
        self.start(config, accept=push.accepted, on_lost=self.lost_pushes.append, limiter=EndpointLimiter)
        self.rate_limiter: EndpointLimiter
        self.apps: dict[str, App] = {}  # by client_id
        self.shops: dict[int, Shop] = {}
        self.tokens = TokenStore(config)
        self.catalog = Catalog()
        self.orders = OrderBook(self.catalog)
        self.uploads: dict[int, dict[str, Any]] = {}
        self._activity = OrderFactory(random.Random(f"tokopedia-activity-{config.seed}"), self.orders)
        app = self.add_app(config.fs_id, config.client_id, config.client_secret, config.webhook_secret)
        if config.push_url:
            self.set_push_url(config.push_url)
        self.add_shop(config.shop_id, config.shop_name)
        if config.link_shop:
            app.linked_shops.add(config.shop_id)
        if config.access_token:
            self.tokens.grant(app.client_id, self.now(), config.access_token)
        self.seed_from_config()

    # ------------------------------------------------------------ listing review

    def review_product(self, product: Product) -> None:
        """An edited product is pending (-1) again, with its variant children, until reviewed."""
        restore = product.status if product.status in (1, 2, 3) else 1
        for member in self._family(product):
            member.status = -1
        self.begin_review(product.product_id, restore=restore)

    def review_ended(self, review: Review) -> None:
        """Approved: active (or the status it had before the edit); rejected: banned (-2). Tokopedia
        publishes no reason text and sends no push for it (listings-and-categories.md §D)."""
        product = self.catalog.products.get(int(str(review.key)))
        if product is None or product.status != -1:
            return
        for member in self._family(product):
            member.status = int(review.restore or 1) if review.approve else -2
            member.update_time = self.now()

    def _family(self, product: Product) -> list[Product]:
        children = [self.catalog.products.get(c) for c in product.children]
        return [product, *(c for c in children if c is not None)]

    # ------------------------------------------------------------ apps, shops, tokens

    def add_app(
        self, fs_id: int, client_id: str, client_secret: str, webhook_secret: str | None = None
    ) -> App:
        app = self.apps[client_id] = App(fs_id, client_id, client_secret, webhook_secret or client_secret)
        return app

    def add_shop(self, shop_id: int, name: str | None = None, region: str = "ID") -> Shop:
        refuse_region(region)
        slug = f"sandbox-store-{shop_id}"
        shop = self.shops[shop_id] = Shop(
            shop_id,
            name or f"Sandbox Store {shop_id}",
            shop_id + 9_000_000,
            slug,
            100_000 + shop_id % 100_000,
        )
        shop.created = self.now() - 400 * 86400
        return shop

    def app(self, client_id: str | None = None) -> App:
        return lookup(self.apps, self.config.client_id if client_id is None else client_id, "app")

    def app_by_fs(self, fs_id: int) -> App | None:
        return next((a for a in self.apps.values() if a.fs_id == fs_id), None)

    def shop(self, shop_id: int | None = None) -> Shop:
        return lookup(self.shops, self.config.shop_id if shop_id is None else shop_id, "shop")

    def link(self, shop_id: int, client_id: str | None = None, linked: bool = True) -> None:
        """The seller approves (or removes) the app for a shop."""
        shop, app = self.shop(shop_id), self.app(client_id)
        (app.linked_shops.add if linked else app.linked_shops.discard)(shop.shop_id)

    def grant_access_token(self, client_id: str | None = None, value: str | None = None) -> AppToken:
        return self.tokens.grant(self.app(client_id).client_id, self.now(), value)

    def expire_access_tokens(self, client_id: str | None = None) -> int:
        return self.tokens.expire(self.now(), client_id)

    def set_push_url(self, url: str | None, client_id: str | None = None) -> None:
        """Register ``url`` as every webhook URL of the app (None: none), as Register Webhook replaces all."""
        app = self.app(client_id)
        app.webhook_urls = {name: url for name in push.URL_FIELDS} if url else {}

    # ------------------------------------------------------------ data

    def seed_into(self, shop_id: int | None, plan: SeedPlan) -> SeedResult:
        return seed_shop(self.catalog, self.orders, self.shop(shop_id), plan)

    def product(self, product_id: int) -> Product:
        found = self.catalog.products.get(product_id)
        if found is None or found.status == 0:
            raise SandboxError(f"unknown product {product_id}", 404)
        return found

    def order(self, order_id: int) -> Order:
        return lookup(self.orders.orders, order_id, "order")

    # ------------------------------------------------------------ marketplace activity

    def place_order(
        self, lines: list[tuple[int, int]] | None = None, *, shop_id: int | None = None, paid: bool = True
    ) -> Order:
        """A buyer checks out (product_id, quantity) lines (random ones with stock when None). Paid, the
        order is at 220, its units leave the stock and the order_notification webhook goes out; unpaid, it
        waits at 100: not listed, no webhook, no stock taken until it is paid."""
        shop = self.shop(shop_id)
        if lines is None:
            pool = [p for p in self.catalog.sellable(shop.shop_id) if p.status in (1, 2) and p.stock > 0]
            picks = self._activity.random_picks(pool) if pool else []
        else:
            picks = []
            for product_id, quantity in lines:
                product = self.catalog.get(shop.shop_id, product_id)
                if product is None:
                    raise SandboxError(f"product {product_id} not found in shop {shop.shop_id}", 404)
                if quantity < 1:
                    raise SandboxError("quantity must be at least 1")
                picks.append((product, quantity))
        if not picks:
            raise SandboxError("nothing to buy: no product with free stock")
        self.orders.check_available(picks)
        now = self.now()
        order = self._activity.build(shop, picks, now, 220 if paid else 100)
        if paid:
            order.payment_time = now
            order.history.append((220, "system", "Payment verified", now))
        self.orders.add(order)
        if paid:
            self.orders.deduct(order)
            self._push(order, push.NOTIFICATION)
        return order

    def set_order_status(
        self, order_id: int, status: int, *, by: str = "system", message: str = "", force: bool = False
    ) -> Order:
        """Move an order to ``status`` (checked against §B5 unless ``force``), bump its time, push."""
        order = self.order(order_id)
        was_paid = order.payment_time is not None
        self.orders.transition(order, status, self.now(), by=by, message=message, force=force)
        if order.payment_time is None:
            return order  # not yet paid: Tokopedia tells the seller nothing
        if not was_paid and status not in CANCELLED | UNPAID:
            self._push(order, push.NOTIFICATION)
        else:
            self._push(order, push.CANCELLATION if status in CANCELLED else push.STATUS)
        return order

    def advance_order(self, order_id: int) -> Order:
        """One step along 100 → 220 → 400 → 450 → 500 → 600 → 700."""
        return self.set_order_status(
            order_id, next_on_path(order_id, self.order(order_id).status, NORMAL_PATH)
        )

    def _push(self, order: Order, kind: str) -> None:
        shop = self.shops[order.shop_id]
        for app in self.apps.values():
            if order.shop_id not in app.linked_shops:
                continue
            url = app.webhook_urls.get(kind) or app.webhook_urls.get(push.STATUS)
            if not url:
                continue
            payload = (
                render.order_notification(order, shop, app.fs_id)
                if kind == push.NOTIFICATION
                else render.order_status_payload(order, app.fs_id)
            )
            self.pushes.submit(push.build_message(url, app.webhook_secret, payload, kind))

    # ------------------------------------------------------------ faults, counters, pushes

    def lost_push_count(self) -> int:
        return len(self.lost_pushes)

    def contents(self) -> dict[str, Any]:
        return {
            "apps": [
                {
                    "fs_id": a.fs_id,
                    "client_id": a.client_id,
                    "linked_shops": sorted(a.linked_shops),
                    "webhooks": a.webhook_urls,
                }
                for a in self.apps.values()
            ],
            "shops": [
                {
                    "shop_id": s.shop_id,
                    "shop_name": s.name,
                    "region": "ID",
                    "currency": "IDR",
                    "products": self.catalog.count(s.shop_id),
                    "orders": sum(1 for o in self.orders.orders.values() if o.shop_id == s.shop_id),
                }
                for s in self.shops.values()
            ],
        }
