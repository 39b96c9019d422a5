"""``MarketplaceConnector`` for the Lazada Open Platform (lazada-tokopedia.md Part A).

The shop is the seller the access token acts for; its country (from the token answer, kept in
``TokenSet.external_ids["country"]``, else the account's market) picks the regional gateway, the currency
and the time zone. Token create and refresh go to the one auth host.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from aiostore.connectors import batching, dtos
from aiostore.connectors.errors import InvalidRequest, NotFound, UnexpectedResponse
from aiostore.connectors.lazada import mapping, order_mapping, reference, review, signing, webhooks
from aiostore.connectors.lazada.client import LazadaClient, auth_root, data_object, gateway_for
from aiostore.connectors.lazada.errors import PLATFORM
from aiostore.connectors.lazada.writes import LazadaWrites
from aiostore.connectors.planned import find_header
from aiostore.connectors.transport import Wiring
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform
from aiostore.domain.rules.loader import price_bounds
from aiostore.http.client import ApiRequest, JSONObject

# Lazada publishes 50 calls/s per seller for the inventory APIs and no other per-seller figure (§A7):
# 50/s is used for every call, bursts of 20; ApiCallLimit answers are retried after a back-off.
LAZADA_LIMITS = dtos.ConnectorLimits(
    product_page=50,  # /products/get limit ≤ 50
    product_detail_batch=1,  # /product/item/get reads one product
    sku_read_batch=50,  # /products/get `sku_seller_list`, one page of ≤ 50
    variant_batch=None,  # SKUs come inline with their product
    stock_batch=50,  # /product/price_quantity/update: ≤ 50 SKUs of any products
    stock_items_per_call=None,
    price_batch=50,
    price_items_per_call=None,
    order_page=100,  # /orders/get limit ≤ 100
    order_detail_batch=50,  # /orders/items/get: ≤ 50 order ids
    order_window=None,  # no window limit on update_after / update_before
    rate_per_second=50.0,
    burst=20,
    concurrency=8,
    access_token_ttl=timedelta(days=7),  # an app in test status; 30 days once online (App FAQ)
    refresh_margin=timedelta(hours=1),
    stock_counts_reserved=True,  # Quantity ≥ withhold + occupy (the inventory guide)
    # Withheld while unpaid, occupied until ready-to-ship; from then on deducted from Quantity.
    stock_held_statuses=frozenset({"unpaid", "pending", "topack", "packed", "repacked"}),
    # None published for local sellers (shared/marketplaces A3); the rules file's bounds are marked
    # so (domain/rules/data/lazada.toml), which leaves this empty.
    price_bounds=price_bounds("lazada"),
)
PRODUCT_OFFSET_CAP = 10_000  # /products/get: "The maximum offset is 10000"
ORDER_OFFSET_CAP = 5_000  # /orders/get: offset ≤ 5000


class LazadaConnector(LazadaWrites):
    platform = Platform("lazada")

    client: LazadaClient
    default_limits = LAZADA_LIMITS
    product_offset_cap = PRODUCT_OFFSET_CAP  # platform caps outside dtos.ConnectorLimits
    order_offset_cap = ORDER_OFFSET_CAP

    def _setup(self, tokens: dtos.TokenSet | None, market: MarketCode | None) -> MarketCode | None:
        self.requested_market = market
        return _token_market(tokens) or market

    def _client(self, wiring: Wiring) -> LazadaClient:
        return LazadaClient(
            wiring,
            app_key=self.app.app_key,
            app_secret=self.app.app_secret,
            auth_base_url=self.app.auth_base_url,
            access_token=lambda: self.keeper.access_token,
        )

    @property
    def gateway(self) -> str:
        if self.market is None:
            raise InvalidRequest(
                "no Lazada country known for this shop: no gateway to call", platform=PLATFORM
            )
        return gateway_for(self.app.base_url, self.market)

    def api(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]] = (),
        *,
        op: str,
        body: Mapping[str, str] | None = None,
        safe_to_repeat: bool = False,
    ) -> ApiRequest:
        """A seller call to the shop's regional gateway."""
        return ApiRequest(
            method,
            path,
            tuple(params),
            body=dict(body) if body is not None else None,
            op=op,
            safe_to_repeat=safe_to_repeat,
            base_url=self.gateway,
        )

    async def _send(self, request: ApiRequest) -> JSONObject:
        """A seller call: fresh token first, one refresh-and-repeat on an auth error."""
        return await self.keeper.run(lambda: self.client.call(request))

    async def _data(self, request: ApiRequest) -> JSONObject:
        return data_object((await self._send(request)).get("data"), request.name)

    # -- authorization --------------------------------------------------------------------------

    def authorization_url(self, state: str, redirect_url: str) -> str:
        country = self.requested_market.value.lower() if self.requested_market else ""
        root = auth_root(self.client.auth_url)
        return signing.authorize_url(root, self.app.app_key, redirect_url, state, country)

    def _adopt(self, tokens: dtos.TokenSet) -> None:
        self.shop_id = tokens.shop_id
        self.market = _token_market(tokens) or self.market
        self.client.client.limiter_key = f"{PLATFORM}:{self.shop_id}"

    async def exchange_code(self, code: str, params: Mapping[str, str]) -> dtos.TokenSet:
        envelope = await self.client.call(
            ApiRequest(
                "POST",
                "/auth/token/create",
                body={"code": code},
                op="auth.token_create",
                auth="public",
                base_url=self.client.auth_url,
            )
        )
        tokens = mapping.token_set(envelope, self.keeper.now(), market=self.requested_market)
        self._adopt(tokens)
        await self.keeper.replace(tokens)
        return tokens

    async def _refreshed_tokens(self, tokens: dtos.TokenSet) -> dtos.TokenSet:
        envelope = await self.client.call(
            ApiRequest(
                "POST",
                "/auth/token/refresh",
                body={"refresh_token": tokens.refresh_token},
                op="auth.token_refresh",
                auth="public",
                base_url=self.client.auth_url,
                safe_to_repeat=False,  # the refresh token may rotate
            )
        )
        market = _token_market(tokens) or self.market
        return mapping.token_set(envelope, self.keeper.now(), market=market, previous=tokens)

    async def shop_info(self) -> dtos.ShopInfo:
        data = await self._data(self.api("GET", "/seller/get", op="seller.get", safe_to_repeat=True))
        status = str(data.get("status") or "")
        tokens = self.keeper.tokens
        return dtos.ShopInfo(
            shop_id=str(data.get("seller_id") or self.shop_id or ""),
            name=str(data.get("name") or ""),
            market=self.market,
            status=status,
            active=status.lower() in ("active", "normal"),
            authorization_expires_at=tokens.refresh_expires_at if tokens else None,
        )

    # -- reference data -------------------------------------------------------------------------

    async def _any_data(self, request: ApiRequest) -> object:
        """A reference call to the shop's regional gateway; its ``data``, whatever its shape."""
        return (await self._send(replace(request, base_url=self.gateway))).get("data")

    async def categories(self) -> list[dtos.CategoryDTO]:
        return await reference.categories(self._any_data, self.market)

    async def category_attributes(self, category_id: str) -> list[dtos.AttributeDTO]:
        return await reference.category_attributes(self._any_data, category_id)

    async def brands(self, category_id: str) -> dtos.BrandList:
        return await reference.brands(self._any_data, category_id)

    async def logistics_channels(self) -> list[dtos.LogisticsChannelDTO]:
        return []  # Lazada has no per-product channel list (§C)

    async def upload_image(self, content: bytes, filename: str) -> dtos.UploadedImage:
        answer = await self._any_data(reference.upload_request(content, filename))
        return reference.uploaded(data_object(answer, "image.upload"))

    # -- products -------------------------------------------------------------------------------

    async def list_products(self, updated_since: datetime | None = None) -> AsyncIterator[dtos.ProductDTO]:
        """Offset pages of ≤ 50 (SKUs inline). Past the offset cap the list goes on from the creation
        time of the last product seen, in the direction the pages run, and repeats are left out."""
        page, offset, anchor = self.limits.product_page, 0, ("", "")
        seen: set[str] = set()
        while True:
            params = [("filter", "all"), ("offset", str(offset)), ("limit", str(page))]
            if updated_since is not None:
                params.append(("update_after", mapping.iso(updated_since)))
            if anchor[0]:
                params.append(anchor)
            data = await self._data(
                self.api("GET", "/products/get", params, op="products.get", safe_to_repeat=True)
            )
            products = [p for p in data.get("products") or () if isinstance(p, dict)]
            for raw in products:
                item = mapping.product(raw, self.currency)
                if item.item_id not in seen:
                    seen.add(item.item_id)
                    yield item
            if not products or offset + len(products) >= int(data.get("total_products") or 0):
                return
            offset += len(products)
            if offset > self.product_offset_cap:
                moved = _creation_anchor(products)
                if moved == anchor:
                    raise UnexpectedResponse(
                        "products.get: cannot page past the offset cap", platform=PLATFORM
                    )
                anchor, offset = moved, 0

    async def _items(self, ids: Sequence[str]) -> list[tuple[str, mapping.JSON]]:
        """/product/item/get for each id (bounded concurrency); unknown ids left out."""

        async def one(item_id: str) -> mapping.JSON | None:
            request = self.api(
                "GET", "/product/item/get", [("item_id", item_id)], op="product.item_get", safe_to_repeat=True
            )
            try:
                return await self._data(request)
            except NotFound:
                return None

        unique = list(dict.fromkeys(ids))
        found = await batching.gather_bounded([partial(one, i) for i in unique], self.limits.concurrency)
        return [(i, item) for i, item in zip(unique, found, strict=True) if item is not None]

    async def get_products(
        self, ids: Sequence[str], skus: Mapping[str, str] | None = None
    ) -> list[dtos.ProductDTO]:
        """With `skus`, /products/get by `sku_seller_list`: up to 50 products a call where /product/item/get
        reads one. An id its SKU did not bring back (the SKU changed on the platform) is read by id."""
        unique, skus = list(dict.fromkeys(ids)), skus or {}
        found: dict[str, dtos.ProductDTO] = {}
        by_sku = [i for i in unique if skus.get(i)]
        for chunk in batching.chunks(by_sku, self.limits.sku_read_batch):
            for product in await self._by_sku([skus[i] for i in chunk]):
                found.setdefault(product.item_id, product)
        rest = [i for i in unique if i not in found]
        found |= {i: mapping.product(item, self.currency) for i, item in await self._items(rest)}
        return [found[i] for i in unique if i in found]

    async def _by_sku(self, skus: Sequence[str]) -> list[dtos.ProductDTO]:
        """The products holding these seller SKUs (one page: no more products than SKUs)."""
        params = [("filter", "all"), ("offset", "0"), ("limit", str(self.limits.product_page))]
        params.append(("sku_seller_list", json.dumps(list(skus), separators=(",", ":"))))
        data = await self._data(
            self.api("GET", "/products/get", params, op="products.get", safe_to_repeat=True)
        )
        return [mapping.product(p, self.currency) for p in data.get("products") or () if isinstance(p, dict)]

    async def review_states(self, item_ids: Sequence[str]) -> list[dtos.ReviewDTO]:
        found = [review.review(i, item) for i, item in await self._items(item_ids)]
        return [r for r in found if r is not None]

    # -- orders ---------------------------------------------------------------------------------

    async def list_orders(
        self, since: datetime, until: datetime | None = None
    ) -> AsyncIterator[dtos.OrderRef]:
        """Orders by ``updated_at`` ascending, each page's items fetched for up to 50 orders a call.

        Pages are keyed on the last update time seen (``update_after`` is inclusive; ``offset`` skips the
        orders of that second already returned), so the offset stays small whatever the count.
        """
        until = until or self.keeper.now()
        anchor, skip = mapping.iso(since), 0
        seen: set[str] = set()
        while True:
            params = [
                ("update_after", anchor),
                ("update_before", mapping.iso(until)),
                ("sort_by", "updated_at"),
                ("sort_direction", "ASC"),
                ("offset", str(skip)),
                ("limit", str(self.limits.order_page)),
            ]
            data = await self._data(
                self.api("GET", "/orders/get", params, op="orders.get", safe_to_repeat=True)
            )
            orders = [o for o in data.get("orders") or () if isinstance(o, dict)]
            fresh = [o for o in orders if str(o["order_id"]) not in seen]
            items = await self._items_of([str(o["order_id"]) for o in fresh])
            for header in fresh:
                order_id = str(header["order_id"])
                seen.add(order_id)
                full = order_mapping.order(header, items.get(order_id, []), self.currency)
                yield dtos.OrderRef(order_id, full.status, full.platform_status, full.updated_at, full)
            total = int(data.get("countTotal") or data.get("count") or 0)
            if not orders or skip + len(orders) >= total:
                return
            last = mapping.iso(mapping.lazada_time_required(orders[-1].get("updated_at"), "updated_at"))
            run = len(_trailing(orders, last))
            skip, anchor = (skip + len(orders), anchor) if last == anchor else (run, last)
            if skip > self.order_offset_cap:
                raise UnexpectedResponse("orders.get: over 5000 orders share one second", platform=PLATFORM)

    async def _items_of(self, order_ids: Sequence[str]) -> dict[str, list[JSONObject]]:
        async def batch(chunk: list[str]) -> list[JSONObject]:
            request = self.api(
                "GET",
                "/orders/items/get",
                [("order_ids", f"[{','.join(chunk)}]")],
                op="orders.items_get",
                safe_to_repeat=True,
            )
            data = (await self._send(request)).get("data")
            return [d for d in data or () if isinstance(d, dict)]

        chunks = list(batching.chunks(dict.fromkeys(order_ids), self.limits.order_detail_batch))
        pages = await batching.gather_bounded([partial(batch, c) for c in chunks], self.limits.concurrency)
        return {str(d["order_id"]): list(d.get("order_items") or ()) for page in pages for d in page}

    async def get_orders(self, ids: Sequence[str]) -> list[dtos.OrderDTO]:
        async def header(order_id: str) -> JSONObject | None:
            request = self.api(
                "GET", "/order/get", [("order_id", order_id)], op="order.get", safe_to_repeat=True
            )
            try:
                return await self._data(request)
            except NotFound:
                return None

        async def items_of_one() -> dict[str, list[JSONObject]] | None:
            try:
                return await self._items_of(unique)
            except NotFound:  # the order is unknown (E037): its header says so too
                pass
            return None

        unique = list(dict.fromkeys(ids))
        if len(unique) == 1:
            # A webhook's one order: its header and its items at once, one round trip instead of two (an
            # unknown order costs one refused items call more).
            found, items_or_none = await asyncio.gather(header(unique[0]), items_of_one())
            headers = [found] if found else []
            items = items_or_none or {}
        else:  # a pull's orders: items asked only for the known ones, in the fewest calls
            listed = await batching.gather_bounded(
                [partial(header, i) for i in unique], self.limits.concurrency
            )
            headers = [h for h in listed if h]
            items = await self._items_of([str(h["order_id"]) for h in headers])
        return [order_mapping.order(h, items.get(str(h["order_id"]), []), self.currency) for h in headers]

    # -- writes: see writes.py ------------------------------------------------------------------

    # -- webhooks -------------------------------------------------------------------------------

    def verify_webhook(self, url: str, headers: Mapping[str, str], raw_body: bytes) -> bool:
        """Lazada signs the body with the app key and secret; the URL is not part of it."""
        return self.client.verify_push(raw_body, find_header(headers, "authorization"))

    def parse_webhook(self, raw_body: bytes) -> dtos.WebhookEvent:
        return webhooks.parse_push(raw_body)


def _token_market(tokens: dtos.TokenSet | None) -> MarketCode | None:
    country = (tokens.external_ids.get("country") if tokens else None) or ""
    return mapping.SERVED.get(country.lower())


def _trailing(orders: list[JSONObject], when: str) -> list[JSONObject]:
    """The orders at the end of the page updated in the second ``when``."""
    run: list[JSONObject] = []
    for order in reversed(orders):
        if mapping.iso(mapping.lazada_time_required(order.get("updated_at"), "updated_at")) != when:
            break
        run.append(order)
    return run


def _creation_anchor(products: list[JSONObject]) -> tuple[str, str]:
    """Where to go on from past the offset cap: after (or before) the last product's creation time."""
    times = [mapping.ms_time(p.get("created_time")) for p in products]
    first, last = times[0], times[-1]
    if last is None:
        raise UnexpectedResponse("products.get: no created_time to page on", platform=PLATFORM)
    ascending = first is None or first <= last
    return ("create_after" if ascending else "create_before", mapping.iso(last))
