"""``LazadaSandbox``: the in-memory marketplace behind the Lazada sandbox app (lazada-tokopedia.md Part A).

Tests and benchmarks drive it directly (``app.state.sandbox``) or over HTTP through ``/_sandbox/...``:
seed data, place orders and move their items along §A5 (each change bumps updated_at and pushes, §A8),
grant or expire tokens (§A3), set faults, read the per-path call counter.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any, cast

from aiostore.sandbox.common import MARKETS, SandboxError
from aiostore.sandbox.common.review import Review
from aiostore.sandbox.common.seeding import SeedPlan
from aiostore.sandbox.common.state import SandboxState, lookup
from aiostore.sandbox.lazada.catalog import Catalog
from aiostore.sandbox.lazada.config import LazadaSandboxConfig
from aiostore.sandbox.lazada.models import CARRIERS, NORMAL_PATH, App, Order, OrderItem, Product, Seller
from aiostore.sandbox.lazada.orders import OrderBook
from aiostore.sandbox.lazada.push import (
    accepted,
    auth_expiry_payload,
    build_message,
    order_payload,
    qc_payload,
)
from aiostore.sandbox.lazada.seed import OrderFactory, SeedResult, seed_shop
from aiostore.sandbox.lazada.tokens import SellerTokens, TokenStore

SERVED_COUNTRIES = frozenset({"ID", "SG", "MY"})


class LazadaSandbox(SandboxState[LazadaSandboxConfig, SeedResult]):
    def __init__(self, config: LazadaSandboxConfig | None = None) -> None:
        config = config or LazadaSandboxConfig()
        self.start(config, accept=accepted)
        self.apps: dict[str, App] = {}
        self.sellers: dict[str, Seller] = {}
        self.tokens = TokenStore(config)
        self.catalog = Catalog()
        self.orders = OrderBook(self.catalog)
        self.packages: dict[str, int] = {}  # package_id -> order_id
        self.expiry_alerts: dict[tuple[str, str], int] = {}  # (app_key, seller_id) -> last alert sent at
        self._alerts_looked_at: int | None = None
        self._activity = OrderFactory(random.Random(f"lazada-activity-{config.seed}"), self.orders)
        self.add_app(
            config.app_key, config.app_secret, push_url=config.push_url, callback_url=config.callback_url
        )
        self.add_seller(config.seller_id, config.country, config.seller_name)
        if config.access_token:
            self.grant_access_token(config.seller_id, config.access_token, refresh_token=config.refresh_token)
        self.seed_from_config()

    # ------------------------------------------------------------ apps, sellers, tokens

    def add_app(
        self, app_key: str, app_secret: str, *, push_url: str | None = None, callback_url: str | None = None
    ) -> App:
        app = self.apps[app_key] = App(app_key, app_secret, push_url, callback_url)
        return app

    def add_seller(self, seller_id: str, country: str = "ID", name: str | None = None) -> Seller:
        country = country.upper()
        if country not in SERVED_COUNTRIES:
            raise SandboxError(f"country must be one of {sorted(SERVED_COUNTRIES)}")
        seller = self.sellers[seller_id] = Seller(
            seller_id=seller_id,
            country=country,
            name=name or f"Sandbox Store {country} {seller_id}",
            short_code=f"{country}{abs(hash(seller_id)) % 10**6:06d}",
            user_id=str(100_000 + len(self.sellers)),
            email=f"seller{seller_id}@sandbox.example",
        )
        return seller

    def app(self, app_key: str | None = None) -> App:
        return lookup(self.apps, self.config.app_key if app_key is None else app_key, "app")

    def seller(self, seller_id: str | None = None) -> Seller:
        return lookup(self.sellers, self.config.seller_id if seller_id is None else seller_id, "seller")

    def grant_access_token(
        self,
        seller_id: str | None = None,
        access_token: str | None = None,
        *,
        app_key: str | None = None,
        refresh_token: str | None = None,
    ) -> SellerTokens:
        """Authorize a seller for an app without the browser flow; returns the token pair."""
        seller, app = self.seller(seller_id), self.app(app_key)
        return self.tokens.issue(app.app_key, seller.seller_id, self.now(), access_token, refresh_token)

    def issue_auth_code(self, seller_id: str | None = None, *, app_key: str | None = None) -> str:
        """What the approval page does: authorize the seller and return a fresh code."""
        return self.tokens.authorize(self.app(app_key).app_key, self.seller(seller_id).seller_id, self.now())

    def expire_access_tokens(self, seller_id: str | None = None) -> int:
        return self.tokens.expire(self.now(), seller_id)

    def expire_refresh_tokens(self, seller_id: str | None = None) -> int:
        return self.tokens.expire(self.now(), seller_id, refresh=True)

    # ------------------------------------------------------------ data

    def seed_into(self, shop_id: str | None, plan: SeedPlan) -> SeedResult:
        result = seed_shop(self.catalog, self.orders, self.seller(shop_id), plan)
        for order_id in result.order_ids:
            for item in self.orders.orders[order_id].items:
                if item.package_id:
                    self.packages[item.package_id] = order_id
        return result

    def product(self, item_id: int) -> Product:
        return lookup(self.catalog.products, item_id, "product")

    def order(self, order_id: int) -> Order:
        return lookup(self.orders.orders, order_id, "order")

    # ------------------------------------------------------------ marketplace activity

    def place_order(
        self,
        lines: list[tuple[int, int, int]] | None = None,
        *,
        seller_id: str | None = None,
        paid: bool = False,
    ) -> Order:
        """A buyer orders (item_id, sku_id, quantity) lines (random ones when None): one order item per
        unit, withheld while unpaid or occupied once paid (``paid``), and a push."""
        seller = self.seller(seller_id)
        if lines is None:
            pool = [p for p in self.catalog.of_seller(seller.seller_id) if p.status == "Active"]
            picks = self._activity.random_picks(pool) if pool else []
        else:
            self.orders.check_available(seller.seller_id, lines)
            picks = []
            for _item_id, sku_id, quantity in lines:
                if quantity < 1:
                    raise SandboxError("quantity must be at least 1")
                product, sku = self.catalog.sku(seller.seller_id, sku_id) or (None, None)
                assert product is not None and sku is not None  # noqa: S101 - checked above
                picks.append((product, sku, quantity))
        if not picks:
            raise SandboxError("nothing to buy: no SKU with sellable stock")
        self.orders.check_available(seller.seller_id, [(p.item_id, s.sku_id, q) for p, s, q in picks])
        now = self.now()
        status = "pending" if paid else "unpaid"
        order = self._activity.build(seller, picks, now, status)
        for item in order.items:
            item.payment_ms = now * 1000 if paid else None
            self.orders.apply_stock(order, item, "occupied" if paid else "withheld")
        self.orders.add(order)
        self._push(order, order.items)
        return order

    def set_order_status(
        self,
        order_id: int,
        status: str,
        *,
        items: Iterable[int] | None = None,
        force: bool = False,
        reason: str = "",
        initiator: str = "",
    ) -> list[OrderItem]:
        """Move the order's items (all but the cancelled ones, or ``items``) to ``status`` and push."""
        order = self.order(order_id)
        chosen = self._items(order, items)
        changed = self.orders.set_status(
            order, chosen, status, self.now(), force=force, reason=reason, initiator=initiator
        )
        self._push(order, changed)
        return changed

    def advance_order(self, order_id: int) -> list[OrderItem]:
        """One step along unpaid -> pending -> packed -> ready_to_ship -> shipped -> delivered."""
        order = self.order(order_id)
        live = [i for i in order.items if i.status in NORMAL_PATH[:-1]]
        if not live:
            raise SandboxError(f"order {order_id} has no item on the normal path", 409)
        step = min(NORMAL_PATH.index(i.status) for i in live)
        target = NORMAL_PATH[step + 1]
        if target == "packed":
            return self.pack(order, [i for i in live if NORMAL_PATH.index(i.status) == step])
        return self.set_order_status(
            order_id, target, items=[i.order_item_id for i in live if i.status == NORMAL_PATH[step]]
        )

    def pack(self, order: Order, items: list[OrderItem], provider: str | None = None) -> list[OrderItem]:
        """What /order/fulfill/pack does: a package, a tracking number, items ``packed``."""
        rng = self._activity.rng
        package_id = f"FP{rng.randint(10**14, 10**15 - 1)}"
        carrier = provider or CARRIERS[order.country][0]
        tracking = f"LX{order.country}{rng.randint(10**9, 10**10 - 1)}"
        changed = self.orders.set_status(order, items, "packed", self.now())
        for item in changed:
            item.package_id, item.shipment_provider, item.tracking_code = package_id, carrier, tracking
        self.packages[package_id] = order.order_id
        self._push(order, changed)
        return changed

    def _items(self, order: Order, ids: Iterable[int] | None) -> list[OrderItem]:
        if ids is None:
            return [i for i in order.items if i.status != "canceled"]
        wanted = set(ids)
        chosen = [i for i in order.items if i.order_item_id in wanted]
        if len(chosen) != len(wanted):
            raise SandboxError(
                f"order {order.order_id} has no item {sorted(wanted - {i.order_item_id for i in chosen})}",
                404,
            )
        return chosen

    # ------------------------------------------------------------ faults, counters, pushes

    def contents(self) -> dict[str, Any]:
        return {
            "apps": [{"app_key": a.app_key, "push_url": a.push_url} for a in self.apps.values()],
            "sellers": [
                {
                    "seller_id": s.seller_id,
                    "country": s.country,
                    "currency": MARKETS[s.country].currency,
                    "name": s.name,
                    "products": self.catalog.count(s.seller_id),
                    "orders": sum(1 for o in self.orders.orders.values() if o.seller_id == s.seller_id),
                }
                for s in self.sellers.values()
            ],
        }

    def announce_category_change(self) -> int:
        """Lazada's broadcast that the category tree changed (message type 12): to every app with a push
        URL, no seller, site always lazada_sg (lazada-tokopedia.md §B push table). Returns the pushes."""
        sent = 0
        for app in self.apps.values():
            if app.push_url:
                payload = {
                    "message_type": 12,
                    "data": {"status": "finish"},
                    "timestamp": self.now() * 1000,
                    "site": "lazada_sg",
                }
                self.pushes.submit(
                    build_message(app.app_key, app.app_secret, app.push_url, payload, self.config.clock)
                )
                sent += 1
        return sent

    def review_ended(self, review: Review) -> None:
        """QC's end: the status the seller set (approved) or Rejected with `rejectReason`, and a
        message type 1 push either way."""
        seller_id, item_id = cast(tuple[str, int], review.key)
        product = self.catalog.get(seller_id, item_id)
        if product is None or product.status != "Pending QC":
            return
        reason = "" if review.approve else review.reason or "Product information does not meet QC standards"
        product.reject_reasons = (
            [] if review.approve else [{"violation_type": review.code or "QC_REJECTED", "reason": reason}]
        )
        self.catalog.set_status(product, str(review.restore) if review.approve else "Rejected")
        product.updated_ms = self.now() * 1000
        seller = self.seller(seller_id)
        status = "APPROVED" if review.approve else "REJECTED"
        for app in self.apps.values():
            if app.push_url and (app.app_key, seller_id) in self.tokens.authorizations:
                payload = qc_payload(seller_id, item_id, status, reason, self.now(), seller.site)
                self.pushes.submit(
                    build_message(app.app_key, app.app_secret, app.push_url, payload, self.config.clock)
                )

    def alert_expiring_authorizations(self) -> int:
        """Lazada's daily authorisation expiry alert (message type 8, §A8): each app with a push URL is
        told, for every seller whose authorisation of it ends within ``auth_expiry_alert_before``, when it
        ends; again a day later while it still does. Returns the pushes sent."""
        now, cfg, sent = self.now(), self.config, 0
        self._alerts_looked_at = now
        for app_key, seller_id in list(self.tokens.authorizations):
            app, seller = self.apps.get(app_key), self.sellers.get(seller_id)
            ends = self.tokens.authorization_ends(app_key, seller_id, now)
            if app is None or seller is None or not app.push_url or ends is None:
                continue
            last = self.expiry_alerts.get((app_key, seller_id))
            if ends - now > cfg.auth_expiry_alert_before or (
                last is not None and now - last < cfg.auth_expiry_alert_every
            ):
                continue
            self.expiry_alerts[app_key, seller_id] = now
            payload = auth_expiry_payload(app_key, seller_id, ends, now, seller.site)
            self.pushes.submit(
                build_message(app.app_key, app.app_secret, app.push_url, payload, self.config.clock)
            )
            sent += 1
        return sent

    def look_at_authorizations(self) -> None:
        """Called with every API request: the alert's check runs at most once a minute of sandbox time,
        as Lazada's own daily job does in the background."""
        now = self.now()
        if self._alerts_looked_at is None or now - self._alerts_looked_at >= 60:
            self.alert_expiring_authorizations()

    def _push(self, order: Order, changed: list[OrderItem]) -> None:
        if not changed:
            return
        seller = self.seller(order.seller_id)
        first = changed[0]
        for app in self.apps.values():
            if not app.push_url or (app.app_key, order.seller_id) not in self.tokens.authorizations:
                continue
            payload = order_payload(
                seller.seller_id,
                order.order_id,
                first.order_item_id,
                first.status,
                order.updated,
                self.now(),
                seller.site,
            )
            self.pushes.submit(
                build_message(app.app_key, app.app_secret, app.push_url, payload, self.config.clock)
            )
