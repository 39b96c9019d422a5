"""`ShopeeSandbox`: the in-memory marketplace behind the Shopee sandbox app (shopee-tiktokshop.md Part A).

Tests and benchmarks drive it directly (`app.state.sandbox`) or over HTTP through `/_sandbox/...`:
seed data, place orders and move them along §A5 (each change bumps update_time and sends a code-3 push,
§A8), grant or expire tokens (§A3), set faults, read the per-path call counter.
"""

from __future__ import annotations

import random
from typing import Any

from aiostore.sandbox.common import MARKETS, PushMessage, SandboxError
from aiostore.sandbox.common.review import Review
from aiostore.sandbox.common.seeding import SeedPlan
from aiostore.sandbox.common.state import SandboxState, lookup, next_on_path
from aiostore.sandbox.shopee.catalog import Catalog
from aiostore.sandbox.shopee.config import ShopeeSandboxConfig
from aiostore.sandbox.shopee.models import NORMAL_PATH, Item, Order, Partner, Shop
from aiostore.sandbox.shopee.orders import OrderBook
from aiostore.sandbox.shopee.push import (
    LostPushStore,
    accepted,
    banned_item_payload,
    build_message,
    order_status_payload,
)
from aiostore.sandbox.shopee.seed import OrderFactory, SeedResult, seed_shop
from aiostore.sandbox.shopee.tokens import ShopTokens, TokenStore


