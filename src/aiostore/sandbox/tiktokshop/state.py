"""``TikTokShopSandbox``: the in-memory marketplace behind the TikTok Shop sandbox app (shopee-tiktokshop.md
Part B).

Tests and benchmarks drive it directly (``app.state.sandbox``) or over HTTP through ``/_sandbox/...``: seed
data, place orders and move them along §B5 (each change bumps update_time and sends an
ORDER_STATUS_CHANGE push, §B8), record returns, grant or expire tokens (§B3), set faults, read the call
counter.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any, cast

from aiostore.sandbox.common import MARKETS, SandboxError
from aiostore.sandbox.common.review import Review
from aiostore.sandbox.common.seeding import SeedPlan
from aiostore.sandbox.common.state import SandboxState, lookup, next_on_path
from aiostore.sandbox.tiktokshop import push
from aiostore.sandbox.tiktokshop.catalog import Catalog
from aiostore.sandbox.tiktokshop.config import TikTokShopSandboxConfig
from aiostore.sandbox.tiktokshop.models import NORMAL_PATH, App, Order, Product, Shop
from aiostore.sandbox.tiktokshop.orders import OrderBook
from aiostore.sandbox.tiktokshop.seed import OrderFactory, SeedResult, seed_shop
from aiostore.sandbox.tiktokshop.tokens import SellerTokens, TokenStore

OPEN_ID = "7010736057180325637"  # the sandbox's seller


class TikTokShopSandbox(SandboxState[TikTokShopSandboxConfig, SeedResult]):
    def __init__(self, config: TikTokShopSandboxConfig | None = None) -> None:
        config = config or TikTokShopSandboxConfig()
        self.start(config, accept=push.accepted)
        self.app = App(
            config.app_key, config.app_secret, config.service_id, config.redirect_url, config.push_url
        )
        self.shops: dict[str, Shop] = {}
        self.tokens = TokenStore(config)
        self.catalog = Catalog()
        self.orders = OrderBook(self.catalog)
        self._rng = random.Random(f"tiktokshop-activity-{config.seed}")
        self._activity = OrderFactory(self._rng, self.orders)
        self._notifications = 0
        self.add_shop(config.shop_id, config.region, config.shop_name, cipher=config.shop_cipher)
        if config.access_token:
            self.grant_access_token(access_token=config.access_token, refresh_token=config.refresh_token)
        self.seed_from_config()

    # ------------------------------------------------------------ shops and tokens

    def add_shop(
        self, shop_id: str, region: str = "ID", name: str | None = None, *, cipher: str | None = None
    ) -> Shop:
        if region not in MARKETS:
            raise SandboxError(f"region must be one of {sorted(MARKETS)} (TikTok Shop's markets here)")
        digest = hashlib.sha256(f"{self.app.app_key}:{shop_id}".encode()).hexdigest()
        shop = Shop(
            shop_id=shop_id,
            region=region,
            name=name or f"Sandbox Store {region} {shop_id[-4:]}",
            cipher=cipher or f"ROW_{digest[:27]}",
            code=f"{region}LC{digest[27:33].upper()}",
            warehouse_id=str(7_068_517_275_539_719_000 + int(digest[33:37], 16)),
            open_id=OPEN_ID,
        )
        self.shops[shop_id] = shop
        authorization = self.tokens.authorizations.get((self.app.app_key, OPEN_ID))
        if authorization is not None and shop_id not in authorization.shop_ids:
            authorization.shop_ids.append(shop_id)
        return shop

    def shop(self, shop_id: str | None = None) -> Shop:
        return lookup(self.shops, self.config.shop_id if shop_id is None else shop_id, "shop")

    def shop_by_cipher(self, cipher: str) -> Shop | None:
        return next((s for s in self.shops.values() if s.cipher == cipher), None)

    def grant_access_token(
        self, access_token: str | None = None, *, refresh_token: str | None = None, open_id: str = OPEN_ID
    ) -> SellerTokens:
        """Authorize every shop of the seller for the app without the browser flow; returns the tokens."""
        self.authorize(open_id)
        return self.tokens.issue(self.app.app_key, open_id, self.now(), access_token, refresh_token)

    def authorize(self, open_id: str = OPEN_ID) -> str:
        """What the approval page does: the seller authorizes all its shops; returns a fresh auth code."""
        shop_ids = [s.shop_id for s in self.shops.values() if s.open_id == open_id]
        return self.tokens.authorize(self.app.app_key, open_id, shop_ids, self.now())

    def expire_access_tokens(self) -> int:
        return self.tokens.expire(self.now())

    def expire_refresh_tokens(self) -> int:
        return self.tokens.expire(self.now(), refresh=True)

    # ------------------------------------------------------------ data

    def seed_into(self, shop_id: str | None, plan: SeedPlan) -> SeedResult:
        return seed_shop(self.catalog, self.orders, self.shop(shop_id), plan)

    def product(self, product_id: str) -> Product:
        return lookup(self.catalog.products, product_id, "product")

    def order(self, order_id: str) -> Order:
        return lookup(self.orders.orders, order_id, "order")

    # ------------------------------------------------------------ marketplace activity

    def place_order(
        self,
        lines: list[tuple[str, str, int]] | None = None,
        *,
        shop_id: str | None = None,
        status: str = "UNPAID",
    ) -> Order:
        """A buyer buys (product_id, sku_id, quantity) lines (random ones when None): the units move from
        available to committed, the order starts UNPAID (or AWAITING_SHIPMENT, paid at once), it is pushed."""
        shop = self.shop(shop_id)
        if status not in ("UNPAID", "AWAITING_SHIPMENT"):
            raise SandboxError("a new order is UNPAID or AWAITING_SHIPMENT")
        if lines is None:
            pool = [p for p in self.catalog.of_shop(shop.shop_id) if p.status == "ACTIVATE"]
            picks = self._activity.random_picks(pool) if pool else []
        else:
            picks = []
            for product_id, sku_id, quantity in lines:
                product = self.catalog.get(shop.shop_id, product_id)
                sku = product.skus.get(sku_id) if product is not None else None
                if product is None or sku is None:
                    raise SandboxError(
                        f"product {product_id} sku {sku_id} not found in shop {shop.shop_id}", 404
                    )
                if quantity < 1:
                    raise SandboxError("quantity must be at least 1")
                picks.append((product, sku, quantity))
        if not picks:
            raise SandboxError("nothing to buy: no product with free stock")
        now = self.now()
        order = self._activity.build(shop, picks, now, status)
        self.orders.check_available(order)
        order.paid_time = now if status != "UNPAID" else None
        self.orders.add(order)
        self.orders.apply_stock(order, "reserved")
        self.push_order(order)
        return order

    def set_order_status(self, order_id: str, status: str, *, force: bool = False) -> Order:
        """Move an order to ``status`` (checked against §B5 unless ``force``), bump update_time, push."""
        order = self.order(order_id)
        self.orders.transition(order, status, self.now(), force=force)
        self.push_order(order)
        return order

    def advance_order(self, order_id: str) -> Order:
        """One step along the normal path UNPAID -> AWAITING_SHIPMENT -> ... -> COMPLETED."""
        return self.set_order_status(
            order_id, next_on_path(order_id, self.order(order_id).status, NORMAL_PATH)
        )

    def return_order(self, order_id: str, *, return_type: str = "RETURN_AND_REFUND") -> Order:
        """The buyer returns the whole order and the refund completes: a return record, a push."""
        order = self.order(order_id)
        if order.status not in ("DELIVERED", "COMPLETED"):  # goods come back after delivery
            self.orders.transition(order, "DELIVERED", self.now(), force=True)
            self.push_order(order)
        record = self.orders.add_return(order, return_type, "RETURN_OR_REFUND_REQUEST_COMPLETE", self.now())
        data = push.return_status_data(
            order_id, record.return_id, return_type, record.return_status, record.update_time
        )
        self._push(order.shop_id, push.RETURN_STATUS_CHANGE, data)
        return order

    def cancel(self, order: Order, reason_text: str, initiator: str = "SELLER") -> None:
        order.cancellation_initiator, order.cancel_reason = initiator, reason_text
        self.orders.transition(order, "CANCELLED", self.now())
        self.push_order(order)

    # ------------------------------------------------------------ faults, counters, pushes

    def review_ended(self, review: Review) -> None:
        """The audit's end: ACTIVATE, or FAILED with `audit_failed_reasons`; a type-37 push either way."""
        shop_id, product_id = cast(tuple[str, str], review.key)
        product = self.catalog.get(shop_id, product_id)
        if product is None or product.status != "PENDING":
            return
        now = self.now()
        product.audit_failed_reasons = (
            []
            if review.approve
            else [
                {
                    "position": review.code or "PRODUCT",
                    "reasons": [review.reason or "The product violates TikTok Shop's listing rules"],
                    "suggestions": ["Edit the product and submit it again"],
                    "listing_platform": "TIKTOK_SHOP",
                }
            ]
        )
        self.catalog.set_status(product, str(review.restore) if review.approve else "FAILED", now)
        data = push.product_audit_data(product_id, product.status, now)
        self._push(shop_id, push.PRODUCT_AUDIT_STATUS_CHANGE, data)

    def push_order(self, order: Order) -> None:
        data = push.order_status_data(order.order_id, order.status, order.update_time)
        self._push(order.shop_id, push.ORDER_STATUS_CHANGE, data)

    def _push(self, shop_id: str, push_type: int, data: dict[str, Any]) -> None:
        shop = self.shops[shop_id]
        if shop.shop_id not in self.tokens.shops_of(self.app.app_key, shop.open_id):
            return  # TikTok pushes only for shops that authorized the app
        url = shop.webhooks.get(push.EVENT_NAMES.get(push_type, "")) or self.app.push_url
        if not url:
            return
        self._notifications += 1
        notification = f"{7_300_000_000_000_000_000 + self._notifications}"
        body = push.payload(push_type, notification, shop_id, self.now(), data)
        self.pushes.submit(
            push.build_message(self.app.app_key, self.app.app_secret, url, body, self.config.clock)
        )

    def contents(self) -> dict[str, Any]:
        return {
            "app": {
                "app_key": self.app.app_key,
                "service_id": self.app.service_id,
                "push_url": self.app.push_url,
            },
            "shops": [
                {
                    "shop_id": s.shop_id,
                    "region": s.region,
                    "currency": s.market.currency,
                    "shop_name": s.name,
                    "shop_cipher": s.cipher,
                    "products": self.catalog.count(s.shop_id),
                    "orders": sum(1 for o in self.orders.orders.values() if o.shop_id == s.shop_id),
                }
                for s in self.shops.values()
            ],
        }