class ShopeeSandbox(SandboxState[ShopeeSandboxConfig, SeedResult]):
    def __init__(self, config: ShopeeSandboxConfig | None = None) -> None:
        config = config or ShopeeSandboxConfig()
        self.start(config, accept=accepted, on_lost=self._push_lost)
        self.partners: dict[int, Partner] = {}
        self.shops: dict[int, Shop] = {}
        self.tokens = TokenStore(config)
        self.catalog = Catalog()
        self.orders = OrderBook(self.catalog)
        self.lost_pushes = LostPushStore()
        self._activity = OrderFactory(random.Random(f"shopee-activity-{config.seed}"), self.orders)
        self.add_partner(config.partner_id, config.partner_key, push_url=config.push_url)
        self.add_shop(config.shop_id, config.region, config.shop_name)
        if config.access_token:
            self.grant_access_token(config.shop_id, config.access_token, refresh_token=config.refresh_token)
        self.seed_from_config()

    # ------------------------------------------------------------ partners, shops, tokens

    def add_partner(self, partner_id: int, partner_key: str, *, push_url: str | None = None) -> Partner:
        partner = self.partners[partner_id] = Partner(partner_id, partner_key, push_url)
        return partner

    def add_shop(self, shop_id: int, region: str = "ID", name: str | None = None) -> Shop:
        if region not in MARKETS:
            raise SandboxError(f"region must be one of {sorted(MARKETS)}")
        shop = self.shops[shop_id] = Shop(shop_id, region, name or f"Sandbox Store {region} {shop_id}")
        return shop

    def grant_access_token(
        self,
        shop_id: int | None = None,
        access_token: str | None = None,
        *,
        partner_id: int | None = None,
        refresh_token: str | None = None,
    ) -> ShopTokens:
        """Authorize a shop for a partner without the browser flow; returns the token pair."""
        shop = self.shop(shop_id)
        partner = self.partner(partner_id)
        return self.tokens.issue(partner.partner_id, shop.shop_id, self.now(), access_token, refresh_token)

    def issue_auth_code(self, shop_id: int | None = None, *, partner_id: int | None = None) -> str:
        """What the approval page does: authorize the shop and return a fresh code for token/get."""
        return self.tokens.authorize(
            self.partner(partner_id).partner_id, self.shop(shop_id).shop_id, self.now()
        )

    def expire_access_tokens(self, shop_id: int | None = None) -> int:
        return self.tokens.expire(self.now(), shop_id)

    def expire_refresh_tokens(self, shop_id: int | None = None) -> int:
        return self.tokens.expire(self.now(), shop_id, refresh=True)

    def partner(self, partner_id: int | None = None) -> Partner:
        return lookup(self.partners, self.config.partner_id if partner_id is None else partner_id, "partner")

    def shop(self, shop_id: int | None = None) -> Shop:
        return lookup(self.shops, self.config.shop_id if shop_id is None else shop_id, "shop")

    # ------------------------------------------------------------ data

    def seed_into(self, shop_id: int | None, plan: SeedPlan) -> SeedResult:
        return seed_shop(self.catalog, self.orders, self.shop(shop_id), plan)

    def item(self, item_id: int) -> Item:
        return lookup(self.catalog.items, item_id, "item")

    def order(self, order_sn: str) -> Order:
        return lookup(self.orders.orders, order_sn, "order")

    # ------------------------------------------------------------ marketplace activity

    def place_order(
        self,
        lines: list[tuple[int, int, int]] | None = None,
        *,
        shop_id: int | None = None,
        status: str = "UNPAID",
    ) -> Order:
        """A buyer buys (item_id, model_id, quantity) lines (random ones when None): stock is reserved,
        the order starts UNPAID (or READY_TO_SHIP, paid at once) and a push is sent."""
        shop = self.shop(shop_id)
        if status not in ("UNPAID", "READY_TO_SHIP"):
            raise SandboxError("a new order is UNPAID or READY_TO_SHIP")
        if lines is None:
            pool = [
                i
                for i in self.catalog.items.values()
                if i.shop_id == shop.shop_id and i.item_status == "NORMAL"
            ]
            picks = self._activity.random_picks(pool) if pool else []
        else:
            picks = []
            for item_id, model_id, quantity in lines:
                item = self.catalog.get(shop.shop_id, item_id)
                if item is None or self.catalog.holder(item, model_id) is None:
                    raise SandboxError(
                        f"item {item_id} model {model_id} not found in shop {shop.shop_id}", 404
                    )
                if quantity < 1:
                    raise SandboxError("quantity must be at least 1")
                picks.append((item, model_id, quantity))
        if not picks:
            raise SandboxError("nothing to buy: no item with free stock")
        now = self.now()
        order = self._activity.build(shop, picks, now, status)
        self.orders.check_available(order)
        order.pay_time = now if status == "READY_TO_SHIP" else None
        order.package.logistics_status = (
            "LOGISTICS_READY" if status == "READY_TO_SHIP" else "LOGISTICS_NOT_START"
        )
        self.orders.add(order)
        self.orders.apply_stock(order, "reserved")
        self._push_order(order)
        return order

    def set_order_status(
        self, order_sn: str, status: str, *, cancel_by: str = "", cancel_reason: str = "", force: bool = False
    ) -> Order:
        """Move an order to `status` (checked against §A5 unless force), bump update_time, push."""
        order = self.order(order_sn)
        self.orders.transition(
            order, status, self.now(), cancel_by=cancel_by, cancel_reason=cancel_reason, force=force
        )
        self._push_order(order)
        return order

    def arrange_shipment(self, order_sn: str, tracking_number: str | None = None) -> Order:
        """What ship_order does: a tracking number, package LOGISTICS_REQUEST_CREATED, order PROCESSED."""
        order = self.order(order_sn)
        number = tracking_number or f"SPX{order.region}{self._activity.rng.randint(10**11, 10**12 - 1)}"
        self.orders.transition(order, "PROCESSED", self.now())
        order.package.tracking_number = number
        self._push_order(order)
        return order

    def advance_order(self, order_sn: str) -> Order:
        """One step along the normal path UNPAID -> READY_TO_SHIP -> ... -> COMPLETED."""
        return self.set_order_status(
            order_sn, next_on_path(order_sn, self.order(order_sn).status, NORMAL_PATH)
        )

    # ------------------------------------------------------------ faults, counters, pushes

    def lost_push_count(self) -> int:
        return len(self.lost_pushes)

    def contents(self) -> dict[str, Any]:
        return {
            "partners": [
                {"partner_id": p.partner_id, "push_url": p.push_url} for p in self.partners.values()
            ],
            "shops": [
                {
                    "shop_id": s.shop_id,
                    "region": s.region,
                    "currency": s.market.currency,
                    "shop_name": s.name,
                    "items": self.catalog.count(s.shop_id),
                    "orders": sum(1 for o in self.orders.orders.values() if o.shop_id == s.shop_id),
                }
                for s in self.shops.values()
            ],
        }

    # ------------------------------------------------------------ listing review

    def review_ended(self, review: Review) -> None:
        """Approved: the item takes the status it was created or edited with (NORMAL or UNLIST).
        Rejected: BANNED, its violation in get_item_violation_info, and a code-6 push."""
        item = self.catalog.items.get(int(str(review.key)))
        if item is None or item.item_status != "REVIEWING":
            return
        now = self.now()
        if review.approve:
            item.violations = []
            self.catalog.set_status(item, str(review.restore or "NORMAL"), now)
            return
        item.violations = [
            {
                "violation_type": review.code or "Prohibited Listing",
                "violation_reason": review.reason or "Prohibited item",
                "suggestion": "Edit the listing to follow Shopee's listing policy",
                "fix_deadline_time": now + 3 * 86400,
                "update_time": now,
            }
        ]
        self.catalog.set_status(item, "BANNED", now)
        self._push(item.shop_id, banned_item_payload(item.shop_id, item.item_id, now, now))

    def _push_order(self, order: Order) -> None:
        self._push(
            order.shop_id,
            order_status_payload(order.shop_id, order.order_sn, order.status, order.update_time, self.now()),
        )

    def _push(self, shop_id: int, payload: dict[str, Any]) -> None:
        for partner in self.partners.values():
            if partner.push_url and (partner.partner_id, shop_id) in self.tokens.authorizations:
                self.pushes.submit(
                    build_message(
                        partner.partner_id, partner.partner_key, partner.push_url, payload, self.config.clock
                    )
                )

    def _push_lost(self, message: PushMessage) -> None:
        partner_id, payload = message.meta
        self.lost_pushes.add(partner_id, payload)
